"""A grouped conv is G convs on channel slices, concatenated, with 1/G weights.

Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep
Convolutional Neural Networks", NIPS, Sections 3.2 and 3.5 (layers 2, 4 and 5
see only the maps on their own GPU: two groups). Xie, Girshick, Dollar, Tu &
He 2017, "Aggregated Residual Transformations for Deep Neural Networks"
(ResNeXt), CVPR, Section 3.3 and Fig. 3 (a sum of C paths equals one block
with a grouped convolution).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:split]
def grouped_by_hand(x: torch.Tensor, conv: nn.Conv2d) -> torch.Tensor:
    """G ordinary convolutions, each on its own slice of the channels."""
    g = conv.groups
    xs = x.chunk(g, dim=1)  # G tensors (N, C_in/G, H, W)
    ws = conv.weight.chunk(g, dim=0)  # G kernels (C_out/G, C_in/G, k, k)
    bs = conv.bias.chunk(g, dim=0)  # G biases (C_out/G,)
    ys = [
        F.conv2d(xi, wi, bi, conv.stride, conv.padding)
        for xi, wi, bi in zip(xs, ws, bs)
    ]
    return torch.cat(ys, dim=1)  # (N, C_out, H', W')


# --8<-- [end:split]


# --8<-- [start:resnext]
def resnext_paths(x, w_in, w_mid, w_out, cardinality):
    """Fig. 3(a): the sum of C separate paths 1x1 -> 3x3 -> 1x1."""
    total = 0
    paths = zip(
        w_in.chunk(cardinality, 0),  # C kernels (d, C_in, 1, 1)
        w_mid.chunk(cardinality, 0),  # C kernels (d, d, 3, 3)
        w_out.chunk(cardinality, 1),  # C kernels (C_in, d, 1, 1)
    )
    for a, b, c in paths:
        h = F.relu(F.conv2d(x, a))
        h = F.relu(F.conv2d(h, b, padding=1))
        total = total + F.conv2d(h, c)
    return total


def resnext_grouped(x, w_in, w_mid, w_out, cardinality):
    """Fig. 3(c): one wide 1x1, one grouped 3x3, one wide 1x1."""
    h = F.relu(F.conv2d(x, w_in))  # (N, C*d, H, W)
    h = F.relu(F.conv2d(h, w_mid, padding=1, groups=cardinality))
    return F.conv2d(h, w_out)  # (N, C_in, H, W)


# --8<-- [end:resnext]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 16, 10, 10, device=device)  # (N, C, H, W)

    # --8<-- [start:check]
    dense = nn.Conv2d(16, 32, 3, padding=1).to(device)
    n_dense = dense.weight.numel()
    for g in (1, 2, 4, 16):
        conv = nn.Conv2d(16, 32, 3, padding=1, groups=g).to(device)
        torch.testing.assert_close(conv(x), grouped_by_hand(x, conv))
        assert conv.weight.shape == (32, 16 // g, 3, 3)
        assert conv.weight.numel() * g == n_dense  # weights / G
        print(f"groups={g} weights: {conv.weight.numel()}")
    # --8<-- [end:check]
    print("grouped conv equals G convs on slices, concatenated: True")

    # ResNeXt Fig. 3, scaled down: 64 channels, cardinality 8, width 4
    cin, card, d = 64, 8, 4
    w_in = torch.randn(card * d, cin, 1, 1, device=device) / cin**0.5
    w_mid = torch.randn(card * d, d, 3, 3, device=device) / (9 * d) ** 0.5
    w_out = torch.randn(cin, card * d, 1, 1, device=device) / (card * d) ** 0.5
    x = torch.randn(2, cin, 8, 8, device=device)
    paths = resnext_paths(x, w_in, w_mid, w_out, card)
    grouped = resnext_grouped(x, w_in, w_mid, w_out, card)
    # assert_close's float32 tolerances
    assert torch.allclose(paths, grouped, rtol=1.3e-6, atol=1e-5), (
        "the sum of paths equals the grouped form"
    )
    print(
        "ResNeXt Fig. 3(a) sum of 8 paths equals Fig. 3(c) grouped form: True"
    )
    n_block = w_in.numel() + w_mid.numel() + w_out.numel()
    print(f"ResNeXt block weights (64 ch, 8 paths of width 4): {n_block}")


if __name__ == "__main__":
    main()
