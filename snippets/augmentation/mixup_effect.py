"""Mixup makes a small CNN trained on 150 digits less confident on test
digits; its effect on test accuracy is measured over seeds.

Zhang, Cisse, Dauphin & Lopez-Paz 2018, "mixup: Beyond Empirical Risk
Minimization", ICLR, Section 2 (train on convex combinations of pairs of
examples and of their one-hot labels, lambda ~ Beta(alpha, alpha)).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from sklearn.datasets import load_digits
import torch.nn.functional as F

from few_labels import BATCH, STEPS, accuracy, small_cnn
from transforms import mixup

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_LABELLED, ALPHA = 150, 0.2


# --8<-- [start:train]
def fit_mixup(x, y, alpha=None, seed=0, steps=STEPS, check=None):
    """Adam on batches of BATCH images from (x, y); with `alpha`, every batch
    is mixed (images and one-hot labels) and the loss takes soft targets."""
    torch.manual_seed(seed)  # same init, same batches with or without mixup
    batches = torch.Generator().manual_seed(seed)
    model = small_cnn().to(x.device)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(steps):
        i = torch.randint(0, len(x), (BATCH,), generator=batches).to(x.device)
        xb, yb = x[i], F.one_hot(y[i], 10).float()
        if alpha is not None:
            xb, yb, lam, partner = mixup(xb, yb, alpha)
            if check is not None:
                check(model(xb), yb, y[i], y[i][partner], lam)
        loss = F.cross_entropy(model(xb), yb)  # soft targets (N, 10)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


# --8<-- [end:train]


@torch.no_grad()
def confidence(model, x) -> float:
    """Mean probability of the predicted class."""
    return F.softmax(model(x), 1).amax(1).mean().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x_all = torch.tensor(
        digits.images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)  # (1797, 1, 8, 8)
    y_all = torch.tensor(digits.target, device=device)
    split = torch.Generator().manual_seed(SEED)
    order = torch.randperm(len(y_all), generator=split).to(device)
    few, test = order[:N_LABELLED], order[200:]  # as in few_labels.py
    checked = []

    # --8<-- [start:check]
    def check(logits, y_mix, y_a, y_b, lam):
        """The mixed labels sum to 1, and the loss on them is the
        lambda-weighted sum of the two hard-label cross-entropies."""
        torch.testing.assert_close(
            y_mix.sum(1), torch.ones(len(y_mix), device=y_mix.device)
        )
        split_loss = lam * F.cross_entropy(logits, y_a) + (
            1 - lam
        ) * F.cross_entropy(logits, y_b)
        torch.testing.assert_close(F.cross_entropy(logits, y_mix), split_loss)
        checked.append(lam)

    plain = fit_mixup(x_all[few], y_all[few], None, SEED)
    mixed = fit_mixup(x_all[few], y_all[few], ALPHA, SEED, check=check)
    assert len(checked) == STEPS, (
        "the soft-label loss is the weighted hard losses at every step"
    )
    conf = {m: confidence(m, x_all[test]) for m in (plain, mixed)}
    assert conf[mixed] < conf[plain] - 0.03, (
        f"mixup lowers the test confidence {conf[plain]:.3f} {conf[mixed]:.3f}"
    )
    # --8<-- [end:check]
    acc = {m: accuracy(m, x_all[test], y_all[test]) for m in (plain, mixed)}
    print(f"labelled digits: {N_LABELLED}, test digits: {len(test)}")
    print(f"mixup alpha: {ALPHA}, steps: {STEPS} of {BATCH}")
    print(
        f"soft-label loss = lambda-weighted hard losses, steps checked: {STEPS}"
    )
    print(f"test accuracy without mixup: {acc[plain]:.3f} ±0.02")
    print(f"test accuracy with mixup: {acc[mixed]:.3f} ±0.02")
    print(
        f"mean confidence on test digits without mixup: {conf[plain]:.3f} ±0.02"
    )
    print(f"mean confidence on test digits with mixup: {conf[mixed]:.3f} ±0.05")


if __name__ == "__main__":
    main()
