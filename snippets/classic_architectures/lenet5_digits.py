"""LeNet-5 in its classic shape (5x5 convolutions, 2x2 subsampling, 120-84-10)
learns the 8x8 digits.

LeCun, Bottou, Bengio & Haffner 1998, "Gradient-Based Learning Applied to
Document Recognition", Proc. IEEE, section II.B (LeNet-5: 32x32 input,
C1-S2-C3-S4-C5-F6; its per-layer counts of trainable parameters sum to 60,000).
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
def lenet5() -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 32, 32)
        nn.Conv2d(1, 6, 5),
        nn.Tanh(),  # C1 (N, 6, 28, 28)
        nn.AvgPool2d(2),  # S2 (N, 6, 14, 14)
        nn.Conv2d(6, 16, 5),
        nn.Tanh(),  # C3 (N, 16, 10, 10)
        nn.AvgPool2d(2),  # S4 (N, 16, 5, 5)
        nn.Conv2d(16, 120, 5),
        nn.Tanh(),  # C5 (N, 120, 1, 1)
        nn.Flatten(),
        nn.Linear(120, 84),
        nn.Tanh(),  # F6 (N, 84)
        nn.Linear(84, 10),  # output (N, 10)
    )


def to_32x32(images: torch.Tensor) -> torch.Tensor:
    """(N, 8, 8) digits -> (N, 1, 32, 32): upsample x3, pad 4 on each side,
    so the digit fills the centre 24x24 and C5 sees a blank border."""
    x = F.interpolate(images[:, None], size=24, mode="bilinear")
    return F.pad(x, (4, 4, 4, 4))


# --8<-- [end:model]


def paper_parameter_count() -> int:
    """Section II.B: trainable parameters layer by layer, as in the paper."""
    c1 = 6 * (5 * 5 + 1)  # 156
    s2 = 6 * 2  # coefficient + bias per map
    c3_inputs = 6 * 3 + 9 * 4 + 1 * 6  # Table I: S2 maps per C3 map
    c3 = c3_inputs * 5 * 5 + 16  # 1,516
    s4 = 16 * 2
    c5 = 120 * (16 * 5 * 5 + 1)  # 48,120
    f6 = 84 * (120 + 1)  # 10,164; RBF output: fixed
    return c1 + s2 + c3 + s4 + c5 + f6


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    images = torch.tensor(digits.images / 16.0, dtype=torch.float32)
    x = to_32x32(images).to(device)  # (1797, 1, 32, 32)
    y = torch.tensor(digits.target, device=device)
    gen = torch.Generator().manual_seed(SEED)
    order = torch.randperm(len(y), generator=gen)
    test, train = order[:360], order[360:]  # 20% held out

    model = lenet5().to(device)
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == 61_706, (
        f"this LeNet-5 has 61,706 parameters, not {n_params}"
    )
    # II.B's layers, summed
    assert paper_parameter_count() == 60_000, "the paper's layers sum to 60,000"
    assert model(x[:2]).shape == (2, 10)

    # --8<-- [start:train]
    EPOCHS = 6
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    curve = []  # (epoch, loss, test acc)
    for epoch in range(1, EPOCHS + 1):
        model.train()
        total = 0.0
        for batch in train[torch.randperm(len(train), generator=gen)].split(64):
            loss = F.cross_entropy(model(x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        model.eval()
        with torch.no_grad():
            acc = (model(x[test]).argmax(1) == y[test]).float().mean().item()
        curve.append((epoch, total / len(train), acc))
    # --8<-- [end:train]
    assert curve[-1][1] < 0.25 * curve[0][1], curve  # the loss fell
    assert acc > 0.9, acc
    print(f"parameters of this LeNet-5: {n_params:,}")
    print(f"epochs: {EPOCHS}")
    print(f"training images: {len(train)}")
    print(
        f"parameters as the paper counts them (II.B): "
        f"{paper_parameter_count():,}"
    )
    print(f"input: 8x8 digits -> {tuple(x.shape[1:])}")
    print(f"final train loss: {curve[-1][1]:.3f} ±0.02")
    print(f"test accuracy: {acc:.3f} ±0.02")

    fig, ax = plt.subplots(figsize=(6, 2.8))
    epochs = [c[0] for c in curve]
    ax.plot(epochs, [c[1] for c in curve], marker="o", label="train loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean train loss")
    ax2 = ax.twinx()
    ax2.plot(
        epochs,
        [c[2] for c in curve],
        marker="s",
        color="C1",
        label="test accuracy",
    )
    ax2.set_ylabel("test accuracy")
    ax.set_title("LeNet-5 on the 8x8 digits (resized to 32x32)")
    fig.legend(loc="center right", fontsize=8, bbox_to_anchor=(0.85, 0.5))
    fig.savefig("lenet5_curve.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
