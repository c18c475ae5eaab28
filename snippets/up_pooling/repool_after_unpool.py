"""Max pooling the max-unpooled map gives back each window's maximum only
where it is at least 0: unpooling writes zeros around the maximum, and a zero
beats a negative maximum. After a ReLU every maximum comes back.

Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks",
Section 2.1 (unpooling with switches, an "approximate inverse").
"""

import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def repool(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The 2x2 max pool of x, and the max pool of its max-unpooled map."""
    pooled, switches = F.max_pool2d(x, 2, return_indices=True)
    unpooled = F.max_unpool2d(pooled, switches, 2)  # zeros but at the maxima
    return pooled, F.max_pool2d(unpooled, 2)


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:repool]
    x = torch.randn(1, 4, 8, 8, device=device) - 1  # many negative windows
    pooled, again = repool(x)
    negative = pooled < 0
    assert torch.equal(again, pooled.clamp(min=0)), (
        "pooling again gives max(window maximum, 0)"
    )
    assert negative.any() and not torch.equal(again, pooled), (
        "so the negative maxima do not come back"
    )
    pooled_relu, again_relu = repool(F.relu(x))
    assert torch.equal(again_relu, pooled_relu), "after a ReLU all come back"
    # --8<-- [end:repool]
    print(f"windows: {pooled.numel()}")
    print(f"windows whose maximum is negative: {int(negative.sum())}")
    print("max pool after unpool == max(maximum, 0): True")
    print("after a ReLU, max pool after unpool == max pool: True")


if __name__ == "__main__":
    main()
