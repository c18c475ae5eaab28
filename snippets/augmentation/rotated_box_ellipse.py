"""After a rotation, the box of the rotated ellipse inscribed in the old box
fits circles and triangles more tightly than the box around the rotated
corners, but cuts into many squares and triangles, which the corners' box
never does: no rule that sees only the box is right for every shape.

Kalra, Stoppi, Brown, Agarwal & Kadambi 2021, "Towards Rotation Invariance
in Object Detection", ICCV: the "largest box" method (the rotated corners)
against their ellipse-based box (Section 4.1).
"""

import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch

from shapes import CLASSES, make_shapes
from transforms import affine, mask_box, rotation_theta

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:ellipse]
def ellipse_box(box, degrees, theta, size):
    """The box of the ellipse inscribed in `box` (N, 4), rotated with the
    image: its centre moves like any point, and an ellipse with half-axes
    (a, b) turned by t spans sqrt(a^2 cos^2 t + b^2 sin^2 t) across."""
    a, b = ((box[:, 2:] - box[:, :2]) / 2).unbind(1)  # half-axes, px
    t = torch.as_tensor(degrees) * math.pi / 180
    cos, sin = t.cos(), t.sin()
    span = lambda p, q: (p**2 * cos**2 + q**2 * sin**2).sqrt()  # across
    half = torch.stack([span(a, b), span(b, a)], 1)
    centre = (box[:, :2] + box[:, 2:]) / 2 * 2 / size - 1  # [-1, 1] units
    A, shift = theta[:, :, :2], theta[:, :, 2]  # input = A @ output + shift
    moved = ((centre - shift)[:, None] @ torch.linalg.inv(A).mT)[:, 0]
    moved = (moved + 1) * size / 2  # back to pixels
    eps = 1e-4  # rounded outward to whole pixels, as `affine` does
    return torch.cat(
        [(moved - half + eps).floor(), (moved + half - eps).ceil()], 1
    ).clamp(0, size)


# --8<-- [end:ellipse]


def box_iou(a, b):
    """IoU of matching rows of two (N, 4) box tensors."""
    inter = torch.minimum(a[:, 2:], b[:, 2:]) - torch.maximum(
        a[:, :2], b[:, :2]
    )
    inter = inter.clamp(min=0).prod(1)
    area = lambda x: (x[:, 2:] - x[:, :2]).prod(1)
    return inter / (area(a) + area(b) - inter)


def main() -> None:
    torch.manual_seed(SEED)
    data = make_shapes(1000, max_shapes=1, seed=SEED)
    x, mask = data["images"], data["masks"]
    box, cls = torch.cat(data["boxes"]), torch.cat(data["labels"])
    # --8<-- [start:run]
    angle = (torch.rand(len(x)) * 2 - 1) * 20  # -20..20 degrees
    theta = rotation_theta(angle, size=32)
    _, moved_mask, largest = affine(x, mask, box, theta)  # rotated corners
    boxes = {
        "largest box": largest.float(),
        "ellipse": ellipse_box(box, angle, theta, 32),
    }
    truth = mask_box(moved_mask).float()  # the box the rotated mask has
    outward = torch.tensor([-1.0, -1.0, 1.0, 1.0])
    iou, cut = {}, {}
    for method, b in boxes.items():
        inside = ((b - truth) * outward).amin(1)  # < 0: an edge cuts the shape
        for k, name in enumerate(CLASSES):
            iou[method, name] = box_iou(b, truth)[cls == k].mean().item()
            cut[method, name] = (inside[cls == k] <= -1).float().mean().item()
    for name in ("circle", "triangle"):
        assert iou["ellipse", name] > iou["largest box", name], (
            f"the ellipse fits circles and triangles more tightly {iou}"
        )
    assert max(cut["largest box", n] for n in CLASSES) == 0, (
        f"the largest box never cuts a shape by a pixel {cut}"
    )
    assert cut["ellipse", "circle"] == 0 and cut["ellipse", "square"] > 0.5, (
        f"the ellipse cuts most squares and no circle {cut}"
    )
    assert iou["ellipse", "square"] > iou["largest box", "square"], (
        f"yet the squares' IoU is higher with the ellipse {iou}"
    )
    # --8<-- [end:run]
    for name in CLASSES:
        print(
            f"{name}, mean IoU with the rotated mask's box, largest box / "
            f"ellipse: {iou['largest box', name]:.3f} / "
            f"{iou['ellipse', name]:.3f}"
        )
        print(
            f"{name}, share cut by 1 px or more, ellipse: "
            f"{cut['ellipse', name]:.2f}"
        )


if __name__ == "__main__":
    main()
