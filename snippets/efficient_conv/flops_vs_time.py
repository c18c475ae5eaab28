"""A depthwise conv takes more time per multiply-add than a dense conv.

Ma, Zhang, Zheng & Sun 2018, "ShuffleNet V2: Practical Guidelines for
Efficient CNN Architecture Design", ECCV, Sections 1 and 2 (FLOPs are an
indirect metric of speed; memory access cost and parallelism matter too).
"""

import os

import torch
from torch import nn

from separable_cost import best_ms, count_mult_adds  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:intensity]
def intensity(conv: nn.Conv2d, x: torch.Tensor) -> float:
    """Multiply-adds per value read or written (input, weights, output)."""
    with torch.no_grad():
        out = conv(x[:1])
    moved = x[:1].numel() + conv.weight.numel() + out.numel()
    return count_mult_adds(conv, x) / moved


# --8<-- [end:intensity]


def main() -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    C = 32
    # large enough that the arithmetic, not the fixed cost of a call, is timed
    x = torch.randn(8, C, 32, 32, device=device)  # (N, C, H, W)
    # --8<-- [start:measure]
    convs = {
        "dense 3x3": nn.Conv2d(C, C, 3, padding=1, bias=False),
        "depthwise 3x3": nn.Conv2d(C, C, 3, padding=1, groups=C, bias=False),
        "pointwise 1x1": nn.Conv2d(C, C, 1, bias=False),
    }
    macs = {
        k: count_mult_adds(m.to(device), x) * len(x) for k, m in convs.items()
    }
    ms = {k: float("inf") for k in convs}
    for _ in range(9):  # interleaved rounds: all see the same load
        for k, m in convs.items():
            ms[k] = min(ms[k], best_ms(m, x, repeats=9))
    ps_per_mac = {k: 1e9 * ms[k] / macs[k] for k in convs}  # picoseconds
    # --8<-- [end:measure]
    for k in convs:
        print(
            f"{k} multiply-adds per value moved: {intensity(convs[k], x):.1f}"
        )
    # timings of this CPU: "wall clock" lines are never compared with a record
    for k in convs:
        print(
            f"{k} time per multiply-add, wall clock (ps): {ps_per_mac[k]:.0f}"
        )
    # how many times more depends on the CPU's kernels (under 2 on some), so
    # only "more" is asserted, which holds on all of them
    per_mac_dw = ps_per_mac["depthwise 3x3"]
    assert per_mac_dw > ps_per_mac["dense 3x3"], (
        f"depthwise takes longer per multiply-add than dense 3x3 {ps_per_mac}"
    )
    assert per_mac_dw > ps_per_mac["pointwise 1x1"], (
        "depthwise takes longer per multiply-add than pointwise 1x1 "
        f"{ps_per_mac}"
    )

    # in a separable block (depthwise then pointwise), where does the time go?
    dw, pw = "depthwise 3x3", "pointwise 1x1"
    share_macs = macs[dw] / (macs[dw] + macs[pw])
    share_time = ms[dw] / (ms[dw] + ms[pw])
    assert share_time > share_macs, (
        "depthwise share of time exceeds its share of multiply-adds "
        f"{share_time}"
    )
    print(f"depthwise share of the block's multiply-adds: {share_macs:.2f}")
    print(f"depthwise share of the block's time, wall clock: {share_time:.2f}")


if __name__ == "__main__":
    main()
