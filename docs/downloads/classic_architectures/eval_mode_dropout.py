# eval_mode_dropout.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/classic_architectures/eval_mode_dropout.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python eval_mode_dropout.py
#
# kb-download: {"record": "77526df6abccee13640f024f479672b44a4d66a02bc679b35e955efde314efa9", "sources": {"snippets/classic_architectures/eval_mode_dropout.py": "abbc540eb663f3c03adbefb9d82c1224ba6f2d59546591e8882289088c597acb"}}


# --- the snippet, unchanged: snippets/classic_architectures/eval_mode_dropout.py ---
"""Forgetting model.eval() leaves AlexNet-style dropout on at test time:
predictions become random and accuracy drops.

Krizhevsky, Sutskever & Hinton 2012, NIPS, section 4.2: dropout (p = 0.5) in the
first two fully connected layers; at test time all neurons are used. PyTorch's
nn.Dropout does this in eval().
"""

import os

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32, device=device)
    y = torch.tensor(digits.target, device=device)
    gen = torch.Generator().manual_seed(SEED)
    order = torch.randperm(len(y), generator=gen)
    test, train = order[:360], order[360:]
    model = nn.Sequential(  # features, then AlexNet's
        nn.Linear(64, 256),
        nn.ReLU(),  # fc6-fc8 in small
        nn.Dropout(0.5),
        nn.Linear(256, 256),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(256, 256),
        nn.ReLU(),
        nn.Linear(256, 10),
    ).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(10):
        for batch in train[torch.randperm(len(train), generator=gen)].split(64):
            loss = F.cross_entropy(model(x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()

    # --8<-- [start:modes]
    with torch.no_grad():  # no_grad does NOT turn dropout off
        model.train()  # forgot model.eval()
        forgot = [model(x[test]).argmax(1) for _ in range(2)]
        model.eval()
        right = [model(x[test]).argmax(1) for _ in range(2)]
    # --8<-- [end:modes]
    acc = lambda pred: (pred == y[test]).float().mean().item()
    flipped = (forgot[0] != forgot[1]).float().mean().item()
    # eval(): deterministic
    assert torch.equal(right[0], right[1]), "eval() predictions are identical"
    # train(): a coin toss per pass
    assert flipped > 0, "train() predictions change between two forward passes"
    assert acc(forgot[0]) < acc(right[0]), (
        "train() mode has a lower test accuracy"
    )
    print(f"test accuracy in eval(): {acc(right[0]):.3f} ±0.03")
    print(f"test accuracy in train() (forgot eval): {acc(forgot[0]):.3f} ±0.04")
    print(
        f"test predictions that change between two train() passes: "
        f"{flipped:.3f} ±0.04"
    )
    print("eval() predictions identical in two passes: True")


if __name__ == "__main__":
    main()
