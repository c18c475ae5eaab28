"""Median frequency balancing weights each class by median_freq / freq(c): fewer
shape pixels are missed, and the background pays with false positives.

Eigen & Fergus 2015 ("Predicting Depth, Surface Normals and Semantic Labels with
a Common Multi-Scale Convolutional Architecture", ICCV) define freq(c) as the
pixels of class c divided by the total pixels of the images where c is present;
SegNet (Badrinarayanan, Kendall & Cipolla 2017, TPAMI) trains with these class
weights and credits them.
"""

import os
import sys
from pathlib import Path

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch
import torch.nn.functional as F

from shapes import make_shapes

# same folder: metrics.py and tiny_unet.py
from metrics import confusion_matrix
from tiny_unet import NAMES, TinyUNet

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:weights]
def median_frequency_weights(masks: torch.Tensor, num_classes: int):
    """masks (N, H, W) -> a_c = median_freq / freq(c), where freq(c) = pixels
    of class c / all pixels of the images in which c appears."""
    pixels = masks[0].numel()
    # (N, C): pixels of each class in each image
    counts = F.one_hot(masks.flatten(1), num_classes).sum(1)
    present = (counts > 0).sum(0)  # images containing each class
    freq = counts.sum(0).double() / (present * pixels)  # (C,)
    median = freq.quantile(0.5)  # the mean of the middle two for even C
    return median / freq, freq


# --8<-- [end:weights]


def direct_weights(masks: list, num_classes: int) -> list:
    """The definition, class by class and image by image, in plain Python."""
    freq = []
    for c in range(num_classes):
        with_c = [m for m in masks if c in sum(m, [])]  # images where c appears
        pixels_c = sum(sum(row.count(c) for row in m) for m in with_c)
        total = sum(len(m) * len(m[0]) for m in with_c)
        freq.append(pixels_c / total)
    middle = sorted(freq)
    median = (middle[(len(freq) - 1) // 2] + middle[len(freq) // 2]) / 2
    return [median / f for f in freq]


# --8<-- [start:train]
def train(data: dict, device: str, weight=None, epochs: int = 5):
    """The tiny U-Net, 5 epochs of Adam at batch 32 with a one-cycle rate;
    cross-entropy with or without class weights."""
    torch.manual_seed(SEED)  # same init and same batches for both losses
    model = TinyUNet(w=12).to(device)
    x, y = data["images"].to(device), data["masks"].to(device)
    opt = torch.optim.Adam(model.parameters())
    steps = epochs * -(-len(x) // 32)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 1e-2, total_steps=steps)
    for _ in range(epochs):
        for idx in torch.randperm(len(x), device=device).split(32):
            # with weight=: sum of a_y * loss over pixels / sum of a_y
            loss = F.cross_entropy(model(x[idx]), y[idx], weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


# --8<-- [end:train]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:by_hand]
    # three 2x2 masks, classes 0..2
    tiny = [[[0, 0], [0, 1]], [[0, 1], [1, 2]], [[0, 0], [0, 0]]]
    a, freq = median_frequency_weights(torch.tensor(tiny), 3)
    # class 0 in all 3 images: 8/12; class 1 in the first two: 3/8; class 2 in
    # the second only: 1/4 (not 1/12: the image without it does not count)
    # median 3/8 -> weights (3/8)/(2/3) = 9/16, 1, (3/8)/(1/4) = 3/2
    by_hand = torch.tensor([9 / 16, 1.0, 3 / 2], dtype=a.dtype)
    torch.testing.assert_close(a, by_hand)
    # the same weights from the definition written out in plain Python
    torch.testing.assert_close(a, torch.tensor(direct_weights(tiny, 3)).to(a))
    # --8<-- [end:by_hand]

    # --8<-- [start:experiment]
    # 16x16 images, so that two trainings fit in a few seconds
    kw = dict(size=16, max_shapes=2, min_side=6, max_side=9)
    data = make_shapes(384, seed=1, **kw)
    test = make_shapes(200, seed=2, **kw)  # held out: another seed
    a, freq = median_frequency_weights(data["masks"], 4)
    rare = int(freq.argmin())  # the rarest class has the largest weight
    target = test["masks"].to(device)
    stats = {}
    for name, weight in (("plain", None), ("weighted", a.float().to(device))):
        model = train(data, device, weight)
        with torch.no_grad():
            pred = model(test["images"].to(device)).argmax(1)
        cm = confusion_matrix(pred, target, 4).double()
        stats[name] = {
            "recall": cm.diagonal() / cm.sum(1),  # found / true pixels
            # shape pixels given any shape class (not called background)
            "shapes found": 1 - cm[1:, 0].sum() / cm[1:].sum(),
        }
    # --8<-- [end:experiment]
    torch.testing.assert_close(
        a, torch.tensor(direct_weights(data["masks"].tolist(), 4)).to(a)
    )
    plain, weighted = stats["plain"], stats["weighted"]
    found = (plain["shapes found"], weighted["shapes found"])
    assert found[1] > found[0], (
        f"weighting misses fewer shape pixels: {found[0]} -> {found[1]}"
    )
    kept = (plain["recall"][0], weighted["recall"][0])  # background recall
    assert kept[1] < kept[0], (
        f"weighting calls more background pixels a shape: {kept[0]}, {kept[1]}"
    )

    print(
        "class frequency freq(c): "
        + ", ".join(f"{n} {f:.3f}" for n, f in zip(NAMES, freq.tolist()))
    )
    print(
        "median frequency weights: "
        + ", ".join(f"{n} {w:.2f}" for n, w in zip(NAMES, a.tolist()))
    )
    print(f"rarest class: {NAMES[rare]}")
    # tolerances: the spread over 10 seeds and other CPUs' kernels
    tol = {"plain": (0.01, 0.006, 0.02), "weighted": (0.003, 0.08, 0.002)}
    for name in ("plain", "weighted"):
        s, (t_rare, t_bg, t_found) = stats[name], tol[name]
        print(
            f"{name} CE, {NAMES[rare]} recall: "
            f"{s['recall'][rare]:.4f} ±{t_rare:g}"
        )
        print(f"{name} CE, background recall: {s['recall'][0]:.4f} ±{t_bg:g}")
        print(
            f"{name} CE, shape pixels found: "
            f"{s['shapes found']:.4f} ±{t_found:g}"
        )


if __name__ == "__main__":
    main()
