"""A linear probe on a pretrained body's features beats one on a random body's,
and which layer to probe is a choice to measure.

Donahue et al. 2014 (DeCAF) and Razavian et al. 2014 ("CNN Features
off-the-shelf"): a linear classifier on the activations of a chosen layer of a
pretrained CNN. Yosinski et al. 2014 (NIPS), Section 4.1 and Figure 2: lower
layers are general, higher ones specific. CS231n notes "Transfer Learning":
for a small target set similar to the source, probe the top features; for a
very different one, activations from earlier in the network. Model, trainer and
tasks as in few_labels.py (two conv layers, so two layers to probe): pretrained
on clean shapes, probed on noisy shapes with 10 labels per class.
"""

import os
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from few_labels import SmallCNN, fit  # same model and trainer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
from shapes import make_shapes

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
RANDOM_BODIES = 5  # random initializations, each probed, accuracies averaged
DRAWS = 3  # draws of 10 labelled target images per class, accuracies averaged


# --8<-- [start:features]
@torch.no_grad()
def layer_features(model: SmallCNN, x: torch.Tensor) -> dict:
    """Globally max-pooled activations after each conv layer of the body."""
    body = model.eval().body
    h1 = body[1](body[0](x))  # conv1 + ReLU: (N, 8, 8, 8)
    h2 = body[3](body[2](h1))  # conv2 + ReLU: (N, 16, 4, 4)
    pool = nn.AdaptiveMaxPool2d(1)  # the pooling the body itself uses
    return {
        "layer 1": pool(h1).flatten(1).cpu().numpy(),  # (N, 8)
        "layer 2": pool(h2).flatten(1).cpu().numpy(),  # (N, 16)
    }


def probe_accuracy(f_train, y_train, f_test, y_test) -> float:
    """L2-regularized logistic regression (C=1) on standardized features."""
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0))
    probe.fit(f_train, y_train)
    return float(probe.score(f_test, y_test))


# --8<-- [end:features]


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"

    def task(n, seed, noise, max_side):
        d = make_shapes(
            n, size=16, min_side=4, max_side=max_side, noise=noise, seed=seed
        )
        return d["images"].to(device), torch.cat(d["labels"]).to(device)

    x_src, y_src = task(500, 1 + 10 * SEED, 0.1, 8)  # source: clean
    x_tgt, y_tgt = task(800, 2 + 10 * SEED, 0.25, 7)  # target: noisy
    y_np = y_tgt.cpu().numpy()

    # --8<-- [start:bodies]
    pretrained = SmallCNN().to(device)  # "pretraining", as in few_labels.py
    fit(pretrained, pretrained.parameters(), x_src, y_src, steps=60)
    bodies = {  # one random body is a lottery: average over RANDOM_BODIES
        "pretrained": [pretrained],
        "random": [SmallCNN().to(device) for _ in range(RANDOM_BODIES)],
    }
    feats = {
        name: [layer_features(m, x_tgt) for m in group]
        for name, group in bodies.items()
    }
    # --8<-- [end:bodies]
    with torch.no_grad():  # layer 2's pooled features are the body's output
        torch.testing.assert_close(
            torch.from_numpy(feats["pretrained"][0]["layer 2"]),
            pretrained.body(x_tgt).cpu(),
        )

    layers = ("layer 1", "layer 2")
    acc = {(b, layer): [] for b in bodies for layer in layers}
    pool_by_class = [np.flatnonzero(y_np[:400] == c) for c in range(3)]
    test = np.arange(400, 800)  # 400 held-out target images
    for r in range(DRAWS):
        rng = np.random.default_rng(1000 * SEED + r)
        train = np.concatenate(
            [rng.choice(p, 10, replace=False) for p in pool_by_class]
        )  # 30 labelled images
        for (b, layer), scores in acc.items():
            scores.append(
                np.mean(
                    [
                        probe_accuracy(
                            f[layer][train],
                            y_np[train],
                            f[layer][test],
                            y_np[test],
                        )
                        for f in feats[b]
                    ]
                )
            )
    mean = {k: float(np.mean(v)) for k, v in acc.items()}

    print(
        "target: noisy shapes, 10 labels per class, logistic regression (C=1), "
        f"mean of {DRAWS} draws; random: mean of {RANDOM_BODIES} bodies"
    )
    # spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10)
    tol = {
        ("pretrained", "layer 1"): "0.2",
        ("pretrained", "layer 2"): "0.09",
        ("random", "layer 1"): "0.05",
        ("random", "layer 2"): "0.03",
    }
    for (b, layer), a in mean.items():
        print(
            f"{b} body, {layer}, probe test accuracy: {a:.2f} ±{tol[b, layer]}"
        )
    best = max(layers, key=lambda layer: mean["pretrained", layer])
    print(f"best pretrained layer: {best}")

    assert mean["pretrained", best] > mean["random", best] + 0.05, (
        "the best pretrained layer beats the random body's same layer by more "
        f"than 0.05: {mean}"
    )
    gain = {
        layer: mean["pretrained", layer] - mean["random", layer]
        for layer in layers
    }
    assert gain["layer 2"] > gain["layer 1"], (
        f"pretraining adds more at layer 2 than at layer 1: {gain}"
    )
    assert mean["pretrained", "layer 2"] > mean["pretrained", "layer 1"], (
        f"the pretrained body's layer 2 beats its layer 1: {mean}"
    )
    assert mean["random", "layer 1"] > mean["random", "layer 2"], (
        f"the random body's layer 1 beats its layer 2: {mean}"
    )


if __name__ == "__main__":
    main()
