"""A batch of one image does not raise in BatchNorm2d: in train() it normalizes
the image by its own statistics, as InstanceNorm2d does, and its running
variance misses how much images differ, so eval() normalizes with the wrong
scale.

PyTorch documentation, torch.nn.BatchNorm2d (statistics over the (N, H, W)
slices) and torch.nn.InstanceNorm2d; Wu & He 2018, "Group Normalization", ECCV,
Section 3.1 and Figure 2 (BN, LN, IN and GN differ only in the set of values
each statistic is taken over).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def image_batch(n: int, device: str) -> torch.Tensor:
    """Images whose channel means differ from image to image (std 3)."""
    offsets = 3 * torch.randn(n, 4, 1, 1, device=device)
    return offsets + torch.randn(n, 4, 8, 8, device=device)


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"

    # --8<-- [start:one]
    bn = nn.BatchNorm2d(4).to(device)
    instance = nn.InstanceNorm2d(4, affine=True).to(device)
    image = image_batch(1, device)
    same = torch.allclose(bn(image), instance(image), atol=1e-5)  # no error

    bn = nn.BatchNorm2d(4, momentum=None).to(device)  # average of all batches
    for _ in range(200):
        bn(image_batch(1, device))  # train(): one image at a time
    test = image_batch(256, device)
    bn.eval()
    eval_std = bn(test).std().item()  # what the next layer sees at test time
    true_var = test.var(dim=(0, 2, 3)).mean().item()  # across images
    # --8<-- [end:one]
    running_var = bn.running_var.mean().item()
    assert same, "with one image, train() BatchNorm2d is InstanceNorm2d"
    assert eval_std > 2.0, (
        "in eval() the output's std is far above the 1 seen in training"
    )
    assert running_var < 0.25 * true_var, (
        "the running variance misses the variance between images"
    )
    print(f"train() on one 8x8 image equals InstanceNorm2d: {same}")
    print(f"running variance after 200 single images: {running_var:.2f} ±0.02")
    print(f"variance over 256 test images: {true_var:.1f} ±1")
    print(f"std of the eval() output (1 in training): {eval_std:.1f} ±0.2")


if __name__ == "__main__":
    main()
