"""RoI max pooling rounds the box to the feature grid and max-pools each of an
out x out grid of bins, so two boxes less than half a cell apart pool the same.

Girshick 2015, "Fast R-CNN" (ICCV), Section 2.1 (the RoI pooling layer: the
h x w RoI window is divided into an H x W grid of sub-windows of approximate
size h/H x w/W, each max-pooled). The rounding of the box and of the bin edges
is the one He et al. 2017, "Mask R-CNN" (ICCV), Section 3 describes and that
RoIAlign removes; the edges here (start floored, end ceiled) are those of
Fast R-CNN's Caffe layer and of F.adaptive_max_pool2d.
"""

import math
import os

import torch
import torch.nn.functional as F

from roi_align import roi_align  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:roi_pool]
def quantize(box, scale):
    """Image-pixel box (x0, y0, x1, y1) -> the feature cells it covers, both
    ends included: each coordinate rounded to the nearest cell."""
    return [math.floor(v * scale + 0.5) for v in box.tolist()]


def bins(start, size, out):
    """The out bins over `size` cells from `start`: bin i spans the cells
    floor(i size / out) to ceil((i + 1) size / out), end excluded; a bin edge
    that falls inside a cell puts that cell in both bins."""
    return [
        (start + i * size // out, start - (-(i + 1) * size // out))
        for i in range(out)
    ]


def roi_max_pool(feat, box, out=2, scale=1.0):
    """feat (C, H, W), box (4,) in image pixels -> (C, out, out)."""
    x0, y0, x1, y1 = quantize(box, scale)
    w, h = max(x1 - x0 + 1, 1), max(y1 - y0 + 1, 1)
    return torch.stack(
        [
            torch.stack(
                [
                    feat[:, r0:r1, c0:c1].amax((1, 2))
                    for c0, c1 in bins(x0, w, out)
                ]
            )
            for r0, r1 in bins(y0, h, out)
        ]
    ).permute(2, 0, 1)  # (out, out, C) -> (C, out, out)


# --8<-- [end:roi_pool]


def roi_max_pool_by_mask(feat, box, out=2, scale=1.0):
    """Brute force: scan every cell of the map; a cell enters bin (i, j) when
    its unit square overlaps the bin's unrounded rectangle."""
    x0, y0, x1, y1 = quantize(box, scale)
    w, h = max(x1 - x0 + 1, 1), max(y1 - y0 + 1, 1)
    rows = torch.arange(feat.shape[1])
    cols = torch.arange(feat.shape[2])
    pooled = torch.empty(feat.shape[0], out, out, dtype=feat.dtype)
    for i in range(out):
        in_row = (rows + 1 > y0 + i * h / out) & (rows < y0 + (i + 1) * h / out)
        for j in range(out):
            in_col = (cols + 1 > x0 + j * w / out) & (
                cols < x0 + (j + 1) * w / out
            )
            inside = in_row[:, None] & in_col[None, :]
            pooled[:, i, j] = feat.masked_fill(~inside, -math.inf).amax((1, 2))
    return pooled


def main() -> None:
    torch.manual_seed(SEED)
    # a handful of boxes on a 16x16 map: index bookkeeping, on the CPU whatever
    # device runs the network
    # --8<-- [start:example]
    feat = torch.tensor(
        [
            [3, 17, 8, 25, 1, 30],
            [12, 4, 29, 6, 21, 10],
            [9, 33, 2, 14, 7, 26],
            [27, 5, 19, 11, 35, 0],
            [16, 23, 13, 31, 20, 18],
            [22, 28, 15, 24, 34, 32],
        ],
        dtype=torch.float64,
    )[None]  # (1, 6, 6), a stride-4 map of a 24 x 24 image
    box = torch.tensor([4.4, 3.2, 16.8, 19.6], dtype=torch.float64)
    # / 4 -> x 1.1 .. 4.2, y 0.8 .. 4.9 -> rounded: columns 1-4, rows 1-5
    # 2x2 bins: columns 4 / 2 = 2 each -> {1, 2}, {3, 4}
    #           rows 5 / 2 = 2.5 -> [0, 2.5) -> {1, 2, 3}; [2.5, 5) -> {3, 4, 5}
    #   top-left     rows 1-3, cols 1-2: 4 29 / 33 2 / 5 19     -> 33
    #   top-right    rows 1-3, cols 3-4: 6 21 / 14 7 / 11 35    -> 35
    #   bottom-left  rows 3-5, cols 1-2: 5 19 / 23 13 / 28 15   -> 28
    #   bottom-right rows 3-5, cols 3-4: 11 35 / 31 20 / 24 34  -> 35
    # row 3 lies in both row bins: its 35 wins the top and the bottom bin
    pooled = roi_max_pool(feat, box, out=2, scale=1 / 4)
    by_hand = torch.tensor([[[33.0, 35.0], [28.0, 35.0]]], dtype=torch.float64)
    # --8<-- [end:example]
    assert torch.equal(pooled, by_hand), f"the hand-worked bins: {pooled}"
    print(f"quantized box (x0, y0, x1, y1 in cells): {quantize(box, 1 / 4)}")
    print(f"pooled 2x2: {pooled[0].int().tolist()}")

    # random maps and boxes: three routes, 2x2 and 3x3 bins
    big = torch.randn(3, 16, 16, dtype=torch.float64)  # (C, H, W), stride 4
    checked = 0
    for _ in range(40):
        x0, y0 = (
            torch.rand(2, dtype=torch.float64) * 36
        ).tolist()  # inside the map
        w, h = (4 + torch.rand(2, dtype=torch.float64) * 20).tolist()
        b = torch.tensor([x0, y0, x0 + w, y0 + h], dtype=torch.float64)
        q = quantize(b, 1 / 4)
        region = big[:, q[1] : q[3] + 1, q[0] : q[2] + 1]  # ends included
        for out in (2, 3):
            ours = roi_max_pool(big, b, out, scale=1 / 4)
            torch.testing.assert_close(
                ours,
                roi_max_pool_by_mask(big, b, out, scale=1 / 4),
                rtol=0,
                atol=0,
            )
            torch.testing.assert_close(
                ours, F.adaptive_max_pool2d(region, out), rtol=0, atol=0
            )
            checked += 1
    print(
        f"(box, bins) pairs equal to brute force and adaptive pool: {checked}"
    )

    # --8<-- [start:shift]
    moved = box + 1.0  # 1 image pixel = a quarter cell right and down
    assert quantize(moved, 1 / 4) == quantize(box, 1 / 4)
    assert torch.equal(roi_max_pool(feat, moved, 2, 1 / 4), pooled), (
        "RoI pooling: the same output for a box moved by a quarter cell"
    )
    align = roi_align(feat, box, out=2, samples=2, scale=1 / 4)
    align_moved = roi_align(feat, moved, out=2, samples=2, scale=1 / 4)
    change = float((align_moved - align).abs().max())
    # --8<-- [end:shift]
    assert change > 0.5, "RoIAlign: the output follows the quarter-cell move"
    print("RoI pooling, box moved by 1 image px, same output: True")
    print(
        f"RoIAlign, box moved by 1 image px, largest bin change: {change:.3f}"
    )


if __name__ == "__main__":
    main()
