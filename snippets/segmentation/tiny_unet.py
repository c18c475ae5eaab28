"""A small encoder-decoder FCN with U-Net skip connections labels every pixel of
held-out shape images.

Ronneberger, Fischer & Brox 2015, "U-Net: Convolutional Networks for Biomedical
Image Segmentation" (MICCAI), Section 2: a contracting path of convolutions and
2x2 max pooling, an expansive path of 2x2 up-convolutions, each followed by
concatenation with the encoder's feature map of the same size. Long, Shelhamer &
Darrell 2015 (FCN, CVPR), Section 3: no fully connected layer, so any input size
works.
"""

import os
import sys
from pathlib import Path

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch
import torch
from torch import nn
import torch.nn.functional as F

from shapes import CLASSES, make_shapes

# same folder: metrics.py
from metrics import confusion_matrix, mean_iou, per_class_iou, pixel_accuracy

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it

# mask value 0 = background, class index + 1 = shape
NAMES = ("background",) + CLASSES
COLORS = ListedColormap(["black", "tab:orange", "tab:cyan", "tab:pink"])
SHOW = (0, 2, 4, 6, 8)  # held-out images to plot: every class appears


# --8<-- [start:model]
def conv(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()
    )


class TinyUNet(nn.Module):
    """(N, 1, H, W) -> (N, 4, H, W) class scores per pixel; H and W divisible by
    4."""

    def __init__(self, w: int = 16, num_classes: int = 4, skips: bool = True):
        super().__init__()
        self.skips = skips
        self.enc1, self.enc2, self.mid = (
            conv(1, w),
            conv(w, 2 * w),
            conv(2 * w, 4 * w),
        )
        # H/4 -> H/2
        self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, kernel_size=2, stride=2)
        # H/2 -> H
        self.up1 = nn.ConvTranspose2d(2 * w, w, kernel_size=2, stride=2)
        k = 2 if skips else 1  # a skip doubles the decoder's input channels
        self.dec2, self.dec1 = conv(k * 2 * w, 2 * w), conv(k * w, w)
        # per-pixel classifier
        self.head = nn.Conv2d(w, num_classes, kernel_size=1)

    def forward(self, x):
        e1 = self.enc1(x)  # (N, w, H, W)      fine detail
        e2 = self.enc2(F.max_pool2d(e1, 2))  # (N, 2w, H/2, W/2)
        # (N, 4w, H/4, W/4) what is where, coarsely
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.up2(m)  # (N, 2w, H/2, W/2) learned upsampling
        # skip: fetch the lost detail back
        d2 = self.dec2(torch.cat([d2, e2], 1) if self.skips else d2)
        d1 = self.up1(d2)  # (N, w, H, W)
        d1 = self.dec1(torch.cat([d1, e1], 1) if self.skips else d1)
        return self.head(d1)


# --8<-- [end:model]


# --8<-- [start:train]
def train_and_predict(
    model: nn.Module,
    train: dict,
    test: dict,
    device: str,
    epochs: int = 5,
    batch: int = 32,
) -> torch.Tensor:
    """Per-pixel cross-entropy, Adam with a one-cycle schedule; returns
    predicted masks of the test set."""
    # (N, 1, H, W), (N, H, W)
    x, y = (train["images"].to(device), train["masks"].to(device))
    opt = torch.optim.Adam(model.parameters())
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=2e-2, total_steps=epochs * -(-len(x) // batch)
    )
    for _ in range(epochs):
        for idx in torch.randperm(len(x), device=device).split(batch):
            # averaged over every pixel of the batch
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    with torch.no_grad():
        # (N, H, W) class per pixel
        return model(test["images"].to(device)).argmax(1)


# --8<-- [end:train]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    train = make_shapes(500, max_shapes=3, seed=1)
    test = make_shapes(200, max_shapes=3, seed=2)  # held out: another seed
    model = TinyUNet().to(device)
    pred = train_and_predict(model, train, test, device)
    target = test["masks"].to(device)
    # --8<-- [start:evaluate]
    # summed over all test pixels
    cm = confusion_matrix(pred, target, num_classes=4)
    iou = per_class_iou(cm)
    # "all background"
    cm_lazy = confusion_matrix(torch.zeros_like(target), target, num_classes=4)
    # --8<-- [end:evaluate]
    background_share = (target == 0).float().mean().item()
    assert pred.shape == target.shape
    assert mean_iou(cm) > 0.9, mean_iou(cm)  # every class is segmented
    assert pixel_accuracy(cm_lazy) > 0.75  # background dominates the pixels...
    # ...so only mean IoU exposes the lazy guess
    assert mean_iou(cm_lazy) < 0.25

    print(f"parameters: {sum(p.numel() for p in model.parameters())}")
    print(f"background share of held-out pixels: {background_share:.3f}")
    print(f"held-out pixel accuracy: {pixel_accuracy(cm):.3f} ±0.002")
    print(f"held-out mean IoU: {mean_iou(cm):.3f} ±0.008")
    print(
        "held-out IoU per class: "
        + ", ".join(f"{n} {v:.3f} ±0.02" for n, v in zip(NAMES, iou.tolist()))
    )
    print(f"all-background pixel accuracy: {pixel_accuracy(cm_lazy):.3f}")
    print(f"all-background mean IoU: {mean_iou(cm_lazy):.3f}")
    plot(test, pred.cpu())


def plot(test: dict, pred: torch.Tensor) -> None:
    fig, axes = plt.subplots(3, len(SHOW), figsize=(7, 4.4))
    for j, k in enumerate(SHOW):
        axes[0, j].imshow(test["images"][k, 0], cmap="gray", vmin=0, vmax=1)
        axes[1, j].imshow(
            test["masks"][k],
            cmap=COLORS,
            vmin=-0.5,
            vmax=3.5,
            interpolation="nearest",
        )
        axes[2, j].imshow(
            pred[k], cmap=COLORS, vmin=-0.5, vmax=3.5, interpolation="nearest"
        )
    for ax in axes.flat:
        ax.set_xticks([]), ax.set_yticks([])
    for ax, name in zip(axes[:, 0], ("image", "true mask", "predicted")):
        ax.set_ylabel(name, fontsize=8)
    fig.legend(
        handles=[
            Patch(color=COLORS(i), label=name) for i, name in enumerate(NAMES)
        ],
        loc="lower center",
        ncol=4,
        fontsize=7,
        frameon=False,
        bbox_to_anchor=(0.5, -0.02),
    )
    fig.suptitle("Tiny U-Net on held-out shapes: one class per pixel")
    fig.savefig("tiny_unet_masks.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
