"""Keras's BatchNormalization(momentum=0.99) equals PyTorch's momentum=0.01, not
PyTorch's default 0.1.

PyTorch documentation, torch.nn.BatchNorm2d: running = (1 - momentum) * running
+ momentum * batch, default 0.1, momentum=None for a cumulative average; Keras
documentation, BatchNormalization: moving_mean = moving_mean * momentum +
mean(batch) * (1 - momentum), default 0.99.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:conventions]
def pytorch_update(running, batch_mean, momentum=0.1):
    return (1 - momentum) * running + momentum * batch_mean  # weight of NEW


def keras_update(moving, batch_mean, momentum=0.99):
    return momentum * moving + (1 - momentum) * batch_mean  # weight of OLD


# --8<-- [end:conventions]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    steps = 20
    # --8<-- [start:run]
    bn_default = nn.BatchNorm1d(4).to(device)  # momentum=0.1
    bn_001 = nn.BatchNorm1d(4, momentum=0.01).to(device)
    bn_cumulative = nn.BatchNorm1d(4, momentum=None).to(device)
    ours_default = torch.zeros(4, device=device)
    keras = torch.zeros(4, device=device)  # Keras starts at 0
    for _ in range(steps):
        x = torch.randn(32, 4, device=device)  # (N, C)
        x = x - x.mean(0) + 2.0  # batch mean exactly 2
        for bn in (bn_default, bn_001, bn_cumulative):
            bn(x)
        ours_default = pytorch_update(ours_default, x.mean(0))
        keras = keras_update(keras, x.mean(0))
    torch.testing.assert_close(bn_default.running_mean, ours_default)
    torch.testing.assert_close(bn_001.running_mean, keras)  # 0.01 == Keras 0.99
    # --8<-- [end:run]
    torch.testing.assert_close(
        bn_cumulative.running_mean, torch.full((4,), 2.0, device=device)
    )
    closed_01 = 2.0 * (1 - 0.9**steps)
    closed_001 = 2.0 * (1 - 0.99**steps)
    assert abs(bn_default.running_mean.mean().item() - closed_01) < 1e-5
    assert abs(keras.mean().item() - closed_001) < 1e-5  # 2 (1 - 0.99^20)
    assert closed_001 < 0.7 * closed_01  # 0.99 is far slower
    print("PyTorch momentum=0.01 matches Keras momentum=0.99: True")
    print(
        f"running_mean after {steps} steps, PyTorch default 0.1: "
        f"{bn_default.running_mean.mean().item():.3f}"
    )
    print(
        f"running_mean after {steps} steps, Keras default 0.99: "
        f"{keras.mean().item():.3f}"
    )
    print(
        f"running_mean after {steps} steps, momentum=None: "
        f"{bn_cumulative.running_mean.mean().item():.3f}"
    )
    print("true mean of every batch: 2.000")


if __name__ == "__main__":
    main()
