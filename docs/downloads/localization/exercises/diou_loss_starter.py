# diou_loss.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/localization/exercises/diou_loss.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python diou_loss_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "5c577d32066ff5754e4e22c57c1b5a5470ffe6d90f37617393109997e76987f8", "sources": {"snippets/localization/exercises/diou_loss.py": "e91c142c7765cfe0d6abbf7ad7250e2e7526ce8c1edf006d1c6ec84916d2a931", "snippets/localization/iou.py": "26a6be33420c87d8672c9b73e9d6a5c6232929b7fe1bde14606c415c25e314e6"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/localization/iou.py
_add_module('iou', r'''"""Intersection over union of two boxes is the overlap area divided by the area
they cover together.

Everingham et al. 2010, "The PASCAL Visual Object Classes (VOC) Challenge" (IJCV
88); CS231n 2017 Lecture 11. Boxes are (x0, y0, x1, y1) with x1 > x0 and y1 >
y0.
"""

import os
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:iou]
def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """IoU of matching rows of a and b, both (N, 4) as (x0, y0, x1, y1)."""
    w = (
        torch.minimum(a[:, 2], b[:, 2]) - torch.maximum(a[:, 0], b[:, 0])
    ).clamp(min=0)
    h = (
        torch.minimum(a[:, 3], b[:, 3]) - torch.maximum(a[:, 1], b[:, 1])
    ).clamp(min=0)
    inter = w * h  # 0 when the boxes do not overlap
    area = lambda box: (box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])
    return inter / (area(a) + area(b) - inter)  # union counts the overlap once


# --8<-- [end:iou]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:cases]
    cases = {  # box a, box b, IoU worked out by hand
        "identical": ([0, 0, 4, 4], [0, 0, 4, 4], 1.0),
        "disjoint": ([0, 0, 2, 2], [5, 5, 7, 7], 0.0),
        "2x2 inside 4x4": ([1, 1, 3, 3], [0, 0, 4, 4], 4 / 16),
        "touching edges": ([0, 0, 2, 2], [2, 0, 4, 2], 0.0),
        "half shifted": (
            [0, 0, 4, 4],
            [2, 0, 6, 4],
            8 / 24,
        ),  # overlap 2x4 = 8, union 16 + 16 - 8
    }
    a = torch.tensor(
        [c[0] for c in cases.values()], dtype=torch.float32, device=device
    )
    b = torch.tensor(
        [c[1] for c in cases.values()], dtype=torch.float32, device=device
    )
    expected = torch.tensor([c[2] for c in cases.values()], device=device)
    got = box_iou(a, b)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(box_iou(b, a), got)  # symmetric
    # --8<-- [end:cases]
    # (x0, y0) <= (x1, y1)
    boxes = torch.rand(100, 2, 2, device=device).sort(1).values.reshape(100, 4)
    random_iou = box_iou(boxes, boxes.roll(1, 0))
    assert ((random_iou >= 0) & (random_iou <= 1)).all()
    for name, value in zip(cases, got.tolist()):
        print(f"IoU {name}: {value:.3f}")


if __name__ == "__main__":
    main()
''')


# --- the exercise, with the solution removed: snippets/localization/exercises/diou_loss.py ---
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
    # TODO: your answer here (see the exercise on the page)
    return 1 - box_iou(a, b)


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
