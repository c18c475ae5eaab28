"""Box formats xyxy, xywh and cxcywh convert exactly into one another, but
mixing exclusive and inclusive (+1) corners changes every area and IoU.

Everingham et al. 2010, "The PASCAL VOC Challenge" (IJCV): VOC annotations are
1-based inclusive pixel indices, and the devkit computes widths as x_max - x_min
+ 1; COCO stores (x, y, width, height).
"""

import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:convert]
def xyxy_to_xywh(b):  # (x0, y0, x1, y1) -> (x0, y0, w, h), COCO style
    return torch.cat([b[:, :2], b[:, 2:] - b[:, :2]], 1)


def xywh_to_xyxy(b):
    return torch.cat([b[:, :2], b[:, :2] + b[:, 2:]], 1)


def xyxy_to_cxcywh(b):  # -> (centre x, centre y, w, h), YOLO / DETR style
    return torch.cat([(b[:, :2] + b[:, 2:]) / 2, b[:, 2:] - b[:, :2]], 1)


def cxcywh_to_xyxy(b):
    return torch.cat([b[:, :2] - b[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2], 1)


def inclusive_to_exclusive(b):  # VOC: last pixel included -> one past it
    return b + torch.tensor([0, 0, 1, 1], dtype=b.dtype)


# --8<-- [end:convert]


def iou(a, b):
    wh = (
        torch.minimum(a[:, 2:], b[:, 2:]) - torch.maximum(a[:, :2], b[:, :2])
    ).clamp(min=0)
    inter = wh.prod(1)
    area = lambda x: (x[:, 2:] - x[:, :2]).prod(1)
    return inter / (area(a) + area(b) - inter)


def pixel_mask(b, size=64):
    """Independent route: the set of pixels a box covers, x1/y1 exclusive."""
    m = torch.zeros(len(b), size, size, dtype=torch.bool)
    for i, (x0, y0, x1, y1) in enumerate(b.long().tolist()):
        m[i, y0:y1, x0:x1] = True
    return m


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    xy = torch.randint(0, 40, (500, 2), generator=gen)
    b = torch.cat([xy, xy + torch.randint(1, 24, (500, 2), generator=gen)], 1)
    b = b.double()
    assert torch.equal(xywh_to_xyxy(xyxy_to_xywh(b)), b), "round trips exact"
    assert torch.equal(cxcywh_to_xyxy(xyxy_to_cxcywh(b)), b), (
        "round trips exact"
    )
    # IoU of integer boxes against counting pixels in the two masks
    a, c = b[:250], b[250:]
    ma, mc = pixel_mask(a), pixel_mask(c)
    by_pixels = (ma & mc).sum((1, 2)) / (ma | mc).sum((1, 2))
    assert torch.allclose(iou(a, c), by_pixels.double()), (
        "IoU equals the pixel count"
    )

    # --8<-- [start:off_by_one]
    # a VOC box: pixels 10..19 included, i.e. 10 pixels wide and high
    voc = torch.tensor([[10.0, 10.0, 19.0, 19.0]])
    # exclusive, as on this site
    pred = torch.tensor([[12.0, 11.0, 22.0, 21.0]])
    wrong = iou(voc, pred)  # inclusive read as exclusive
    right = iou(inclusive_to_exclusive(voc), pred)
    # --8<-- [end:off_by_one]
    assert abs(float(right) - 72 / 128) < 1e-12
    assert float(right) >= 0.5 > float(wrong), "a hit becomes a miss"
    print("xyxy <-> xywh <-> cxcywh round trips exact: True")
    print("IoU equals the pixel count |A and B| / |A or B|: True")
    print(f"IoU, VOC box converted to exclusive corners: {float(right):.3f}")
    print(f"IoU, VOC box read as exclusive by mistake: {float(wrong):.3f}")
    # the small-box effect: one pixel on an 8x8 box
    small = torch.tensor([[0.0, 0.0, 8.0, 8.0]])
    print(
        f"IoU of an 8x8 box with itself one pixel wider and taller: "
        f"{float(iou(small, small + torch.tensor([0.0, 0.0, 1.0, 1.0]))):.3f}"
    )


if __name__ == "__main__":
    main()
