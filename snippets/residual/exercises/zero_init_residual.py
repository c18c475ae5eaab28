"""Exercise: zero the gamma of the last BN of every residual branch, and
only there, so that each block starts as the identity.

Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training ImageNet in 1
Hour", Section 5.1: with gamma = 0 in each block's last BN the block's output
is its shortcut at initialization. torchvision calls it zero_init_residual.
The BN of a projection shortcut keeps gamma = 1: zeroing it would cut the
input off (He et al. 2016, Section 3.3, option B).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
from torch import nn
import torch.nn.functional as F

from residual_block import BasicBlock


@torch.no_grad()
def zero_init_residual(model: nn.Module) -> None:
    """Set gamma = 0 in the last BN of each BasicBlock's residual branch."""
    # BEGIN SOLUTION (starter: pass)
    for m in model.modules():
        if isinstance(m, BasicBlock):
            nn.init.zeros_(m.bn2.weight)
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1),
        nn.ReLU(),
        BasicBlock(16, 16),
        BasicBlock(16, 16),
        BasicBlock(16, 32, stride=2),  # a projection shortcut with a BN
        BasicBlock(32, 32),
    ).to(device)
    zero_init_residual(model)
    stem, blocks = model[:2], list(model[2:])
    x = torch.randn(8, 3, 8, 8, device=device)
    h = stem(x)  # >= 0, a ReLU's output
    for block in blocks:
        out = block(h)
        if isinstance(block.shortcut, nn.Identity):
            assert torch.equal(out, h), (
                "a block with an identity shortcut starts as the identity"
            )
        else:
            assert torch.equal(out, F.relu(block.shortcut(h))), (
                "a downsampling block starts as its projection shortcut"
            )
        h = out
    shortcut_bn = blocks[2].shortcut[1]
    assert torch.equal(
        shortcut_bn.weight, torch.ones_like(shortcut_bn.weight)
    ), "the projection shortcut's BN keeps gamma = 1"
    first = [m.bn1.weight for m in blocks]
    assert all(torch.equal(g, torch.ones_like(g)) for g in first), (
        "only the last BN of each branch is zeroed"
    )
    out = model(x)
    assert out[0].ne(out[1]).any(), "the output still depends on the input"
    out.square().mean().backward()
    grad = model[0].weight.grad.norm().item()
    assert grad > 0, "a gradient reaches the first layer"
    zeroed = sum(
        int(m.weight.abs().sum() == 0)
        for m in model.modules()
        if isinstance(m, nn.BatchNorm2d)
    )
    print("BN layers with gamma = 0:", zeroed)
    print(f"first-layer gradient norm after zero init: {grad:.3f}")


if __name__ == "__main__":
    main()
