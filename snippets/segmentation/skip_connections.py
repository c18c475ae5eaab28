"""Skip connections give the decoder back the encoder's full-resolution detail:
mean IoU rises, most at shape boundaries.

Ronneberger, Fischer & Brox 2015 (U-Net, MICCAI), Section 2: concatenation with
the cropped feature map of the contracting path; Long, Shelhamer & Darrell 2015
(FCN, CVPR), Section 4.2: fusing fine layers (FCN-16s, FCN-8s) refines the
coarse FCN-32s output.
"""

import os
import sys
from pathlib import Path

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from shapes import make_shapes

# same folder: metrics.py
from metrics import confusion_matrix, mean_iou, per_class_iou

# same folder: tiny_unet.py
from tiny_unet import COLORS, SHOW, TinyUNet, train_and_predict

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:boundary]
def boundary(mask: torch.Tensor) -> torch.Tensor:
    """(N, H, W) -> bool, True on pixels whose 3x3 neighbourhood holds more than
    one class."""
    m = mask[:, None].float()
    # max != min
    return (F.max_pool2d(m, 3, 1, 1) != -F.max_pool2d(-m, 3, 1, 1))[:, 0]


# --8<-- [end:boundary]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    train = make_shapes(300, max_shapes=3, seed=1)
    test = make_shapes(200, max_shapes=3, seed=2)
    target = test["masks"].to(device)
    edge = boundary(target)
    # --8<-- [start:experiment]
    results = {}
    for skips in (False, True):
        torch.manual_seed(SEED)  # same seed for both initializations
        model = TinyUNet(skips=skips).to(device)
        # the two models draw different numbers of weights: seed again so
        # that train_and_predict draws the same batches for both
        torch.manual_seed(SEED)
        pred = train_and_predict(model, train, test, device, batch=16)
        cm = confusion_matrix(pred, target, 4)
        results[skips] = (
            pred,
            mean_iou(cm),
            per_class_iou(cm),
            (pred == target)[edge].float().mean().item(),  # boundary pixels
        )
    # --8<-- [end:experiment]
    (p0, miou0, iou0, edge0), (p1, miou1, iou1, edge1) = results.values()
    assert miou1 > miou0, f"skips raise the mean IoU: {miou0} -> {miou1}"
    assert edge1 > edge0, (
        f"skips raise the boundary accuracy: {edge0} -> {edge1}"
    )
    raised = int((iou1 > iou0).sum())
    assert raised == len(iou0), (
        f"skips raise every class's IoU: {iou0} -> {iou1}"
    )

    print(
        f"boundary share of held-out pixels: {edge.float().mean().item():.3f}"
    )
    print(f"mean IoU without skips: {miou0:.3f} ±0.4")
    print(f"mean IoU with skips: {miou1:.3f} ±0.03")
    print(f"classes whose IoU the skips raised: {raised} of {len(iou0)}")
    print(f"boundary-pixel accuracy without skips: {edge0:.3f} ±0.2")
    print(f"boundary-pixel accuracy with skips: {edge1:.3f} ±0.02")
    plot(test, p0.cpu(), p1.cpu())


def plot(test: dict, p0: torch.Tensor, p1: torch.Tensor) -> None:
    fig, axes = plt.subplots(3, len(SHOW), figsize=(7, 4.2))
    rows = (
        (test["masks"], "true mask"),
        (p0, "without skips"),
        (p1, "with skips"),
    )
    for r, (masks, name) in enumerate(rows):
        for j, k in enumerate(SHOW):
            axes[r, j].imshow(
                masks[k],
                cmap=COLORS,
                vmin=-0.5,
                vmax=3.5,
                interpolation="nearest",
            )
            axes[r, j].set_xticks([]), axes[r, j].set_yticks([])
        axes[r, 0].set_ylabel(name, fontsize=8)
    fig.suptitle(
        "Same network and short training, without and with skip connections"
    )
    fig.savefig("skip_connections_masks.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
