# learned_kernel_is_flipped.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/convolution/learned_kernel_is_flipped.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python learned_kernel_is_flipped.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "460293660dcae4480645fbc28ff37085e332e29dee1412b036b16f4b231c05a3", "sources": {"snippets/convolution/cross_correlation.py": "d47ecd3591463088e58b01c5a073eb5a63df64ad494d9af14857410031168b2d", "snippets/convolution/learned_kernel_is_flipped.py": "f83a00aabdd9bccd9fc6f15f9aceac1248f3d6a2cdc8370e81368db52e928c23"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/convolution/cross_correlation.py
_add_module('cross_correlation', r'''"""Deep-learning "convolution" (F.conv2d) is cross-correlation: a true
convolution is the same call with the kernel flipped.

Goodfellow, Bengio & Courville 2016, "Deep Learning", Section 9.1: "many machine
learning libraries implement cross-correlation but call it convolution".
"""

import os

import numpy as np
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:definitions]
def cross_correlate(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """S(i, j) = sum_m sum_n x(i + m, j + n) k(m, n), 'valid' positions only."""
    kh, kw = k.shape
    out = torch.zeros(x.shape[0] - kh + 1, x.shape[1] - kw + 1, dtype=x.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (x[i : i + kh, j : j + kw] * k).sum()  # slide, no flip
    return out


def convolve(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """S(i, j) = sum_m sum_n x(i - m, j - n) k(m, n): the kernel is flipped."""
    return cross_correlate(x, k.flip(0, 1))  # flip rows and columns


# --8<-- [end:definitions]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(7, 7, dtype=torch.float64)
    k = torch.randn(3, 3, dtype=torch.float64)  # not symmetric

    # --8<-- [start:check]
    as4d = lambda t: t[None, None].to(device)  # (1, 1, H, W)
    torch_out = F.conv2d(as4d(x), as4d(k))[0, 0].cpu()  # what nn.Conv2d runs
    torch.testing.assert_close(torch_out, cross_correlate(x, k))
    flipped = F.conv2d(as4d(x), as4d(k.flip(0, 1)))[0, 0].cpu()
    torch.testing.assert_close(flipped, convolve(x, k))  # true convolution
    # --8<-- [end:check]
    gap = (torch_out - convolve(x, k)).abs().max().item()
    assert gap > 1e-3, gap  # they differ...
    sym = k + k.flip(0, 1)  # ...unless symmetric
    torch.testing.assert_close(cross_correlate(x, sym), convolve(x, sym))

    # numpy's convolve is the signal-processing convolution: it flips.
    x1, k1 = x[0].numpy(), k[0].numpy()
    np_conv = torch.from_numpy(np.convolve(x1, k1, mode="valid"))
    t_conv = F.conv1d(x[0][None, None], k[0].flip(0)[None, None])[0, 0]
    torch.testing.assert_close(t_conv, np_conv)

    print("F.conv2d == cross-correlation (no flip): True")
    print("F.conv2d with flipped kernel == true convolution: True")
    print(
        f"max |cross-correlation - convolution|, random 3x3 kernel: {gap:.2f}"
    )
    print("equal for a kernel symmetric under the flip: True")
    print("np.convolve == F.conv1d with flipped kernel: True")


if __name__ == "__main__":
    main()
''')


# --- the snippet, unchanged: snippets/convolution/learned_kernel_is_flipped.py ---
"""Cross-correlation or convolution makes no difference to a learned kernel:
trained on targets made by a true (flipped) convolution with a kernel K,
nn.Conv2d, which cross-correlates, learns K flipped.

Goodfellow, Bengio & Courville 2016, "Deep Learning", Section 9.1: libraries
implement cross-correlation and call it convolution.
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

from cross_correlation import convolve  # same folder: the flipped sum

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:learn]
    k = torch.randn(3, 3, dtype=torch.float64)  # the kernel to recover
    images = torch.randn(32, 12, 12, dtype=torch.float64)
    # targets from the convolution of signal processing (kernel flipped)
    targets = torch.stack([convolve(image, k) for image in images])
    images, targets = (
        images.unsqueeze(1).to(device),
        targets.unsqueeze(1).to(device),
    )

    layer = nn.Conv2d(1, 1, 3, bias=False).double().to(device)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.5)
    for step in range(200):  # plain gradient descent on the squared error
        loss = F.mse_loss(layer(images), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    learned = layer.weight.detach()[0, 0].cpu()
    # --8<-- [end:learn]
    to_flipped = (learned - k.flip(0, 1)).abs().max().item()
    to_k = (learned - k).abs().max().item()
    # The claims, for every seed.
    assert to_flipped < 1e-8, "the layer learns the flipped kernel"
    assert to_k > 0.1, "and not K itself"
    assert loss.item() < 1e-20, "the targets are fitted exactly"
    print("max |learned - K flipped|: below 1e-8")
    print("max |learned - K|: above 0.1")
    print("final mean squared error: below 1e-20")


if __name__ == "__main__":
    main()
