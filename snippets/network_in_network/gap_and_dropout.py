"""Does a network with a GAP head still gain from dropout? The tiny NiN,
trained on 150 digits with and without dropout between its two mlpconv blocks;
the difference in test accuracy is measured over seeds, not asserted. The
BatchNorm one (linear) convolution after the dropout shows the variance shift;
recomputing its statistics with the dropout off removes it and moves test
accuracy by < 0.02.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.2 (GAP as a
structural regularizer) and Section 4.1 (dropout on the outputs of all but the
last mlpconv layer); Szegedy et al. 2015, "Going Deeper with Convolutions"
(CVPR), Section 5 (dropout "remained essential" after average pooling);
Li, Chen, Hu & Yang 2019, "Understanding the Disharmony between Dropout and
Batch Normalization by Variance Shift" (CVPR); data: scikit-learn's digits.
"""

import copy
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from torch import nn
from sklearn.datasets import load_digits

from nin_digits import count, mlpconv, train  # the block and training loop

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
N_TRAIN, EPOCHS, BATCH = 150, 60, 32  # few digits: room to overfit


def gap_net(p_drop: float, classes: int = 10) -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 8, 8)
        mlpconv(1, 32, 32),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, 4, 4)
        nn.Dropout(p_drop),  # NiN: dropout between mlpconv blocks (4.1)
        mlpconv(32, 32, classes),  # (N, 10, 4, 4): one map per class
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),  # (N, 10): the GAP head, no parameters
    )


# --8<-- [end:model]


@torch.no_grad()
def accuracy(model, x, y) -> float:
    return (model(x).argmax(1) == y).float().mean().item()


def fit_and_score(p_drop, x, y, train_idx, test_idx) -> tuple:
    torch.manual_seed(SEED)  # both start from the same weights...
    model = gap_net(p_drop).to(x.device)
    order = torch.Generator().manual_seed(SEED)  # ...and see the same batches
    x_tr, y_tr = x[train_idx], y[train_idx]
    # nin_digits.py's train: Adam, learning rate decaying linearly to 0; it
    # scores every epoch (in eval mode) on the set it is given last
    _, accs = train(model, x_tr, y_tr, x_tr, y_tr, EPOCHS, BATCH, order)
    return model, accs[-1], accuracy(model, x[test_idx], y[test_idx])


# --8<-- [start:shift]
@torch.no_grad()
def variance_ratio(model, x) -> float:
    # the BatchNorm one convolution after the dropout (model[4][1]) normalizes
    # with running_var, averaged over training batches that had dropout on; in
    # eval the dropout is off and its input varies less (Li et al. 2019)
    model.eval()
    conv, bn = model[4][0], model[4][1]
    h = conv(model[:4](x))  # what the BatchNorm sees at test time
    return (h.var(dim=(0, 2, 3)) / bn.running_var).mean().item()


@torch.no_grad()
def recompute_batchnorm(model, x_tr) -> nn.Sequential:
    # a copy whose BatchNorm statistics are averaged over the training digits
    # with the dropout off, as eval() will see them
    fixed = copy.deepcopy(model).train()
    fixed[3].eval()  # dropout off, BatchNorm still collecting
    for bn in (m for m in fixed.modules() if isinstance(m, nn.BatchNorm2d)):
        bn.reset_running_stats()
        bn.momentum = None  # a plain average over the batches seen
    fixed(x_tr)
    return fixed.eval()


# --8<-- [end:shift]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(
        digits.images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)  # (1797, 1, 8, 8)
    y = torch.tensor(digits.target, device=device)
    # a fresh draw of the 150 training digits for every seed; the rest test
    order = torch.randperm(
        len(y), generator=torch.Generator().manual_seed(SEED)
    )
    train_idx, test_idx = order[:N_TRAIN].to(device), order[N_TRAIN:].to(device)

    plain, plain_tr, plain_te = fit_and_score(0.0, x, y, train_idx, test_idx)
    drop, drop_tr, drop_te = fit_and_score(0.5, x, y, train_idx, test_idx)

    assert count(plain) == count(drop), "dropout adds no parameters"
    # dropout acts in training only: two train-mode passes differ, eval does not
    sample = x[test_idx[:64]]
    drop.train()
    assert not torch.equal(drop(sample), drop(sample)), (
        "in train mode, dropout draws a new mask every pass"
    )
    drop.eval()
    assert torch.equal(drop(sample), drop(sample)), "eval() turns dropout off"

    x_te, y_te = x[test_idx], y[test_idx]
    assert plain_tr > 0.95 and drop_tr > 0.95, (
        f"both fit the training digits: {plain_tr:.3f}, {drop_tr:.3f}"
    )
    # the BatchNorm after the dropout: its running_var against the variance
    # it sees in eval, before and after recomputing its statistics
    fixed = recompute_batchnorm(drop, x[train_idx])
    fixed_te = accuracy(fixed, x_te, y_te)
    ratios = [variance_ratio(m, x_te) for m in (plain, drop, fixed)]
    assert ratios[1] < 0.8 < min(ratios[0], ratios[2]), (
        "with dropout before it, BatchNorm expects more variance than eval "
        f"gives; recomputed, it does not: {ratios}"
    )
    assert abs(fixed_te - drop_te) < 0.02, (
        "recomputing the statistics moves test accuracy by under 0.02: "
        f"{drop_te:.3f} -> {fixed_te:.3f}"
    )

    print(f"training digits: {len(train_idx)}")
    print(f"test digits: {len(test_idx)}")
    print(f"without dropout, train accuracy: {plain_tr:.3f} ±0.01")
    print(f"with dropout, train accuracy: {drop_tr:.3f} ±0.02")
    print(f"without dropout, test accuracy: {plain_te:.3f} ±0.06")
    print(f"with dropout, test accuracy: {drop_te:.3f} ±0.09")
    print(f"with dropout, recomputed BN, test accuracy: {fixed_te:.3f} ±0.09")
    names = ("without dropout", "with dropout", "recomputed BN")
    for name, ratio, tol in zip(names, ratios, ("0.05", "0.04", "0.06")):
        print(f"{name}, eval variance / running_var: {ratio:.2f} ±{tol}")


if __name__ == "__main__":
    main()
