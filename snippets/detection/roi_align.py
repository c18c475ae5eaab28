"""RoIAlign samples the feature map bilinearly at exact, unrounded positions,
where RoI pooling rounds the box to the feature grid and shifts it.

He, Gkioxari, Dollar & Girshick 2017, "Mask R-CNN" (ICCV), Section 3 (RoIAlign):
no quantization of the RoI or its bins; bilinear interpolation at regularly
sampled points in each bin, then an average. Girshick 2015, "Fast R-CNN" (ICCV),
Section 2.1 (the RoI pooling layer).
"""

import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:bilinear]
def bilinear(feat, y, x):
    """feat (C, H, W); y, x (P,) continuous pixel-centre coordinates -> (C, P).
    Pixel (i, j) has its centre at (i, j); a weighted mean of the 4 neighbours.
    """
    H, W = feat.shape[-2:]
    y, x = y.clamp(0, H - 1), x.clamp(0, W - 1)
    y0, x0 = (
        y.floor().long().clamp(max=H - 2),
        x.floor().long().clamp(max=W - 2),
    )
    dy, dx = y - y0, x - x0
    return (
        feat[:, y0, x0] * (1 - dy) * (1 - dx)
        + feat[:, y0, x0 + 1] * (1 - dy) * dx
        + feat[:, y0 + 1, x0] * dy * (1 - dx)
        + feat[:, y0 + 1, x0 + 1] * dy * dx
    )


# --8<-- [end:bilinear]


# --8<-- [start:roi_align]
def roi_align(feat, box, out=2, samples=2, scale=1.0):
    """feat (C, H, W), box (4,) xyxy in image pixels -> (C, out, out).
    Each of the out x out bins averages samples x samples bilinear reads."""
    x0, y0, x1, y1 = (box * scale).tolist()  # no rounding
    bw, bh = (x1 - x0) / out, (y1 - y0) / out
    k = (torch.arange(out * samples, dtype=feat.dtype) + 0.5) / samples
    ys, xs = y0 + k * bh - 0.5, x0 + k * bw - 0.5  # to pixel centres
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    v = bilinear(feat, yy.flatten(), xx.flatten())  # (C, (out*s)^2)
    v = v.reshape(-1, out, samples, out, samples)
    return v.mean((2, 4))


def roi_pool(feat, box, out=2, scale=1.0):
    """Fast R-CNN RoI pooling: round the box to the grid, max over each bin."""
    x0, y0, x1, y1 = [round(v) for v in (box * scale).tolist()]
    region = feat[:, y0 : max(y1, y0 + 1), x0 : max(x1, x0 + 1)]
    return F.adaptive_max_pool2d(region, out)


# --8<-- [end:roi_align]


def main() -> None:
    torch.manual_seed(SEED)
    feat = torch.randn(3, 16, 16, dtype=torch.float64)  # (C, H, W)
    box = torch.tensor([13.3, 20.1, 41.7, 50.9], dtype=torch.float64)
    scale = 1 / 4  # stride-4 map
    ours = roi_align(feat, box, out=2, samples=2, scale=scale)

    # independent route: the same sample points read by F.grid_sample
    x0, y0, x1, y1 = (box * scale).tolist()
    k = (torch.arange(4, dtype=torch.float64) + 0.5) / 2
    ys, xs = y0 + k * (y1 - y0) / 2, x0 + k * (x1 - x0) / 2  # continuous coords
    gy, gx = torch.meshgrid(ys / 16 * 2 - 1, xs / 16 * 2 - 1, indexing="ij")
    grid = torch.stack([gx, gy], -1)[None]  # (1, 4, 4, 2)
    # (C, 4, 4)
    ref = F.grid_sample(feat[None], grid, mode="bilinear", align_corners=False)[
        0
    ]
    ref = F.avg_pool2d(ref, 2)  # mean per bin
    torch.testing.assert_close(ours, ref)  # RoIAlign equals grid_sample

    # a linear ramp: bilinear reads are exact, so RoIAlign's bin means are
    # the ramp at the bin centres; RoI pooling's rounding shifts them
    ramp = torch.arange(16, dtype=torch.float64).expand(1, 16, 16).clone()
    centre = float(box[[0, 2]].mean() * scale) - 0.5  # in pixel-centre units
    aligned = float(roi_align(ramp, box, out=1, scale=scale))
    pooled = roi_pool(ramp, box, out=1, scale=scale)
    assert abs(aligned - centre) < 1e-9, (
        "RoIAlign returns the ramp at the centre"
    )
    print("RoIAlign equals grid_sample + bin average: True")
    print(f"ramp value at the RoI centre: {centre:.3f}")
    print(f"RoIAlign (1 bin, mean): {aligned:.3f}")
    roi_mean = float(
        ramp[
            :, :, round(box[0].item() * scale) : round(box[2].item() * scale)
        ].mean()
    )
    print(
        f"RoI pooling after rounding the box (mean over its cells): "
        f"{roi_mean:.3f}"
    )
    assert abs(roi_mean - centre) > 0.05 and pooled.numel() == 1
    # rounding each coordinate of x/4 moves it by at most half a cell, so the
    # centre moves by at most half a cell: 2 image pixels at stride 4
    shift = abs(roi_mean - centre) / scale
    print(f"RoI pooling's rounding moves the centre by (image px): {shift:.3f}")
    assert shift <= 0.5 / scale, "the shift is at most half a cell (2 px)"


if __name__ == "__main__":
    main()
