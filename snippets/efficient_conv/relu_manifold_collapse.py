"""A ReLU destroys information when the tensor it acts on is thin: a 2-D spiral
embedded in n dimensions by a random matrix, passed through a ReLU, can be
recovered from the output only at points where at least two units are active.
With n = 2 most points are lost; with n = 30 none are. MobileNetV2 therefore
puts its ReLUs in the wide, expanded layers and keeps the thin bottleneck
linear.

Sandler, Howard, Zhu, Zhmoginov & Chen 2018, "MobileNetV2: Inverted Residuals
and Linear Bottlenecks" (CVPR), Section 3.2 and Figure 1 (the spiral embedded
with a random matrix T, a ReLU, and projected back with T's inverse).
"""

import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def spiral(points=1000, device="cpu"):
    t = torch.linspace(
        0, 4 * math.pi, points, dtype=torch.float64, device=device
    )
    r = 0.2 + t / (4 * math.pi)
    return torch.stack([r * t.cos(), r * t.sin()], 1)  # (points, 2)


# --8<-- [start:recover]
def relu_embedding(x, n, gen):
    """Embed 2-D points in n dimensions with a random matrix, then ReLU."""
    t = torch.randn(n, 2, generator=gen, dtype=x.dtype).to(x.device)
    return t, torch.relu(x @ t.T)


def recoverable(y):
    """The points the ReLU output still determines: those with two or more
    active units. Two random rows of t are independent (almost surely), so
    x = pinv(t_active) @ y_active recovers such a point; with one active unit
    only x's projection on one row survives, with none nothing does."""
    return (y > 0).sum(1) >= 2


# --8<-- [end:recover]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    gen = torch.Generator().manual_seed(SEED)
    x = spiral(device=device)
    widths, draws = (2, 3, 5, 15, 30), 10  # 10 random matrices per width
    lost, shown = {}, {}
    for n in widths:
        fractions = []
        for draw in range(draws):
            t, y = relu_embedding(x, n, gen)
            ok = recoverable(y)
            fractions.append(1 - ok.double().mean().item())
            if draw == 0:  # where each point lands, projected back as in Fig. 1
                shown[n] = (y @ torch.linalg.pinv(t).T).cpu()
                # the points that are recoverable come back exactly
                active_back = torch.stack(
                    [
                        torch.linalg.pinv(t[a]) @ yi[a]
                        for a, yi, keep in zip(y > 0, y, ok)
                        if keep
                    ]
                )
                assert torch.allclose(active_back, x[ok]), (
                    "a point with two active units is recovered exactly"
                )
        lost[n] = sum(fractions) / draws
        print(f"points the ReLU output loses, n = {n}: {lost[n]:.3f}")
    assert lost[2] > 0.5, "with n = 2 over half of the points are lost"
    assert lost[30] < 0.001, "with n = 30 almost none are lost"
    assert all(lost[a] >= lost[b] for a, b in zip(widths, widths[1:])), (
        "the wider the embedding, the fewer points are lost"
    )

    fig, axes = plt.subplots(1, len(widths) + 1, figsize=(10, 1.9))
    axes[0].plot(*x.cpu().T, lw=0.8)
    axes[0].set_title("input", fontsize=8)
    for ax, n in zip(axes[1:], widths):
        ax.plot(*shown[n].T, lw=0.8)
        ax.set_title(f"n = {n}", fontsize=8)
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([]), ax.set_aspect("equal")
    fig.suptitle("ReLU(T x) projected back with pinv(T)", fontsize=9, y=1.05)
    fig.savefig("relu_manifold_collapse.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
