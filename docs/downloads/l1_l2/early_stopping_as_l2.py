# early_stopping_as_l2.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/l1_l2/early_stopping_as_l2.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python early_stopping_as_l2.py
#
# kb-download: {"record": "3fd3f4e3b9934d1c10c041839012630382a265501b5a128e430c8a04da5a6cad", "sources": {"snippets/l1_l2/early_stopping_as_l2.py": "b1a66745e410a668e1dac6ae61907ab71db249e4558f21158d6a9fca952c4449"}}


# --- the snippet, unchanged: snippets/l1_l2/early_stopping_as_l2.py ---
"""Early stopping acts like L2: gradient descent on a least-squares loss,
stopped after t steps of size lr, shrinks each eigendirection of the data
much as weight decay alpha = 1 / (t lr) does, and its weights lie closer to
that ridge solution than to the unregularized one.

Goodfellow, Bengio & Courville 2016, "Deep Learning", Section 7.8 (early
stopping as L2 regularization for a quadratic loss, alpha ~ 1 / (tau epsilon)).
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:filters]
def stopped_filter(lam, lr, steps):
    """How much of the least-squares weight along an eigendirection with
    curvature lam gradient descent from zero has reached after `steps`."""
    return 1 - (1 - lr * lam) ** steps


def ridge_filter(lam, alpha):
    """The same for the minimizer of the loss + alpha / 2 * |w|^2."""
    return lam / (lam + alpha)


# --8<-- [end:filters]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    f64 = dict(dtype=torch.float64, device=device)
    # --8<-- [start:data]
    # 200 examples, 20 features of very different scales: curvatures of
    # the loss from about 0.01 to 10
    n, d = 200, 20
    x = torch.randn(n, d, **f64) * torch.logspace(-1, 0.5, d, **f64)
    y = x @ torch.randn(d, **f64) + 0.5 * torch.randn(n, **f64)
    hessian, xty = x.T @ x / n, x.T @ y / n  # loss = |x w - y|^2 / (2 n)
    lam, q = torch.linalg.eigh(hessian)
    lr = 0.5 / lam.max().item()
    w_ls = torch.linalg.solve(hessian, xty)  # no regularization
    # --8<-- [end:data]
    w = torch.zeros(d, **f64)
    for step in range(1, 1001):
        w = w - lr * (hessian @ w - xty)
        if step not in (10, 100, 1000):
            continue
        # --8<-- [start:compare]
        alpha = 1 / (step * lr)
        w_ridge = torch.linalg.solve(hessian + alpha * torch.eye(d, **f64), xty)
        gap = (stopped_filter(lam, lr, step) - ridge_filter(lam, alpha)).abs()
        # --8<-- [end:compare]
        exact = q @ (stopped_filter(lam, lr, step) * (q.T @ w_ls))
        assert torch.allclose(w, exact), "gradient descent follows the filter"
        to_ridge = ((w - w_ridge).norm() / w.norm()).item()
        to_ls = ((w - w_ls).norm() / w.norm()).item()
        print(
            f"after {step} steps: largest filter gap {gap.max():.2f}; "
            f"distance to ridge {to_ridge:.2f}, to least squares {to_ls:.2f}"
        )
        assert gap.max() < 0.25, (
            "per direction the stopped and ridge filters differ by under 0.25"
        )
        if step <= 100:
            assert to_ridge < to_ls, (
                "the stopped weights are closer to ridge than to least squares"
            )

    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    grid = torch.logspace(-3, 1, 200, **f64)
    for step, color in ((10, "C0"), (100, "C1"), (1000, "C2")):
        stopped = stopped_filter(grid, lr, step).cpu()
        ridge = ridge_filter(grid, 1 / (step * lr)).cpu()
        ax.plot(grid.cpu(), stopped, color=color, label=f"stopped at {step}")
        ax.plot(grid.cpu(), ridge, "--", color=color, label="ridge, 1/(t lr)")
    ax.set_xscale("log")
    ax.set_xlabel("curvature of the loss along a direction (eigenvalue)")
    ax.set_ylabel("share of the weight kept")
    ax.legend(fontsize=7, ncol=3, loc="upper left")
    fig.tight_layout()
    fig.savefig("early_stopping_as_l2.png", dpi=100)


if __name__ == "__main__":
    main()
