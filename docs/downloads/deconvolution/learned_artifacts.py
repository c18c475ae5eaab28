# learned_artifacts.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/deconvolution/learned_artifacts.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python learned_artifacts.py
#
# kb-download: {"record": "099675f764bbfee7f1a42fe7c59854ba7ba0fd75fead44de778fe9347555fcc6", "sources": {"snippets/deconvolution/learned_artifacts.py": "79d11a77b72e14a80d4a7974c29dd7f9104e50e84da6aa7074ecde63d672e089"}}


# --- the snippet, unchanged: snippets/deconvolution/learned_artifacts.py ---
"""Even overlap is not enough: a trained k=4, s=2 decoder still paints a
checkerboard, stacking compounds it, resize-convolution cannot.

Odena, Dumoulin & Olah 2016, "Deconvolution and Checkerboard Artifacts",
Distill, sections "Overlap & Learning" (stacked layers compound artifacts at
several scales; even-overlap layers still learn artifacts) and "Better
Upsampling" (resize-convolution is artifact-free by construction).
"""

import os

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:decoders]
def deconv_decoder() -> nn.Sequential:  # even overlap: k=4, s=2
    return nn.Sequential(
        nn.ConvTranspose2d(1, 8, 4, 2, 1),
        nn.ReLU(),
        nn.ConvTranspose2d(8, 1, 4, 2, 1),
    )


def resize_conv_decoder() -> nn.Sequential:  # nearest x2, then 3x3
    return nn.Sequential(
        nn.Upsample(scale_factor=2),
        nn.Conv2d(1, 8, 3, 1, 1),
        nn.ReLU(),
        nn.Upsample(scale_factor=2),
        nn.Conv2d(8, 1, 3, 1, 1),
    )


@torch.no_grad()
def flat_field(net: nn.Module) -> float:
    """Relative std of the interior for a constant input (0: no pattern)."""
    out = net(torch.full((1, 1, 8, 8), 0.3))[0, 0, 8:-8, 8:-8]  # (16, 16)
    return (out.std() / out.abs().mean()).item()


# --8<-- [end:decoders]


def stacked_ones(depth: int) -> torch.Tensor:
    """k=3, s=2 transposed convolutions with all-ones kernels, stacked."""
    y = torch.ones(1, 1, 12, 12)
    for _ in range(depth):
        y = F.conv_transpose2d(y, torch.ones(1, 1, 3, 3), stride=2)
    b = 4 * 2**depth
    return y[0, 0, b:-b, b:-b]  # interior


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    # stacking compounds uneven overlap: the ratio and the period multiply
    ratios = [
        (lambda y: (y.max() / y.min()).item())(stacked_ones(d))
        for d in (1, 2, 3)
    ]
    assert ratios == [4.0, 9.0, 25.0], ratios  # grows with depth

    digits = load_digits()
    x = torch.tensor(digits.images[:400] / 16.0, dtype=torch.float32)
    x = x.unsqueeze(1)  # (400, 1, 8, 8)
    code = F.avg_pool2d(x, 4)  # (400, 1, 2, 2)
    # --8<-- [start:train]
    results = {}
    for name, net in (
        ("ConvTranspose2d k=4 s=2, twice", deconv_decoder()),
        ("nearest + 3x3 conv, twice", resize_conv_decoder()),
    ):
        opt = torch.optim.Adam(net.parameters(), lr=1e-2)
        for _ in range(100):  # 2x2 code -> 8x8 digit
            opt.zero_grad()
            loss = F.mse_loss(net(code), x)
            loss.backward()
            opt.step()
        results[name] = (loss.item(), flat_field(net))
    # --8<-- [end:train]
    (mse_d, ff_d), (mse_r, ff_r) = results.values()
    assert ff_d > 0.05, ff_d  # the trained deconv has a pattern
    assert ff_r < 1e-5, ff_r  # resize-conv: flat, any weights
    print(
        f"all-ones k=3 s=2, max/min of the interior, 1 / 2 / 3 layers: "
        f"{ratios[0]:.0f} / {ratios[1]:.0f} / {ratios[2]:.0f}"
    )
    mse_tol = {
        "ConvTranspose2d k=4 s=2, twice": "0.03",  # seeds 0-4
        "nearest + 3x3 conv, twice": "0.005",
    }
    for name, (mse, ff) in results.items():
        print(f"{name}, training MSE: {mse:.4f} ±{mse_tol[name]}")
        tol = " ±0.4" if ff > 1e-3 else ""
        print(f"{name}, flat-field pattern after training: {ff:.3f}{tol}")


if __name__ == "__main__":
    main()
