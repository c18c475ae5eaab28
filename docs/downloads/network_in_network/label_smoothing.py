# label_smoothing.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/network_in_network/label_smoothing.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python label_smoothing.py
#
# kb-download: {"record": "46372749f97a2dcf56dd43517702d78ac1248600577c764364317d2a04e1e9a2", "sources": {"snippets/network_in_network/label_smoothing.py": "bf2102c1fd1b7474489a1fce1fdd8323d0de87c6730bba53ed82499bb65888b0"}}


# --- the snippet, unchanged: snippets/network_in_network/label_smoothing.py ---
"""Label smoothing caps the gap between the true logit and the others at
log((1 - eps + eps/K) / (eps/K)); without it gradient descent widens the gap
forever.

Szegedy et al. 2016, "Rethinking the Inception Architecture for Computer
Vision" (CVPR), Section 7, "Model Regularization via Label Smoothing": the
target q'(k) = (1 - eps) * onehot(k) + eps / K, with eps = 0.1 on ImageNet.
"""

import math
import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
EPS, K = 0.1, 10


# --8<-- [start:loss]
def smoothed_targets(y: torch.Tensor, k: int, eps: float) -> torch.Tensor:
    onehot = F.one_hot(y, k).to(torch.float64)  # (N, K)
    return (1 - eps) * onehot + eps / k  # each row still sums to 1


def smoothed_cross_entropy(logits, y, eps):
    q = smoothed_targets(y, logits.shape[1], eps)  # (N, K)
    return -(q * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


# --8<-- [end:loss]


# --8<-- [start:descend]
def descend(eps: float, steps: int, lr: float = 2.0, every: int = 125):
    """Gradient descent on one free logit vector z (K,), true class 0.

    Returns the gap z[0] - z[1] every `every` steps and the last gradient.
    """
    z = torch.zeros(K, dtype=torch.float64, requires_grad=True)
    y = torch.zeros(1, dtype=torch.long)
    gaps = []
    for step in range(1, steps + 1):
        loss = F.cross_entropy(z[None], y, label_smoothing=eps)
        (grad,) = torch.autograd.grad(loss, z)
        with torch.no_grad():
            z -= lr * grad
            if step % every == 0:
                gaps.append(float(z[0] - z[1]))  # z[1:] stay equal
    return gaps, grad


# --8<-- [end:descend]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"

    # From-scratch smoothed targets give PyTorch's label_smoothing loss.
    logits = torch.randn(64, K, dtype=torch.float64, device=device)
    y = torch.randint(0, K, (64,), device=device)
    ours = smoothed_cross_entropy(logits, y, EPS)
    torch.testing.assert_close(
        ours, F.cross_entropy(logits, y, label_smoothing=EPS)
    )

    # The optimum of the smoothed loss is softmax(z) = q', so the gap is
    # log(q'_true / q'_other); every step of plain cross-entropy widens it.
    steps = 1000
    plain, _ = descend(eps=0.0, steps=steps)
    smooth, grad = descend(eps=EPS, steps=steps)
    target = math.log((1 - EPS + EPS / K) / (EPS / K))
    grows = all(b > a for a, b in zip(plain, plain[1:]))
    assert grows, (
        f"without smoothing the gap grows at every checkpoint: {plain}"
    )
    assert plain[-1] > target, (plain[-1], target)
    # gap = log(p_0 / p_1) and p = q' + grad: once max|grad| < g_bound the
    # gap is off by at most g_bound * (1/q'_0 + 1/q'_1) to first order;
    # we allow twice that.
    g_bound = 1e-8
    tol = 2 * g_bound * (1 / (1 - EPS + EPS / K) + 1 / (EPS / K))
    assert abs(smooth[-1] - target) < tol, (smooth[-1], target, tol)
    assert float(grad.abs().max()) < g_bound, grad  # converged

    print("from-scratch smoothed loss matches F.cross_entropy: True")
    print(
        f"smoothed target, true class (eps={EPS}, K={K}): {1 - EPS + EPS / K}"
    )
    print(f"smoothed target, other classes: {EPS / K}")
    plain_gaps = " ".join(f"{g:.2f}" for g in plain)
    smooth_gaps = " ".join(f"{g:.2f}" for g in smooth)
    print(f"gap without smoothing, every 125 steps: {plain_gaps}")
    print(f"gap with smoothing, every 125 steps: {smooth_gaps}")
    print(f"log((1 - eps + eps/K) / (eps/K)): {target:.4f}")
    print(f"gap with smoothing after {steps} steps: {smooth[-1]:.4f}")
    print(f"bound on max |gradient| at the end: {g_bound:.0e}")
    print(f"tolerance of the gap check: {tol:.1e}")


if __name__ == "__main__":
    main()
