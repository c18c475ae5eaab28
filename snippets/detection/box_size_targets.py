"""How a box's width enters the loss decides whether a small box's error counts
more: IoU depends on the relative error, so does a squared error on log w
(R-CNN's target); on sqrt w (YOLO's) it still grows with the box, and on w
itself it grows with the box's area.

Redmon, Divvala, Girshick & Farhadi 2016, "You Only Look Once" (CVPR), Section
2.2 ("we predict the square root of the bounding box width and height" to
"partially address" that small deviations matter less in large boxes);
Girshick et al. 2014, "Rich feature hierarchies" (R-CNN, CVPR), Appendix C
(t_w = log(w / w_p)).
"""

import math
import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:targets]
TARGETS = {  # a width w in a W = 64 image -> the number the loss compares
    "w / W": lambda w: w / 64,
    "sqrt(w / W)": lambda w: (w / 64).sqrt(),  # YOLO v1
    "log w": lambda w: w.log(),  # R-CNN, Fast and Faster R-CNN (log w / w_a)
}


def squared_error(target, w_true, w_pred):
    return (target(w_pred) - target(w_true)) ** 2


# --8<-- [end:targets]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    f64 = dict(dtype=torch.float64, device=device)
    # --8<-- [start:compare]
    widths = torch.tensor([4.0, 8, 16, 32], **f64)
    one_px = widths + 1  # the same absolute error: one pixel too wide
    ten_pct = widths * 1.1  # the same relative error: 10 % too wide
    # --8<-- [end:compare]
    print(f"widths: {widths.tolist()}")
    # one dimension of IoU: the overlap of [0, w] and [0, w'] over their union
    show = lambda t: [round(v, 3) for v in t.tolist()]
    print(f"IoU, one pixel too wide: {show(widths / one_px)}")
    print(f"IoU, 10 % too wide: {show(widths / ten_pct)}")
    assert torch.allclose(widths / ten_pct, torch.full_like(widths, 1 / 1.1)), (
        "IoU depends on the relative error only"
    )
    ratio = {}  # loss of the smallest box / loss of the largest, per error
    for name, target in TARGETS.items():
        px = squared_error(target, widths, one_px)
        pct = squared_error(target, widths, ten_pct)
        ratio[name] = (px[0] / px[-1]).item(), (pct[0] / pct[-1]).item()
        print(
            f"smallest / largest box's loss, {name}: one pixel "
            f"{ratio[name][0]:.3g}, 10 % {ratio[name][1]:.3g}"
        )
    close = lambda a, b: math.isclose(a, b, rel_tol=1e-9)
    assert close(ratio["w / W"][0], 1) and ratio["sqrt(w / W)"][0] > 1, (
        "one pixel costs w / W the same on every box, sqrt(w / W) more on small"
    )
    assert close(ratio["log w"][1], 1) and close(
        ratio["sqrt(w / W)"][1], 4 / 32
    ), "at equal relative error log w costs the same, sqrt(w / W) grows with w"
    assert close(ratio["w / W"][1], (4 / 32) ** 2), (
        "at equal relative error w / W grows with the square of w"
    )


if __name__ == "__main__":
    main()
