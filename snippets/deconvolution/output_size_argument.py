"""A stride-2 convolution maps two input sizes to one output size, so its
transposed convolution cannot know which to go back to: nn.ConvTranspose2d's
forward takes output_size= and picks the output_padding that reaches it; the
functional F.conv_transpose2d takes output_padding instead.

PyTorch documentation, torch.nn.ConvTranspose2d (output_size in forward, and
its example); Dumoulin & Visin 2016, "A guide to convolution arithmetic for
deep learning", Chapter 4.
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:skip]
    down = nn.Conv2d(1, 1, 3, stride=2, padding=1).to(device)
    up = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1).to(device)
    sizes = {}
    for n in (11, 12):  # a skip connection of either size
        skip = torch.randn(1, 1, n, n, device=device)
        h = down(skip)  # 6x6 from both
        plain = up(h)  # always the smaller size
        matched = up(h, output_size=skip.shape[-2:])
        sizes[n] = (h.shape[-1], plain.shape[-1], matched.shape[-1])
        assert matched.shape == skip.shape, (
            "output_size= reaches the skip's size"
        )
    assert sizes[11][0] == sizes[12][0], "11 and 12 both go down to one size"
    assert sizes[11][1] == sizes[12][1] == 11, "without it, 12 is not reached"
    # the functional form: the same layer with output_padding=1
    functional = F.conv_transpose2d(
        h, up.weight, up.bias, stride=2, padding=1, output_padding=1
    )
    assert torch.allclose(functional, matched, atol=1e-6), (
        "output_size=12 is output_padding=1"
    )
    # --8<-- [end:skip]
    for n, (down_size, plain_size, matched_size) in sizes.items():
        print(
            f"skip {n}x{n}: down to {down_size}x{down_size}, up without "
            f"output_size {plain_size}x{plain_size}, with it "
            f"{matched_size}x{matched_size}"
        )
    try:  # 6x6 up with stride 2 reaches 11 or 12, nothing else
        up(h, output_size=(14, 14))
        raised = False
    except ValueError:
        raised = True
    assert raised, "an output_size out of reach raises"
    print("output_size=(14, 14), out of reach: ValueError")


if __name__ == "__main__":
    main()
