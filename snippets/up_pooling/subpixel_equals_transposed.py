"""A stride-2 transposed convolution equals a sub-pixel convolution: a
convolution in low resolution to 4x the channels, then nn.PixelShuffle(2).

Shi et al. 2016, "Real-Time Single Image and Video Super-Resolution Using an
Efficient Sub-Pixel Convolutional Neural Network" (ESPCN), CVPR, Section 2.2;
Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep learning",
Chapter 4.
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:phases]
@torch.no_grad()
def subpixel_from_transposed(convt: nn.ConvTranspose2d) -> nn.Sequential:
    """ConvTranspose2d(C, C', 4, stride=2, padding=1) as Conv2d(C, 4C', 3,
    padding=1) + PixelShuffle(2)."""
    c_in, c_out = convt.weight.shape[:2]  # convT weight: (C, C', 4, 4)
    conv = nn.Conv2d(c_in, 4 * c_out, 3, padding=1)
    conv.weight.zero_()
    # Output row y = 2m + ry gets input row i with kernel row a = y + 1 - 2i
    # (stride 2, padding 1 crops one row). A 3x3 conv at low-resolution row m
    # reads row i = m + d, d in {-1, 0, 1}, with its kernel row d + 1, so
    # a = ry + 1 - 2d: ry = 0 uses a = 3, 1 (d = -1, 0), ry = 1 uses a = 2, 0
    # (d = 0, 1). Columns likewise, with rx, e and b.
    for ry in range(2):
        for rx in range(2):
            # nn.PixelShuffle puts channel 4o + 2ry + rx at pixel (2m+ry, 2n+rx)
            phase = slice(2 * ry + rx, 4 * c_out, 4)  # channels 4o + 2ry + rx
            for d in (-1, 0, 1):
                for e in (-1, 0, 1):
                    a, b = ry + 1 - 2 * d, rx + 1 - 2 * e
                    if 0 <= a < 4 and 0 <= b < 4:
                        w = convt.weight[:, :, a, b].T  # (C', C)
                        conv.weight[phase, :, d + 1, e + 1] = w
            conv.bias[phase] = convt.bias
    return nn.Sequential(conv, nn.PixelShuffle(2))


# --8<-- [end:phases]


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    c, c_out, h, w = 3, 5, 6, 7
    x = torch.randn(2, c, h, w, device=device)

    # --8<-- [start:check]
    convt = nn.ConvTranspose2d(c, c_out, 4, stride=2, padding=1).to(device)
    subpixel = subpixel_from_transposed(convt).to(device)
    y_t, y_s = convt(x), subpixel(x)  # both (2, C', 2H, 2W)
    torch.testing.assert_close(y_s, y_t)
    # --8<-- [end:check]
    assert torch.allclose(y_s, y_t, atol=1e-5), (
        "the sub-pixel convolution equals the transposed convolution"
    )
    # each of the 16 C C' transposed-convolution weights is used exactly once:
    # the conv's non-zero weights are the same multiset
    kernel = subpixel[0].weight
    used = kernel[kernel != 0].sort().values
    nonzero = used.numel()
    assert torch.equal(used, convt.weight.flatten().sort().values), (
        "each transposed-convolution weight appears once in the conv"
    )

    # --8<-- [start:cost]
    # multiply-adds per image (bias ignored)
    hr = 2 * h * 2 * w  # high-resolution pixels
    macs = {
        # the same layer as a stride-1 conv over the zero-stuffed input: a
        # 4x4 kernel at every high-resolution pixel, most taps on zeros
        "zero-stuffed 4x4 conv in high resolution": hr * c_out * c * 16,
        # 3x3 kernels at every low-resolution pixel, 4C' output channels
        "3x3 conv to 4C' channels in low resolution": h * w * 4 * c_out * c * 9,
        # the taps that are not zero: each input pixel stamps a 4x4 kernel
        "non-zero taps (scatter-add)": h * w * c_out * c * 16,
    }
    # --8<-- [end:cost]
    assert (
        macs["3x3 conv to 4C' channels in low resolution"]
        < macs["zero-stuffed 4x4 conv in high resolution"]
    ), "the sub-pixel form is cheaper than convolving in high resolution"

    # --8<-- [start:k2]
    # k = s = 2: each output phase is a single weight, so a flat input gives
    # the 2x2 kernel tiled, flat only if its four weights are equal
    with torch.no_grad():
        k2 = nn.ConvTranspose2d(1, 1, 2, stride=2, bias=False).to(device)
        flat = torch.ones(1, 1, 4, 4, device=device)
        out = k2(flat)[0, 0]  # (8, 8)
        tiled = k2.weight[0, 0].repeat(4, 4)
        k2.weight.fill_(0.5)  # four equal weights
        out_equal = k2(flat)[0, 0]
    # --8<-- [end:k2]
    assert torch.equal(out, tiled) and out.unique().numel() == 4, (
        "unequal weights: a flat input gives the kernel tiled 2x2"
    )
    assert out_equal.unique().numel() == 1, (
        "four equal weights: a flat input gives a flat output"
    )

    print(f"input {tuple(x.shape)} -> output {tuple(y_t.shape)}")
    print(
        "ConvTranspose2d(k=4, s=2, p=1) equals Conv2d(k=3, p=1) + "
        "PixelShuffle(2): True"
    )
    total = subpixel[0].weight.numel()
    print(f"non-zero weights of the 3x3 conv: {nonzero} of {total}")
    for name, n in macs.items():
        print(f"multiply-adds, {name}: {n}")
    n_random, n_equal = out.unique().numel(), out_equal.unique().numel()
    print(f"k=s=2, flat input, distinct outputs, random weights: {n_random}")
    print(f"k=s=2, flat input, distinct outputs, equal weights: {n_equal}")


if __name__ == "__main__":
    main()
