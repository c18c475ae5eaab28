"""Exercise: the Distance-IoU loss, 1 - IoU plus the squared distance of the
two centres over the squared diagonal of the smallest enclosing box, still has
a gradient when the boxes do not overlap, and it pulls the centres together.

Zheng et al. 2020, "Distance-IoU Loss: Faster and Better Learning for Bounding
Box Regression" (AAAI), Section "Distance-IoU Loss"; torchvision ships it as
torchvision.ops.distance_box_iou_loss. Boxes are (x0, y0, x1, y1).
"""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from iou import box_iou  # rows of a and b, matched: (N,)


def diou_loss(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(N, 4), (N, 4) -> (N,) DIoU loss of matching rows."""
    # BEGIN SOLUTION (starter: return 1 - box_iou(a, b))
    centre = lambda box: (box[:, :2] + box[:, 2:]) / 2
    rho2 = ((centre(a) - centre(b)) ** 2).sum(1)  # squared centre distance
    enclosing = torch.maximum(a[:, 2:], b[:, 2:]) - torch.minimum(
        a[:, :2], b[:, :2]
    )  # width and height of the smallest box around both
    c2 = (enclosing**2).sum(1)  # its squared diagonal
    return 1 - box_iou(a, b) + rho2 / c2
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    box = lambda *rows: torch.tensor(rows, dtype=torch.float32, device=device)
    a = box([0, 0, 4, 4], [0, 0, 4, 4], [0, 0, 1, 1], [1, 1, 3, 3])
    b = box([0, 0, 4, 4], [2, 0, 6, 4], [2, 0, 3, 1], [0, 0, 4, 4])
    # worked out by hand: identical; half shifted (IoU 8/24, centres 2
    # apart, enclosing box 6x4); disjoint unit boxes (IoU 0, centres 2 apart,
    # enclosing box 3x1); a 2x2 box centred in a 4x4 one (IoU 4/16, rho = 0)
    expected = box(0.0, 1 - 8 / 24 + 4 / 52, 1 + 4 / 10, 1 - 4 / 16)
    got = diou_loss(a, b)
    print(f"DIoU loss of the four pairs: {[round(v, 4) for v in got.tolist()]}")

    # the checks a learner's answer must pass
    assert torch.allclose(got, expected, atol=1e-6), (
        "the four pairs worked out by hand"
    )
    assert torch.allclose(diou_loss(b, a), got, atol=1e-6), "symmetric"
    assert torch.allclose(diou_loss(a * 7, b * 7), got, atol=1e-5), (
        "scaling both boxes leaves the loss unchanged"
    )
    # a far box: IoU has no gradient there, DIoU moves it towards the target
    target = box([0, 0, 1, 1])
    far = box([5, 0, 6, 1]).requires_grad_(True)
    diou_loss(far, target).sum().backward()
    grad_x = far.grad[0, 0] + far.grad[0, 2]  # moving the box right
    assert grad_x > 0, "the gradient moves a disjoint box towards its target"
    print(f"d loss / d (shift right) of a box 5 to the right: {grad_x:.4f}")


if __name__ == "__main__":
    main()
