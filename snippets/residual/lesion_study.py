"""Deleting any one block of a trained residual net at test time barely
changes its accuracy; deleting one block of a trained plain net breaks it.

Veit, Wilber & Belongie 2016, "Residual Networks Behave Like Ensembles of
Relatively Shallow Networks", NeurIPS, Section 4 (lesion study: deleting
individual layers at test time, a ResNet against VGG) and Section 3 (the
unraveled view: n blocks give 2^n paths).
"""

import os

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

from degradation import Block, make_net  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
TOL = 0.03  # largest change of a test accuracy over seeds 1..4 and kernels


def train(net, x, y, steps=200, batch=128):
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    order = torch.Generator().manual_seed(SEED)
    for _ in range(steps):
        i = torch.randint(len(y), (batch,), generator=order).to(y.device)
        loss = F.cross_entropy(net(x[i]), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net.eval()


# --8<-- [start:lesion]
@torch.no_grad()
def accuracy(net, x, y) -> float:
    return (net(x).argmax(1) == y).float().mean().item()


@torch.no_grad()
def lesioned_accuracies(net: nn.Sequential, x, y) -> list[float]:
    """Test accuracy with each block deleted in turn (no retraining)."""
    blocks = [i for i, m in enumerate(net) if isinstance(m, Block)]
    return [
        accuracy(nn.Sequential(*[m for j, m in enumerate(net) if j != b]), x, y)
        for b in blocks
    ]


# --8<-- [end:lesion]


@torch.no_grad()
def branch_share(net: nn.Sequential, x) -> float:
    """The smallest ||F(x)|| / ||x|| over the residual blocks."""
    shares, h = [], x
    for m in net:
        if isinstance(m, Block):
            shares.append((m.f(h).norm() / h.norm()).item())
        h = m(h)
    return min(shares)


def digits_split(device: str):
    """The digits standardized per pixel (1797, 64), their labels, and the
    indices of a 3/4 training split and the rest, shuffled by SEED."""
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32)
    x = ((x - x.mean(0)) / (x.std(0) + 1e-3)).to(device)
    y = torch.tensor(digits.target, device=device)
    order = torch.randperm(
        len(y), generator=torch.Generator().manual_seed(SEED)
    )
    return x, y, order[:1347].to(device), order[1347:].to(device)


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x, y, tr, te = digits_split(device)
    # --8<-- [start:run]
    nets = {
        "plain (10 layers)": (10, False),
        "residual (20 layers)": (20, True),
    }
    full, lesioned = {}, {}
    for name, (depth, shortcut) in nets.items():
        torch.manual_seed(SEED)
        net = train(make_net(depth, shortcut).to(device), x[tr], y[tr])
        full[name] = accuracy(net, x[te], y[te])
        lesioned[name] = lesioned_accuracies(net, x[te], y[te])
    plain, res = "plain (10 layers)", "residual (20 layers)"
    assert min(full.values()) > 0.9, f"both nets learn {full}"
    assert min(lesioned[res]) > full[res] - 0.1, (
        f"deleting one block barely changes the residual net {lesioned}"
    )
    assert max(lesioned[plain]) < 0.5, (
        f"deleting one block breaks the plain net {lesioned}"
    )
    # --8<-- [end:run]
    share = branch_share(net, x[te])  # `net` is the residual one
    assert share > 0.1, f"every residual branch does work {share}"
    for name in nets:
        print(f"{name} test accuracy: {full[name]:.3f} ±{TOL}")
        print(f"{name} blocks deleted one at a time: {len(lesioned[name])}")
    print("residual, any one block deleted: test accuracy falls by < 0.1")
    print("plain, any one block deleted: test accuracy < 0.5 (chance 0.1)")
    print(f"residual, smallest ||F(x)|| / ||x|| of a block: {share:.2f} ±0.05")


if __name__ == "__main__":
    main()
