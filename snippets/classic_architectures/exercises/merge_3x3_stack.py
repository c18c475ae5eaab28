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
    # BEGIN SOLUTION (starter: return merged)
    # K[o, i] = sum_m b[o, m] (full convolution) a[m, i]: run the kernels
    # of a, one input channel at a time, through b with b's kernel flipped
    wa = a.weight.transpose(0, 1)  # (in, mid, 3, 3): a batch of "images"
    wb = b.weight.flip(-2, -1)  # (out, mid, 3, 3)
    merged.weight.copy_(F.conv2d(wa, wb, padding=2).transpose(0, 1))
    # a's bias is a constant map, which b turns into sum of b's weights
    merged.bias.copy_(b.weight.sum((2, 3)) @ a.bias + b.bias)
    return merged
    # END SOLUTION


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
