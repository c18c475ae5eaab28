"""ShuffleNet V2's first two guidelines, counted on real layers: at a fixed
number of multiply-adds, a 1x1 convolution reads and writes the fewest values
when its input and output widths are equal (G1), and more groups make it read
and write more (G2).

Ma, Zhang, Zheng & Sun 2018, "ShuffleNet V2: Practical Guidelines for
Efficient CNN Architecture Design", ECCV, Section 2 (G1 with its bound, G2;
Tables 1 and 2 time them on a GPU and an ARM CPU).
"""

import math

import torch
from torch import nn

from separable_cost import best_ms, count_mult_adds  # same folder

H = W = 28  # the feature map


# --8<-- [start:mac]
def memory_access_cost(conv: nn.Conv2d, h: int, w: int) -> int:
    """Values a 1x1 convolution reads (input, weights) and writes (output),
    counted from the tensors themselves; ShuffleNet V2 calls it MAC."""
    x = torch.zeros(1, conv.in_channels, h, w, device=conv.weight.device)
    with torch.no_grad():
        y = conv(x)
    return x.numel() + conv.weight.numel() + y.numel()


# --8<-- [end:mac]


def conv1x1(c1: int, c2: int, groups: int = 1) -> nn.Conv2d:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return nn.Conv2d(c1, c2, 1, groups=groups, bias=False).to(device)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = lambda c: torch.randn(1, c, H, W, device=device)
    # --8<-- [start:g1]
    # G1: every (c1, c2) below costs the same B = h w c1 c2 multiply-adds
    widths = [(256, 256), (128, 512), (64, 1024), (32, 2048)]
    convs = [conv1x1(c1, c2) for c1, c2 in widths]
    b = count_mult_adds(convs[0], x(widths[0][0]))
    mac = [memory_access_cost(c, H, W) for c in convs]
    for (c1, c2), conv, m in zip(widths, convs, mac):
        assert count_mult_adds(conv, x(c1)) == b, "the same multiply-adds"
        assert m == H * W * (c1 + c2) + c1 * c2, "MAC = hw(c1 + c2) + c1 c2"
    bound = 2 * math.sqrt(H * W * b) + b / (H * W)  # by AM-GM
    assert mac[0] == bound and mac == sorted(mac), (
        "equal widths reach the lower bound, and MAC grows with c2 / c1"
    )
    # --8<-- [end:g1]
    # --8<-- [start:g2]
    # G2: the input fixed (c1 = 256), c2 grows with g so B stays the same
    groups = [1, 2, 4, 8]
    grouped = [conv1x1(256, 256 * g, g) for g in groups]
    mac_g = [memory_access_cost(c, H, W) for c in grouped]
    assert all(count_mult_adds(c, x(256)) == b for c in grouped)
    assert mac_g == sorted(set(mac_g)), "more groups, more memory access"
    # --8<-- [end:g2]
    print(f"multiply-adds of every layer below: {b:,}")
    print(f"lower bound on MAC at these multiply-adds: {bound:,.0f}")
    for (c1, c2), conv, m in zip(widths, convs, mac):
        ms = best_ms(conv, x(c1), repeats=20)
        print(f"c1:c2 = 1:{c2 // c1} ({c1} -> {c2}), MAC: {m:,}")
        print(f"c1:c2 = 1:{c2 // c1}, time, wall clock (ms): {ms:.2f}")
    for g, conv, m in zip(groups, grouped, mac_g):
        ms = best_ms(conv, x(256), repeats=20)
        print(f"groups = {g} (256 -> {256 * g}), MAC: {m:,}")
        print(f"groups = {g}, time, wall clock (ms): {ms:.2f}")


if __name__ == "__main__":
    main()
