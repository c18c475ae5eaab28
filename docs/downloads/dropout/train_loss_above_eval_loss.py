# train_loss_above_eval_loss.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/dropout/train_loss_above_eval_loss.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python train_loss_above_eval_loss.py
#
# kb-download: {"record": "61d672083f3d89f7bd404d2c90a20e03cdbcc79fb4f6a5810ecb3bab3d3fe76b", "sources": {"snippets/dropout/train_loss_above_eval_loss.py": "e8fd05912bef91cd96f79c62989a0edf2a32156493fb888130980d93e9c01436"}}


# --- the snippet, unchanged: snippets/dropout/train_loss_above_eval_loss.py ---
"""With dropout, the training loss a loop logs (train() mode) is higher than the
same network's loss in eval(), often even above the validation loss. Two causes
add up: the dropped units, and the averaging over an epoch in which the weights
still improved; the final model's loss in train() mode separates them.

Srivastava et al. 2014, JMLR 15(56), Section 4 (the thinned networks trained)
and Section 7.5 (the test-time network approximates their average); PyTorch
documentation, torch.nn.Dropout.
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
    x, y, x_val, y_val = x[:1000], y[:1000], x[1000:], y[1000:]
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10)
    ).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    # --8<-- [start:losses]
    for epoch in range(10):
        logged = 0.0
        for idx in torch.randperm(len(y), device=device).split(50):
            loss = F.cross_entropy(model(x[idx]), y[idx])  # train() mode
            opt.zero_grad()
            loss.backward()
            opt.step()
            logged += loss.item() * len(idx) / len(y)  # what loops print
    with torch.no_grad():  # the final model, still in train(): 20 masks
        train_masked = (
            sum(F.cross_entropy(model(x), y).item() for _ in range(20)) / 20
        )
        model.eval()
        train_eval = F.cross_entropy(model(x), y).item()  # same data, eval()
        val_eval = F.cross_entropy(model(x_val), y_val).item()
    # --8<-- [end:losses]
    assert train_masked > 1.1 * train_eval, (
        "dropout alone puts the final model's train() loss above its eval() one"
    )
    assert logged > 1.1 * train_eval, (
        f"the logged loss is above the eval() loss on the training set {logged}"
    )
    assert 0 < logged - train_masked < train_masked - train_eval, (
        "the epoch's averaging adds less than dropout does, but adds"
    )
    print(
        f"training loss logged in the last epoch (train()): {logged:.3f} ±0.06"
    )
    print(
        "training loss of the final model in train(), 20 masks: "
        f"{train_masked:.3f} ±0.06"
    )
    print(f"training loss of the final model in eval(): {train_eval:.3f} ±0.04")
    print(f"validation loss in eval(): {val_eval:.3f} ±0.05")


if __name__ == "__main__":
    main()
