"""Grouped convs without a channel shuffle: output group 0 never sees group 1.

Zhang, Zhou, Lin & Sun 2018, "ShuffleNet: An Extremely Efficient
Convolutional Neural Network for Mobile Devices", CVPR, Section 3.1 (channel
shuffle for group convolutions, Fig. 1).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:shuffle]
def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """(N, g*n, H, W) -> reshape (N, g, n) -> transpose -> flatten."""
    n, c, h, w = x.shape
    x = x.view(n, groups, c // groups, h, w).transpose(1, 2)
    return x.reshape(n, c, h, w)


class TwoGroupConvs(nn.Module):
    def __init__(self, channels: int, groups: int, shuffle: bool):
        super().__init__()
        self.groups, self.shuffle = groups, shuffle
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, groups=groups)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, groups=groups)

    def forward(self, x):
        h = torch.relu(self.conv1(x))
        if self.shuffle:
            h = channel_shuffle(h, self.groups)  # mix the groups
        return self.conv2(h)


# --8<-- [end:shuffle]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    C, G = 8, 2
    x = torch.randn(2, C, 6, 6, device=device)
    # --8<-- [start:check]
    for shuffle in (False, True):
        net = TwoGroupConvs(C, G, shuffle).to(device)
        x_in = x.clone().requires_grad_(True)
        out_group0 = net(x_in)[:, : C // G]  # first output group
        (grad,) = torch.autograd.grad(out_group0.square().sum(), x_in)
        reach = grad[:, C // G :].abs().max().item()  # from input group 1
        seen = int((grad.abs().sum(dim=(0, 2, 3)) > 0).sum())
        if shuffle:
            assert reach > 0 and seen == C  # the groups now mix
        else:
            assert reach == 0.0 and seen == C // G  # exactly zero
        print(
            f"shuffle={shuffle}: gradient from input group 1 is zero: "
            f"{reach == 0.0}"
        )
        print(
            f"shuffle={shuffle}: input channels output group 0 sees: "
            f"{seen} of {C}"
        )
    # --8<-- [end:check]


if __name__ == "__main__":
    main()
