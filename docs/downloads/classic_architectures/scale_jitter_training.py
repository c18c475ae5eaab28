# scale_jitter_training.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/classic_architectures/scale_jitter_training.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python scale_jitter_training.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "e06a19f768503aeaa3b8f0e4b89748797ebfa277fdd87141ed1fcdf0800617bd", "sources": {"snippets/classic_architectures/scale_jitter_training.py": "a1e1bc6e3480ff5a388ed5901d10794b2035935eee01049c8516cf8531d085bb", "snippets/shapes/shapes.py": "d18add5657fd71ae9e9074877a39dde6e4aa0f8da4e0a934ad4336c9c0f9e8ff"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


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


# --- the snippet, unchanged: snippets/classic_architectures/scale_jitter_training.py ---
"""Trained on shapes of one size, a CNN fails on the same shapes drawn twice as
large, and already loses accuracy at 1.5 times the size; trained on sizes
jittered over that range, it recognizes them at each size tested in it.

Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR, section 3.1 (scale jittering: each training image
rescaled with its own S from [S_min, S_max], "objects in images can be of
different size") and Table 3 (lower error with jittered than with fixed S).
"""

import os
import sys
from pathlib import Path

# the shared data set
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch
from torch import nn
import torch.nn.functional as F

from shapes import make_shapes

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_TRAIN, EPOCHS = 600, 6
SIDE = 8  # the fixed training size; jittered training draws 8 to 16
TEST_SIDES = (8, 10, 12, 16)
FALLEN = 0.8  # the fixed network's accuracy at side 12 stays below it


# --8<-- [start:data]
def shapes_of_size(n: int, min_side: int, max_side: int, seed: int):
    """n 32x32 images of one shape each, its side drawn from
    [min_side, max_side], and the shape's class."""
    data = make_shapes(n, seed=seed, min_side=min_side, max_side=max_side)
    return data["images"], torch.stack([l[0] for l in data["labels"]])


def small_cnn() -> nn.Sequential:
    return nn.Sequential(  # (N, 1, 32, 32)
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 16, 16, 16)
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, 8, 8)
        nn.Conv2d(32, 32, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(
            1
        ),  # global max: where the shape is does not matter
        nn.Flatten(),
        nn.Linear(32, 3),
    )


# --8<-- [end:data]


def train(x, y, device) -> nn.Module:
    torch.manual_seed(SEED)  # the same initialization and batches for both
    net = small_cnn().to(device)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    batches = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(y), generator=batches).split(32):
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net.eval()


@torch.no_grad()
def accuracy(net, x, y) -> float:
    return (net(x).argmax(1) == y).float().mean().item()


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    seed = SEED * 100
    # --8<-- [start:experiment]
    fixed_x, fixed_y = shapes_of_size(N_TRAIN, SIDE, SIDE, seed)
    jitter_x, jitter_y = shapes_of_size(N_TRAIN, SIDE, 2 * SIDE, seed)
    nets = {
        "fixed size": train(fixed_x.to(device), fixed_y.to(device), device),
        "jittered size": train(
            jitter_x.to(device), jitter_y.to(device), device
        ),
    }
    acc = {}  # (network, test side) -> accuracy on 300 new images
    for side in TEST_SIDES:
        x, y = shapes_of_size(300, side, side, seed + side)
        for name, net in nets.items():
            acc[name, side] = accuracy(net, x.to(device), y.to(device))
    # --8<-- [end:experiment]

    assert min(acc["fixed size", 8], acc["jittered size", 8]) > 0.9, (
        f"both recognize shapes of side 8, the fixed training size: {acc}"
    )
    assert acc["fixed size", 16] < 0.5 < 0.9 < acc["jittered size", 16], (
        f"at side 16 only the jittered network recognizes the shapes: {acc}"
    )
    assert acc["jittered size", 12] > acc["fixed size", 12], (
        f"at side 12 the jittered network is the better one: {acc}"
    )
    assert acc["fixed size", 12] < FALLEN, (
        f"at 1.5 times its training size the fixed network falls: {acc}"
    )
    assert acc["fixed size", 12] < acc["fixed size", 10], (
        f"the fixed network is worse at side 12 than at side 10: {acc}"
    )
    print(f"training images per network: {N_TRAIN}")
    tolerances = {  # the largest distance from seed 0, seeds 0-9 and 2 kernels
        ("fixed size", 8): "±0.01",
        ("jittered size", 8): "±0.03",
        ("fixed size", 10): "±0.2",
        ("jittered size", 10): "±0.02",
        # 0.29 to 0.68 over seeds 0-9: too wide for a band, so FALLEN
        ("fixed size", 12): None,
        ("jittered size", 12): "±0.01",
        ("fixed size", 16): "±0.15",
        ("jittered size", 16): "±0.01",
    }
    for (name, side), tol in tolerances.items():
        if tol is None:  # fixed size, side 12
            shown = f"below {FALLEN}"
        else:
            shown = f"{acc[name, side]:.3f} {tol}"
        print(f"{name}, accuracy at side {side}: {shown}")


if __name__ == "__main__":
    main()
