"""Exercise: the channel shuffle that lets stacked group convolutions mix.

Zhang et al. 2018, "ShuffleNet", Section 3.1: reshape the channels to
(g, n), transpose to (n, g) and flatten, so that the next grouped convolution
gets channels from every group. PyTorch has it as nn.ChannelShuffle.
"""

import torch
from torch import nn


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H, W), channels reordered across the groups."""
    # BEGIN SOLUTION (starter: return x.clone())
    n, c, h, w = x.shape
    x = x.view(n, groups, c // groups, h, w)  # (N, g, C/g, H, W)
    return x.transpose(1, 2).reshape(n, c, h, w)  # (N, C/g, g, ...) flat
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    order = torch.arange(6.0, device=device).view(1, 6, 1, 1)
    for g in (2, 3):
        shuffled = channel_shuffle(order, g).flatten().int().tolist()
        print(f"channels 0..5 shuffled in {g} groups: {shuffled}")
    for c, g in ((6, 2), (6, 3), (12, 4), (8, 8)):
        x = torch.randn(2, c, 3, 3, device=device)
        ours = channel_shuffle(x, g)
        assert ours.shape == x.shape, "the shape is unchanged"
        assert torch.equal(ours, nn.ChannelShuffle(g)(x)), (
            f"equals nn.ChannelShuffle({g}) on {c} channels"
        )

    # after the shuffle, output group 0 of a grouped conv sees every group
    g = 4  # 16 channels, 4 per group
    conv = nn.Conv2d(16, 16, 1, groups=g, bias=False).to(device)
    x = torch.randn(1, 16, 5, 5, device=device, requires_grad=True)
    conv(channel_shuffle(x, g))[:, :4].sum().backward()
    reached = (x.grad.abs().sum(dim=(0, 2, 3)) > 0).view(g, -1).any(1)
    print("input groups that reach output group 0:", int(reached.sum()))
    assert reached.all(), "every input group reaches output group 0"


if __name__ == "__main__":
    main()
