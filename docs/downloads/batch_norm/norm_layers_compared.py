# norm_layers_compared.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/batch_norm/norm_layers_compared.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python norm_layers_compared.py
#
# kb-download: {"record": "2765a02fca2ab46bd792aab71fc2220f3bfcfbb4dbdcbe6bb5c85ec2ad2255ad", "sources": {"snippets/batch_norm/norm_layers_compared.py": "e0684d225146fb855178ccf73480373c409db27b3b9d504ae25740199d093dcd"}}


# --- the snippet, unchanged: snippets/batch_norm/norm_layers_compared.py ---
"""BatchNorm, LayerNorm, InstanceNorm and GroupNorm differ only in the axes they
average over; only BatchNorm mixes the samples of a batch.

Wu & He 2018, "Group Normalization", ECCV, Section 3.1 and Figure 2 (the four
methods as sets of axes; LN and IN as GN with one group and with one channel per
group), Figure 1 (batch size).
"""

import os

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:axes]
def norm_over(x, dims, eps=1e-5):  # x: (N, C, H, W)
    mean = x.mean(dims, keepdim=True)
    var = x.var(dims, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def group_norm(x, groups, eps=1e-5):
    n, c, h, w = x.shape
    x = x.reshape(n, groups, c // groups, h, w)  # channels split into groups
    return norm_over(x, (2, 3, 4), eps).reshape(n, c, h, w)


C, H, W = 6, 5, 5
LAYERS = {  # name: (from scratch, PyTorch module), all without gamma and beta
    "BatchNorm2d": (
        lambda x: norm_over(x, (0, 2, 3)),
        nn.BatchNorm2d(C, affine=False),
    ),
    "LayerNorm": (
        lambda x: norm_over(x, (1, 2, 3)),
        nn.LayerNorm([C, H, W], elementwise_affine=False),
    ),
    "InstanceNorm2d": (lambda x: norm_over(x, (2, 3)), nn.InstanceNorm2d(C)),
    "GroupNorm(3)": (
        lambda x: group_norm(x, 3),
        nn.GroupNorm(3, C, affine=False),
    ),
}
# --8<-- [end:axes]


# --8<-- [start:model]
NORMS = {  # the same CNN with each normalization layer
    "BatchNorm2d": lambda c: nn.BatchNorm2d(c),
    "LayerNorm (GroupNorm, 1 group)": lambda c: nn.GroupNorm(1, c),
    "InstanceNorm2d": lambda c: nn.InstanceNorm2d(c, affine=True),
    "GroupNorm, 4 groups": lambda c: nn.GroupNorm(4, c),
}


def make_cnn(norm) -> nn.Sequential:
    return nn.Sequential(  # (N, 1, 8, 8)
        nn.Conv2d(1, 8, 3, padding=1, bias=False),
        norm(8),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 8, 4, 4)
        nn.Conv2d(8, 16, 3, padding=1, bias=False),
        norm(16),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 16, 2, 2)
        nn.Flatten(),
        nn.Linear(64, 10),
    )


# --8<-- [end:model]


def check_axes(device: str) -> None:
    x = 3 * torch.randn(4, C, H, W, device=device) + 1
    others = x.clone()
    others[1:] = torch.randn(3, C, H, W, device=device)  # new batch mates
    for name, (scratch, module) in LAYERS.items():
        module = module.to(device).train()
        torch.testing.assert_close(scratch(x), module(x), atol=1e-5, rtol=1e-4)
        mixes = not torch.allclose(module(x)[0], module(others)[0], atol=1e-5)
        assert mixes == (name == "BatchNorm2d"), name
        print(f"{name} matches the formula, depends on batch mates: {mixes}")
    torch.testing.assert_close(group_norm(x, 1), LAYERS["LayerNorm"][0](x))
    torch.testing.assert_close(group_norm(x, C), LAYERS["InstanceNorm2d"][0](x))
    print("GroupNorm, 1 group == LayerNorm; C groups == InstanceNorm: True")


def train_eval(norm, x, y, x_test, y_test, batch: int, steps: int) -> float:
    torch.manual_seed(SEED)  # same init, order
    model = make_cnn(norm).to(x.device)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(steps):
        idx = torch.randint(len(y), (batch,), device=x.device)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()  # BN: running stats
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    check_axes(device)
    digits = load_digits()
    x = torch.tensor(
        digits.images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)
    y = torch.tensor(digits.target, device=device)
    x, y, x_test, y_test = x[:1000], y[:1000], x[1000:], y[1000:]
    # --8<-- [start:train]
    results = {}
    for name, norm in NORMS.items():
        results[name] = train_eval(
            norm, x, y, x_test, y_test, batch=2, steps=300
        )
    # --8<-- [end:train]
    tol = dict(zip(NORMS, [0.07, 0.04, 0.09, 0.04]))  # seeds 0-4 spread
    for name, acc in results.items():
        print(f"{name}, batch of 2, test accuracy: {acc:.3f} ±{tol[name]}")
    assert all(a > 0.5 for a in results.values()), results  # all learn


if __name__ == "__main__":
    main()
