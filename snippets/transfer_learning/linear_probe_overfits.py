"""An unregularized linear probe on separable features overfits: its weights
grow and its test loss rises.

Bishop 2006, "Pattern Recognition and Machine Learning", Section 4.3.2: on
linearly separable data maximum likelihood drives |w| to infinity and "can
exhibit severe over-fitting" (Exercise 4.14). 100 fixed features, 20 labels:
separable; L2 or early stopping fixes it.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
DRAWS = 8  # training and held-out sets drawn; the figures are their means
TOL = {  # the largest distance from seed 0 over seeds 0-9 and other kernels
    "best norm": "±0.2",
    "plain norm": "±0.2",
    "plain test": "±0.2",
    "early test": "±0.05",
    "l2 test": "±0.05",
    "l2 norm": "±0.03",
    "early train": "±0.05",
    "plain train": "±0.0002",
    "l2 train": "±0.005",
}


def features(n: int, dim: int, g: torch.Generator):
    """Frozen features: class signal in one direction, noise in all."""
    y = torch.arange(n) % 2
    x = torch.randn(n, dim, generator=g)  # (n, dim)
    x[:, 0] += 2.0 * y - 1.0  # means -1 / +1
    return x, y.float()


# --8<-- [start:probe]
def train_probe(x, y, held_out, weight_decay=0.0, steps=300, lr=0.5):
    """Full-batch gradient descent on the logistic loss of a linear head.

    Returns |w| and the loss on each held-out split after every step.
    """
    w = torch.zeros(x.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr, weight_decay=0.0)
    norms, losses = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(x @ w + b, y)
        (loss + weight_decay / 2 * w.pow(2).sum()).backward()  # L2 on w
        opt.step()
        with torch.no_grad():
            norms.append(w.norm().item())
            losses.append(
                [
                    F.binary_cross_entropy_with_logits(xh @ w + b, yh).item()
                    for xh, yh in held_out
                ]
            )
    return np.array(norms), np.array(losses)  # (steps,), (steps, splits)


# --8<-- [end:probe]


def one_draw(g: torch.Generator) -> dict:
    """One draw of the 20 training points and of the held-out sets: the
    runs, the per-draw asserts, and the figures the page reports."""
    x, y = features(20, 100, g)  # 20 labels, 100 features
    held_out = [features(1000, 100, g), features(1000, 100, g)]  # val, test

    # --8<-- [start:runs]
    # the losses on val, test and (last) the 20 training points
    plain_norm, plain = train_probe(x, y, held_out + [(x, y)])
    l2_norm, l2 = train_probe(x, y, held_out + [(x, y)], weight_decay=0.1)
    best = int(np.argmin(plain[:, 0]))  # early stopping on the val loss
    # --8<-- [end:runs]
    with torch.no_grad():  # the training points are separated
        w_dir = torch.linalg.lstsq(x, 2 * y - 1).solution  # dim > n: exact fit
        separable = bool(((x @ w_dir) * (2 * y - 1) > 0).all())

    assert separable, "the training points are separable"
    assert plain_norm[-1] > 2 * plain_norm[best], plain_norm[-1]
    assert np.all(np.diff(plain_norm) > 0), (
        "without L2, |w| grows at every step"
    )
    assert plain[-1, 1] > plain[best, 1], plain[[best, -1], 1]  # overfits
    assert l2_norm[-1] < 0.6 * plain_norm[-1]
    return {
        "best norm": plain_norm[best],
        "plain norm": plain_norm[-1],
        "plain test": plain[-1, 1],
        "early test": plain[best, 1],
        "l2 test": l2[-1, 1],
        "l2 norm": l2_norm[-1],
        "early train": plain[best, 2],  # training loss, without the L2 term
        "plain train": plain[-1, 2],
        "l2 train": l2[-1, 2],
        "curves": (plain_norm, plain, l2_norm, l2, best),
    }


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    g = torch.Generator().manual_seed(SEED)
    draws = [one_draw(g) for _ in range(DRAWS)]  # one draw is noisy
    mean = {k: float(np.mean([d[k] for d in draws])) for k in TOL}
    assert mean["plain test"] > mean["early test"] + 0.1, mean
    assert mean["plain test"] > mean["l2 test"] + 0.1, mean
    assert mean["plain train"] < min(mean["early train"], mean["l2 train"]), (
        "the training loss is lowest for the run that overfits"
    )

    print(
        f"training points: 20, features: 100, separable: True, "
        f"in each of {DRAWS} draws"
    )
    print(f"each figure below: the mean over the {DRAWS} draws")
    print(
        f"no L2, |w| at the best val step: {mean['best norm']:.2f} "
        f"{TOL['best norm']}"
    )
    print(
        f"no L2, |w| after 300 steps: {mean['plain norm']:.2f} "
        f"{TOL['plain norm']}"
    )
    print(
        f"no L2, test loss after 300 steps: {mean['plain test']:.2f} "
        f"{TOL['plain test']}"
    )
    print(
        f"early stopping (best val step), test loss: "
        f"{mean['early test']:.2f} {TOL['early test']}"
    )
    print(
        f"L2 (lambda=0.1), test loss after 300 steps: {mean['l2 test']:.2f} "
        f"{TOL['l2 test']}"
    )
    print(f"L2, |w| after 300 steps: {mean['l2 norm']:.2f} {TOL['l2 norm']}")
    print(
        "early stopping (best val step), training loss: "
        f"{mean['early train']:.3f} {TOL['early train']}"
    )
    print(
        "no L2, after 300 steps, training loss: "
        f"{mean['plain train']:.4f} {TOL['plain train']}"
    )
    print(
        "L2 (lambda=0.1), after 300 steps, training loss: "
        f"{mean['l2 train']:.3f} {TOL['l2 train']}"
    )

    # the plot: the first draw
    plain_norm, plain, l2_norm, l2, best = draws[0]["curves"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 2.8))
    steps = np.arange(1, len(plain_norm) + 1)
    ax1.plot(steps, plain_norm, label="no L2")
    ax1.plot(steps, l2_norm, label="L2, lambda=0.1")
    ax1.set_xlabel("gradient step")
    ax1.set_ylabel("|w|")
    ax1.legend()
    ax2.plot(steps, plain[:, 1], label="no L2")
    ax2.plot(steps, l2[:, 1], label="L2, lambda=0.1")
    ax2.axvline(best + 1, color="gray", ls=":", label="early stop")
    ax2.set_xlabel("gradient step")
    ax2.set_ylabel("test loss")
    ax2.legend()
    fig.subplots_adjust(wspace=0.3)  # a fixed layout, whatever the tick labels
    fig.savefig("linear_probe_overfits.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
