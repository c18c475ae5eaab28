"""L2 shrinks the optimum along each eigendirection of the Hessian by
lambda_i/(lambda_i + alpha): directions the data barely determine shrink most.

Goodfellow, Bengio & Courville 2016, Deep Learning, Section 7.1.1 (the factor
lambda_i/(lambda_i + alpha)); Krogh & Hertz 1992, "A Simple Weight Decay Can
Improve Generalization", NIPS 4 (weight components the data do not determine
keep their initial value without decay and decay to 0 with it).
"""

import os

import torch
from sklearn.linear_model import Ridge

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:gd]
def gradient_descent(X, y, w0, lr: float, wd: float, steps: int):
    """Full-batch gradient descent on 1/(2n) ||Xw - y||^2 with weight decay
    wd: each step multiplies w by (1 - lr * wd) before the data gradient."""
    w = w0.clone()
    for _ in range(steps):
        grad = X.T @ (X @ w - y) / len(y)  # lies in the row space of X
        w = (1 - lr * wd) * w - lr * grad
    return w


# --8<-- [end:gd]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)

    # A quadratic loss ||Xw - y||^2 whose Hessian 2 X^T X has eigenvalues
    # spread over five orders of magnitude, along random directions
    n, d = 200, 6
    rotation, _ = torch.linalg.qr(torch.randn(d, d, **opts))
    scales = torch.logspace(-2, 0.5, d, **opts)
    X = torch.randn(n, d, **opts) * scales @ rotation  # (n, d)
    y = X @ torch.randn(d, **opts) + 0.5 * torch.randn(n, **opts)
    alpha = 10.0  # penalty alpha * ||w||^2 (sklearn's Ridge)

    # --8<-- [start:eigen]
    w_star = torch.linalg.lstsq(X, y[:, None]).solution[:, 0]  # no penalty
    ridge = Ridge(alpha=alpha, fit_intercept=False)
    ridge.fit(X.cpu().numpy(), y.cpu().numpy())
    w_tilde = torch.as_tensor(ridge.coef_, **opts)  # with the penalty
    # eigenbasis of the Hessian (X^T X up to the factor 2 both terms share)
    lam, Q = torch.linalg.eigh(X.T @ X)  # ascending eigenvalues
    factor = lam / (lam + alpha)  # Goodfellow et al., Section 7.1.1
    torch.testing.assert_close(Q.T @ w_tilde, factor * (Q.T @ w_star))
    measured = (Q.T @ w_tilde) / (Q.T @ w_star)  # shrink factor per direction
    # --8<-- [end:eigen]
    extremes = measured[0] < 0.1 and measured[-1] > 0.9
    assert torch.all(measured.diff() > 0) and extremes, (
        f"the smaller the curvature, the stronger the shrinkage: {measured}"
    )

    # --8<-- [start:nullspace]
    # Underdetermined: 5 equations, 20 weights. Gradients lie in the row space
    # of X, so the null-space part of w is left to the initialization
    Xu = torch.randn(5, 20, **opts)
    yu = torch.randn(5, **opts)
    w0 = torch.randn(20, **opts)  # a random start
    null = torch.eye(20, **opts) - torch.linalg.pinv(Xu) @ Xu  # projector
    lr, wd, steps = 0.05, 0.2, 500
    plain = gradient_descent(Xu, yu, w0, lr, wd=0.0, steps=steps)
    decayed = gradient_descent(Xu, yu, w0, lr, wd=wd, steps=steps)
    torch.testing.assert_close(null @ plain, null @ w0)  # untouched
    torch.testing.assert_close(
        null @ decayed, (1 - lr * wd) ** steps * (null @ w0)
    )  # multiplied by (1 - lr*wd) at every step
    # --8<-- [end:nullspace]
    start_norm = (null @ w0).norm().item()
    plain_norm = (null @ plain).norm().item()
    decayed_norm = (null @ decayed).norm().item()
    assert abs(plain_norm - start_norm) < 1e-9 * start_norm, (
        "without decay the null-space component keeps its initial value"
    )
    assert decayed_norm < 0.01 * start_norm, (
        f"weight decay suppresses the undetermined components: {decayed_norm}"
    )
    fit = (Xu @ plain - yu).norm().item()
    assert fit < 1e-6, fit  # without decay the data are fitted exactly

    print(f"alpha: {alpha}")
    print(f"Hessian eigenvalues (of X^T X): {[f'{v:.3g}' for v in lam]}")
    print(f"lambda/(lambda+alpha): {[round(v, 4) for v in factor.tolist()]}")
    print(
        f"measured shrink factors: {[round(v, 4) for v in measured.tolist()]}"
    )
    print(f"flattest direction, measured factor: {measured[0]:.4f}")
    print(f"steepest direction, measured factor: {measured[-1]:.4f}")
    print(f"null-space norm at the start: {start_norm:.4f}")
    print(f"null-space norm after {steps} steps, no decay: {plain_norm:.4f}")
    print(
        f"null-space norm after {steps} steps, weight decay {wd}: "
        f"{decayed_norm:.4f}"
    )


if __name__ == "__main__":
    main()
