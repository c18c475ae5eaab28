"""An L1 penalty (applied with a soft-threshold step) sets weights exactly to zero; an L2 penalty only shrinks them.

Tibshirani 1996, "Regression Shrinkage and Selection via the Lasso", JRSS B (the lasso);
the soft-threshold (proximal) step is ISTA, Beck & Teboulle 2009, SIAM J. Imaging Sciences.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
import torch.nn.functional as F


# --8<-- [start:prox]
def soft_threshold(w: torch.Tensor, t: float) -> torch.Tensor:
    # prox of t*|w|: move every weight t towards 0, and stop at exactly 0
    return torch.sign(w) * torch.clamp(w.abs() - t, min=0.0)


def train(x, y, w0, rule: str, lam: float, lr: float = 0.5, steps: int = 300) -> torch.Tensor:
    w = w0.clone().requires_grad_(True)  # (64 pixels, 10 classes): one "wire" per entry
    for _ in range(steps):
        loss = F.cross_entropy(x @ w, y)  # data loss only
        if rule == "l2":
            loss = loss + lam * (w ** 2).sum()
        elif rule == "l1 subgradient":
            loss = loss + lam * w.abs().sum()  # d|w|/dw = sign(w): a fixed-size kick
        (g,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            w -= lr * g
            if rule == "l1 prox":
                w.copy_(soft_threshold(w, lr * lam))  # ISTA: gradient step, then shrink
    return w.detach()
# --8<-- [end:prox]


def main() -> None:
    torch.manual_seed(0)
    np.random.seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32, device=device)  # (1797, 64)
    y = torch.tensor(digits.target, device=device)
    w0 = 0.1 * torch.randn(64, 10, device=device)
    lam, lr = 0.01, 0.5

    # --8<-- [start:compare]
    ws = {rule: train(x, y, w0, rule, lam, lr) for rule in ["l1 prox", "l1 subgradient", "l2"]}
    zeros = {rule: int((w == 0).sum()) for rule, w in ws.items()}
    for rule, w in ws.items():
        acc = ((x @ w).argmax(1) == y).float().mean().item()
        print(f"{rule} exact zeros: {zeros[rule]} of {w.numel()}")
        print(f"{rule} train accuracy: {acc:.3f}")
    # plain subgradient: weights that "want" to be 0 jump across 0 by about lr*lam every step
    near = int((ws["l1 subgradient"].abs() < lr * lam).sum())
    print(f"l1 subgradient weights with |w| < lr*lam: {near}")
    # --8<-- [end:compare]
    assert zeros["l2"] == 0, zeros                          # L2 never reaches exactly 0
    assert zeros["l1 prox"] >= 100, zeros                   # L1 with a prox step prunes wires
    assert zeros["l1 subgradient"] <= 2, zeros              # plain SGD on |w| only hovers near 0
    assert near >= 0.5 * zeros["l1 prox"], near             # ... it hovers: many tiny weights, no zeros

    fig, axes = plt.subplots(1, 2, figsize=(7, 3), sharey=True)
    bins = np.linspace(-1.5, 1.5, 61)
    for ax, rule in zip(axes, ["l1 prox", "l2"]):
        ax.hist(ws[rule].cpu().numpy().ravel(), bins=bins, color="C0" if rule == "l2" else "C3")
        ax.set_title(f"{rule}: {zeros[rule]} exact zeros", fontsize=9)
        ax.set_xlabel("weight value")
        ax.set_yscale("log")
    axes[0].set_ylabel("count (log scale)")
    fig.suptitle("Weights of a 64x10 softmax classifier on digits, lambda = 0.01", fontsize=10, y=1.02)
    fig.savefig("l1_vs_l2_weight_histograms.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
