# grid_detector.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/detection/grid_detector.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python grid_detector.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "95a335ec7ca2fa522e33e0feb01e6d33a6bc13c25bafebd47b8075a93e62e0ba", "sources": {"snippets/detection/average_precision.py": "4e406a22c747cb237d946a5c1a951f62dba8a061da3bbb0fc91d02854b538cca", "snippets/detection/grid_detector.py": "367344a74506551c8f39f19fb422651138757095b7081d6819fbb87407adde83", "snippets/detection/nms.py": "46d6b8b3a4284069f848b6fb924bb8c2fd514da759f674b52eb1517931670d6d", "snippets/shapes/shapes.py": "d18add5657fd71ae9e9074877a39dde6e4aa0f8da4e0a934ad4336c9c0f9e8ff"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/detection/nms.py
_add_module('nms', r'''"""Greedy non-maximum suppression keeps the best-scoring box and drops every
same-class box overlapping it by IoU > t.

Girshick et al. 2014, "Rich feature hierarchies for accurate object detection
and semantic segmentation" (R-CNN, CVPR), Section 2.2: "greedy non-maximum
suppression (for each class independently) that rejects a region if it has an
intersection-over-union (IoU) overlap with a higher scoring selected region
larger than a learned threshold". The same step follows YOLO (Redmon et al.
2016) and SSD (Liu et al. 2016).
"""

import os
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:iou]
def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """boxes: (N, 4) as (x0, y0, x1, y1), x1/y1 exclusive pixel coordinates ->
    (N,) areas."""
    return (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (
        boxes[:, 3] - boxes[:, 1]
    ).clamp(min=0)


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(N, 4), (M, 4) -> (N, M) intersection over union of every pair."""
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])  # (N, M, 2)
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])  # (N, M, 2)
    wh = (bottom_right - top_left).clamp(min=0)  # 0 where the boxes do not meet
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return inter / union.clamp(min=1e-9)


# --8<-- [end:iou]


# --8<-- [start:nms]
def nms(
    boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float
) -> torch.Tensor:
    """Greedy NMS for one class: indices of the kept boxes, highest score
    first."""
    order = scores.argsort(descending=True)
    keep = []
    while order.numel() > 0:
        best = order[0]
        keep.append(best)  # the best remaining box survives
        ious = box_iou(boxes[best][None], boxes[order[1:]])[0]
        # drop boxes overlapping it by > threshold
        order = order[1:][ious <= iou_threshold]
    return (
        torch.stack(keep)
        if keep
        else torch.zeros(0, dtype=torch.long, device=boxes.device)
    )


def batched_nms(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    labels: torch.Tensor,
    iou_threshold: float,
) -> torch.Tensor:
    """NMS for each class on its own: a box never suppresses a box of another
    class."""
    keep = [
        idx[nms(boxes[idx], scores[idx], iou_threshold)]
        for idx in (
            torch.nonzero(labels == c).flatten() for c in labels.unique()
        )
    ]
    if not keep:
        return torch.zeros(0, dtype=torch.long, device=boxes.device)
    keep = torch.cat(keep)
    # all classes, highest score first
    return keep[scores[keep].argsort(descending=True)]


# --8<-- [end:nms]


def batched_nms_offset(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    labels: torch.Tensor,
    iou_threshold: float,
) -> torch.Tensor:
    """Second route: shift each class's boxes far apart, then run one
    class-blind NMS."""
    shift = (boxes.max() + 1) * labels.to(boxes.dtype)
    return nms(boxes + shift[:, None], scores, iou_threshold)


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    box = lambda *rows: torch.tensor(rows, dtype=torch.float32, device=device)
    vec = lambda *vals: torch.tensor(vals, device=device)

    # --8<-- [start:cases]
    # 1. two heavily overlapping boxes (IoU = 81/119 = 0.68): only the higher
    # score survives
    b = box([1, 1, 11, 11], [0, 0, 10, 10])
    assert abs(box_iou(b[:1], b[1:]).item() - 81 / 119) < 1e-6
    assert nms(b, vec(0.8, 0.9), 0.5).tolist() == [1]
    # 2. disjoint boxes (IoU = 0): both survive, best first
    b = box([0, 0, 10, 10], [20, 20, 30, 30])
    assert nms(b, vec(0.6, 0.7), 0.5).tolist() == [1, 0]
    # 3. the boundary: IoU exactly 0.5 (8 px shared of 16 px) is kept at t =
    # 0.5, dropped at t = 0.49
    b = box([0, 0, 4, 4], [0, 0, 4, 2])
    assert box_iou(b[:1], b[1:]).item() == 0.5
    # suppression needs IoU > t
    assert nms(b, vec(0.9, 0.8), 0.5).tolist() == [0, 1]
    assert nms(b, vec(0.9, 0.8), 0.49).tolist() == [0]
    # 4. empty input: nothing to keep
    assert (
        nms(
            torch.zeros(0, 4, device=device), torch.zeros(0, device=device), 0.5
        ).numel()
        == 0
    )
    # 5. greedy chain A-B-C (IoU(A,B) = IoU(B,C) = 1/3, IoU(A,C) = 0): B goes,
    # so C stays
    b = box([0, 0, 10, 10], [5, 0, 15, 10], [10, 0, 20, 10])
    assert nms(b, vec(0.9, 0.8, 0.7), 0.3).tolist() == [0, 2]
    # 6. per class: the same two overlapping boxes of different classes both
    # survive
    b = box([0, 0, 10, 10], [1, 1, 11, 11])
    assert batched_nms(b, vec(0.9, 0.8), vec(0, 1), 0.5).tolist() == [0, 1]
    assert batched_nms(b, vec(0.9, 0.8), vec(2, 2), 0.5).tolist() == [0]
    # --8<-- [end:cases]

    # random boxes: both per-class routes agree, and the kept set has the two
    # NMS properties
    n = 300
    xy = torch.rand(n, 2, device=device) * 40
    wh = 4 + torch.rand(n, 2, device=device) * 12
    boxes, scores = (
        torch.cat([xy, xy + wh], 1).round(),
        torch.rand(n, device=device),
    )
    labels = torch.randint(0, 3, (n,), device=device)
    keep = batched_nms(boxes, scores, labels, 0.5)
    assert torch.equal(keep, batched_nms_offset(boxes, scores, labels, 0.5)), (
        "the per-class loop agrees with the offset trick"
    )
    iou = box_iou(boxes, boxes)
    same = labels[:, None] == labels[None, :]
    kept = torch.zeros(n, dtype=torch.bool, device=device)
    kept[keep] = True
    overlap = (iou > 0.5) & same
    pair_kept = overlap[kept][:, kept]
    # no kept pair overlaps
    assert not (
        pair_kept & ~torch.eye(len(keep), dtype=torch.bool, device=device)
    ).any(), "no two kept boxes of a class overlap by more than t"
    # [i, j]: box j scores higher than box i
    higher = scores[None, :] > scores[:, None]
    # some kept, better, same-class box overlaps i
    covered = (overlap & higher & kept[None, :]).any(1)
    assert bool(covered[~kept].all()), (
        "every deleted box overlaps a better kept one"
    )

    print("overlapping pair (IoU 0.68) at t=0.5: keeps 1 of 2")
    print("IoU exactly 0.5 at t=0.5: keeps 2 of 2")
    print("chain A-B-C (IoU 1/3 each step) at t=0.3: keeps A and C")
    print(f"random boxes kept by per-class NMS: {len(keep)} of {n}")


if __name__ == "__main__":
    main()
''')


