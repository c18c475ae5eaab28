"""Three stacked 3x3 convolutions see a 7x7 input window, like one 7x7
convolution, with 27C^2 instead of 49C^2 weights and three ReLUs instead of one.

Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR, section 2.3: two 3x3 layers have an effective
receptive field of 5x5, three of 7x7; 3(3^2 C^2) = 27C^2 weights against 7^2 C^2
= 49C^2, "i.e. 81% more".
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
C = 64


def stack(n_layers: int, k: int = 3) -> nn.Sequential:
    """n_layers k x k convolutions C -> C, no padding, ReLU after each."""
    layers = []
    for _ in range(n_layers):
        layers += [nn.Conv2d(C, C, k, bias=False), nn.ReLU()]
    return nn.Sequential(*layers)


# --8<-- [start:rf]
def receptive_field(net: nn.Module, size: int = 15) -> tuple[int, int]:
    """Backpropagate from the centre output unit of channel 0; the input
    pixels with a nonzero gradient are the unit's receptive field."""
    x = torch.rand(1, C, size, size, requires_grad=True)  # positive input
    y = net(x)  # (1, C, h, w)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    seen = x.grad[0].abs().sum(0) > 0  # (size, size)
    return (seen.any(1).sum().item(), seen.any(0).sum().item())


# --8<-- [end:rf]


def n_weights(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def main() -> None:
    torch.manual_seed(SEED)
    nets = {
        "two 3x3": stack(2),
        "one 5x5": stack(1, 5),
        "three 3x3": stack(3),
        "one 7x7": stack(1, 7),
    }
    with torch.no_grad():  # positive weights: every ReLU
        for net in nets.values():  # is active, no gradient is 0
            for p in net.parameters():  # inside the window by accident
                p.abs_()
    # --8<-- [start:check]
    rf = {name: receptive_field(net) for name, net in nets.items()}
    assert rf["two 3x3"] == rf["one 5x5"] == (5, 5)
    assert rf["three 3x3"] == rf["one 7x7"] == (7, 7)
    assert n_weights(nets["three 3x3"]) == 27 * C * C  # 3 (3^2 C^2)
    assert n_weights(nets["one 7x7"]) == 49 * C * C  # 7^2 C^2
    # --8<-- [end:check]
    relus = {
        n: sum(isinstance(m, nn.ReLU) for m in net.modules())
        for n, net in nets.items()
    }
    assert relus["three 3x3"] == 3 and relus["one 7x7"] == 1
    for name, net in nets.items():
        print(
            f"{name}: receptive field {rf[name][0]}x{rf[name][1]}, "
            f"weights {n_weights(net):,} (C={C}), ReLUs {relus[name]}"
        )
    extra = n_weights(nets["one 7x7"]) / n_weights(nets["three 3x3"]) - 1
    print(f"extra weights of one 7x7 over three 3x3: {extra:.0%}")


if __name__ == "__main__":
    main()
