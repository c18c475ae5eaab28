# conv_matrix.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/deconvolution/exercises/conv_matrix.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python conv_matrix_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "567ae9d50e97b7fda9e52848e734dc288ca90dbf33d0cb2ceaf79f2bd379e81f", "sources": {"snippets/deconvolution/exercises/conv_matrix.py": "c96d6c030eafcb234e6bf1921e4fd80dc5d5c7b2863389f07be91fb6df871531"}}


# --- the exercise, with the solution removed: snippets/deconvolution/exercises/conv_matrix.py ---
"""Exercise: write a 1-D convolution as its matrix C; then C^T is the
transposed convolution with the same weights.

Dumoulin & Visin 2016, "A guide to convolution arithmetic", Chapter 4
(convolution as a matrix, the transposed convolution as C^T).
"""

import torch
import torch.nn.functional as F


def conv_matrix(w: torch.Tensor, n: int, stride: int, padding: int):
    """The (m, n) matrix C with C @ x == F.conv1d(x, w, stride, padding) for
    one channel: w is a 1-D kernel of length k, x has length n."""
    k = w.numel()
    m = (n + 2 * padding - k) // stride + 1
    # TODO: your answer here (see the exercise on the page)
    return w.new_zeros(m, n)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    for n, k, s, p in (
        (9, 3, 1, 1),
        (9, 3, 2, 0),
        (10, 4, 2, 1),
        (11, 5, 3, 2),
    ):
        w = torch.randn(k, **opts)
        c = conv_matrix(w, n, s, p)
        x = torch.randn(n, **opts)
        conv = F.conv1d(x.view(1, 1, -1), w.view(1, 1, -1), None, s, p)
        assert c.shape == (conv.numel(), n), "C is (output length, n)"
        assert torch.allclose(c @ x, conv.flatten()), "C @ x is the convolution"
        y = torch.randn(c.shape[0], **opts)
        extra = n - ((c.shape[0] - 1) * s - 2 * p + k)  # output_padding
        back = F.conv_transpose1d(
            y.view(1, 1, -1), w.view(1, 1, -1), None, s, p, extra
        )
        assert torch.allclose(c.T @ y, back.flatten()), (
            "C^T @ y is the transposed convolution"
        )
        rank = torch.linalg.matrix_rank(c).item()
        print(f"n={n}, k={k}, s={s}, p={p}: C is {tuple(c.shape)}, rank {rank}")


if __name__ == "__main__":
    main()
