"""Anchors are k = scales x ratios boxes of fixed area and shape centred at
every feature-map position.

Ren, He, Girshick & Sun 2015, "Faster R-CNN: Towards Real-Time Object Detection
with Region Proposal Networks" (NeurIPS), Section 3.1.1 (Anchors): 3 scales (box
areas 128^2, 256^2, 512^2 pixels) and 3 aspect ratios (1:1, 1:2, 2:1) give k = 9
anchors per position, W x H x k for a W x H feature map.
"""

import itertools
import math
import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:anchors]
def cell_anchors(scales, ratios) -> torch.Tensor:
    """(k, 4) anchors centred on (0, 0): area scale**2, height / width =
    ratio."""
    s = torch.tensor(scales, dtype=torch.float64)[:, None]  # (S, 1)
    r = torch.tensor(ratios, dtype=torch.float64)[None, :]  # (1, R)
    w, h = (s / r.sqrt()).flatten(), (s * r.sqrt()).flatten()  # w * h = s^2
    return torch.stack([-w / 2, -h / 2, w / 2, h / 2], 1)  # (k, 4) xyxy


def grid_anchors(feat_h, feat_w, stride, scales, ratios) -> torch.Tensor:
    """(feat_h * feat_w * k, 4): every anchor at every feature-map position,
    centred on the image pixel that position maps to."""
    ys = (torch.arange(feat_h, dtype=torch.float64) + 0.5) * stride
    xs = (torch.arange(feat_w, dtype=torch.float64) + 0.5) * stride
    cy, cx = torch.meshgrid(ys, xs, indexing="ij")  # (H, W) each
    shifts = torch.stack([cx, cy, cx, cy], -1).reshape(-1, 1, 4)  # (HW, 1, 4)
    return (shifts + cell_anchors(scales, ratios)).reshape(-1, 4)


# --8<-- [end:anchors]


def main() -> None:
    torch.manual_seed(SEED)
    scales, ratios, stride = (128, 256, 512), (0.5, 1.0, 2.0), 16
    feat_h, feat_w = 38, 63  # a 600 x 1000 image at stride 16
    a = grid_anchors(feat_h, feat_w, stride, scales, ratios)
    k = len(scales) * len(ratios)
    assert a.shape == (feat_h * feat_w * k, 4)

    # independent route: a plain loop over positions, scales and ratios
    ref = []
    for i, j in itertools.product(range(feat_h), range(feat_w)):
        cx, cy = (j + 0.5) * stride, (i + 0.5) * stride
        for s, r in itertools.product(scales, ratios):
            w, h = s / math.sqrt(r), s * math.sqrt(r)
            ref.append([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
    torch.testing.assert_close(a, torch.tensor(ref, dtype=torch.float64))

    w, h = a[:k, 2] - a[:k, 0], a[:k, 3] - a[:k, 1]
    torch.testing.assert_close(
        w * h,
        torch.tensor(
            [s * s for s in scales for _ in ratios], dtype=torch.float64
        ),
    )
    torch.testing.assert_close(
        h / w, torch.tensor(list(ratios) * len(scales), dtype=torch.float64)
    )
    inside = (
        (a[:, 0] >= 0)
        & (a[:, 1] >= 0)
        & (a[:, 2] <= feat_w * stride)
        & (a[:, 3] <= feat_h * stride)
    )
    print(f"anchors per position k: {k}")
    print(f"feature map {feat_h}x{feat_w} at stride {stride}: {len(a)} anchors")
    print(f"anchors entirely inside the image: {int(inside.sum())}")
    print(
        "anchor sizes at one position (w x h): "
        + ", ".join(
            f"{float(x):.0f}x{float(y):.0f}" for x, y in zip(w[:3], h[:3])
        )
        + ", ..."
    )


if __name__ == "__main__":
    main()
