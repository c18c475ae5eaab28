"""He et al.'s CIFAR-10 ResNets are one recipe with one knob: n blocks per
stage give 6n + 2 weighted layers, and the parameter counts of Table 6
follow from the recipe alone (0.27M for ResNet-20 to 19.4M for ResNet-1202).

He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition",
CVPR, Section 4.2 (a 3x3 conv, then 3 stages of 2n 3x3 layers with 16, 32
and 64 filters on 32x32, 16x16 and 8x8 maps, subsampling by stride 2, global
average pooling and a 10-way fully connected layer; identity shortcuts,
option A, everywhere) and Table 6 (depths and parameter counts).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
TABLE_6 = {20: 0.27, 32: 0.46, 44: 0.66, 56: 0.85, 110: 1.7, 1202: 19.4}


# --8<-- [start:recipe]
class Block(nn.Module):
    """Two 3x3 conv-BN layers and an option A shortcut (no parameters)."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.extra = c_out - c_in  # channels the shortcut pads with zeros

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        if self.extra:  # option A: subsample, then zero-pad the channels
            x = F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, 0, self.extra))
        return F.relu(x + h)


def cifar_resnet(n: int) -> nn.Sequential:
    """6n + 2 weighted layers: 1 conv, 3 stages of n blocks, 1 fc."""
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16)]
    layers.append(nn.ReLU())
    c_in = 16
    for stage, c in enumerate((16, 32, 64)):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1  # 32 -> 16 -> 8
            layers.append(Block(c_in, c, stride))
            c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


# --8<-- [end:recipe]


def weighted_layers(model: nn.Module) -> int:
    return sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in model.modules())


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    resnet20 = cifar_resnet(3).to(device)
    x = torch.randn(2, 3, 32, 32, device=device)  # a CIFAR-sized batch
    sizes = []
    h = x
    for layer in resnet20:
        h = layer(h)
        if isinstance(layer, Block) and h.shape[-1] not in sizes:
            sizes.append(h.shape[-1])
    # --8<-- [start:check]
    print("depth  n    weighted layers  parameters  Table 6")
    for depth, paper in TABLE_6.items():
        n = (depth - 2) // 6
        with torch.device("meta"):  # shapes only: ResNet-1202 in no time
            model = cifar_resnet(n)
        params = sum(p.numel() for p in model.parameters())
        layers = weighted_layers(model)
        print(f"{depth:5d}  {n:3d}  {layers:15d}  {params:10,d}  {paper}M")
        assert layers == 6 * n + 2 == depth, "6n + 2 weighted layers"
        digits = 1 if paper >= 1 else 2  # Table 6 rounds to these digits
        assert round(params / 1e6, digits) == paper, (
            f"Table 6's parameter count for ResNet-{depth}: {params}"
        )
    # --8<-- [end:check]
    assert h.shape == (2, 10), h.shape
    assert sizes == [32, 16, 8], sizes
    print(f"ResNet-20 on a 32x32 batch: output {tuple(h.shape)}")
    print(f"feature map sizes of the three stages: {sizes}")


if __name__ == "__main__":
    main()
