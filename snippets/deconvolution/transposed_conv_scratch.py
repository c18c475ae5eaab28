"""A transposed convolution stamps the kernel, scaled by each input pixel, into
a larger output.

Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep learning",
Chapter 4: the same result is a plain convolution over a zero-stuffed, padded
input with the flipped kernel.
"""

import os
import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:scatter]
def conv_transpose_scatter(
    x, weight, bias, stride=1, padding=0, output_padding=0
):
    """x: (N, C_in, H, W), weight: (C_in, C_out, k, k) as in
    nn.ConvTranspose2d."""
    n, _, h, w = x.shape
    k = weight.shape[-1]
    # before cropping the padding
    full_h = (h - 1) * stride + k + output_padding
    full_w = (w - 1) * stride + k + output_padding
    out = x.new_zeros(n, weight.shape[1], full_h, full_w)
    for i in range(h):
        for j in range(w):  # each input pixel stamps the kernel
            # (N, C_out, k, k)
            stamp = torch.einsum("nc,cokl->nokl", x[:, :, i, j], weight)
            out[
                :, :, i * stride : i * stride + k, j * stride : j * stride + k
            ] += stamp
    # "padding" of a transposed conv removes rows/cols from the output
    out = out[:, :, padding : full_h - padding, padding : full_w - padding]
    return out + bias.view(1, -1, 1, 1)


# --8<-- [end:scatter]


# --8<-- [start:zero_stuff]
def conv_transpose_as_conv(
    x, weight, bias, stride=1, padding=0, output_padding=0
):
    """The same map as an ordinary stride-1 convolution."""
    n, c, h, w = x.shape
    k = weight.shape[-1]
    stuffed = x.new_zeros(n, c, (h - 1) * stride + 1, (w - 1) * stride + 1)
    stuffed[:, :, ::stride, ::stride] = x  # stride-1 zeros between pixels
    q = k - 1 - padding  # border padding (needs padding <= k-1)
    stuffed = F.pad(stuffed, (q, q + output_padding, q, q + output_padding))
    # (C_out, C_in, k, k), flipped in space
    w_conv = weight.flip(2, 3).transpose(0, 1)
    return F.conv2d(stuffed, w_conv, bias)


# --8<-- [end:zero_stuff]


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 3, 5, 5, device=device)  # (N, C_in, H, W)
    settings = [
        (3, 1, 0, 0),
        (3, 2, 0, 0),
        (3, 2, 1, 1),
        (4, 2, 1, 0),
        (5, 3, 2, 2),
        (2, 2, 0, 0),
    ]
    for k, s, p, op in settings:
        layer = nn.ConvTranspose2d(
            3, 4, k, stride=s, padding=p, output_padding=op
        ).to(device)
        ref = layer(x)
        args = (x, layer.weight, layer.bias, s, p, op)
        torch.testing.assert_close(conv_transpose_scatter(*args), ref)
        torch.testing.assert_close(conv_transpose_as_conv(*args), ref)
        assert ref.shape[-1] == (5 - 1) * s - 2 * p + k + op

    # one pixel in, one kernel out: a unit impulse reproduces the kernel itself
    impulse = torch.zeros(1, 1, 3, 3, device=device)
    impulse[0, 0, 1, 1] = 1.0
    kernel = torch.arange(9.0, device=device).view(1, 1, 3, 3)
    stamped = F.conv_transpose2d(impulse, kernel, stride=2)  # (1, 1, 7, 7)
    torch.testing.assert_close(stamped[0, 0, 2:5, 2:5], kernel[0, 0])
    assert stamped.abs().sum() == kernel.sum()

    print(
        f"settings (kernel, stride, padding, output_padding) checked: "
        f"{len(settings)}"
    )
    # reached only if assert_close passed
    print("scatter-add matches nn.ConvTranspose2d: True")
    print(
        "zero-stuffed conv with flipped kernel matches nn.ConvTranspose2d: True"
    )
    print(
        f"impulse 3x3 -> output {tuple(stamped.shape[-2:])}, "
        "kernel copied at rows/cols 2..4"
    )


if __name__ == "__main__":
    main()
