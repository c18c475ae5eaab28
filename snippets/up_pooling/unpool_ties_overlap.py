"""With ties or overlapping windows, max unpooling keeps fewer values than
pooling produced.

Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks"
(ECCV), Section 2.1: switches record one location per pooling region; PyTorch
documents that with overlapping windows several pooled values may share an
index, and MaxUnpool2d keeps only one of them.
"""

import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:ties]
    relu_out = F.relu(torch.randn(1, 1, 8, 8, device=device) - 1)  # many 0s
    pooled, idx = F.max_pool2d(relu_out, 2, return_indices=True)
    zero_windows = int((pooled == 0).sum())  # all four values tied
    # --8<-- [end:ties]
    # a tied window records one of its positions, and the unpooled value is 0
    unpooled = F.max_unpool2d(pooled, idx, 2)
    assert zero_windows > 0 and int((unpooled != 0).sum()) <= 16 - zero_windows

    # --8<-- [start:overlap]
    x = torch.randn(1, 1, 9, 9, device=device)
    pooled3, idx3 = F.max_pool2d(x, 3, stride=2, return_indices=True)
    n_pooled = idx3.numel()  # 4 x 4 = 16 values
    n_switches = idx3.unique().numel()  # distinct positions
    unpooled3 = F.max_unpool2d(pooled3, idx3, 3, stride=2, output_size=x.shape)
    # --8<-- [end:overlap]
    assert n_switches <= n_pooled
    assert int((unpooled3 != 0).sum()) == n_switches
    g = torch.Generator().manual_seed(123)  # a case with sharing
    shared = sum(
        F.max_pool2d(
            torch.randn(1, 1, 9, 9, generator=g), 3, 2, return_indices=True
        )[1]
        .unique()
        .numel()
        < 16
        for _ in range(100)
    )
    assert shared > 10
    print(
        f"2x2 windows (of 16) of a ReLU output that are all zero, "
        f"ties: {zero_windows} ±4"
    )
    print(f"kernel 3, stride 2 on 9x9, pooled values: {n_pooled}")
    print(f"kernel 3, stride 2 on 9x9, distinct switches: {n_switches} ±2")
    print(f"random 9x9 maps where two windows share a switch: {shared} of 100")


if __name__ == "__main__":
    main()
