"""A transposed convolution with the same weights does not undo the convolution:
convT(conv(x)) != x.

Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks",
Section 2.1 (the "deconvnet" uses transposed filters, an approximation);
Dumoulin & Visin 2016, Chapter 4.
"""

import os
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float64
    # --8<-- [start:roundtrip]
    w = torch.randn(1, 1, 3, 3, device=device, dtype=dtype)  # one 3x3 filter
    x = torch.randn(1, 1, 9, 9, device=device, dtype=dtype)  # 81 pixels
    y = F.conv2d(x, w, stride=2, padding=1)  # 25 numbers
    back = F.conv_transpose2d(y, w, stride=2, padding=1)  # 81 pixels again
    assert back.shape == x.shape  # the shape comes back ...

    # ... the values do not, even after the best possible rescaling of `back`
    scale = (back * x).sum() / (back * back).sum()  # least-squares scale
    rel_err = ((scale * back - x).norm() / x.norm()).item()
    assert rel_err > 0.5, rel_err
    # --8<-- [end:roundtrip]

    # --8<-- [start:rank]
    # no linear map can invert it: the conv matrix is 25 x 81, so its rank is
    # at most 25
    basis = torch.eye(81, device=device, dtype=dtype).view(81, 1, 9, 9)
    C = F.conv2d(basis, w, stride=2, padding=1).reshape(81, 25).T  # (25, 81)
    rank = torch.linalg.matrix_rank(C).item()
    assert rank <= 25 < 81
    # even a stride-1 conv (square matrix) has C.T @ C != I for a generic filter
    w1 = torch.randn(1, 1, 3, 3, device=device, dtype=dtype)
    y1 = F.conv2d(x, w1, padding=1)
    back1 = F.conv_transpose2d(y1, w1, padding=1)
    scale1 = (back1 * x).sum() / (back1 * back1).sum()
    rel_err1 = ((scale1 * back1 - x).norm() / x.norm()).item()
    assert rel_err1 > 0.2, rel_err1
    # --8<-- [end:rank]

    print(
        f"stride-2 relative error of convT(conv(x)) after best rescaling: "
        f"{rel_err:.3f}"
    )
    print(f"stride-2 rank of the 25x81 conv matrix: {rank}")
    print(
        f"stride-1 relative error of convT(conv(x)) after best rescaling: "
        f"{rel_err1:.3f}"
    )


if __name__ == "__main__":
    main()