# snippets/detection/average_precision.py
_add_module('average_precision', r'''"""Average precision is the area under the detector's precision-recall curve
after making precision monotone.

Everingham et al. 2010, "The PASCAL Visual Object Classes (VOC) Challenge" (IJCV
88): a detection is correct if its IoU with a ground-truth box of its class
exceeds 50 %, a second detection of the same object is a false positive, and AP
averages the interpolated precision at 11 recall levels. From VOC 2010 on, the
development kit integrates the monotone precision envelope at every recall step
(all-point interpolation).
"""

import os
import torch

# same folder: one IoU for NMS, evaluation and the detector
from nms import box_iou

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:match]
def match_detections(
    det_boxes, det_scores, det_images, gt_boxes, gt_images, iou_threshold=0.5
):
    """One class. Detections in score order claim the ground truth (GT) they
    overlap most, in the same image; a detection is a true positive if that IoU
    >= threshold and the GT is not taken yet. Returns (scores sorted high to
    low, is-true-positive flags in that order)."""
    order = det_scores.argsort(descending=True)
    taken = torch.zeros(len(gt_boxes), dtype=torch.bool)
    tp = torch.zeros(len(order), dtype=torch.bool)
    for rank, d in enumerate(order.tolist()):
        same_image = torch.nonzero(gt_images == det_images[d]).flatten()
        if same_image.numel() == 0:
            continue  # nothing to find here: false positive
        ious = box_iou(det_boxes[d][None], gt_boxes[same_image])[0]
        best = same_image[ious.argmax()]
        if ious.max() >= iou_threshold and not taken[best]:
            taken[best] = True  # each GT is matched at most once
            tp[rank] = True  # a second hit on it is a false positive
    return det_scores[order], tp


# --8<-- [end:match]


# --8<-- [start:ap]
def average_precision(tp: torch.Tensor, num_gt: int) -> float:
    """All-point interpolated AP (VOC 2010+) from TP flags sorted by descending
    score."""
    tp = tp.double()
    recall = tp.cumsum(0) / num_gt  # recall after each detection
    # precision after each detection
    precision = tp.cumsum(0) / torch.arange(1, len(tp) + 1)
    recall = torch.cat([torch.zeros(1), recall])
    precision = torch.cat([torch.ones(1), precision])
    # best precision at this recall or beyond
    envelope = precision.flip(0).cummax(0).values.flip(0)
    # rectangles under the envelope
    return float(((recall[1:] - recall[:-1]) * envelope[1:]).sum())


def average_precision_11pt(tp: torch.Tensor, num_gt: int) -> float:
    """VOC 2007: mean of the best precision at recall >= 0, 0.1, ..., 1.0."""
    tp = tp.double()
    recall = tp.cumsum(0) / num_gt
    precision = tp.cumsum(0) / torch.arange(1, len(tp) + 1)
    return (
        sum(
            float(precision[recall >= t].max()) if (recall >= t).any() else 0.0
            for t in [i / 10 for i in range(11)]  # exact: 0.1 is 0.1
        )
        / 11
    )


# --8<-- [end:ap]


# --8<-- [start:map]
def mean_average_precision(preds, gts, num_classes, iou_threshold=0.5):
    """preds: per image (boxes (k,4), scores (k,), labels (k,)); gts: per image
    (boxes (m,4), labels (m,)). Returns (AP per class, mAP over the classes that
    have ground truth)."""
    aps = []
    for c in range(num_classes):
        det = [
            (b[l == c], s[l == c], torch.full(((l == c).sum(),), i))
            for i, (b, s, l) in enumerate(preds)
        ]
        gt = [
            (b[l == c], torch.full(((l == c).sum(),), i))
            for i, (b, l) in enumerate(gts)
        ]
        gt_boxes, gt_images = (
            torch.cat([g[0] for g in gt]),
            torch.cat([g[1] for g in gt]),
        )
        if len(gt_boxes) == 0:
            aps.append(float("nan"))  # class absent: left out of the mean
            continue
        _, tp = match_detections(
            torch.cat([d[0] for d in det]),
            torch.cat([d[1] for d in det]),
            torch.cat([d[2] for d in det]),
            gt_boxes,
            gt_images,
            iou_threshold,
        )
        aps.append(average_precision(tp, len(gt_boxes)))
    ap = torch.tensor(aps, dtype=torch.float64)
    return aps, float(ap[~ap.isnan()].mean())


# --8<-- [end:map]


def main() -> None:
    torch.manual_seed(SEED)
    # AP is bookkeeping over a few boxes: it runs on the CPU whatever device
    # trained the detector
    # --8<-- [start:example]
    # 3 ground-truth boxes of one class in 2 images, 4 detections.
    gt_boxes = torch.tensor(
        [
            [0.0, 0.0, 10.0, 10.0],
            [20.0, 20.0, 30.0, 30.0],
            [0.0, 0.0, 10.0, 10.0],
        ]
    )
    gt_images = torch.tensor([0, 0, 1])  # g1, g2 in image 0; g3 in image 1
    det_boxes = torch.tensor(
        [
            [1.0, 0.0, 11.0, 10.0],  # d1 0.9 on g1, IoU 90/110 = 0.82 -> TP
            [0.0, 1.0, 10.0, 11.0],  # d2 0.8 on g1 again (already taken) -> FP
            [0.0, 0.0, 10.0, 9.0],  # d3 0.7 on g3, IoU 0.9 -> TP
            [24.0, 20.0, 34.0, 30.0],  # d4 0.6 on g2, IoU 60/140 = 0.43: FP
        ]
    )
    det_scores = torch.tensor([0.9, 0.8, 0.7, 0.6])
    det_images = torch.tensor([0, 0, 1, 0])
    scores, tp = match_detections(
        det_boxes, det_scores, det_images, gt_boxes, gt_images
    )
    # By hand, in score order:   d1   d2   d3   d4
    #   TP so far                 1    1    2    2
    # recall = TP / 3          1/3  1/3  2/3  2/3   (g2 is never found: recall
    # stops at 2/3)
    #   precision = TP / rank     1   1/2  2/3  1/2
    #   envelope (max to right)   1   2/3  2/3  1/2
    # AP = (1/3 - 0) * 1 + (2/3 - 1/3) * 2/3 = 1/3 + 2/9 = 5/9 = 0.5556
    # 11-point: recall >= 0, .1, .2, .3 -> 1; >= .4, .5, .6 -> 2/3; >= .7 ...
    # 1.0 -> 0: (4 + 2) / 11 = 0.5455
    # --8<-- [end:example]
    assert tp.tolist() == [True, False, True, False], tp
    ap, ap11 = average_precision(tp, 3), average_precision_11pt(tp, 3)
    assert abs(ap - 5 / 9) < 1e-9, ap
    assert abs(ap11 - 6 / 11) < 1e-9, ap11
    # perfect ranking
    assert average_precision(torch.tensor([True, True, True]), 3) == 1.0
    # one FP ranked first
    assert abs(average_precision(torch.tensor([False, True]), 1) - 0.5) < 1e-9

    # the same example through the per-class mAP route, with a second class that
    # is found perfectly
    preds = [
        (
            torch.cat([det_boxes[[0, 1, 3]], gt_boxes[1:2]]),
            torch.tensor([0.9, 0.8, 0.6, 0.5]),
            torch.tensor([0, 0, 0, 1]),
        ),
        (det_boxes[2:3], torch.tensor([0.7]), torch.tensor([0])),
    ]
    gts = [
        (torch.cat([gt_boxes[:2], gt_boxes[1:2]]), torch.tensor([0, 0, 1])),
        (gt_boxes[2:], torch.tensor([0])),
    ]
    aps, m = mean_average_precision(preds, gts, num_classes=3)
    # class 2 absent: NaN
    assert abs(aps[0] - 5 / 9) < 1e-9 and aps[1] == 1.0 and aps[2] != aps[2]
    assert abs(m - (5 / 9 + 1) / 2) < 1e-9, m

    print(f"true positives in score order: {tp.int().tolist()}")
    print(f"AP all-point (by hand 5/9): {ap:.4f}")
    print(f"AP 11-point (by hand 6/11): {ap11:.4f}")
    print(f"mAP over 2 classes with ground truth: {m:.4f}")


if __name__ == "__main__":
    main()
''')


