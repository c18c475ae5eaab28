# merge_3x3_stack.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/classic_architectures/exercises/merge_3x3_stack.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python merge_3x3_stack_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "e56c70e8d1d234dca0ce1b43e9239e2afb150cada2e46ece1b460b2faa2389a0", "sources": {"snippets/classic_architectures/exercises/merge_3x3_stack.py": "0b3421112f6d995f9cfdf57c9c96fbba8b4aebc898e77694b95c946e448501b2"}}


# --- the exercise, with the solution removed: snippets/classic_architectures/exercises/merge_3x3_stack.py ---
"""Exercise: two 3x3 convolutions with no ReLU between them are one 5x5
convolution, with fewer weights; the ReLU is what makes the stack more.

Simonyan & Zisserman 2015 (VGG, ICLR, Section 2.3): a stack of 3x3 layers
has the receptive field of one larger layer, and it is "a regularisation on
the 7 x 7 conv. filters, forcing them to have a decomposition through the
3 x 3 filters". Composing two convolutions convolves their kernels.
"""

import torch
from torch import nn
import torch.nn.functional as F


@torch.no_grad()
def merge_3x3_stack(a: nn.Conv2d, b: nn.Conv2d) -> nn.Conv2d:
    """One 5x5 convolution (no padding) equal to b(a(x)), for two 3x3
    convolutions with stride 1 and no padding."""
    c_in, c_out = a.in_channels, b.out_channels
    merged = nn.Conv2d(c_in, c_out, 5).to(a.weight)
    # TODO: your answer here (see the exercise on the page)
    return merged


def n_weights(*convs: nn.Conv2d) -> int:
    return sum(c.weight.numel() for c in convs)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    c = 16
    a, b = nn.Conv2d(c, c, 3).to(**opts), nn.Conv2d(c, c, 3).to(**opts)
    x = torch.randn(2, c, 12, 12, **opts)
    merged = merge_3x3_stack(a, b)
    with torch.no_grad():
        ours, theirs = merged(x), b(a(x))
        with_relu = b(torch.relu(a(x)))
    assert merged.kernel_size == (5, 5), "the merged layer is a 5x5 conv"
    assert ours.shape == theirs.shape == (2, c, 8, 8), "both shrink 12 to 8"
    assert torch.allclose(ours, theirs, atol=1e-10), (
        "the merged 5x5 convolution equals the two 3x3 convolutions"
    )
    assert not torch.allclose(ours, with_relu, atol=1e-3), (
        "with a ReLU between them no 5x5 convolution does it"
    )
    print(f"weights, two 3x3 convolutions (C={c}):", n_weights(a, b))
    print(f"weights, one 5x5 convolution (C={c}):", n_weights(merged))


if __name__ == "__main__":
    main()
