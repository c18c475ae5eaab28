"""At 256 channels a bottleneck block costs ~17x less than a basic block.

He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition",
CVPR, Section 4.1, "Deeper Bottleneck Architectures", Fig. 5 (a basic block
at 64-d and a bottleneck block at 256-d have similar time complexity).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:blocks]
def conv_bn(c_in: int, c_out: int, k: int) -> list[nn.Module]:
    return [
        nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False),
        nn.BatchNorm2d(c_out),
    ]


def basic_branch(c: int) -> nn.Sequential:  # 3x3, 3x3 at c channels
    return nn.Sequential(*conv_bn(c, c, 3), nn.ReLU(), *conv_bn(c, c, 3))


def bottleneck_branch(c: int) -> nn.Sequential:  # 1x1 c -> c/4, 3x3, 1x1
    m = c // 4
    return nn.Sequential(
        *conv_bn(c, m, 1),
        nn.ReLU(),
        *conv_bn(m, m, 3),
        nn.ReLU(),
        *conv_bn(m, c, 1),
    )


# --8<-- [end:blocks]


# --8<-- [start:count]
def count(branch: nn.Module, c: int, size: int) -> tuple[int, int]:
    """Parameters, and conv multiply-adds from each conv's output shape."""
    macs = []

    def hook(conv, inputs, out):  # one MAC per weight
        k = conv.kernel_size[0] * conv.kernel_size[1]  # per output position
        macs.append(out[0].numel() * conv.in_channels * k)

    for conv in branch.modules():
        if isinstance(conv, nn.Conv2d):
            conv.register_forward_hook(hook)
    params = sum(p.numel() for p in branch.parameters())
    branch.to("meta")(torch.empty(1, c, size, size, device="meta"))  # shapes
    return params, sum(macs)  # only, no math


# --8<-- [end:count]


def main() -> None:
    torch.manual_seed(SEED)
    C, HW = 256, 56  # conv2_x of ResNet-50: 56x56 maps
    p_basic, m_basic = count(basic_branch(C), C, HW)
    p_bottle, m_bottle = count(bottleneck_branch(C), C, HW)
    p_basic64, m_basic64 = count(basic_branch(64), 64, HW)
    # --8<-- [start:closed_form]
    m = C // 4
    assert p_basic == 2 * 9 * C * C + 2 * (2 * C)  # convs + BN gamma, beta
    assert p_bottle == C * m + 9 * m * m + m * C + 2 * (m + m + C)
    assert m_basic == 2 * 9 * C * C * HW * HW
    assert m_bottle == (C * m + 9 * m * m + m * C) * HW * HW
    # --8<-- [end:closed_form]
    assert p_bottle < p_basic and m_bottle < m_basic  # bottleneck is cheaper
    assert 0.9 < m_bottle / m_basic64 < 1.0  # Fig. 5: similar time complexity
    proj = C * C  # a 1x1 projection shortcut 256->256
    print(
        f"basic block, 256 channels: {p_basic:,} parameters, "
        f"{m_basic / 1e9:.2f} GMACs at 56x56"
    )
    print(
        f"bottleneck block, 256 channels: {p_bottle:,} parameters, "
        f"{m_bottle / 1e9:.3f} GMACs at 56x56"
    )
    print(f"basic / bottleneck multiply-adds: {m_basic / m_bottle:.1f}")
    print(
        f"basic block, 64 channels (Fig. 5 left): {p_basic64:,} parameters, "
        f"{m_basic64 / 1e9:.3f} GMACs at 56x56"
    )
    print(
        f"a 256->256 projection shortcut adds: {proj:,} weights "
        f"({proj / (p_bottle - 2 * (m + m + C)):.2f} of the bottleneck's)"
    )


if __name__ == "__main__":
    main()