# snippets/shapes/shapes.py
_add_module('shapes', r'''"""Synthetic shapes: thousands of labelled 32x32 images with exact boxes and
masks, generated in well under a second.

The shared data set of this site (docs/shapes.md): squares, circles and
triangles on a noisy dark background, each with its class, its tight bounding
box and a per-pixel class mask. Nothing downloaded.
"""

import torch

CLASSES = ("square", "circle", "triangle")


# --8<-- [start:draw]
def _draw(
    cls: torch.Tensor,
    x0: torch.Tensor,
    y0: torch.Tensor,
    side: torch.Tensor,
    size: int,
) -> torch.Tensor:
    """Boolean masks (n, size, size) of one shape per image, inside the square
    [x0, x0+side) x [y0, y0+side)."""
    yy = torch.arange(size).view(1, size, 1).float()  # (1, H, 1) row index
    xx = torch.arange(size).view(1, 1, size).float()  # (1, 1, W) column index
    x0, y0, s = (t.view(-1, 1, 1).float() for t in (x0, y0, side))
    row, col = yy - y0, xx - x0  # position inside the shape's square
    inside = (row >= 0) & (row < s) & (col >= 0) & (col < s)
    c = (s - 1) / 2  # centre of the square, in pixels
    # a disc touching all four sides
    circle = (row - c) ** 2 + (col - c) ** 2 <= c**2 + 0.5
    # apex at the top, base = bottom row
    triangle = (col - c).abs() <= row / 2 + 0.5
    # (3, n, H, W)
    masks = torch.stack([inside, inside & circle, inside & triangle])
    # pick each image's class: (n, H, W)
    return masks[cls, torch.arange(len(cls))]


# --8<-- [end:draw]


def _bounds(masks: torch.Tensor) -> torch.Tensor:
    """Tight boxes (n, 4) = (x0, y0, x1, y1), x1/y1 exclusive, of non-empty
    boolean masks (n, H, W)."""
    cols, rows = masks.any(1), masks.any(2)  # (n, W), (n, H)
    size = masks.shape[-1]
    first = lambda a: a.float().argmax(1)  # first True
    # one past the last True
    last = lambda a: size - a.flip(1).float().argmax(1)
    return torch.stack(
        [first(cols), first(rows), last(cols), last(rows)], 1
    ).float()


# --8<-- [start:make_shapes]
def make_shapes(
    n: int,
    size: int = 32,
    max_shapes: int = 1,
    seed: int = 0,
    min_side: int = 8,
    max_side: int = 16,
    noise: float = 0.1,
) -> dict:
    """n images (n, 1, size, size) with 1..max_shapes non-overlapping shapes
    each, their boxes (x0, y0, x1, y1; x1/y1 exclusive; tight around each
    shape's mask), labels and class masks."""
    g = torch.Generator().manual_seed(seed)
    # shapes wanted per image
    count = torch.randint(1, max_shapes + 1, (n,), generator=g)
    # placed squares, far away if none
    squares = torch.full((n, max_shapes, 4), -size * 2)
    masks = torch.zeros(n, size, size, dtype=torch.long)
    images = torch.zeros(n, size, size)
    boxes, labels = [[] for _ in range(n)], [[] for _ in range(n)]
    for slot in range(max_shapes):
        cls = torch.randint(0, len(CLASSES), (n,), generator=g)
        side = torch.randint(min_side, max_side + 1, (n,), generator=g)
        # each shape its own grey level
        brightness = 0.6 + 0.4 * torch.rand(n, generator=g)
        todo = (count > slot).nonzero().flatten()  # images that want this shape
        for _ in range(50):  # retry positions that overlap
            s = side[todo]
            x0 = (torch.rand(len(todo), generator=g) * (size - s + 1)).long()
            y0 = (torch.rand(len(todo), generator=g) * (size - s + 1)).long()
            new = torch.stack([x0, y0, x0 + s, y0 + s], 1).view(-1, 1, 4)
            old = squares[todo]  # (k, max_shapes, 4)
            # or row between
            apart = (
                (new[..., 2] < old[..., 0])
                | (old[..., 2] < new[..., 0])  # >= 1 empty column
                | (new[..., 3] < old[..., 1])
                | (old[..., 3] < new[..., 1])
            )
            ok = apart.all(1)
            squares[todo[ok], slot] = new[ok, 0]
            todo = todo[~ok]  # the clashing ones try again
            if len(todo) == 0:
                break
        # the rest give up this shape
        placed = (squares[:, slot, 0] >= 0).nonzero().flatten()
        x0, y0 = squares[placed, slot, 0], squares[placed, slot, 1]
        shape = _draw(cls[placed], x0, y0, side[placed], size)  # (k, H, W)
        masks[placed] = torch.where(
            shape, (cls[placed] + 1).view(-1, 1, 1), masks[placed]
        )
        images[placed] = torch.where(
            shape, brightness[placed].view(-1, 1, 1), images[placed]
        )
        for i, b in zip(placed.tolist(), _bounds(shape).tolist()):
            boxes[i].append(b)
            labels[i].append(int(cls[i]))
    images = (images + noise * torch.randn(n, size, size, generator=g)).clamp(
        0, 1
    )
    return {
        "images": images.unsqueeze(1),  # (n, 1, H, W)
        "boxes": [torch.tensor(b) for b in boxes],  # n x (k_i, 4)
        "labels": [
            torch.tensor(l, dtype=torch.long) for l in labels
        ],  # n x (k_i,)
        "masks": masks,  # (n, H, W): 0 = background
    }


# --8<-- [end:make_shapes]


def _check(data: dict, n_check: int = 300) -> None:
    """Each box is exactly the bounds of its shape's mask pixels; no shape pixel
    lies outside a box."""
    for i in range(n_check):
        mask, boxes, labels = (
            data["masks"][i],
            data["boxes"][i],
            data["labels"][i],
        )
        assert len(boxes) == len(labels) >= 1, (len(boxes), len(labels))
        assert ((labels >= 0) & (labels < len(CLASSES))).all(), labels
        covered = 0
        for (x0, y0, x1, y1), label in zip(
            boxes.long().tolist(), labels.tolist()
        ):
            inside = mask[y0:y1, x0:x1] == label + 1
            assert inside[0].any() and inside[-1].any(), (
                i,
                "box rows are not tight",
            )
            assert inside[:, 0].any() and inside[:, -1].any(), (
                i,
                "box columns are not tight",
            )
            covered += int(inside.sum())
        assert covered == int((mask > 0).sum()), (
            i,
            "shape pixels outside every box",
        )


def main() -> None:
    torch.manual_seed(0)
    # generation is on the CPU by design
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # its speed is measured by `python -m kb bench`, not asserted: a busy CPU
    # must not fail a claim
    data = make_shapes(2000, max_shapes=3, seed=0)
    _check(data)
    single = make_shapes(2000, max_shapes=1, seed=1)
    _check(single)
    assert all(len(b) == 1 for b in single["boxes"])
    assert (
        data["images"].shape == (2000, 1, 32, 32)
        and data["images"].dtype == torch.float32
    )
    again = make_shapes(2000, max_shapes=3, seed=0)  # same seed, same data
    assert torch.equal(again["images"], data["images"]) and torch.equal(
        again["masks"], data["masks"]
    )
    assert all(torch.equal(a, b) for a, b in zip(again["boxes"], data["boxes"]))
    other = make_shapes(2000, max_shapes=3, seed=1)
    assert not torch.equal(other["images"], data["images"])
    x = data["images"].to(device)
    shape_px = x.squeeze(1)[data["masks"].to(device) > 0].mean().item()
    background_px = x.squeeze(1)[data["masks"].to(device) == 0].mean().item()
    assert shape_px > background_px + 0.5, (shape_px, background_px)
    counts = torch.tensor([len(b) for b in data["boxes"]])
    per_class = torch.bincount(
        torch.cat(data["labels"]), minlength=len(CLASSES)
    )
    print(f"images generated: {len(data['boxes'])}")
    print(
        f"shapes per image with max_shapes=3 (mean): "
        f"{counts.float().mean():.2f}"
    )
    print(
        "shapes per class: "
        + ", ".join(f"{c} {int(k)}" for c, k in zip(CLASSES, per_class))
    )
    print(
        f"mean pixel value, shapes / background: "
        f"{shape_px:.2f} / {background_px:.3f}"
    )
    _plot(single, data)


def _plot(single: dict, multi: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, axes = plt.subplots(2, 6, figsize=(8, 3))
    for row, data, name in (
        (0, single, "max_shapes=1"),
        (1, multi, "max_shapes=3"),
    ):
        for j, ax in enumerate(axes[row]):
            ax.imshow(data["images"][j, 0], cmap="gray", vmin=0, vmax=1)
            for (x0, y0, x1, y1), label in zip(
                data["boxes"][j].tolist(), data["labels"][j].tolist()
            ):
                # imshow puts pixel centres on integers, so a pixel's edges are
                # at +-0.5
                ax.add_patch(
                    Rectangle(
                        (x0 - 0.5, y0 - 0.5),
                        x1 - x0,
                        y1 - y0,
                        fill=False,
                        color="lime",
                        lw=1,
                    )
                )
                ax.text(
                    x0 - 0.5, y0 - 1, CLASSES[label], color="lime", fontsize=6
                )
            ax.set_xticks([]), ax.set_yticks([])
        axes[row, 0].set_ylabel(name, fontsize=8)
    fig.suptitle("make_shapes samples with their boxes and labels")
    fig.savefig("shapes_samples.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
''')


