# zero_init_residual.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/residual/exercises/zero_init_residual.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python zero_init_residual_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "d23aa9bfd88e2add20d86358c53877dbdf4c962262df26608d419468b652d4b6", "sources": {"snippets/residual/exercises/zero_init_residual.py": "21607ccc9555c3cfca56e0a2fd1f731cb321ba783e7c7c2c5c3e5cd41200a941", "snippets/residual/residual_block.py": "c6f094aedd60239f06df3ac9a21cde20cca4c17002a7ecb9aea6b3023fc65227"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/residual/residual_block.py
_add_module('residual_block', r'''"""A basic block from scratch: zero gamma in its last BN makes it the identity.

He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition",
CVPR, Section 3.2 (y = F(x) + x, Eq. 1; projection W_s x, Eq. 2) and
Section 3.4 (BN after each convolution, before the activation). Zero gamma:
Goyal et al. 2017, "Accurate, Large Minibatch SGD", Section 5.1.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:block]
class BasicBlock(nn.Module):
    """relu(F(x) + shortcut(x)), F = conv-BN-ReLU-conv-BN (two 3x3 convs)."""

    def __init__(
        self, c_in: int, c_out: int, stride: int = 1, zero_gamma: bool = False
    ):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        if zero_gamma:
            nn.init.zeros_(self.bn2.weight)  # F(x) = beta = 0 at init
        self.shortcut = nn.Identity()  # identity where shapes match
        if stride != 1 or c_in != c_out:  # else a projection (option B)
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                nn.BatchNorm2d(c_out),
            )

    def forward(self, x):  # (N, C_in, H, W)
        out = F.relu(self.bn1(self.conv1(x)))  # (N, C_out, H/s, W/s)
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))  # ReLU after the add


# --8<-- [end:block]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = F.relu(torch.randn(8, 16, 8, 8, device=device))  # a ReLU's output
    # --8<-- [start:check]
    same = BasicBlock(16, 16).to(device)
    down = BasicBlock(16, 32, stride=2).to(device)
    print(f"BasicBlock(16, 16): {tuple(x.shape)} -> {tuple(same(x).shape)}")
    print(
        f"BasicBlock(16, 32, stride=2): {tuple(x.shape)} -> "
        f"{tuple(down(x).shape)}"
    )
    zero = BasicBlock(16, 16, zero_gamma=True).to(device)
    print(f"zero gamma, train mode: block(x) == x: {torch.equal(zero(x), x)}")
    zero.eval()
    print(f"zero gamma, eval mode: block(x) == x: {torch.equal(zero(x), x)}")
    one = BasicBlock(16, 16).to(device)  # gamma = 1 (default)
    gap = (one(x) - x).abs().max().item()
    print(f"gamma = 1: max |block(x) - x|: {gap:.2f}")
    # --8<-- [end:check]
    assert same(x).shape == x.shape
    assert down(x).shape == (8, 32, 4, 4)
    assert isinstance(same.shortcut, nn.Identity)
    assert not isinstance(down.shortcut, nn.Identity)
    assert torch.equal(zero(x), x)  # exactly the identity
    assert gap > 0.5  # far from it otherwise
    x_neg = torch.randn(8, 16, 8, 8, device=device)  # with negative inputs
    assert torch.equal(zero(x_neg), F.relu(x_neg))  # ReLU after the add


if __name__ == "__main__":
    main()
''')


# --- the exercise, with the solution removed: snippets/residual/exercises/zero_init_residual.py ---
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
    # TODO: your answer here (see the exercise on the page)
    pass


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
