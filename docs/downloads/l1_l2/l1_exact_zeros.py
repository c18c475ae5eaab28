# l1_exact_zeros.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/l1_l2/l1_exact_zeros.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python l1_exact_zeros.py
#
# kb-download: {"record": "e8287befe84e2473d5c52baca715812b86a230e498277831b17b84a896aa9af6", "sources": {"snippets/l1_l2/l1_exact_zeros.py": "ba6b033608fd58a0158a935c97fd97e60ca54a74de8ad50eedbd1a7c72515f93"}}


# --- the snippet, unchanged: snippets/l1_l2/l1_exact_zeros.py ---
"""An L1 penalty (applied with a soft-threshold step) sets weights exactly to
zero; an L2 penalty only shrinks them.

Tibshirani 1996, "Regression Shrinkage and Selection via the Lasso", JRSS B (the
lasso); the soft-threshold (proximal) step is ISTA, Daubechies, Defrise & De Mol
2004, Comm. Pure Appl. Math. 57(11) (analysed, with its accelerated FISTA, by
Beck & Teboulle 2009, SIAM J. Imaging Sci.).
"""

import os
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:prox]
def soft_threshold(w: torch.Tensor, t: float) -> torch.Tensor:
    # prox of t*|w|: move every weight t towards 0, and stop at exactly 0
    return torch.sign(w) * torch.clamp(w.abs() - t, min=0.0)


def train(
    x, y, w0, rule: str, lam: float, lr: float = 0.5, steps: int = 300
) -> torch.Tensor:
    # (64 pixels, 10 classes): one "wire" per entry
    w = w0.clone().requires_grad_(True)
    for _ in range(steps):
        loss = F.cross_entropy(x @ w, y)  # data loss only
        if rule == "l2":
            loss = loss + lam * (w**2).sum()
        elif rule == "l1 subgradient":
            # d|w|/dw = sign(w): a fixed-size kick
            loss = loss + lam * w.abs().sum()
        (g,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            w -= lr * g
            if rule == "l1 prox":
                # ISTA: gradient step, then shrink
                w.copy_(soft_threshold(w, lr * lam))
    return w.detach()


# --8<-- [end:prox]


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    # (1797, 64)
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32, device=device)
    y = torch.tensor(digits.target, device=device)
    w0 = 0.1 * torch.randn(64, 10, device=device)
    lam, lr = 0.01, 0.5

    # --8<-- [start:compare]
    ws = {
        rule: train(x, y, w0, rule, lam, lr)
        for rule in ["l1 prox", "l1 subgradient", "l2"]
    }
    zeros = {rule: int((w == 0).sum()) for rule, w in ws.items()}
    for rule, w in ws.items():
        acc = ((x @ w).argmax(1) == y).float().mean().item()
        tol = " ±20" if rule == "l1 prox" else ""  # 0 stays 0 for every seed
        print(f"{rule} exact zeros: {zeros[rule]}{tol} of {w.numel()}")
        print(f"{rule} train accuracy: {acc:.3f} ±0.003")
    # plain subgradient: weights that "want" to be 0 jump across 0
    # by about lr*lam every step
    near = int((ws["l1 subgradient"].abs() < lr * lam).sum())
    print(f"l1 subgradient weights with |w| < lr*lam: {near} ±20")
    # --8<-- [end:compare]
    assert zeros["l2"] == 0, zeros  # L2 never reaches exactly 0
    assert zeros["l1 prox"] >= 100, zeros  # L1 with a prox step prunes wires
    # plain SGD on |w| only hovers near 0
    assert zeros["l1 subgradient"] <= 2, zeros
    # ... it hovers: many tiny weights, no zeros
    assert near >= 0.5 * zeros["l1 prox"], near

    fig, axes = plt.subplots(1, 2, figsize=(7, 3), sharey=True)
    bins = np.linspace(-1.5, 1.5, 61)
    for ax, rule in zip(axes, ["l1 prox", "l2"]):
        ax.hist(
            ws[rule].cpu().numpy().ravel(),
            bins=bins,
            color="C0" if rule == "l2" else "C3",
        )
        ax.set_title(f"{rule}: {zeros[rule]} exact zeros", fontsize=9)
        ax.set_xlabel("weight value")
        ax.set_yscale("log")
    axes[0].set_ylabel("count (log scale)")
    fig.suptitle(
        "Weights of a 64x10 softmax classifier on digits, lambda = 0.01",
        fontsize=10,
        y=1.02,
    )
    fig.savefig("l1_vs_l2_weight_histograms.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
