"""Pooling with ceil_mode=True: the output size is the ceiling of the usual
formula, except that a last window that would start in the right padding is
dropped. A plain ceiling gets some settings wrong.

PyTorch documentation, nn.MaxPool2d and nn.AvgPool2d (ceil_mode: "Sliding
windows are allowed to go off-bounds if they start within the left padding or
the input. Sliding windows that would start in the right padded region are
ignored.").
"""

import itertools
import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:rule]
def plain_ceiling(h: int, k: int, s: int, p: int) -> int:
    return -(-(h + 2 * p - k) // s) + 1  # ceil instead of floor


def ceil_mode_size(h: int, k: int, s: int, p: int) -> int:
    out = plain_ceiling(h, k, s, p)
    if (out - 1) * s >= h + p:  # the last window starts in the right padding
        out -= 1
    return out


# --8<-- [end:rule]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:check]
    settings = [
        (h, k, s, p)
        for h, k, s, p in itertools.product(
            range(1, 12), range(1, 5), range(1, 4), range(3)
        )
        if p <= k // 2 and h + 2 * p >= k  # windows fit the padded input
    ]
    for h, k, s, p in settings:
        x = torch.randn(1, 1, h, h, device=device)
        for pool in (nn.MaxPool2d, nn.AvgPool2d):
            size = pool(k, stride=s, padding=p, ceil_mode=True)(x).shape[-1]
            assert size == ceil_mode_size(h, k, s, p), (
                f"the rule gives the size of {pool.__name__} {h, k, s, p}"
            )
    wrong = [st for st in settings if ceil_mode_size(*st) != plain_ceiling(*st)]
    # --8<-- [end:check]
    assert wrong, "a plain ceiling gets some settings wrong"
    print(f"settings tried: {len(settings)}")
    print("rule == nn.MaxPool2d and nn.AvgPool2d with ceil_mode=True: True")
    print(f"settings a plain ceiling gets wrong: {len(wrong)}")
    h, k, s, p = next(st for st in wrong if st[0] >= 5 and st[1] >= 2)
    print(
        f"one of them, H={h} k={k} s={s} p={p}: plain ceiling "
        f"{plain_ceiling(h, k, s, p)}, PyTorch {ceil_mode_size(h, k, s, p)}"
    )


if __name__ == "__main__":
    main()
