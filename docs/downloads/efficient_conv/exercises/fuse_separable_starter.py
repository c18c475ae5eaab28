# fuse_separable.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/efficient_conv/exercises/fuse_separable.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python fuse_separable_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "dcd8fab8ab41dbd4b4bfe9333da2d46590e0a2a730072ee822bebc956ff3a245", "sources": {"snippets/efficient_conv/exercises/fuse_separable.py": "a0e6ac771fd6355679b8984fdbef356517d3694aea53bc7e26f198f566a720cd"}}


# --- the exercise, with the solution removed: snippets/efficient_conv/exercises/fuse_separable.py ---
"""Exercise: a depthwise-separable layer is a dense convolution whose kernel is
constrained: W[n, m] = P[n, m] * D[m], one k x k shape per input channel.

Howard et al. 2017, "MobileNets", Section 3.1 (the depthwise and the pointwise
step, and their cost); the composition of two linear layers is one linear
layer. Fusing shows what the factorization gives up.
"""

import torch
import torch.nn.functional as F
from torch import nn


def fuse(depthwise: torch.Tensor, pointwise: torch.Tensor) -> torch.Tensor:
    """(M, 1, k, k) depthwise and (N, M, 1, 1) pointwise weights -> the
    (N, M, k, k) kernel of the one dense convolution that computes both."""
    # TODO: your answer here (see the exercise on the page)
    return pointwise.expand(-1, -1, 3, 3).clone()


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    m, n, k = 16, 32, 3
    dw = nn.Conv2d(m, m, k, padding=1, groups=m, bias=False).to(device)
    pw = nn.Conv2d(m, n, 1, bias=False).to(device)
    x = torch.randn(2, m, 10, 10, device=device)
    w = fuse(dw.weight, pw.weight)
    assert w.shape == (n, m, k, k), "the dense kernel is (N, M, k, k)"
    theirs = pw(dw(x))
    ours = F.conv2d(x, w, padding=1)
    assert torch.allclose(ours, theirs, atol=1e-5), (
        "one dense convolution equals depthwise then pointwise"
    )
    dense = sum(p.numel() for p in nn.Conv2d(m, n, k, bias=False).parameters())
    separable = dw.weight.numel() + pw.weight.numel()
    print(f"Conv2d({m}, {n}, {k}) weights: {dense}")
    print(f"depthwise {k}x{k} + pointwise weights: {separable}")
    # the N kernels an input channel gets are multiples of one k x k shape
    shapes = w.permute(1, 0, 2, 3).reshape(m, n, k * k)
    ranks = torch.linalg.matrix_rank(shapes).tolist()
    print("rank of each input channel's (outputs x taps) matrix:", max(ranks))
    assert max(ranks) == 1, "every input channel has one spatial kernel"


if __name__ == "__main__":
    main()
