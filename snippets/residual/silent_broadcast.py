"""A shortcut whose input has one channel (a grey image) does not fail against
a branch with 16 channels: x + F(x) broadcasts and silently returns a tensor of
the branch's shape. With 3 channels it raises.

PyTorch documentation, "Broadcasting semantics" (dimensions of size 1 are
expanded); He, Zhang, Ren & Sun 2016, CVPR, Section 3.2 (the shortcut must
match F(x), by projection if needed).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:broadcast]
    branch = nn.Conv2d(1, 16, 3, padding=1).to(device)  # 1 -> 16 channels
    grey = torch.randn(8, 1, 8, 8, device=device)  # a batch of grey images
    out = grey + branch(grey)  # no error: the one channel is added to all 16
    assert out.shape == (8, 16, 8, 8), "a 1-channel shortcut broadcasts"
    same_image = grey.expand(-1, 16, -1, -1)  # the grey channel 16 times
    assert torch.equal(out, same_image + branch(grey)), (
        "every channel gets the same grey image"
    )
    colour = torch.randn(8, 3, 8, 8, device=device)
    try:  # 3 channels against 16: now it fails
        colour + nn.Conv2d(3, 16, 3, padding=1).to(device)(colour)
        raised = False
    except RuntimeError:
        raised = True
    assert raised, "a 3-channel shortcut raises"
    # --8<-- [end:broadcast]
    print(f"(8, 1, 8, 8) + (8, 16, 8, 8) gives {tuple(out.shape)}, no error")
    print("(8, 3, 8, 8) + (8, 16, 8, 8): RuntimeError")


if __name__ == "__main__":
    main()
