"""How much dropout helps depends on the size of the training set: the test
accuracy gained by dropout is measured at four training-set sizes.

Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
Overfitting", JMLR 15, Section 7.4 (effect of data set size, Figure 10: no gain
on the smallest sets, a gain that grows and then shrinks as the set grows);
data: scikit-learn's 8x8 digits.
"""

import os

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
SIZES = (20, 60, 200, 1200)  # training images, of 1797
STEPS = 300  # the same number of updates at every size
# largest distance from seed 0 over seeds 0-9 and other CPU kernels
# (kb check --seeds 10): results of training
TOL = {
    (0.0, 20): 0.05, (0.5, 20): 0.04,
    (0.0, 60): 0.035, (0.5, 60): 0.04,
    (0.0, 200): 0.025, (0.5, 200): 0.02,
    (0.0, 1200): 0.02, (0.5, 1200): 0.025,
}  # fmt: skip


def load_split(device: str) -> tuple[torch.Tensor, ...]:
    X, y = load_digits(return_X_y=True)  # (1797, 64), labels 0..9
    X = torch.tensor(X / 16.0, dtype=torch.float32, device=device)
    y = torch.tensor(y, device=device)
    # one fixed split: the smaller training sets are prefixes of the larger
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    perm = perm.to(device)
    train, test = perm[: max(SIZES)], perm[max(SIZES) :]
    return X[train], y[train], X[test], y[test]


# --8<-- [start:train]
def make_mlp(p: float) -> nn.Module:
    return nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Dropout(p),
        nn.Linear(128, 128), nn.ReLU(), nn.Dropout(p),
        nn.Linear(128, 10),
    )  # fmt: skip


def test_accuracy(p: float, n: int, data, device: str) -> float:
    """Train on the first n images for STEPS minibatch updates; same seed,
    initial weights and minibatch order with and without dropout."""
    torch.manual_seed(SEED)
    # the order has its own generator: dropout draws from the global one
    order = torch.Generator(device=device).manual_seed(SEED)
    Xtr, ytr, Xte, yte = data
    Xtr, ytr = Xtr[:n], ytr[:n]
    model = make_mlp(p).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for _ in range(STEPS):
        idx = torch.randint(n, (50,), device=device, generator=order)
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        return (model(Xte).argmax(1) == yte).float().mean().item()


# --8<-- [end:train]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = load_split(device)
    # --8<-- [start:sizes]
    acc = {
        (p, n): test_accuracy(p, n, data, device)
        for n in SIZES
        for p in (0.0, 0.5)
    }
    gain = {n: acc[0.5, n] - acc[0.0, n] for n in SIZES}
    # the claims that hold for every seed: on the two smallest sets dropout
    # helps on average, and by more than at 1200 images (each size's gain
    # alone can be zero or negative for some seed)
    small = (gain[20] + gain[60]) / 2
    assert small > 0, (
        f"dropout raises the mean test accuracy at n=20, 60: {gain}"
    )
    assert small > gain[1200], f"the gain shrinks with more data: {gain}"
    # --8<-- [end:sizes]
    for n in SIZES:
        for p, name in ((0.0, "without dropout"), (0.5, "with dropout")):
            tol = TOL[p, n]
            print(f"test accuracy {name}, n={n}: {acc[p, n]:.3f} ±{tol}")


if __name__ == "__main__":
    main()
