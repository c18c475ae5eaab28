# dense_crf.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/segmentation/dense_crf.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python dense_crf.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "a73f8f70ce73fd8ac8e712738c232d0332a60e14aeeeaf84c3917faac5e3fd74", "sources": {"snippets/segmentation/dense_crf.py": "7d77144a40dae1015b5d2f5f6b19219d91240e6f2b44ec474a9e015f3bb3d5bd", "snippets/segmentation/fcn_32s_16s_8s.py": "06f057ffeb2d8ae59e3e161a5d6e3727cc8c4338943ac312e6cef09beb3919bd", "snippets/segmentation/metrics.py": "efea61a2ee1de10c5211873d794a6a3dd45178980f1bbbaa030bfadb54daf0f1", "snippets/segmentation/tiny_unet.py": "2b77fcd67db07e9c2fee063b460d8d156c87a3e19a24fe787ce910ebd3846658", "snippets/shapes/shapes.py": "d18add5657fd71ae9e9074877a39dde6e4aa0f8da4e0a934ad4336c9c0f9e8ff"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/segmentation/metrics.py
_add_module('metrics', r'''"""Pixel accuracy and mean IoU both come from one confusion matrix; mean IoU
weighs every class equally.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation" (CVPR), Section 5 defines pixel accuracy, mean accuracy, mean IU
and frequency weighted IU from the counts n_ij of pixels of class i predicted as
class j; the PASCAL VOC development kit scores segmentation by per-class IoU.
"""

import os
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:metrics]
def confusion_matrix(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int
) -> torch.Tensor:
    """cm[i, j] = number of pixels of true class i predicted as class j."""
    # one bin per (true, predicted) pair
    index = target.flatten() * num_classes + pred.flatten()
    return torch.bincount(index, minlength=num_classes**2).reshape(
        num_classes, num_classes
    )


def pixel_accuracy(cm: torch.Tensor) -> float:
    return float(cm.diagonal().sum() / cm.sum())  # correct pixels / all pixels


def per_class_iou(cm: torch.Tensor) -> torch.Tensor:
    """IoU_c = TP / (TP + FP + FN); NaN for a class in neither prediction nor
    target."""
    tp = cm.diagonal().double()
    union = cm.sum(0) + cm.sum(1) - cm.diagonal()  # predicted c + true c - both
    return torch.where(union > 0, tp / union.clamp(min=1), torch.nan)


def mean_iou(cm: torch.Tensor) -> float:
    """Mean over the classes present in the prediction or the target (the NaNs
    are skipped)."""
    return float(per_class_iou(cm).nanmean())


# --8<-- [end:metrics]


def iou_by_sets(pred: torch.Tensor, target: torch.Tensor, c: int) -> float:
    """Second route: IoU of class c as |P & T| / |P | T| on boolean masks."""
    p, t = pred == c, target == c
    return (p & t).sum().item() / (p | t).sum().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:example]
    # 4 classes: 0 background, 1 square, 2 circle, 3 triangle (absent here)
    target = torch.tensor(
        [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 2]], device=device
    )
    # the one-pixel circle missed
    pred = torch.tensor(
        [
            [0, 0, 0, 0],
            [0, 1, 1, 1],  # one background pixel called square
            [0, 0, 1, 0],  # one square pixel missed
            [0, 0, 0, 0],
        ],
        device=device,
    )
    # By hand: 13 of 16 pixels right -> pixel accuracy 13/16 = 0.8125
    # background: both 10, true 11, predicted 12 -> IoU 10 / (11 + 12 - 10) =
    # 10/13
    #   square:     both 3,  true 4,  predicted 4  -> IoU 3 / 5
    #   circle:     both 0,  true 1,  predicted 0  -> IoU 0 / 1 = 0
    #   triangle:   in neither -> left out of the mean
    # mean IoU = (10/13 + 3/5 + 0) / 3 = 0.4564
    # --8<-- [end:example]
    cm = confusion_matrix(pred, target, num_classes=4)
    assert cm.sum() == 16 and cm.diagonal().sum() == 13, cm
    assert pixel_accuracy(cm) == 13 / 16
    iou = per_class_iou(cm)
    torch.testing.assert_close(
        iou[:3].cpu(), torch.tensor([10 / 13, 3 / 5, 0.0], dtype=torch.float64)
    )
    assert iou[3].isnan()
    assert abs(mean_iou(cm) - (10 / 13 + 3 / 5) / 3) < 1e-12
    for c in range(3):  # confusion matrix == set definition
        assert abs(iou[c].item() - iou_by_sets(pred, target, c)) < 1e-12

    # --8<-- [start:all_background]
    lazy = torch.zeros_like(target)  # predict "background" everywhere
    cm_lazy = confusion_matrix(lazy, target, num_classes=4)
    # pixel accuracy 11/16 = 0.6875, but IoU is 11/16 for background and 0 for
    # square and circle
    # --8<-- [end:all_background]
    assert pixel_accuracy(cm_lazy) == 11 / 16
    assert abs(mean_iou(cm_lazy) - (11 / 16) / 3) < 1e-12
    # accuracy flatters the lazy predictor
    assert pixel_accuracy(cm_lazy) > 2 * mean_iou(cm_lazy)

    print(f"pixel accuracy (by hand 13/16): {pixel_accuracy(cm):.4f}")
    print(
        f"IoU background, square, circle (by hand 10/13, 3/5, 0): "
        f"{', '.join(f'{v:.4f}' for v in iou[:3].tolist())}"
    )
    print(f"mean IoU over 3 present classes: {mean_iou(cm):.4f}")
    print(f"all-background pixel accuracy: {pixel_accuracy(cm_lazy):.4f}")
    print(f"all-background mean IoU: {mean_iou(cm_lazy):.4f}")


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


# snippets/segmentation/tiny_unet.py
_add_module('tiny_unet', r'''"""A small encoder-decoder FCN with U-Net skip connections labels every pixel of
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
''')


# snippets/segmentation/fcn_32s_16s_8s.py
_add_module('fcn_32s_16s_8s', r'''"""FCN's skip architecture: adding the scores of finer layers to the upsampled
coarse scores sharpens the prediction, also for the smallest shapes.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation" (CVPR), Section 4.2 "Combining what and where": FCN-32s predicts
from the last layer alone; FCN-16s adds a 1x1 score layer on pool4 to the
2x-upsampled scores, FCN-8s also pool3's; the 2x upsamplings start as bilinear
interpolation and are learned, the final upsampling stays bilinear. Our images
are 16x16, so the three heads predict at strides 8, 4 and 2 instead of 32, 16
and 8.
"""

import os
import sys
from pathlib import Path

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch
from torch import nn
import torch.nn.functional as F

from shapes import make_shapes

# same folder: metrics.py and tiny_unet.py
from metrics import confusion_matrix, mean_iou
from tiny_unet import conv

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
HEADS = ("32s", "16s", "8s")  # FCN's names; here strides 8, 4 and 2


# --8<-- [start:bilinear]
def bilinear_up2(channels: int) -> nn.ConvTranspose2d:
    """A 2x upsampling ConvTranspose2d initialised to bilinear interpolation:
    each channel to itself with the kernel outer([1, 3, 3, 1] / 4)."""
    up = nn.ConvTranspose2d(channels, channels, 4, stride=2, padding=1)
    k = torch.tensor([0.25, 0.75, 0.75, 0.25])
    with torch.no_grad():
        up.weight.zero_()
        up.bias.zero_()
        for c in range(channels):  # no mixing between classes at the start
            up.weight[c, c] = k[:, None] * k[None, :]
    return up


# --8<-- [end:bilinear]


# --8<-- [start:model]
def fuse(coarse: torch.Tensor, fine: torch.Tensor) -> torch.Tensor:
    """FCN's fusion: the upsampled coarse scores plus the finer layer's."""
    return coarse + fine


class SkipFCN(nn.Module):
    """One backbone, three heads: (N, 1, H, W) -> three (N, C, H, W) maps."""

    def __init__(self, w: int = 8, num_classes: int = 4):
        super().__init__()
        self.c1, self.c2 = conv(1, w), conv(w, 2 * w)  # strides 1, 2
        self.c3, self.c4 = conv(2 * w, 4 * w), conv(4 * w, 4 * w)  # 4, 8
        # 1x1 score layers on the stride-8, -4 and -2 features
        self.score8 = nn.Conv2d(4 * w, num_classes, 1)
        self.score4 = nn.Conv2d(4 * w, num_classes, 1)
        self.score2 = nn.Conv2d(2 * w, num_classes, 1)
        for s in (self.score4, self.score2):  # FCN: zero, so the finer
            nn.init.zeros_(s.weight)  # heads start from the coarse one
            nn.init.zeros_(s.bias)
        self.up8to4 = bilinear_up2(num_classes)  # learned, bilinear at first
        self.up4to2 = bilinear_up2(num_classes)

    def forward(self, x):
        f2 = self.c2(F.max_pool2d(self.c1(x), 2))  # (N, 2w, H/2, W/2)
        f4 = self.c3(F.max_pool2d(f2, 2))  # (N, 4w, H/4, W/4)
        f8 = self.c4(F.max_pool2d(f4, 2))  # (N, 4w, H/8, W/8)
        s8 = self.score8(f8)  # "32s": the coarsest scores alone
        s4 = fuse(self.up8to4(s8), self.score4(f4))  # "16s"
        s2 = fuse(self.up4to2(s4), self.score2(f2))  # "8s"
        # the final upsampling is fixed bilinear interpolation
        return [
            F.interpolate(s, scale_factor=f, mode="bilinear")
            for s, f in ((s8, 8), (s4, 4), (s2, 2))
        ]


# --8<-- [end:model]


# --8<-- [start:train]
def train(model: SkipFCN, data, epochs=5, batch=32, keep=1.0):
    """keep < 1: each pixel's loss is ignored with probability 1 - keep."""
    device = next(model.parameters()).device
    x, y = data["images"].to(device), data["masks"].to(device)
    opt = torch.optim.Adam(model.parameters())
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, 2e-2, total_steps=epochs * -(-len(x) // batch)
    )
    for _ in range(epochs):
        for idx in torch.randperm(len(x), device=device).split(batch):
            target = y[idx]
            if keep < 1:  # loss sampling (FCN, Section 4.3): -1 is ignored
                dropped = torch.rand(target.shape, device=device) >= keep
                target = target.masked_fill(dropped, -1)
            # the three heads train together on one backbone
            loss = sum(
                F.cross_entropy(s, target, ignore_index=-1)
                for s in model(x[idx])
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


# --8<-- [end:train]


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:check]
    # a bilinear ConvTranspose2d is F.interpolate(bilinear) away from the
    # border (at the border it pads with zeros where interpolate repeats)
    z = torch.randn(2, 4, 6, 6, device=device)
    up = bilinear_up2(4).to(device)(z)
    ref = F.interpolate(z, scale_factor=2, mode="bilinear")
    torch.testing.assert_close(up[..., 1:-1, 1:-1], ref[..., 1:-1, 1:-1])
    # --8<-- [end:check]

    # --8<-- [start:experiment]
    # 16x16 images: the heads see 2x2, 4x4 and 8x8 score maps
    kw = dict(size=16, max_shapes=2)
    data = make_shapes(600, min_side=5, max_side=9, seed=1, **kw)
    test = make_shapes(200, min_side=5, max_side=9, seed=2, **kw)
    small = make_shapes(200, min_side=5, max_side=6, seed=3, **kw)
    model = train(SkipFCN(w=12).to(device), data)
    miou = {}
    with torch.no_grad():
        for name, d in (("all", test), ("small", small)):
            target = d["masks"].to(device)
            for head, s in zip(HEADS, model(d["images"].to(device))):
                cm = confusion_matrix(s.argmax(1), target, 4)
                miou[name, head] = mean_iou(cm)
    # --8<-- [end:experiment]
    for name in ("all", "small"):
        coarse, mid, fine = (miou[name, h] for h in HEADS)
        assert coarse < mid < fine, (
            f"each fusion raises the mean IoU ({name} shapes): "
            f"{coarse}, {mid}, {fine}"
        )
        assert fine > coarse + 0.4, (
            f"the 8s head beats the 32s head by over 0.4 ({name} shapes): "
            f"{coarse}, {fine}"
        )
    # tolerances: the spread over 10 seeds and other CPUs' kernels
    tol = {"all": (0.03, 0.03, 0.03), "small": (0.03, 0.04, 0.05)}
    for head, t in zip(HEADS, tol["all"]):
        print(f"FCN-{head} head, mean IoU: {miou['all', head]:.3f} ±{t:g}")
    for head, t in zip(HEADS, tol["small"]):
        print(
            f"FCN-{head} head, mean IoU on small shapes: "
            f"{miou['small', head]:.3f} ±{t:g}"
        )


if __name__ == "__main__":
    main()
''')


# --- the snippet, unchanged: snippets/segmentation/dense_crf.py ---
"""DeepLab's fully connected CRF: mean-field inference redraws a coarse score
map along the edges of the image, and lifts the mean IoU of a stride-4 head
to about that of the learned stride-2 head (the margin is small: some seeds
leave it just below).

Chen, Papandreou, Kokkinos, Murphy & Yuille 2015, "Semantic Image Segmentation
with Deep Convolutional Nets and Fully Connected CRFs" (ICLR), Section 4
(the energy, its two Gaussian kernels, mean-field inference); the inference
is Kraehenbuehl & Koltun 2011, "Efficient Inference in Fully Connected CRFs
with Gaussian Edge Potentials" (NIPS), Section 3. Here every pair of pixels is
summed exactly, which 16x16 images allow; the papers filter instead.
"""

import os
import sys
from pathlib import Path

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch

from shapes import make_shapes

# same folder: the FCN of the section before, and the metrics
from fcn_32s_16s_8s import HEADS, SkipFCN, train
from metrics import confusion_matrix, mean_iou

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:crf]
def dense_crf(
    images: torch.Tensor,  # (N, 1, H, W) intensities
    scores: torch.Tensor,  # (N, C, H, W) the network's class scores
    w_app: float,  # weight of the appearance (bilateral) kernel
    theta_pos: float,  # its reach in pixels
    theta_int: float,  # its reach in intensity
    w_smooth: float = 1.0,  # weight and reach of the smoothness kernel
    theta_smooth: float = 1.0,
    iters: int = 10,
) -> torch.Tensor:
    """Mean-field marginals Q (N, C, H, W) of the fully connected CRF with
    unary -log softmax(scores) and a Potts pairwise term."""
    n, c, h, w = scores.shape
    rows, cols = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    pos = torch.stack([rows, cols], -1).view(1, h * w, 2).float()
    pos = pos.to(scores.device)
    d_pos = torch.cdist(pos, pos) ** 2  # (1, P, P) squared distances
    inten = images.reshape(n, h * w, 1)
    d_int = torch.cdist(inten, inten) ** 2  # (N, P, P)
    k = w_app * torch.exp(
        -d_pos / (2 * theta_pos**2) - d_int / (2 * theta_int**2)
    ) + w_smooth * torch.exp(-d_pos / (2 * theta_smooth**2))
    k = k * (1 - torch.eye(h * w, device=k.device))  # pairs j != i only
    unary = scores.reshape(n, c, h * w).log_softmax(1)  # -unary energy
    q = unary.softmax(1)
    for _ in range(iters):
        msg = torch.bmm(q, k)  # (N, C, P): sum_j k(i, j) Q_j(l)
        # Potts: a label pays for the mass its neighbours put on the others
        penalty = msg.sum(1, keepdim=True) - msg
        q = (unary - penalty).softmax(1)
    return q.view(n, c, h, w)


# --8<-- [end:crf]


def miou(scores: torch.Tensor, masks: torch.Tensor) -> float:
    return mean_iou(confusion_matrix(scores.argmax(1), masks, 4))


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:run]
    kw = dict(size=16, max_shapes=2, min_side=5, max_side=9)
    data = make_shapes(600, seed=1, **kw)  # as in the FCN section
    val = make_shapes(100, seed=4, **kw)  # to choose the CRF's settings
    test = make_shapes(200, seed=2, **kw)
    model = train(SkipFCN(w=12).to(device), data)
    with torch.no_grad():
        x_val, x_test = val["images"].to(device), test["images"].to(device)
        y_val, y_test = val["masks"].to(device), test["masks"].to(device)
        stride4 = model(x_val)[1]  # the FCN-16s head: stride 4 here
        # DeepLab cross-validates the kernel settings; a small grid on the
        # validation images does the same
        grid = [(w, t) for w in (3.0, 10.0, 30.0) for t in (0.1, 0.2)]
        w_app, theta_int = max(
            grid,
            key=lambda g: miou(
                dense_crf(x_val, stride4, g[0], 3.0, g[1]), y_val
            ),
        )
        heads = dict(zip(HEADS, model(x_test)))
        crf = dense_crf(x_test, heads["16s"], w_app, 3.0, theta_int)
    before, after = miou(heads["16s"], y_test), miou(crf, y_test)
    learned = miou(heads["8s"], y_test)
    assert after > before + 0.1, (
        f"the CRF raises the stride-4 head's mean IoU {before} -> {after}"
    )
    # --8<-- [end:run]
    print(f"FCN-16s head (stride 4), mean IoU: {before:.3f} ±0.03")
    print(f"the same scores after the CRF, mean IoU: {after:.3f} ±0.05")
    print(f"FCN-8s head (stride 2), mean IoU: {learned:.3f} ±0.03")


if __name__ == "__main__":
    main()
