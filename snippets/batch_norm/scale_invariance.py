"""Behind batch norm, scaling a layer's weights by a leaves the output unchanged
and divides their gradient by a.

Ioffe & Szegedy 2015, "Batch Normalization", ICML, Section 3.3: BN((aW)u) =
BN(Wu) and d BN((aW)u) / d(aW) = (1/a) d BN(Wu) / dW, so "larger weights lead to
smaller gradients".
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(16, 3, 8, 8, device=device, dtype=torch.float64)
    target = torch.randn(16, 8, 8, 8, device=device, dtype=torch.float64)
    net = (
        nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1, bias=False),
            nn.BatchNorm2d(8, eps=1e-30),
        )
        .double()
        .to(device)
    )
    # tiny eps: exact; the default eps=1e-5 breaks it only when var ~ eps
    w0 = net[0].weight.detach().clone()

    # --8<-- [start:scale]
    def output_and_grad(a: float):
        with torch.no_grad():
            net[0].weight.copy_(a * w0)  # scale the kernels
        net.zero_grad()
        y = net(x)  # train(): batch stats
        ((y - target) ** 2).mean().backward()
        return y.detach(), net[0].weight.grad.clone()

    y1, g1 = output_and_grad(1.0)
    y10, g10 = output_and_grad(10.0)
    torch.testing.assert_close(y10, y1)  # same function
    torch.testing.assert_close(10.0 * g10, g1)  # gradient / 10
    # --8<-- [end:scale]
    cosine = (g1 * w0).sum() / (g1.norm() * w0.norm())  # gradient is
    assert abs(cosine.item()) < 1e-10, cosine  # orthogonal to w
    print("output with weights x10 == output with weights x1: True")
    ratio = (g1.norm() / g10.norm()).item()
    print(f"gradient norm ratio, weights x1 / weights x10: {ratio:.4f}")
    print(
        f"cosine between weight and its gradient below 1e-10: "
        f"{abs(cosine.item()) < 1e-10}"
    )


if __name__ == "__main__":
    main()
