# group_lasso_filters.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/l1_l2/group_lasso_filters.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python group_lasso_filters.py
#
# kb-download: {"record": "0928790ffc3b9c2b7956b7ab050cec9fe15ddaa339c36449b06c320fdeef66a0", "sources": {"snippets/l1_l2/group_lasso_filters.py": "fa0002bb485df9a4850cf22218f1c09ded0b85cca664a9a2818cf2641d28c589"}}


# --- the snippet, unchanged: snippets/l1_l2/group_lasso_filters.py ---
"""The group lasso, one group per filter, zeroes whole filters; the plain L1
penalty scatters its zeros. Whole zero filters can be cut out of the layer,
and the smaller network computes exactly the same outputs.

Yuan & Lin 2006, "Model selection and estimation in regression with grouped
variables", JRSS B (the group lasso); Wen, Wu, Wang, Chen & Li 2016, "Learning
Structured Sparsity in Deep Neural Networks", NIPS (filter-wise groups in
CNNs). The group's proximal step (block soft-thresholding) is derived in Parikh
& Boyd 2014, "Proximal Algorithms", Foundations and Trends in Optimization.
"""

import os

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


class DigitsCNN(nn.Module):
    """(N, 1, 8, 8) digits -> 10 logits, with 16 filters in its one conv."""

    def __init__(self, filters: int = 16):
        super().__init__()
        self.conv = nn.Conv2d(1, filters, 3, padding=1)
        self.fc = nn.Linear(filters * 4 * 4, 10)

    def forward(self, x):
        return self.fc(F.max_pool2d(F.relu(self.conv(x)), 2).flatten(1))


# --8<-- [start:prox]
def filter_groups(conv: nn.Conv2d) -> torch.Tensor:
    """One row per filter: its 9 weights and its bias."""
    return torch.cat([conv.weight.flatten(1), conv.bias[:, None]], dim=1)


def shrink(conv: nn.Conv2d, t: float, rule: str) -> None:
    """The proximal step of t * penalty, after each gradient step."""
    g = filter_groups(conv)
    if rule == "group lasso":  # shrink each filter's norm by t, stop at 0
        norms = g.norm(dim=1, keepdim=True)
        g = g * torch.clamp(1 - t / norms.clamp(min=1e-12), min=0)
    elif rule == "l1":  # shrink each weight by t, stop at 0
        g = torch.sign(g) * torch.clamp(g.abs() - t, min=0)
    conv.weight.copy_(g[:, :-1].view_as(conv.weight))
    conv.bias.copy_(g[:, -1])


# --8<-- [end:prox]


def train(x, y, rule: str, lam: float, device: str) -> DigitsCNN:
    torch.manual_seed(SEED)  # the same initialization and batches every time
    model = DigitsCNN().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(SEED)
    for _ in range(20):  # epochs
        for i in torch.randperm(len(x), generator=g).split(64):
            loss = F.cross_entropy(model(x[i]), y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                shrink(model.conv, 0.1 * lam, rule)  # t = lr * lambda
    return model


# --8<-- [start:prune]
def pruned(model: DigitsCNN) -> DigitsCNN:
    """The same network without its all-zero filters and their fc inputs."""
    keep = filter_groups(model.conv).abs().sum(1) > 0
    small = DigitsCNN(int(keep.sum())).to(keep.device)
    small.conv.weight.data = model.conv.weight[keep].clone()
    small.conv.bias.data = model.conv.bias[keep].clone()
    columns = keep.repeat_interleave(4 * 4)  # each filter feeds 16 inputs
    small.fc.weight.data = model.fc.weight[:, columns].clone()
    small.fc.bias.data = model.fc.bias.clone()
    return small


# --8<-- [end:prune]


def sparsity(model: DigitsCNN) -> dict:
    zero = filter_groups(model.conv) == 0
    return {
        "zero weights": zero.float().mean().item(),
        "zero filters": int(zero.all(1).sum()),
        "partly zero filters": int((zero.any(1) & ~zero.all(1)).sum()),
    }


def accuracy(model, x, y) -> float:
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32)[:, None]
    y = torch.tensor(digits.target)
    order = torch.randperm(
        len(x), generator=torch.Generator().manual_seed(SEED)
    )
    x, y = x[order].to(device), y[order].to(device)
    (x_train, x_test), (y_train, y_test) = (
        x.split([1200, 597]),
        y.split([1200, 597]),
    )
    # --8<-- [start:run]
    models = {
        name: train(x_train, y_train, rule, lam, device)
        for name, rule, lam in [
            ("no penalty", "none", 0.0),
            ("group lasso", "group lasso", 0.03),
            ("L1", "l1", 0.01),
        ]
    }
    small = pruned(models["group lasso"])
    with torch.no_grad():  # the cut filters contributed exactly nothing
        torch.testing.assert_close(small(x_test), models["group lasso"](x_test))
    # --8<-- [end:run]
    found = {name: sparsity(m) for name, m in models.items()}
    acc = {name: accuracy(m, x_test, y_test) for name, m in models.items()}
    group, l1 = found["group lasso"], found["L1"]
    assert group["partly zero filters"] == 0, group  # by construction
    assert group["zero filters"] >= 3, (
        f"the group lasso zeroes at least 3 whole filters: {group}"
    )
    assert l1["zero weights"] > group["zero weights"], (
        f"L1 zeroes more of the weights: {found}"
    )
    assert l1["zero filters"] < group["zero filters"], (
        f"yet L1 leaves fewer filters entirely zero: {found}"
    )
    assert l1["partly zero filters"] >= 5, (
        f"L1 leaves at least 5 filters partly zero: {l1}"
    )
    assert acc["group lasso"] > acc["no penalty"] - 0.03, (
        "training with the group lasso costs less than 3 points of accuracy: "
        f"{acc}"
    )
    filters = len(models["no penalty"].conv.weight)
    print(f"filters in the conv layer: {filters}")
    print("group lasso, filters entirely zero: at least 3, none partly zero")
    print("L1, filters partly zero: at least 5")
    print(
        "L1 zeroes more weights than the group lasso, and fewer whole filters"
    )
    for name in models:
        print(f"test accuracy, {name}: {acc[name]:.2f} ±0.04")


if __name__ == "__main__":
    main()
