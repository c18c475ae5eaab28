"""A strided convolution with uneven overlap (kernel 3, stride 2) paints a
checkerboard into the gradient with respect to its input.

Odena, Dumoulin & Olah 2016, "Deconvolution and Checkerboard Artifacts",
Distill (https://distill.pub/2016/deconv-checkerboard/), "Artifacts in
Gradients": the backward pass of a convolution is a transposed convolution, so
it inherits the transposed convolution's uneven overlap.
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:gradient]
def input_gradient(kernel: int, size: int, device: str) -> torch.Tensor:
    """Gradient of conv(x).sum() with respect to x: a uniform upstream gradient
    sent back through a stride-2 convolution with equal (all-ones) weights."""
    conv = nn.Conv2d(1, 1, kernel, stride=2, bias=False).to(device)
    nn.init.ones_(conv.weight)
    x = torch.randn(1, 1, size, size, device=device, requires_grad=True)
    y = conv(x)  # (1, 1, 6, 6) for both settings below
    y.backward(torch.ones_like(y))  # upstream gradient: ones everywhere
    # the backward pass is the transposed convolution of the upstream gradient
    torch.testing.assert_close(
        x.grad, F.conv_transpose2d(torch.ones_like(y), conv.weight, stride=2)
    )
    return x.grad[0, 0]


# --8<-- [end:gradient]


def interior(img: torch.Tensor, border: int = 2) -> torch.Tensor:
    return img[border:-border, border:-border]  # away from the image edges


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:check]
    g3 = interior(input_gradient(kernel=3, size=13, device=device))  # 13 -> 6
    g4 = interior(input_gradient(kernel=4, size=14, device=device))  # 14 -> 6
    # uneven overlap: each input pixel's gradient counts the windows over it
    assert set(g3.unique().tolist()) == {1.0, 2.0, 4.0}, (
        "kernel 3 stride 2: the interior gradient takes the values 1, 2 and 4"
    )
    periodic = torch.equal(g3[2:], g3[:-2]) and torch.equal(
        g3[:, 2:], g3[:, :-2]
    )
    assert periodic, "the kernel 3 gradient repeats with period 2 both ways"
    # even overlap: every interior pixel lies under 2 x 2 = 4 windows
    assert g4.unique().tolist() == [4.0], (
        "kernel 4 stride 2: the interior gradient is flat"
    )
    # --8<-- [end:check]
    ratio3 = (g3.max() / g3.min()).item()
    ratio4 = (g4.max() / g4.min()).item()
    assert ratio3 > 1 and ratio4 == 1, (
        "the gradient's unevenness comes from the uneven overlap"
    )

    for k, g, ratio in ((3, g3, ratio3), (4, g4, ratio4)):
        rows = g[:4, :4].int().tolist()  # a 4x4 corner of the interior
        print(f"kernel {k} stride 2, interior gradient rows: {rows}")
        print(f"kernel {k} stride 2, interior max / min: {ratio:.0f}")
    # assert_close passed in input_gradient
    print(
        "input gradient equals conv_transpose2d of the upstream gradient: True"
    )


if __name__ == "__main__":
    main()
