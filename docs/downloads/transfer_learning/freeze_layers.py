# freeze_layers.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/transfer_learning/freeze_layers.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python freeze_layers.py
#
# kb-download: {"record": "c51da40037c99633fbf557cbbb0d5a976e2a7e853d65585c38bc358e94f3dfdd", "sources": {"snippets/transfer_learning/freeze_layers.py": "f6b06aba186c1f3c9e7d241cbb2e81b4750e4041ca4c8f1640a4625570320762"}}


# --- the snippet, unchanged: snippets/transfer_learning/freeze_layers.py ---
"""Freezing a body in PyTorch: requires_grad_(False), only trainable parameters
in the optimizer, and eval() for BatchNorm.

PyTorch docs (autograd mechanics, "Locally disabling gradient computation";
nn.BatchNorm2d); CS231n notes "Transfer Learning". A frozen parameter stays
bit-identical; BatchNorm's running statistics are buffers, not parameters, and
still move toward the new data in train() mode unless the frozen part is put in
eval() mode.
"""

import os
import copy

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def make_model() -> nn.Sequential:
    body = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),  # (N, 8, 8, 8)
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.5),  # (N, 128)
    )
    return nn.Sequential(body, nn.Linear(128, 10))  # [0] = body, [1] = head


# --8<-- [start:freeze]
def train_head(
    model: nn.Sequential, x, y, steps: int = 20, body_eval: bool = True
) -> None:
    body, head = model[0], model[1]
    body.requires_grad_(False)  # no gradients are computed for the body
    # and the optimizer only sees the head
    opt = torch.optim.Adam(head.parameters(), lr=1e-2)
    model.train()  # head in training mode ...
    if body_eval:
        # ... but BatchNorm uses (and keeps) its running stats, no dropout
        body.eval()
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()


# --8<-- [end:freeze]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    # (N, 1, 8, 8)
    x = (
        torch.tensor(digits.images / 16.0, dtype=torch.float32)
        .unsqueeze(1)
        .to(device)
    )
    y = torch.tensor(digits.target).to(device)
    # "pretrained" on digits 0-4, head trained on 5-9
    source, target = y < 5, y >= 5
    pretrained = make_model().to(device)
    bn = pretrained[0][1]
    bn.momentum = None  # cumulative average: exact source statistics
    pretrained[0](x[source])  # one pass in train() mode sets the running stats
    bn.momentum = 0.1

    # --8<-- [start:check]
    model = copy.deepcopy(pretrained)
    train_head(model, x[target], y[target], body_eval=True)
    before, after = pretrained.state_dict(), model.state_dict()
    body_same = all(
        torch.equal(before[k], after[k]) for k in after if k.startswith("0.")
    )
    head_moved = (after["1.weight"] - before["1.weight"]).abs().max().item()
    assert body_same, "a frozen tensor changed"  # weights AND BatchNorm buffers
    assert head_moved > 1e-3, head_moved
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    # --8<-- [end:check]

    # the same, but leaving the body in train() mode: weights stay, BatchNorm
    # running stats drift
    leaky = copy.deepcopy(pretrained)
    train_head(leaky, x[target], y[target], body_eval=False)
    weights_same = all(
        torch.equal(p, q)
        for p, q in zip(pretrained[0].parameters(), leaky[0].parameters())
    )
    stats_same = torch.equal(
        leaky[0][1].running_mean, pretrained[0][1].running_mean
    )
    drift = (
        (leaky[0][1].running_mean - pretrained[0][1].running_mean)
        .abs()
        .max()
        .item()
    )
    assert weights_same, "requires_grad_(False) alone must keep the weights"
    assert not stats_same and drift > 0, drift  # buffers are not parameters
    # how far it drifted is a matter of the random filters; where to is not:
    # each step sets running = 0.9 running + 0.1 batch mean, with the same
    # batch (all target digits), so 20 steps cover 1 - 0.9^20 of the way
    with torch.no_grad():  # the BatchNorm's input: the frozen conv's output
        target_mean = pretrained[0][0](x[target]).mean((0, 2, 3))
    gap = target_mean - pretrained[0][1].running_mean  # (8,) source -> target
    moved = leaky[0][1].running_mean - pretrained[0][1].running_mean
    expected = (1 - 0.9**20) * gap
    assert torch.allclose(moved, expected, rtol=1.3e-6, atol=1e-5), (
        "the running mean covers 1 - 0.9^20 of the way, channel by "
        f"channel: {moved} {expected}"
    )
    share = (moved @ gap / (gap @ gap)).item()
    assert (
        leaky[0][1].num_batches_tracked > pretrained[0][1].num_batches_tracked
    )

    print(
        f"trainable parameters: {trainable} of "
        f"{sum(p.numel() for p in model.parameters())}"
    )
    print(
        f"body bit-identical after training the head (body.eval()): {body_same}"
    )
    print(f"largest change of a head weight: {head_moved:.3f} ±0.02")
    print(
        f"body weights bit-identical with the body left in train(): "
        f"{weights_same}"
    )
    print(
        f"BatchNorm running mean bit-identical with the body left in train(): "
        f"{stats_same}"
    )
    print(
        f"BatchNorm running mean, share of the way from the source to the "
        f"target digits' mean after 20 steps: {share:.3f} = 1 - 0.9^20"
    )


if __name__ == "__main__":
    main()
