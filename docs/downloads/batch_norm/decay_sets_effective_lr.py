# decay_sets_effective_lr.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/batch_norm/decay_sets_effective_lr.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python decay_sets_effective_lr.py
#
# kb-download: {"record": "1a151def9410916c6d73984a863ca62bc14f5bc299a26821dd42e6abadc8a2ef", "sources": {"snippets/batch_norm/decay_sets_effective_lr.py": "4354496c753eb1222f6aee2da2a8e00208b1114b15d5026ad9f7269eaf48442e"}}


# --- the snippet, unchanged: snippets/batch_norm/decay_sets_effective_lr.py ---
"""Behind batch norm, weight decay does not shrink the function but the weight
norm, and so sets the effective learning rate eta / ||W||^2 of those weights.

van Laarhoven 2017, "L2 Regularization versus Batch and Weight Normalization":
with a normalization after the layer, L2 on its weights changes only their
effective learning rate. Ioffe & Szegedy 2015, "Batch Normalization", ICML,
Section 3.3: the output does not depend on the scale of W.
"""

import os

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
# Largest distance from seed 0 over seeds 0-9 and other CPU kernels
# (kb check --seeds 10), rounded up to one digit.
TOLERANCE = {
    "||W|| at start": 0.07,
    "||W|| after 200 steps, no decay": 0.2,
    "||W|| after 200 steps, decay 0.005": 0.4,
    "effective step lr/||W||^2 at start": 0.002,
    "effective step after 200 steps, no decay": 0.002,
    "effective step after 200 steps, decay": 0.02,
}
STEPS, LR, DECAY = 200, 0.5, 5e-3


# --8<-- [start:model]
def make_net() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(64, 32, bias=False),  # W: scale-invariant behind BN
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.Linear(32, 10),
    )


# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float64, device=device)
    x = (x - x.mean(0)) / (x.std(0) + 1e-8)  # standardized pixels
    y = torch.tensor(digits.target, device=device)
    init = make_net().double().to(device).state_dict()

    # --8<-- [start:train]
    def train(decay: float):
        torch.manual_seed(SEED)  # same data order in both runs
        net = make_net().double().to(device)
        net.load_state_dict(init)  # same start
        w = net[0].weight
        others = [p for p in net.parameters() if p is not w]
        opt = torch.optim.SGD(
            [{"params": [w], "weight_decay": decay}, {"params": others}],
            lr=LR,
        )
        norms, cosines, pythagoras = [w.norm().item()], [], []
        for _ in range(STEPS):
            batch = torch.randint(len(y), (128,), device=device)
            loss = F.cross_entropy(net(x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            g = w.grad.detach().clone()
            cosines.append(((g * w).sum() / (g.norm() * w.norm())).item())
            # without decay: ||W - lr g||^2 = ||W||^2 + lr^2 ||g||^2
            pythagoras.append((LR * g.norm()).item() ** 2)
            opt.step()
            norms.append(w.norm().item())
        as64 = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
        return as64(norms), as64(cosines), as64(pythagoras)

    norms, cosines, pythagoras = train(decay=0.0)
    norms_wd, _, _ = train(decay=DECAY)
    # g orthogonal to W: exactly as eps -> 0; BN's eps=1e-5 leaves ~1e-5
    assert cosines.abs().max() < 1e-4, cosines.abs().max()
    growth = norms[1:] ** 2 - norms[:-1] ** 2  # each step adds lr^2 ||g||^2
    # (exactly as eps -> 0; BN's eps=1e-5 leaves a relative ~1e-3)
    torch.testing.assert_close(growth, pythagoras, rtol=1e-2, atol=0.0)
    assert (norms[1:] >= norms[:-1]).all(), "||W|| never decreases"
    eff, eff_wd = LR / norms**2, LR / norms_wd**2  # effective step
    assert eff[-1] < eff[0], "without decay the effective step shrinks"
    assert norms_wd[-1] < norms[-1], "decay ends with a smaller ||W||"
    assert eff_wd[-1] > eff[-1], "and a larger effective step"
    # --8<-- [end:train]
    print(f"max |cos(W, grad W)| below 1e-4: {cosines.abs().max() < 1e-4}")
    shown = [
        ("||W|| at start", norms[0], 3),
        (f"||W|| after {STEPS} steps, no decay", norms[-1], 3),
        (f"||W|| after {STEPS} steps, decay {DECAY}", norms_wd[-1], 3),
        ("effective step lr/||W||^2 at start", eff[0], 4),
        (f"effective step after {STEPS} steps, no decay", eff[-1], 4),
        (f"effective step after {STEPS} steps, decay", eff_wd[-1], 4),
    ]
    for label, value, digits in shown:
        print(f"{label}: {value:.{digits}f} ±{TOLERANCE[label]}")


if __name__ == "__main__":
    main()
