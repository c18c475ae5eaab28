"""Two parameter groups exclude biases and normalization parameters from weight
decay: one step then shrinks only the weight matrices and kernels.

He et al. 2019, "Bag of Tricks for Image Classification with Convolutional
Neural Networks", CVPR, Section 3.1 ("No bias decay"); PyTorch documentation,
torch.optim (per-parameter options).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 6 * 6, 10),
    ).to(device)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1)  # no zero biases
    # --8<-- [start:groups]
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        # kernels and weight matrices have 2+ dims; biases, gamma, beta have 1
        (decay if p.ndim > 1 else no_decay).append(p)
    opt = torch.optim.SGD(
        [
            {"params": decay, "weight_decay": 5e-4},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=0.1,
    )
    # --8<-- [end:groups]
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    for p in model.parameters():
        p.grad = torch.zeros_like(p)  # decay only
    opt.step()
    shrunk = {
        n: not torch.equal(p, before[n]) for n, p in model.named_parameters()
    }
    for n, p in model.named_parameters():
        if p.ndim > 1:
            torch.testing.assert_close(p, before[n] * (1 - 0.1 * 5e-4))
    decayed = [n for n, s in shrunk.items() if s]
    assert decayed == ["0.weight", "4.weight"], shrunk
    print(f"decayed: {', '.join(n for n, s in shrunk.items() if s)}")
    print(f"not decayed: {', '.join(n for n, s in shrunk.items() if not s)}")
    print(
        f"parameters decayed / not decayed: {sum(p.numel() for p in decay)}"
        f" / {sum(p.numel() for p in no_decay)}"
    )


if __name__ == "__main__":
    main()
