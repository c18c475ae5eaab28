"""Exercise: bilinear resizing from scratch equals F.interpolate(mode=
"bilinear", align_corners=False): output pixel i reads the input at
(i + 0.5) * in / out - 0.5 and blends its two neighbours in each direction.

PyTorch documentation, "torch.nn.functional.interpolate" (align_corners=False:
pixels are areas, the corners of the input and output grids are aligned, not
their centres); Long et al. 2015 (FCN, CVPR), Section 3.3: bilinear
interpolation computes each output from the nearest four inputs.
"""

import torch
import torch.nn.functional as F


def resize_bilinear(x: torch.Tensor, size: tuple) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, h, w) with size = (h, w), align_corners=False."""

    # BEGIN SOLUTION (starter: return F.interpolate(x, size=size))
    def taps(n_out: int, n_in: int):
        i = torch.arange(n_out, device=x.device, dtype=x.dtype)
        src = ((i + 0.5) * n_in / n_out - 0.5).clamp(min=0)  # input position
        lo = src.floor().long().clamp(max=n_in - 1)
        hi = (lo + 1).clamp(max=n_in - 1)  # the last pixel repeats at the edge
        return lo, hi, src - lo  # the weight of hi

    y0, y1, wy = taps(size[0], x.shape[-2])
    x0, x1, wx = taps(size[1], x.shape[-1])
    rows = x[..., y0, :] * (1 - wy)[:, None] + x[..., y1, :] * wy[:, None]
    return rows[..., x0] * (1 - wx) + rows[..., x1] * wx
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 3, 8, 12, device=device)  # (N, C, H, W)

    # the checks a learner's answer must pass
    for size in [(16, 24), (20, 30), (5, 7), (8, 12), (13, 4)]:
        ours = resize_bilinear(x, size)
        theirs = F.interpolate(x, size=size, mode="bilinear")
        assert ours.shape == theirs.shape, f"the output size {size}"
        assert torch.allclose(ours, theirs, atol=1e-5), (
            f"equals F.interpolate(mode='bilinear') at size {size}"
        )
    corners = F.interpolate(
        x, size=(16, 24), mode="bilinear", align_corners=True
    )
    gap = (resize_bilinear(x, (16, 24)) - corners).abs().max().item()
    assert gap > 0.01, "align_corners=True is another resampling"
    print("equals F.interpolate(mode='bilinear') at 5 sizes: True")
    print(f"largest difference to align_corners=True, 8x12 -> 16x24: {gap:.3f}")
    # a mask of classes 0 and 2 resized bilinearly: values between them appear
    mask = torch.zeros(1, 1, 8, 8, device=device)
    mask[..., 2:6, 2:6] = 2.0
    blend = resize_bilinear(mask, (12, 12)).round()
    print(f"class values after resizing a 0/2 mask: {blend.unique().tolist()}")


if __name__ == "__main__":
    main()
