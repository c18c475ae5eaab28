"""Ways to adapt a pretrained CNN, side by side: linear probe, last block, and
full fine-tunes with one low, one high, or separate body and head rates.

CS231n notes "Transfer Learning" ("When and how to fine-tune?"): a small,
similar target data set favours a linear classifier on the features; fine-tune
with a smaller learning rate than the new head. Yosinski et al. 2014 (NIPS),
Section 4.1: fine-tuning the copied layers (AnB+) recovers what frozen copies
lose. Data: the site's synthetic shapes, as in few_labels.py.
"""

import copy
import os
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from few_labels import SmallCNN, accuracy, fit  # same model and trainer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
from shapes import make_shapes

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:strategies]
def param_groups(model: SmallCNN, strategy: str):
    """What each strategy trains, and at which Adam learning rate."""
    conv1, conv2 = model.body[0], model.body[2]
    head = list(model.head.parameters())
    if strategy == "linear probe":  # body frozen
        model.body.requires_grad_(False)
        return [{"params": head, "lr": 1e-2}]
    if strategy == "fine-tune last block":  # conv1 frozen
        conv1.requires_grad_(False)
        return [
            {"params": conv2.parameters(), "lr": 1e-3},
            {"params": head, "lr": 1e-2},
        ]
    if strategy == "full fine-tune, body lr 1e-3":  # the usual recipe
        return [
            {"params": model.body.parameters(), "lr": 1e-3},
            {"params": head, "lr": 1e-2},
        ]
    if strategy == "full fine-tune, one lr 5e-2":  # too large for the body
        return [{"params": model.parameters(), "lr": 5e-2}]
    if strategy == "full fine-tune, one lr 1e-3":  # small for the new head
        return [{"params": model.parameters(), "lr": 1e-3}]
    if strategy == "full fine-tune, body lr 1e-3, head lr 5e-2":
        return [
            {"params": model.body.parameters(), "lr": 1e-3},
            {"params": head, "lr": 5e-2},
        ]
    raise ValueError(strategy)


# --8<-- [end:strategies]


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
    pretrained = SmallCNN().to(device)
    fit(pretrained, pretrained.parameters(), x_src, y_src, steps=60)
    x_test, y_test = x_tgt[400:], y_tgt[400:]

    strategies = (
        "linear probe",
        "fine-tune last block",
        "full fine-tune, body lr 1e-3",
        "full fine-tune, one lr 5e-2",
        "full fine-tune, one lr 1e-3",
        "full fine-tune, body lr 1e-3, head lr 5e-2",
    )
    acc = {s: [] for s in ("scratch",) + strategies}
    drift, trainable = {}, {}
    for r in range(3):  # 3 draws of 10 labels per class
        g = torch.Generator().manual_seed(1000 * SEED + r)
        idx = torch.cat(
            [
                (y_tgt[:400] == c)
                .nonzero()
                .flatten()
                .cpu()[
                    torch.randperm(int((y_tgt[:400] == c).sum()), generator=g)[
                        :10
                    ]
                ]
                for c in range(3)
            ]
        ).to(device)
        x, y = x_tgt[idx], y_tgt[idx]  # 30 labelled images
        torch.manual_seed(1000 * SEED + r)
        scratch = SmallCNN().to(device)
        fit(scratch, scratch.parameters(), x, y, steps=40)
        acc["scratch"].append(accuracy(scratch, x_test, y_test))
        for s in strategies:
            torch.manual_seed(1000 * SEED + r)
            # --8<-- [start:adapt]
            model = copy.deepcopy(pretrained)
            model.head = nn.Linear(16, 3).to(device)  # new head
            fit(model, param_groups(model, s), x, y, steps=40)
            # --8<-- [end:adapt]
            acc[s].append(accuracy(model, x_test, y_test))
            w0, w1 = pretrained.body[0].weight, model.body[0].weight
            drift.setdefault(s, []).append(
                ((w1 - w0).norm() / w0.norm()).item()
            )
            trainable[s] = sum(
                p.numel() for p in model.parameters() if p.requires_grad
            )
    mean = {s: float(np.mean(a)) for s, a in acc.items()}
    print("target: 10 labels per class, 40 Adam steps, mean of 3 draws")
    # spread over seeds 0-9
    tol = {
        "scratch": 0.05,
        "linear probe": 0.2,
        "fine-tune last block": 0.2,
        "full fine-tune, body lr 1e-3": 0.2,
        "full fine-tune, one lr 5e-2": 0.2,
        "full fine-tune, one lr 1e-3": 0.1,
        "full fine-tune, body lr 1e-3, head lr 5e-2": 0.2,
    }
    drift_tol = {
        "full fine-tune, body lr 1e-3": "±0.02",
        "full fine-tune, one lr 5e-2": "±0.3",
        "full fine-tune, one lr 1e-3": "±0.02",
        "full fine-tune, body lr 1e-3, head lr 5e-2": "±0.02",
    }
    print(
        "| strategy | trainable parameters | test accuracy "
        "| relative change of conv1 |"
    )
    print("|---|---|---|---|")
    print(
        f"| scratch | {sum(p.numel() for p in scratch.parameters())} | "
        f"{mean['scratch']:.2f} ±{tol['scratch']} | - |"
    )
    for s in strategies:
        print(
            f"| {s} | {trainable[s]} | {mean[s]:.2f} ±{tol[s]} | "
            f"{np.mean(drift[s]):.2f} {drift_tol.get(s, '')}".rstrip()
            + " |"
        )
    for s in ("scratch",) + strategies:
        print(f"test accuracy, {s}: {mean[s]:.2f} ±{tol[s]}")
    for s, band in drift_tol.items():
        print(f"relative change of conv1, {s}: {np.mean(drift[s]):.2f} {band}")

    assert drift["linear probe"] == [0.0] * 3  # frozen
    assert drift["fine-tune last block"] == [0.0] * 3
    assert np.mean(drift["full fine-tune, one lr 5e-2"]) > 3 * np.mean(
        drift["full fine-tune, body lr 1e-3"]
    ), "one large rate moves conv1 over 3 times as far as the low body rate"
    for s in (
        "linear probe",
        "fine-tune last block",
        "full fine-tune, body lr 1e-3",
    ):
        assert mean[s] > mean["scratch"] + 0.05, (
            f"each gentle strategy beats scratch by more than 0.05: {s} {mean}"
        )
    # which rate does the harm: the head's or the body's?
    two_rates = "full fine-tune, body lr 1e-3"
    head_5e2 = mean["full fine-tune, body lr 1e-3, head lr 5e-2"]
    assert head_5e2 > mean["full fine-tune, one lr 5e-2"] + 0.05, (
        "with the body at 1e-3 a head rate of 5e-2 beats one rate of 5e-2"
    )
    assert head_5e2 > mean[two_rates] - 0.02, (
        "a head rate of 5e-2 does no harm when the body's rate is 1e-3"
    )
    assert mean["full fine-tune, one lr 1e-3"] < mean[two_rates] - 0.05, (
        "one small rate for everything falls short of the two-rate recipe"
    )


if __name__ == "__main__":
    main()