# --- the snippet, unchanged: snippets/detection/grid_detector.py ---
"""A one-stage grid detector (YOLO-v1 style) finds several shapes per image in
one forward pass; NMS then removes its duplicates.

Redmon, Divvala, Girshick & Farhadi 2016, "You Only Look Once: Unified,
Real-Time Object Detection" (CVPR), Section 2: an S x S grid where the cell
holding an object's centre predicts its box (offsets within the cell, size
relative to the image, square roots of width and height in the loss) and its
class.
"""

import os
import sys
from pathlib import Path

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
import torch
from torch import nn
import torch.nn.functional as F

from shapes import CLASSES, make_shapes
from nms import batched_nms  # same folder: snippets/detection/nms.py

# same folder: snippets/detection/average_precision.py
from average_precision import mean_average_precision

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it

SIZE, S = 32, 4  # 32x32 images, a 4x4 grid of 8x8-pixel cells
CELL = SIZE // S
C = len(CLASSES)


# --8<-- [start:encode]
def encode(boxes: list, labels: list) -> torch.Tensor:
    """Ground truth -> per-cell targets (N, 6, S, S): objectness, class, x/y
    offset in the cell, sqrt(width / SIZE), sqrt(height / SIZE). The cell
    holding a box's centre is responsible for it."""
    t = torch.zeros(len(boxes), 6, S, S)
    for i, (b, lab) in enumerate(zip(boxes, labels)):
        # centre in cell units
        cx, cy = (
            (b[:, 0] + b[:, 2]) / 2 / CELL,
            (b[:, 1] + b[:, 3]) / 2 / CELL,
        )
        col, row = cx.long().clamp(max=S - 1), cy.long().clamp(max=S - 1)
        t[i, :, row, col] = torch.stack(
            [
                torch.ones_like(cx),
                lab.float(),
                cx - col,
                cy - row,
                ((b[:, 2] - b[:, 0]) / SIZE).sqrt(),
                ((b[:, 3] - b[:, 1]) / SIZE).sqrt(),
            ]
        )
    return t


