"""Learning the filters of a Deconvolutional Network: alternate sparse inference
of the feature maps with gradient steps on the filters. The learned bank
explains held-out digits at a lower cost than the random bank it started from
and than a hand-made Gabor bank.

Zeiler, Krishnan, Taylor & Fergus 2010, "Deconvolutional Networks" (CVPR):
the filters are learned by alternating minimization over z and f (they infer z
with their own solver; here sparse_coding.py's ISTA). Data: scikit-learn's
digits.
"""

import os

import torch
from sklearn.datasets import load_digits

from sparse_coding import (
    LAM,
    gabor_bank,
    ista,
    objective,
    synthesize,
)  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_TRAIN, N_TEST = 100, 100
EPOCHS, INFER_STEPS, FILTER_STEPS, LR = 20, 30, 5, 0.2


# --8<-- [start:learn]
def unit_norm(f):
    # without it the filters would grow and the maps shrink to dodge the L1
    return f / f.flatten(2).norm(dim=2)[..., None, None]


def learn_filters(x, f):
    """Alternate: infer z with f fixed, then step f with z fixed."""
    z = None
    for _ in range(EPOCHS):
        z, _ = ista(x, f, LAM, INFER_STEPS, z)  # warm start: the last maps
        for _ in range(FILTER_STEPS):
            f = f.detach().requires_grad_()
            fit = 0.5 * (synthesize(z, f) - x).pow(2).sum()
            (grad,) = torch.autograd.grad(fit, f)
            # detached: inference with f must not build an autograd graph
            f = unit_norm(f.detach() - LR * grad / len(x))
    return f


# --8<-- [end:learn]


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    g = torch.Generator().manual_seed(SEED)
    digits = torch.tensor(load_digits().images / 16.0, dtype=torch.float32)
    digits = digits[torch.randperm(len(digits), generator=g)].unsqueeze(1)
    train = digits[:N_TRAIN].to(device)  # (100, 1, 8, 8)
    test = digits[N_TRAIN : N_TRAIN + N_TEST].to(device)
    random_bank = unit_norm(torch.randn(1, 8, 5, 5, generator=g)).to(device)
    # --8<-- [start:compare]
    learned = learn_filters(train, random_bank)
    banks = {
        "random": random_bank,
        "Gabor": gabor_bank().float().to(device),
        "learned": learned,
    }
    cost, error, nonzero = {}, {}, {}
    for name, f in banks.items():  # fresh inference on held-out digits
        z, _ = ista(test, f, LAM, 150)
        cost[name] = objective(z, f, test, LAM).item() / N_TEST
        rebuilt = synthesize(z, f)
        error[name] = ((rebuilt - test).norm() / test.norm()).item()
        nonzero[name] = (z != 0).float().mean().item()
    # --8<-- [end:compare]

    assert cost["learned"] < 0.9 * cost["random"], (
        f"the learned bank explains held-out digits more cheaply: {cost}"
    )
    assert cost["learned"] < cost["Gabor"], (
        f"the learned bank beats the hand-made one too: {cost}"
    )
    assert error["Gabor"] > max(error["random"], error["learned"]), (
        f"the Gabor bank rebuilds the digits worst: {error}"
    )
    print(f"training digits: {N_TRAIN}")
    print(f"held-out digits: {N_TEST}")
    print(f"filters: 8 of 5x5, learned for {EPOCHS} rounds")
    # measured over 10 seeds and 2 kernel settings (kb check --seeds 10)
    tolerances = {  # cost, error, fraction nonzero
        "random": ("0.3", "0.02", "0.025"),
        "Gabor": ("0.03", "0.008", "0.003"),
        "learned": ("0.03", "0.006", "0.03"),
    }
    for name, (tc, te, tz) in tolerances.items():
        print(f"{name} bank, held-out cost per digit: {cost[name]:.3f} ±{tc}")
        err = error[name]
        print(f"{name} bank, relative reconstruction error: {err:.3f} ±{te}")
        print(f"{name} bank, fraction of z nonzero: {nonzero[name]:.3f} ±{tz}")


if __name__ == "__main__":
    main()
