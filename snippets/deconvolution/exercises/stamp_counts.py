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
    # BEGIN SOLUTION (starter: return torch.ones(size, size))
    u = torch.arange(size)
    i = torch.arange(n)
    offset = u[:, None] - s * i[None, :]  # where pixel u falls in stamp i
    along = ((offset >= 0) & (offset < k)).sum(1)  # stamps along one axis
    return along[:, None] * along[None, :]  # the 2-D count is their product
    # END SOLUTION


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
