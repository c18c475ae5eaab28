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
