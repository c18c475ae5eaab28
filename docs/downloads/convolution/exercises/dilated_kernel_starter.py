# dilated_kernel.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/convolution/exercises/dilated_kernel.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python dilated_kernel_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "80730bbb0f01c859050f90d678c798cdd15de43f1818064431c3c63e4b1678f3", "sources": {"snippets/convolution/exercises/dilated_kernel.py": "4af67f33480fc627847dfc4337a45d71d1fc29e92dd354032baccaf4b06d72ba"}}


# --- the exercise, with the solution removed: snippets/convolution/exercises/dilated_kernel.py ---
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
    # TODO: your answer here (see the exercise on the page)
    return w.clone()


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
