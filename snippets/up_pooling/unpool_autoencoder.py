"""A decoder that unpools with the encoder's max-pooling switches reconstructs
sharper shapes than one that upsamples by nearest neighbour.

Badrinarayanan, Kendall & Cipolla 2017, "SegNet" (TPAMI), decoder upsampling
with pooling indices; Noh, Hong & Han 2015, "Learning Deconvolution Network for
Semantic Segmentation", Section 3.2.
"""

import os
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
INITS = 10  # random initializations averaged for the error before training
TRAINED = 3  # of them trained, per decoder: one run's error varies too much
# the largest distance from seed 0 over seeds 0-9 and other CPUs' kernels
# (kb check --seeds 10), rounded up
TOL = {
    ("before", "unpooling"): "±0.02",
    ("before", "nearest"): "±0.03",
    ("after", "unpooling"): "±0.003",
    ("after", "nearest"): "±0.004",
    "ratio": "±0.4",
    "oracle": "±0.001",
}


def make_shapes(n: int, size: int = 16, generator=None) -> torch.Tensor:
    """n images (n, 1, size, size): one filled square or disc, random position
    and size."""
    yy, xx = torch.meshgrid(
        torch.arange(size), torch.arange(size), indexing="ij"
    )
    cy, cx = torch.rand(2, n, 1, 1, generator=generator) * (size - 6) + 3
    r = torch.rand(n, 1, 1, generator=generator) * 3 + 2
    square = ((yy - cy).abs() <= r) & ((xx - cx).abs() <= r)
    disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2
    is_square = torch.rand(n, 1, 1, generator=generator) < 0.5
    return torch.where(is_square, square, disc).float().unsqueeze(1)


# --8<-- [start:model]
def unpool2x2(z: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """F.max_unpool2d(z, idx, 2) as a scatter (same values, much faster
    backward on the CPU)."""
    n, c, h, w = z.shape
    out = z.new_zeros(n, c, 4 * h * w).scatter(2, idx.flatten(2), z.flatten(2))
    return out.view(n, c, 2 * h, 2 * w)


class SegNetLike(nn.Module):
    """Two conv + 2x2 max-pool stages down (16 -> 4), mirrored up with
    unpooling or nearest."""

    def __init__(self, unpool: bool, c: int = 8):
        super().__init__()
        self.unpool = unpool
        self.enc1 = nn.Sequential(nn.Conv2d(1, c, 3, padding=1), nn.ReLU())
        self.enc2 = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU())
        self.dec2 = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU())
        self.dec1 = nn.Conv2d(c, 1, 3, padding=1)

    def up(self, z, idx):
        if self.unpool:  # values back to their argmax
            return unpool2x2(z, idx)
        # copies, positions ignored
        return F.interpolate(z, scale_factor=2, mode="nearest")

    def forward(self, x):  # (N, 1, 16, 16)
        # (N, c, 8, 8)
        z, i1 = F.max_pool2d(self.enc1(x), 2, return_indices=True)
        # (N, c, 4, 4) bottleneck
        z, i2 = F.max_pool2d(self.enc2(z), 2, return_indices=True)
        z = self.dec2(self.up(z, i2))  # (N, c, 8, 8)
        return self.dec1(self.up(z, i1))  # (N, 1, 16, 16)


# --8<-- [end:model]


# --8<-- [start:train]
def train(model, x_tr, steps=150, batch=64):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for step in range(steps):
        xb = x_tr[(step * batch) % len(x_tr) :][:batch]
        loss = F.mse_loss(model(xb), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


# --8<-- [end:train]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    g = torch.Generator().manual_seed(SEED)
    x_tr, x_te = (
        make_shapes(1024, generator=g).to(device),
        make_shapes(256, generator=g).to(device),
    )

    z, idx = F.max_pool2d(x_te[:4], 2, return_indices=True)
    assert torch.equal(unpool2x2(z, idx), F.max_unpool2d(z, idx, 2)), (
        "the scatter equals F.max_unpool2d"
    )

    mse = {}
    for name, unpool in [("unpooling", True), ("nearest", False)]:
        torch.manual_seed(SEED)
        # one random initialization's error varies widely: the error before
        # training is the mean over INITS of them, the error after training
        # the mean over the first TRAINED of them, trained
        inits = [SegNetLike(unpool).to(device) for _ in range(INITS)]
        with torch.no_grad():
            before = sum(F.mse_loss(m(x_te), x_te).item() for m in inits)
        before /= INITS
        after = 0.0
        for model in inits[:TRAINED]:
            train(model, x_tr)
            with torch.no_grad():
                after += F.mse_loss(model(x_te), x_te).item() / TRAINED
        with torch.no_grad():
            recon = inits[0](x_te)  # the plot: the first trained model
        mse[name] = (before, after, recon)

    for name, (before, after, _) in mse.items():
        # training helps both decoders
        assert after < 0.3 * before, (name, before, after)
    ratio = mse["nearest"][1] / mse["unpooling"][1]
    assert ratio > 1.2, f"the switches help: nearest / unpooling {ratio}"
    # knowing only how much of each 4x4 cell is filled, the best guess is
    # the cell's mean: the nearest decoder does better, so its 8 bottleneck
    # channels carry position within a cell
    cell_fill = F.avg_pool2d(x_te, 4).repeat_interleave(4, 2)
    oracle = F.mse_loss(cell_fill.repeat_interleave(4, 3), x_te).item()
    assert mse["nearest"][1] < 0.6 * oracle, (
        "nearest beats the cell-fill oracle"
    )

    print(f"initializations trained per decoder: {TRAINED}")
    for name, (before, after, _) in mse.items():
        print(
            f"test MSE before training (mean of {INITS} initializations), "
            f"{name} decoder: {before:.3f} {TOL['before', name]}"
        )
        print(
            f"test MSE after training (mean of {TRAINED} runs), {name} "
            f"decoder: {after:.4f} "
            f"{TOL['after', name]}"
        )
    print(
        f"test MSE after training, nearest / unpooling: {ratio:.2f} "
        f"{TOL['ratio']}"
    )
    print(
        f"test MSE, each 4x4 cell filled with its mean (oracle): "
        f"{oracle:.3f} {TOL['oracle']}"
    )

    fig, axes = plt.subplots(3, 6, figsize=(7, 3.6))
    rows = [
        ("input", x_te),
        ("unpooling", mse["unpooling"][2]),
        ("nearest", mse["nearest"][2]),
    ]
    for r, (label, imgs) in enumerate(rows):
        for c in range(6):
            ax = axes[r, c]
            ax.imshow(imgs[c, 0].cpu().clamp(0, 1), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=8)
    fig.suptitle(
        "Test shapes and their reconstructions (16x16, bottleneck 4x4)",
        fontsize=10,
    )
    fig.savefig("unpool_autoencoder.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
