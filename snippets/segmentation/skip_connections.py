"""Skip connections give the decoder back the encoder's full-resolution detail: mean IoU rises, most at shape boundaries.

Ronneberger, Fischer & Brox 2015 (U-Net, MICCAI), Section 2: concatenation with the cropped feature map
of the contracting path; Long, Shelhamer & Darrell 2015 (FCN, CVPR), Section 4.2: fusing fine layers
(FCN-16s, FCN-8s) refines the coarse FCN-32s output.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))  # the shared data set lives in snippets/shapes/
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from shapes import make_shapes
from metrics import confusion_matrix, mean_iou                 # same folder: metrics.py
from tiny_unet import COLORS, SHOW, TinyUNet, train_and_predict  # same folder: tiny_unet.py


# --8<-- [start:boundary]
def boundary(mask: torch.Tensor) -> torch.Tensor:
    """(N, H, W) -> bool, True on pixels whose 3x3 neighbourhood holds more than one class."""
    m = mask[:, None].float()
    return (F.max_pool2d(m, 3, 1, 1) != -F.max_pool2d(-m, 3, 1, 1))[:, 0]  # max != min
# --8<-- [end:boundary]


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    train = make_shapes(300, max_shapes=3, seed=1)
    test = make_shapes(200, max_shapes=3, seed=2)
    target = test["masks"].to(device)
    edge = boundary(target)
    # --8<-- [start:experiment]
    results = {}
    for skips in (False, True):
        torch.manual_seed(0)                                          # same init seed, same batches
        pred = train_and_predict(TinyUNet(skips=skips).to(device), train, test, device, batch=16)
        results[skips] = (pred, mean_iou(confusion_matrix(pred, target, 4)),
                          (pred == target)[edge].float().mean().item())   # accuracy on boundary pixels
    # --8<-- [end:experiment]
    (p0, miou0, edge0), (p1, miou1, edge1) = results[False], results[True]
    assert miou1 > miou0 + 0.2, (miou1, miou0)                         # skips help, by far
    assert edge1 > edge0, (edge1, edge0)

    print(f"boundary share of held-out pixels: {edge.float().mean().item():.3f}")
    print(f"mean IoU without skips: {miou0:.3f}")
    print(f"mean IoU with skips: {miou1:.3f}")
    print(f"boundary-pixel accuracy without skips: {edge0:.3f}")
    print(f"boundary-pixel accuracy with skips: {edge1:.3f}")
    plot(test, p0.cpu(), p1.cpu())


def plot(test: dict, p0: torch.Tensor, p1: torch.Tensor) -> None:
    fig, axes = plt.subplots(3, len(SHOW), figsize=(7, 4.2))
    rows = ((test["masks"], "true mask"), (p0, "without skips"), (p1, "with skips"))
    for r, (masks, name) in enumerate(rows):
        for j, k in enumerate(SHOW):
            axes[r, j].imshow(masks[k], cmap=COLORS, vmin=-0.5, vmax=3.5, interpolation="nearest")
            axes[r, j].set_xticks([]), axes[r, j].set_yticks([])
        axes[r, 0].set_ylabel(name, fontsize=8)
    fig.suptitle("Same network and short training, without and with skip connections")
    fig.savefig("skip_connections_masks.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
