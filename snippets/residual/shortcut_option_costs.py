"""Projection shortcuts everywhere (option C) give ResNet-34 thirteen more
projections than option B and 4% more parameters, for Table 3's smallest gain.

He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition",
CVPR, Section 4.1, "Identity vs. Projection Shortcuts" (options A, B, C;
Table 3: top-1 error 25.03, 24.52, 24.19; C's gain attributed "to the extra
parameters introduced by many (thirteen) projection shortcuts") and Table 1
(the 34-layer network: stages of 3, 4, 6, 3 basic blocks).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
TORCHVISION_RESNET34 = 21_797_672  # num_params in torchvision's docs (option B)


# --8<-- [start:options]
class Block(nn.Module):
    """A basic block whose shortcut follows option "A", "B" or "C"."""

    def __init__(self, c_in: int, c_out: int, stride: int, option: str):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        changes = stride != 1 or c_in != c_out
        project = option == "C" or (option == "B" and changes)
        self.proj = None
        if project:  # a 1x1 convolution and BN on the shortcut
            self.proj = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                nn.BatchNorm2d(c_out),
            )
        self.stride, self.extra = stride, c_out - c_in

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        if self.proj is not None:
            x = self.proj(x)
        elif self.extra:  # option A: subsample, zero-pad the new channels
            x = F.pad(
                x[:, :, :: self.stride, :: self.stride],
                (0,) * 4 + (0, self.extra),
            )
        return F.relu(x + h)


def resnet34(option: str) -> nn.Sequential:
    """Table 1's 34-layer network with the given shortcut option."""
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)]
    layers += [nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    c_in = 64
    for c, blocks in zip((64, 128, 256, 512), (3, 4, 6, 3)):
        for i in range(blocks):
            stride = 2 if c != 64 and i == 0 else 1
            layers.append(Block(c_in, c, stride, option))
            c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000)]
    return nn.Sequential(*layers)


# --8<-- [end:options]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:check]
    params, projections = {}, {}
    for option in "ABC":
        with torch.device("meta"):  # shapes only, no memory or init cost
            model = resnet34(option)
        params[option] = sum(p.numel() for p in model.parameters())
        projections[option] = sum(
            isinstance(m, Block) and m.proj is not None for m in model.modules()
        )
    assert params["B"] == TORCHVISION_RESNET34, (
        f"option B is torchvision's ResNet-34: {params}"
    )
    assert projections["C"] - projections["B"] == 13, (
        "thirteen more projections"
    )
    extra = params["C"] / params["B"] - 1
    assert 0.03 < extra < 0.05, f"option C adds about 4% parameters: {extra}"
    # --8<-- [end:check]
    x = torch.randn(2, 64, 16, 16, device=device)  # a real forward pass
    for option in "ABC":  # a block where the shape changes: 64 -> 128 channels
        block = Block(64, 128, 2, option).to(device)
        assert block(x).shape == (2, 128, 8, 8), option
    for option in "ABC":
        print(
            f"option {option}: projection shortcuts {projections[option]:2d}, "
            f"parameters {params[option]:,}"
        )
    more = projections["C"] - projections["B"]
    print(f"option C minus option B, projection shortcuts: {more}")
    print(f"option C minus option B, parameters: {params['C'] - params['B']:,}")
    print(f"option C over option B, extra parameters (%): {100 * extra:.1f}")


if __name__ == "__main__":
    main()
