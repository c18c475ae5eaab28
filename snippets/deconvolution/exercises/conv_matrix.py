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
    # BEGIN SOLUTION (starter: return w.new_zeros(m, n))
    c = w.new_zeros(m, n)
    for row in range(m):
        for a in range(k):
            col = row * stride - padding + a  # input under kernel tap a
            if 0 <= col < n:  # taps on the zero padding drop out
                c[row, col] = w[a]
    return c
    # END SOLUTION


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
