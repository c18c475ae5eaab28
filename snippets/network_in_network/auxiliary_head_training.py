"""Does a GoogLeNet-style side head change how a batch-normalized network
trains? The same twelve-conv network is trained with and without its side loss,
from the same init and on the same batches; the main head's training loss early
on and the final test accuracy are compared seed by seed.

Szegedy et al. 2016, "Rethinking the Inception Architecture for Computer
Vision" (CVPR), Section 4: the auxiliary classifiers did not speed up early
training; near the end the network with them reached a slightly higher
plateau. Szegedy et al. 2015, Section 5: side losses weighted by 0.3. Model:
auxiliary_classifier.py's network with BatchNorm. Data: scikit-learn's digits.
"""

import copy
import os
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from auxiliary_classifier import PlainNetWithSideHead, training_loss

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_TRAIN, STEPS, EARLY = 1000, 300, 100  # EARLY: when "early" is measured


def load_split(device: str) -> tuple[torch.Tensor, ...]:
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float32) / 16
    x, y = x.view(-1, 1, 8, 8), torch.tensor(digits.target)  # (1797, 1, 8, 8)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    train, test = perm[:N_TRAIN], perm[N_TRAIN:]
    return tuple(t.to(device) for t in (x[train], y[train], x[test], y[test]))


@torch.no_grad()
def main_head(model, x_train, x, y) -> tuple[float, float]:
    """Loss and accuracy of the main head alone, with BatchNorm's statistics
    recomputed on the training set: the running averages lag the weights, and
    by different amounts in two runs."""
    probe = copy.deepcopy(model)
    for m in probe.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # a plain average over the passes: here, one
    probe.train()
    probe(x_train)  # one pass over the training set sets the statistics
    probe.eval()  # eval: only the main head runs
    logits = probe(x)
    loss = F.cross_entropy(logits, y).item()
    return loss, (logits.argmax(1) == y).float().mean().item()


# --8<-- [start:train]
def train(side_loss: bool, data, device: str) -> dict:
    """Adam, batches of 64; with or without the weighted side loss. The same
    seed gives both runs the same init and the same batches."""
    xtr, ytr, xte, yte = data
    torch.manual_seed(SEED)
    model = PlainNetWithSideHead(batch_norm=True).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = torch.Generator().manual_seed(SEED)
    for step in range(1, STEPS + 1):
        model.train()
        idx = torch.randint(0, N_TRAIN, (64,), generator=batches).to(device)
        if side_loss:  # main loss + 0.3 x side loss
            loss = training_loss(model, xtr[idx], ytr[idx])
        else:  # side head built and run, its output ignored: no random
            # numbers, no BatchNorm, no gradient (Adam skips its weights)
            loss = F.cross_entropy(model(xtr[idx])[0], ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == EARLY:
            early_loss, _ = main_head(model, xtr, xtr, ytr)
    # --8<-- [end:train]
    _, test_accuracy = main_head(model, xtr, xte, yte)
    return {"early": early_loss, "test": test_accuracy}


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = load_split(device)
    runs = {
        "without": train(False, data, device),
        "with": train(True, data, device),
    }

    print(f"{STEPS} steps of 64 digits; BatchNorm after every main-path conv")
    # spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10)
    tol = {"without": ("0.3", "0.02"), "with": ("0.4", "0.05")}
    for name, run in runs.items():
        print(
            f"{name} side loss, main head's training loss after {EARLY} "
            f"steps: {run['early']:.3f} ±{tol[name][0]}"
        )
    for name, run in runs.items():
        accuracy = f"{run['test']:.3f} ±{tol[name][1]}"
        print(f"{name} side loss, test accuracy: {accuracy}")

    for name, run in runs.items():
        assert run["test"] > 0.9, f"the network trains {name} side loss: {run}"


if __name__ == "__main__":
    main()
