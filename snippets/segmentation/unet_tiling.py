"""U-Net's unpadded convolutions shrink a 572x572 tile to a 388x388 map, and
the overlap-tile strategy, each output tile computed from an input tile
extended by that border, mirrored at the image's edges, gives exactly the
output of one pass over the whole mirrored image.

Ronneberger, Fischer & Brox 2015, "U-Net: Convolutional Networks for Biomedical
Image Segmentation" (MICCAI): Section 2 and Figure 1 (two unpadded 3x3
convolutions per level, 2x2 max pooling, 2x2 up-convolution, 572x572 in,
388x388 out; every max pooling applied to an even size), Section 1 and Figure 2
(the overlap-tile strategy, the missing context at the image border
extrapolated by mirroring).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:sizes]
def unet_output_size(size: int, depth: int) -> int:
    """Follow a tile through U-Net: `depth` max pools, each level two unpadded
    3x3 convolutions (-2 pixels each). Raises on an odd size before a pool."""
    for _ in range(depth):  # contracting path
        size -= 4  # two valid 3x3 convolutions
        if size % 2:
            raise ValueError(f"max pooling of an odd size {size}")
        size //= 2  # 2x2 max pool, stride 2
    size -= 4  # the bottom level's two convolutions
    for _ in range(depth):  # expansive path
        size = 2 * size - 4  # 2x2 up-convolution, then two 3x3 convolutions
    return size  # the 1x1 classifier keeps the size


def is_valid(size: int, depth: int) -> bool:
    """Every max pool sees an even size."""
    try:
        unet_output_size(size, depth)
        return True
    except ValueError:
        return False


# --8<-- [end:sizes]


# --8<-- [start:net]
def two_convs(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3), nn.ReLU(),  # unpadded: -2 pixels
        nn.Conv2d(c_out, c_out, 3), nn.ReLU(),  # -2 more
    )  # fmt: skip


class ValidUNet(nn.Module):
    """Two levels, no padding: (N, 1, n, n) -> (N, 2, n - 16, n - 16)."""

    def __init__(self, w: int = 8):
        super().__init__()
        self.enc, self.bottom = two_convs(1, w), two_convs(w, 2 * w)
        self.up = nn.ConvTranspose2d(2 * w, w, kernel_size=2, stride=2)
        self.dec, self.head = two_convs(2 * w, w), nn.Conv2d(w, 2, 1)

    def forward(self, x):
        e = self.enc(x)  # (N, w, n - 4, n - 4)
        u = self.up(self.bottom(F.max_pool2d(e, 2)))  # (N, w, n - 12, n - 12)
        c = (e.shape[-1] - u.shape[-1]) // 2  # crop the skip to the centre
        e = e[..., c : e.shape[-2] - c, c : e.shape[-1] - c]
        return self.head(self.dec(torch.cat([u, e], 1)))  # (N, 2, n-16, n-16)


# --8<-- [end:net]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # float64: tile and whole pass then agree to rounding on any device
    net = ValidUNet().to(device, torch.float64).eval()
    image = torch.randn(1, 1, 48, 48, device=device, dtype=torch.float64)
    # --8<-- [start:paper]
    assert unet_output_size(572, depth=4) == 388, "572 in, 388 out"  # Fig. 1
    try:
        unet_output_size(570, depth=4)
        odd = "none"
    except ValueError as e:
        odd = str(e)
    valid = [n for n in range(500, 601) if is_valid(n, 4)]
    # --8<-- [end:paper]
    assert odd != "none" and 572 in valid, "570 pools an odd size, 572 not"
    assert all(unet_output_size(n, 4) == n - 184 for n in valid)
    border = (32 - unet_output_size(32, depth=1)) // 2  # 8 pixels per side
    # --8<-- [start:tiles]
    t, b = 16, border  # output tile 16x16, input tile 16 + 2 * 8 = 32x32
    H, W = image.shape[-2:]
    padded = F.pad(image, (b, b, b, b), mode="reflect")  # mirror the edges
    out = torch.empty(1, 2, H, W, device=device, dtype=torch.float64)
    with torch.no_grad():
        for i in range(0, H, t):  # tile origins: multiples of 16, even
            for j in range(0, W, t):
                tile = padded[..., i : i + t + 2 * b, j : j + t + 2 * b]
                out[..., i : i + t, j : j + t] = net(tile)  # 32x32 -> 16x16
        whole = net(padded)  # one pass: 64x64 -> 48x48
    torch.testing.assert_close(out, whole)  # seamless: equal pixel for pixel
    # --8<-- [end:tiles]
    assert whole.shape[-2:] == image.shape[-2:], whole.shape
    o = unet_output_size(572, 4)
    print(f"paper's U-Net, 572x572 input: {o}x{o} output")
    print(f"570x570 input: {odd}")
    print(f"valid input sizes from 500 to 600: {valid}")
    print(f"small valid U-Net, border lost per side: {border}")
    print(f"image: {H}x{W}, mirrored to {tuple(padded.shape[-2:])}")
    print(f"tiles: {(H // t) * (W // t)}, input {t + 2 * b}x{t + 2 * b} each")
    print(f"output tile: {t}x{t}")
    print(f"stitched output: {tuple(out.shape)}, equal to one pass: yes")


if __name__ == "__main__":
    main()
