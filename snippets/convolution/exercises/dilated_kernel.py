"""Exercise: a dilated convolution is an ordinary convolution with a kernel
that has d - 1 zeros between its taps, spanning d(k - 1) + 1 pixels.

Yu & Koltun 2016, "Multi-Scale Context Aggregation by Dilated Convolutions",
Section 2; Dumoulin & Visin 2016, "A guide to convolution arithmetic",
Section 5.1.
"""

import torch
import torch.nn.functional as F


def dilate_kernel(w: torch.Tensor, d: int) -> torch.Tensor:
    """(C_out, C_in, k, k) -> the dense kernel that equals dilation d."""
    # BEGIN SOLUTION (starter: return w.clone())
    c_out, c_in, k, _ = w.shape
    span = d * (k - 1) + 1
    big = w.new_zeros(c_out, c_in, span, span)
    big[:, :, ::d, ::d] = w  # the taps, d pixels apart
    return big
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 3, 17, 17, dtype=torch.float64, device=device)
    for k in (2, 3, 5):
        for d in (1, 2, 3):
            w = torch.randn(4, 3, k, k, dtype=torch.float64, device=device)
            big = dilate_kernel(w, d)
            assert big.shape[-2:] == (d * (k - 1) + 1,) * 2, (
                "the dilated kernel spans d(k - 1) + 1 pixels"
            )
            ours = F.conv2d(x, big, padding=1)
            theirs = F.conv2d(x, w, padding=1, dilation=d)
            assert ours.shape == theirs.shape, "the same output size"
            assert torch.allclose(ours, theirs, atol=1e-10), (
                f"equals F.conv2d(dilation={d}) for k={k}"
            )
    w = torch.randn(1, 1, 3, 3, dtype=torch.float64, device=device)
    big = dilate_kernel(w, 2)
    print("3x3 kernel at dilation 2, dense size:", tuple(big.shape[-2:]))
    print("3x3 kernel at dilation 2, zero taps:", int((big == 0).sum()))


if __name__ == "__main__":
    main()