# --8<-- [end:encode]


# --8<-- [start:model]
def grid_detector(width: int = 8) -> nn.Sequential:
    """32x32 image -> (N, 1 + C + 4, 4, 4): three conv+pool stages bring 32 px
    down to the 4x4 grid."""

    def stage(c_in, c_out):
        return [
            nn.Conv2d(c_in, c_out, 3, padding=1),
            nn.BatchNorm2d(c_out),
            nn.ReLU(),
            nn.MaxPool2d(2),
        ]

    # per cell: obj, classes, box
    return nn.Sequential(
        *stage(1, width),
        *stage(width, 2 * width),
        *stage(2 * width, 4 * width),
        nn.Conv2d(4 * width, 8 * width, 3, padding=1),
        nn.BatchNorm2d(8 * width),
        nn.ReLU(),
        nn.Conv2d(8 * width, 1 + C + 4, kernel_size=1),
    )


# --8<-- [end:model]


# --8<-- [start:loss]
def detection_loss(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Objectness on every cell; class and box only on the cells that hold an
    object."""
    has_obj = t[:, 0] > 0  # (N, S, S)
    # ~2 of 16 cells hold an object: weigh them up (YOLO instead weighs empty
    # cells down by 0.5)
    loss_obj = F.binary_cross_entropy_with_logits(
        out[:, 0], t[:, 0], pos_weight=out.new_tensor(3.0)
    )
    # (P, 8), (P, 6)
    o, g = (out.permute(0, 2, 3, 1)[has_obj], t.permute(0, 2, 3, 1)[has_obj])
    loss_cls = F.cross_entropy(o[:, 1 : 1 + C], g[:, 1].long())
    # offsets and sqrt sizes in [0, 1]
    loss_box = F.mse_loss(o[:, 1 + C :].sigmoid(), g[:, 2:])
    return loss_obj + loss_cls + 5 * loss_box  # YOLO weighs boxes by 5


# --8<-- [end:loss]


# --8<-- [start:decode]
def decode(
    out: torch.Tensor,
    score_threshold: float = 0.05,
    iou_threshold: float | None = 0.5,
) -> list:
    """(N, 8, S, S) -> per image (boxes (k, 4), scores (k,), labels (k,)); score
    = P(obj) * P(class | obj). iou_threshold=None skips NMS."""
    p = out.permute(0, 2, 3, 1)  # (N, S, S, 8)
    scores, labels = (p[..., :1].sigmoid() * p[..., 1 : 1 + C].softmax(-1)).max(
        -1
    )
    tx, ty, sw, sh = p[..., 1 + C :].sigmoid().unbind(-1)
    grid = torch.arange(S, dtype=p.dtype, device=p.device)
    # pixels
    cx, cy = (
        (grid[None, None, :] + tx) * CELL,
        (grid[None, :, None] + ty) * CELL,
    )
    w, h = sw**2 * SIZE, sh**2 * SIZE
    boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)
    result = []
    # one image at a time
    for b, s, lab in zip(
        boxes.flatten(1, 2), scores.flatten(1), labels.flatten(1)
    ):
        keep = s > score_threshold
        b, s, lab = b[keep], s[keep], lab[keep]
        if iou_threshold is not None:
            keep = batched_nms(b, s, lab, iou_threshold)
            b, s, lab = b[keep], s[keep], lab[keep]
        result.append((b.cpu(), s.cpu(), lab.cpu()))
    return result


# --8<-- [end:decode]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:train]
    train = make_shapes(800, size=SIZE, max_shapes=3, seed=1)
    # held out: another seed
    test = make_shapes(200, size=SIZE, max_shapes=3, seed=2)
    x, t = (
        train["images"].to(device),
        encode(train["boxes"], train["labels"]).to(device),
    )
    n_objects = sum(len(b) for b in train["boxes"])
    # one object per cell: no two centres share a cell here
    assert int(t[:, 0].sum()) == n_objects, "no two centres share a cell"
    model = grid_detector().to(device)
    with torch.no_grad():  # the untrained net's loss, to compare with
        start_loss = detection_loss(model.eval()(x), t).item()
    model.train()
    epochs, batch = 10, 128
    opt = torch.optim.Adam(model.parameters())
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=1e-2, total_steps=epochs * -(-len(x) // batch)
    )
    for _ in range(epochs):
        for idx in torch.randperm(len(x), device=device).split(batch):
            loss = detection_loss(model(x[idx]), t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()  # warm up, then anneal to ~0
    # --8<-- [end:train]

    # --8<-- [start:evaluate]
    model.eval()
    with torch.no_grad():
        out = model(test["images"].to(device))
        final_loss = detection_loss(model(x), t).item()
    gts = list(zip(test["boxes"], test["labels"]))
    raw = decode(out, iou_threshold=None)  # every cell above score 0.05
    kept = decode(out, iou_threshold=0.5)  # per-class greedy NMS
    _, map_raw = mean_average_precision(raw, gts, C, iou_threshold=0.5)
    aps, map_nms = mean_average_precision(kept, gts, C, iou_threshold=0.5)
    # --8<-- [end:evaluate]
    n_raw, n_kept = sum(len(d[0]) for d in raw), sum(len(d[0]) for d in kept)
    n_gt = sum(len(b) for b in test["boxes"])
    assert map_nms > 0.9, "held-out mAP@0.5 with NMS above 0.9"
    # duplicates cost precision; NMS removes them
    assert map_nms > map_raw, "NMS raises the held-out mAP@0.5"
    assert n_kept < n_raw, "NMS removes detections"
    # training cuts the loss more than tenfold (the final loss itself moves
    # with the seed and the CPU by about half its size)
    assert final_loss < start_loss / 10, (
        "training cuts the loss more than tenfold"
    )

    print(f"training images: {len(x)}")
    print(f"grid: {S}x{S} cells of {CELL}x{CELL} px")
    print(f"training-set loss, untrained: {start_loss:.2f} ±0.03")
    print("training-set loss, trained: less than a tenth of that")
    print(f"held-out ground-truth boxes: {n_gt}")
    print(f"detections with score > 0.05, without NMS: {n_raw} ±90")
    print(f"detections with score > 0.05, after NMS: {n_kept} ±40")
    print(f"held-out mAP@0.5 without NMS: {map_raw:.3f} ±0.03")
    print(f"held-out mAP@0.5 with NMS: {map_nms:.3f} ±0.03")
    print(f"detections removed by NMS: {n_raw - n_kept} ±60")
    print(
        "AP@0.5 per class with NMS: "
        + ", ".join(f"{c} {a:.3f} ±0.07" for c, a in zip(CLASSES, aps))
    )
    plot(test, raw, kept)


def plot(
    test: dict,
    raw: list,
    kept: list,
    show: float = 0.15,
    images=(0, 2, 4, 6, 8),
) -> None:
    fig, axes = plt.subplots(2, len(images), figsize=(8.5, 3.8))
    for row, (dets, name) in enumerate(
        ((raw, "without NMS"), (kept, "with NMS"))
    ):
        for ax, j in zip(axes[row], images):  # every class appears in these
            ax.imshow(test["images"][j, 0], cmap="gray", vmin=0, vmax=1)
            for k in range(1, S):  # the 4x4 grid of cells
                ax.axhline(k * CELL - 0.5, color="white", lw=0.3, alpha=0.4)
                ax.axvline(k * CELL - 0.5, color="white", lw=0.3, alpha=0.4)
            for x0, y0, x1, y1 in test["boxes"][
                j
            ].tolist():  # pixel edges at +-0.5
                ax.add_patch(
                    Rectangle(
                        (x0 - 0.5, y0 - 0.5),
                        x1 - x0,
                        y1 - y0,
                        fill=False,
                        color="lime",
                        lw=1.2,
                        ls="--",
                    )
                )
            for (x0, y0, x1, y1), s, lab in zip(*dets[j]):
                if s > show:
                    ax.add_patch(
                        Rectangle(
                            (x0 - 0.5, y0 - 0.5),
                            x1 - x0,
                            y1 - y0,
                            fill=False,
                            color="red",
                            lw=0.9,
                        )
                    )
                    ax.text(
                        x0 - 0.5,
                        y0 - 1.5,
                        f"{CLASSES[lab][:3]} {s:.2f}",
                        color="red",
                        fontsize=5.5,
                    )
            ax.set_xticks([]), ax.set_yticks([])
        axes[row, 0].set_ylabel(name, fontsize=8)
    axes[0, 0].set_title(
        "dashed green: ground truth; red: predicted class, score",
        fontsize=7,
        loc="left",
    )
    fig.suptitle(
        f"Grid detector on held-out shapes (boxes with score > {show})"
    )
    fig.savefig("grid_detector_detections.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
