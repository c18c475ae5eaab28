"""AlexNet's local response normalization, written from scratch, matches
nn.LocalResponseNorm once alpha is multiplied by the window size n.

Krizhevsky, Sutskever & Hinton 2012, NIPS, section 3.3: b_i = a_i / (k + alpha *
sum_j a_j^2)^beta over n = 5 neighbouring channels, k = 2, alpha = 1e-4, beta =
0.75. PyTorch (like Caffe) divides alpha by n.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:lrn]
def neighbour_sums(a: torch.Tensor, n: int = 5) -> torch.Tensor:
    """The summed squares of the n channels around each channel (fewer at
    the edges). a: (N, C, H, W)."""
    sq = F.pad(a.pow(2), (0, 0, 0, 0, n // 2, (n - 1) // 2))  # zero channels
    return sq.unfold(1, n, 1).sum(-1)  # (N, C, H, W)


def local_response_norm(
    a: torch.Tensor,
    n: int = 5,
    k: float = 2.0,
    alpha: float = 1e-4,
    beta: float = 0.75,
):
    """Section 3.3: each channel is divided by a power of the summed squares
    of the n channels around it."""
    return a / (k + alpha * neighbour_sums(a, n)) ** beta


# --8<-- [end:lrn]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    a = F.relu(50 * torch.randn(4, 96, 7, 7, device=device))  # ReLU maps
    # --8<-- [start:check]
    paper = nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0)
    torch.testing.assert_close(local_response_norm(a), paper(a))
    typed = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
    flat = torch.full((1, 5, 1, 1), 100.0, device=device)  # 5 equal maps
    ratio = typed(flat)[0, 2, 0, 0] / paper(flat)[0, 2, 0, 0]
    # --8<-- [end:check]
    expected = ((2 + 1e-4 * 5 * 100**2) / (2 + 1e-4 * 100**2)) ** 0.75
    torch.testing.assert_close(ratio.item(), expected)
    assert ratio > 1.5  # not a detail
    assert sum(p.numel() for p in paper.parameters()) == 0
    print(
        "from scratch == nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, "
        "k=2): True"
    )
    print(
        f"alpha=1e-4 typed into PyTorch, 5 maps of 100: output x "
        f"{ratio.item():.3f}"
    )
    print(
        f"parameters of the layer: {sum(p.numel() for p in paper.parameters())}"
    )


if __name__ == "__main__":
    main()
