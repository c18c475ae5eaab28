# stamp_counts.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/deconvolution/exercises/stamp_counts.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python stamp_counts_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "8cfe7a860e5a9d57664a2880ff27ef2666b72c24c9a9fa74ff51eb0acbe917df", "sources": {"snippets/deconvolution/exercises/stamp_counts.py": "debc7710beaaebfe0f6727c0600ad8ae40e910fda9b8f83608fadcc0f9d218b4"}}


# --- the exercise, with the solution removed: snippets/deconvolution/exercises/stamp_counts.py ---
"""Exercise: count how many kernel stamps of a transposed convolution cover each
output pixel; uneven counts are the structural checkerboard.

Odena, Dumoulin & Olah 2016, "Deconvolution and Checkerboard Artifacts",
Distill (section "Deconvolution & Overlap"): the overlap is uneven when the
kernel size is not divisible by the stride.
"""

import torch
import torch.nn.functional as F


def stamp_counts(k: int, s: int, n: int) -> torch.Tensor:
    """Stamps covering each pixel of ConvTranspose2d(k, stride s, padding 0)
    on an n x n input: a ((n - 1)s + k) x ((n - 1)s + k) integer tensor."""
    size = (n - 1) * s + k
    # TODO: your answer here (see the exercise on the page)
    return torch.ones(size, size)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    n = 6
    for k, s in ((3, 2), (4, 2), (5, 2), (6, 3), (5, 3), (3, 1)):
        ones = torch.ones(1, 1, n, n, dtype=torch.float64, device=device)
        kernel = torch.ones(1, 1, k, k, dtype=torch.float64, device=device)
        theirs = F.conv_transpose2d(ones, kernel, stride=s)[0, 0].cpu()
        ours = stamp_counts(k, s, n)
        assert ours.shape == theirs.shape, "the output size (n - 1)s + k"
        assert torch.equal(ours.double(), theirs), (
            f"equals conv_transpose2d of ones with ones, k={k}, s={s}"
        )
        inner = ours[k - 1 : (n - 1) * s + 1, k - 1 : (n - 1) * s + 1]
        ratio = (inner.max() / inner.min()).item()
        print(f"interior most / least covered, k={k}, s={s}: {ratio:g}")


if __name__ == "__main__":
    main()
