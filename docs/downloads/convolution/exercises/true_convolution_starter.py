# true_convolution.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/convolution/exercises/true_convolution.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scipy --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python true_convolution_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "00b9557d26a8317a39fb34657211866d0eb19ae413ee6237e6f066aa1facfcea", "sources": {"snippets/convolution/exercises/true_convolution.py": "aec4ce041c282aace7978b7a57aad5c70d1461475b0ceabbacc687d1fc09e0b7"}}


# --- the exercise, with the solution removed: snippets/convolution/exercises/true_convolution.py ---
"""Exercise: compute the convolution of signal processing with F.conv2d.

F.conv2d computes a cross-correlation; the convolution flips the kernel first
(Goodfellow et al. 2016, "Deep Learning", Section 9.1). SciPy's convolve2d is
the flipped one, so a filter ported from SciPy needs the flip.
"""

import numpy as np
import torch
import torch.nn.functional as F
from scipy.signal import convolve2d


def xcorr(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """F.conv2d on one (H, W) image and one kernel: a cross-correlation."""
    return F.conv2d(image[None, None], kernel[None, None])[0, 0]


def convolve(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """The 'valid' 2-D convolution of an (H, W) image with a (kh, kw) kernel."""
    # TODO: your answer here (see the exercise on the page)
    return xcorr(image, kernel)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    image = torch.randn(9, 11, dtype=torch.float64, device=device)
    kernels = {
        "sobel-x": torch.tensor(
            [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]
        ),
        "random 3x5": torch.randn(3, 5),
    }
    for name, kernel in kernels.items():
        kernel = kernel.to(device, torch.float64)
        ours = convolve(image, kernel)
        scipy = convolve2d(
            image.cpu().numpy(), kernel.cpu().numpy(), mode="valid"
        )
        theirs = torch.from_numpy(np.ascontiguousarray(scipy)).to(device)
        assert ours.shape == theirs.shape, "the 'valid' output size"
        gap = (ours - theirs).abs().max().item()
        assert gap < 1e-12, f"{name}: equals scipy.signal.convolve2d"
        plain = (xcorr(image, kernel) - theirs).abs().max().item()
        print(f"{name}, max |F.conv2d - scipy convolve2d|: {plain:.2f}")
        print(f"{name}, ours equals scipy convolve2d: {gap < 1e-12}")


if __name__ == "__main__":
    main()
