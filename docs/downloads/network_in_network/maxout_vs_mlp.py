# maxout_vs_mlp.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/network_in_network/maxout_vs_mlp.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python maxout_vs_mlp.py
#
# kb-download: {"record": "169113169daed5026697abbc3ba9dbc359d0ca4fdd5fb4281dda05666673c2a3", "sources": {"snippets/network_in_network/maxout_vs_mlp.py": "aa10153d5bfbde8d7037439a3c27db9d685264eb787102c149930cbff99674d4"}}


# --- the snippet, unchanged: snippets/network_in_network/maxout_vs_mlp.py ---
"""A maxout unit fits only convex functions; a ReLU MLP with the same number of
parameters also fits a non-convex one.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 2: a maximum over
linear functions is a piecewise linear approximator of convex functions, and
mlpconv puts a multilayer perceptron, a universal function approximator, in its
place. Maxout: Goodfellow et al. 2013, "Maxout Networks" (ICML).
"""

import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
PIECES, HIDDEN = 11, 7  # 2 * 11 = 22 = 3 * 7 + 1 parameters each
RESTARTS, STEPS = 16, 500  # every fit is repeated from 16 random inits


# --8<-- [start:models]
# R independent models at once, one per restart: x (N,) -> (R, N)
def maxout(x, slopes, intercepts):  # slopes, intercepts: (R, PIECES)
    lines = x[None, :, None] * slopes[:, None] + intercepts[:, None]
    return lines.amax(dim=-1)  # max_j (a_j x + b_j): convex in x


def mlp(x, w1, b1, w2, b2):  # w1, b1, w2: (R, HIDDEN); b2: (R, 1)
    hidden = torch.relu(x[None, :, None] * w1[:, None] + b1[:, None])
    return (hidden * w2[:, None]).sum(dim=-1) + b2  # 1 -> HIDDEN -> 1


def init(*shapes, device):
    # nn.Linear's default: uniform in +-1/sqrt(fan_in); fan_in is 1 here,
    # HIDDEN for the MLP's second layer
    return [
        (
            (torch.rand(RESTARTS, n, device=device) * 2 - 1) * scale
        ).requires_grad_()
        for n, scale in shapes
    ]


# --8<-- [end:models]


# --8<-- [start:fit]
def bump(x):
    return torch.exp(-4 * x**2)  # rises, then falls: not convex


def bowl(x):
    return x**2  # convex: the control target


def fit(model, params, x, y):
    """Full-batch Adam on each restart's mean squared error."""
    opt = torch.optim.Adam(params, lr=0.05)
    for _ in range(STEPS):
        # a sum of independent losses: each restart gets its own gradient
        loss = ((model(x, *params) - y) ** 2).mean(dim=1).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        fitted = model(x, *params)  # (R, N)
    return ((fitted - y) ** 2).mean(dim=1), fitted  # (R,), (R, N)


def second_differences(f):
    # f(x - h) - 2 f(x) + f(x + h) on the grid: never negative when convex
    return f[:, :-2] - 2 * f[:, 1:-1] + f[:, 2:]


# --8<-- [end:fit]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.set_default_dtype(torch.float64)  # second differences close to 0
    x = torch.linspace(-1.5, 1.5, 121, device=device)
    shapes = {
        "maxout": (maxout, [(PIECES, 1), (PIECES, 1)]),
        "MLP": (
            mlp,
            [
                (HIDDEN, 1),
                (HIDDEN, 1),
                (HIDDEN, HIDDEN**-0.5),
                (1, HIDDEN**-0.5),
            ],
        ),
    }
    r2, curve = {}, {}  # r2: the fraction of the target's variance explained
    for target in (bump, bowl):
        y = target(x)
        for name, (model, sizes) in shapes.items():
            params = init(*sizes, device=device)
            budget = sum(p[0].numel() for p in params)  # per restart
            assert budget == 2 * PIECES == 3 * HIDDEN + 1, budget
            errors, fitted = fit(model, params, x, y)
            r2[name, target.__name__] = (
                1 - errors.median().item() / y.var(correction=0).item()
            )
            curve[name, target.__name__] = second_differences(fitted)
    torch.set_default_dtype(torch.float32)

    # the claim: every maxout fit is convex, even of the bump
    assert curve["maxout", "bump"].min() >= -1e-6, (
        f"every maxout fit is convex: {curve['maxout', 'bump'].min():.2e}"
    )
    # the MLPs fit the bump far better, because they can bend down
    assert r2["MLP", "bump"] > r2["maxout", "bump"] + 0.5, (
        f"on the bump, maxout's error is above the MLP's: {r2}"
    )
    bends = (curve["MLP", "bump"].amin(dim=1) < -1e-3).float().mean().item()
    assert bends > 0.5, f"most MLP fits of the bump bend down: {bends:.2f}"
    # on a convex target, maxout is as good as the MLP
    assert min(r2["maxout", "bowl"], r2["MLP", "bowl"]) > 0.99, (
        f"on the bowl, maxout matches the MLP: {r2}"
    )
    print(f"parameters per model: {PIECES * 2}")
    print(f"random restarts per fit: {RESTARTS}")
    for (name, target), value in r2.items():
        tol = {"bump": " ±0.08", "bowl": " ±0.003"}[target]
        tol = "" if (name, target) == ("maxout", "bump") else tol  # no spread
        value = round(value, 3) + 0.0  # no "-0.000"
        print(f"{name}, {target}, variance explained: {value:.3f}{tol}")


if __name__ == "__main__":
    main()
