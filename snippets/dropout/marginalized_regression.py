"""Averaged over its masks, inverted dropout on a linear regression's inputs is
ridge regression with a per-feature penalty p/(1-p) * ||x_{:,j}||^2.

Srivastava et al. 2014, "Dropout", JMLR 15, Section 9.1 (the paper writes p for
the retain probability, so its factor (1-p)/p is p/(1-p) in PyTorch's p);
Wager, Wang & Liang 2013, "Dropout Training as Adaptive Regularization", NIPS
(the general result for generalized linear models).
"""

import itertools
import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:expected]
def inverted_dropout(x: torch.Tensor, mask: torch.Tensor, p: float):
    return x * mask / (1 - p)  # survivors scaled by 1/(1-p), as nn.Dropout


def expected_loss(w, X, y, p: float) -> torch.Tensor:
    """E_m ||y - dropout(X) w||^2 over all 2^d masks, m_j ~ Bernoulli(1-p).
    One mask for all rows: the expectation of a sum of per-row terms is the
    same whether the rows share a mask or draw their own."""
    d = X.shape[1]
    masks = torch.tensor(  # (2^d, d): every mask once
        list(itertools.product([0.0, 1.0], repeat=d)),
        dtype=X.dtype,
        device=X.device,
    )
    kept = masks.sum(1)
    probs = (1 - p) ** kept * p ** (d - kept)  # (2^d,), sums to 1
    # (2^d, n): the residuals of the thinned regression under each mask
    residuals = y - inverted_dropout(X, masks[:, None, :], p) @ w
    return (probs * (residuals**2).sum(1)).sum()


# --8<-- [end:expected]


# --8<-- [start:ridge]
def dropout_penalty(w, X, p: float) -> torch.Tensor:
    # p/(1-p) * sum_j w_j^2 ||x_{:,j}||^2: each feature's own ridge strength
    return p / (1 - p) * (w**2 * (X**2).sum(0)).sum()


def dropout_ridge(X, y, p: float) -> torch.Tensor:
    """argmin ||y - Xw||^2 + dropout_penalty(w): the normal equations."""
    gram = X.T @ X
    penalty = p / (1 - p) * torch.diag(torch.diagonal(gram))
    return torch.linalg.solve(gram + penalty, X.T @ y)


# --8<-- [end:ridge]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    n, d, p = 64, 8, 0.3
    scales = torch.logspace(-1, 0.5, d, **opts)  # features of unequal size
    X = torch.randn(n, d, **opts) * scales  # (n, d)
    y = X @ torch.randn(d, **opts) + 0.1 * torch.randn(n, **opts)  # (n,)
    w = torch.randn(d, **opts)  # any weight vector

    # --8<-- [start:checks]
    # (a) the loss: exact expectation over the 256 masks == data loss + penalty
    expected = expected_loss(w, X, y, p)
    ridge_form = ((y - X @ w) ** 2).sum() + dropout_penalty(w, X, p)
    torch.testing.assert_close(expected, ridge_form, rtol=1e-12, atol=0)

    # (b) the minimizer: the expected loss is quadratic in w, so one Newton
    # step from 0 with its autograd gradient and Hessian lands on its minimum
    w0 = torch.zeros(d, **opts)
    loss_of_w = lambda v: expected_loss(v, X, y, p)  # noqa: E731
    hessian = torch.autograd.functional.hessian(loss_of_w, w0)  # (d, d)
    grad = torch.autograd.functional.jacobian(loss_of_w, w0)  # (d,)
    w_dropout = w0 - torch.linalg.solve(hessian, grad)
    w_ridge = dropout_ridge(X, y, p)
    torch.testing.assert_close(w_dropout, w_ridge, rtol=1e-10, atol=1e-12)

    # (c) nn.Dropout itself: the mean loss over sampled masks approaches (a)
    draws = 4000
    dropped = nn.Dropout(p).train()(X.expand(draws, n, d))  # own mask per row
    sampled = ((y - dropped @ w) ** 2).sum(1)  # (draws,)
    mc_error = (sampled.mean() - expected).abs() / expected
    assert mc_error < 0.02, f"nn.Dropout's mean loss is within 2%: {mc_error}"
    # --8<-- [end:checks]
    loss_gap = (expected - ridge_form).abs() / ridge_form
    assert loss_gap < 1e-12, (
        "the expected loss is the data loss plus the per-feature penalty"
        f" (relative gap {loss_gap:.1e})"
    )
    weight_gap = (w_dropout - w_ridge).abs().max().item()
    assert weight_gap < 1e-10, (
        "the minimizer of the expected loss is the ridge solution"
        f" (max gap {weight_gap:.1e})"
    )

    # one ridge strength for all features (the mean of the per-feature ones)
    # gives other weights: the penalty depends on the data's feature scales
    gram = X.T @ X
    alpha = p / (1 - p) * torch.diagonal(gram).mean()
    w_uniform = torch.linalg.solve(gram + alpha * torch.eye(d, **opts), X.T @ y)
    uniform_gap = (w_uniform - w_ridge).abs().max().item()
    assert uniform_gap > 1e-3, (
        "one ridge strength for all features gives other weights"
        f" (max gap {uniform_gap:.1e})"
    )

    print(f"drop probability p: {p}")
    print(f"exact expected squared error over all 2^8 masks: {expected:.6f}")
    print(
        "||y - Xw||^2 + p/(1-p) * sum_j w_j^2 ||x_j||^2: "
        f"{ridge_form.item():.6f}"
    )
    print(
        f"mean of ||y - dropout(X) w||^2 over {draws} nn.Dropout draws: "
        f"{sampled.mean().item():.4f}"
    )
    print("max weight difference, expected-loss minimizer vs ridge: < 1e-10")
    print(
        "max weight difference, ridge with one mean strength vs per-feature: "
        f"{uniform_gap:.4f}"
    )


if __name__ == "__main__":
    main()
