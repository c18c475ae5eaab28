"""Conv2d refuses channel counts that groups does not divide, at build time.

PyTorch documentation of torch.nn.Conv2d (argument `groups`); Zhang, Zhou,
Lin & Sun 2018, "ShuffleNet", CVPR, Table 1 (output channels chosen per
number of groups, so that the groups divide them).
"""

import math
import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:errors]
def build_error(c_in: int, c_out: int, groups: int) -> str:
    try:
        nn.Conv2d(c_in, c_out, 3, groups=groups)
    except ValueError as error:
        return str(error)
    return "no error"


# --8<-- [end:errors]


# --8<-- [start:fix]
def usable_groups(c_in: int, c_out: int, wanted: int) -> int:
    """The largest group count <= wanted that divides both channel counts."""
    common = math.gcd(c_in, c_out)
    return max(g for g in range(1, wanted + 1) if common % g == 0)


# --8<-- [end:fix]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    msg_in, msg_out = build_error(6, 8, 4), build_error(8, 6, 4)
    assert msg_in == "in_channels must be divisible by groups"
    assert msg_out == "out_channels must be divisible by groups"
    assert build_error(8, 12, 4) == "no error"
    print(f"Conv2d(6, 8, 3, groups=4): {msg_in}")
    print(f"Conv2d(8, 6, 3, groups=4): {msg_out}")
    print(f"Conv2d(8, 12, 3, groups=4): {build_error(8, 12, 4)}")

    g = usable_groups(24, 36, wanted=8)
    assert 24 % g == 0 and 36 % g == 0
    conv = nn.Conv2d(24, 36, 3, groups=g).to(device)
    y = conv(torch.randn(1, 24, 6, 6, device=device))
    assert y.shape == (1, 36, 4, 4)
    print(f"usable groups for 24 -> 36 channels, wanted 8: {g}")


if __name__ == "__main__":
    main()
