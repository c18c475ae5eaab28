"""Averaging more maps than there are classes and calling them logits trains
without any error, on the wrong problem.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.2: GAP replaces the
classifier only because the last mlpconv layer emits one feature map per class.
GoogLeNet (Szegedy et al. 2015, Section 5) and ResNets keep a linear layer after
the pooling instead.
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(64, 3, 8, 8, device=device)
    y = torch.randint(0, 10, (64,), device=device)  # 10 classes
    # --8<-- [start:bug]
    body = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU()).to(device)
    logits = body(x).mean(dim=(2, 3))  # (N, 32): 32 "classes", not 10
    loss = F.cross_entropy(logits, y)  # no error: targets 0-9 < 32
    loss.backward()
    predicted = logits.argmax(1)  # may name a class >= 10
    # --8<-- [end:bug]
    # GoogLeNet-style
    fixed = nn.Sequential(
        body, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10)
    ).to(device)
    assert logits.shape == (64, 32) and torch.isfinite(loss)
    assert fixed(x).shape == (64, 10)
    some_invalid = bool((predicted >= 10).any())
    assert some_invalid
    print(f"pooled 'logits' shape: {tuple(logits.shape)} for 10 classes")
    print("cross_entropy raised an error: False")
    print(f"some predictions name a class >= 10: {some_invalid}")
    print(f"with a linear layer after the pooling: {tuple(fixed(x).shape)}")


if __name__ == "__main__":
    main()
