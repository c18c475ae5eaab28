"""Exercise: the fixed kernel that makes ConvTranspose2d(k=2f, stride=f,
padding=f/2) bilinear upsampling by an even factor f.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation", CVPR, Section 3.3: upsampling layers initialized to bilinear
interpolation. The 1-D weights are the tent 1 - |a - (f - 1/2)| / f.
"""

import torch
import torch.nn.functional as F


def bilinear_kernel(f: int) -> torch.Tensor:
    """The (2f, 2f) kernel of bilinear upsampling by the even factor f."""
    # BEGIN SOLUTION (starter: return torch.zeros(2 * f, 2 * f))
    a = torch.arange(2 * f, dtype=torch.float64)
    tent = 1 - (a - (f - 0.5)).abs() / f  # 1-D linear interpolation weights
    return tent[:, None] * tent[None, :]  # separable: rows times columns
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(1, 1, 6, 7, dtype=torch.float64, device=device)
    for f in (2, 4, 6):
        w = bilinear_kernel(f).to(device, torch.float64)
        assert w.shape == (2 * f, 2 * f), "the kernel is 2f x 2f"
        up = F.conv_transpose2d(x, w[None, None], stride=f, padding=f // 2)
        ref = F.interpolate(
            x, scale_factor=f, mode="bilinear", align_corners=False
        )
        assert up.shape == ref.shape, "the output is f times larger"
        inner = (slice(None), slice(None), slice(f, -f), slice(f, -f))
        assert torch.allclose(up[inner], ref[inner], atol=1e-12), (
            f"equals bilinear interpolation away from the border, f={f}"
        )
        print(f"f={f}: 6x7 input -> {tuple(up.shape[-2:])}")
    print(
        "factor 2 kernel, first row x 16:",
        (bilinear_kernel(2)[0] * 16).tolist(),
    )


if __name__ == "__main__":
    main()
