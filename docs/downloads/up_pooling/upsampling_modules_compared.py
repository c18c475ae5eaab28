# upsampling_modules_compared.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/up_pooling/upsampling_modules_compared.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python upsampling_modules_compared.py
#
# kb-download: {"record": "73505793dafb881cb6e45a0114fd2793e49442a2bd492135d8e46c098894be6e", "sources": {"snippets/up_pooling/upsampling_modules_compared.py": "aaf0608e4a8616db326855c026386a518d3759c16bd7d7988df5dbf73e630b75"}}


# --- the snippet, unchanged: snippets/up_pooling/upsampling_modules_compared.py ---
"""PyTorch's five ways to double a feature map, trained on the same task: size,
parameters, checkerboard at init, error.

Modules: nn.ConvTranspose2d (Dumoulin & Visin 2016, Chapter 4), nn.Upsample +
conv (Odena et al. 2016, Distill), nn.PixelShuffle (Shi et al. 2016, ESPCN,
Section 2.2), nn.MaxUnpool2d (Zeiler & Fergus 2014, Section 2.1; SegNet). Task:
4x4 -> 8x8 digits.
"""

import os

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
INITS = 100  # random initializations per module for the checkerboard measure


# --8<-- [start:modules]
class Unpool(nn.Module):  # needs the encoder's switches
    def __init__(self):
        super().__init__()
        self.unpool = nn.MaxUnpool2d(2)
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x, indices):
        return self.conv(self.unpool(x, indices))


def upsamplers() -> dict:
    """Each maps (N, 1, 4, 4) to (N, 1, 8, 8)."""
    return {
        "ConvTranspose2d(k=4, s=2, p=1)": nn.ConvTranspose2d(1, 1, 4, 2, 1),
        "Upsample(nearest) + Conv2d 3x3": nn.Sequential(
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(1, 1, 3, padding=1),
        ),
        "Upsample(bilinear) + Conv2d 3x3": nn.Sequential(
            nn.Upsample(scale_factor=2, mode="bilinear"),
            nn.Conv2d(1, 1, 3, padding=1),
        ),
        "Conv2d 3x3 to 4 channels + PixelShuffle(2)": nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.PixelShuffle(2)
        ),
        "MaxUnpool2d (switches) + Conv2d 3x3": Unpool(),
    }


# --8<-- [end:modules]


@torch.no_grad()
def checkerboard(net: nn.Module) -> float:
    """Relative std of the interior output for a constant input (0: flat)."""
    if isinstance(net, Unpool):
        return float("nan")  # depends on the switches
    out = net(torch.ones(1, 1, 8, 8))[0, 0, 2:-2, 2:-2]
    return (out.std() / out.abs().mean()).item()


def main() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    g = torch.Generator().manual_seed(SEED)
    perm = torch.randperm(len(x), generator=g)
    train, test = perm[:500], perm[500:]
    # --8<-- [start:train]
    pooled, switches = F.max_pool2d(x, 2, return_indices=True)  # (N, 1, 4, 4)
    rows = {}
    for name, net in upsamplers().items():

        def run(idx):
            if isinstance(net, Unpool):
                return net(pooled[idx], switches[idx])
            return net(pooled[idx])

        opt = torch.optim.Adam(net.parameters(), lr=3e-2)
        for _ in range(100):  # full batch, 4x4 -> 8x8
            opt.zero_grad()
            F.mse_loss(run(train), x[train]).backward()
            opt.step()
        with torch.no_grad():
            test_mse = F.mse_loss(run(test), x[test]).item()
        rows[name] = (sum(p.numel() for p in net.parameters()), test_mse)
    # --8<-- [end:train]
    # the checkerboard of one random initialization varies widely from one
    # initialization to the next: take the median over INITS of them
    inits = [upsamplers() for _ in range(INITS)]
    start = {
        name: float(np.median([checkerboard(nets[name]) for nets in inits]))
        for name in rows
    }
    rows = {name: (p, start[name], mse) for name, (p, mse) in rows.items()}
    for name, (params, start, mse) in rows.items():
        assert mse < 0.1, (name, mse)
    conv_t = rows["ConvTranspose2d(k=4, s=2, p=1)"]
    nearest = rows["Upsample(nearest) + Conv2d 3x3"]
    unpool = rows["MaxUnpool2d (switches) + Conv2d 3x3"]
    assert nearest[1] < 1e-5 and conv_t[1] > 1e-3, (
        "nearest + conv starts flat, the transposed convolution with a pattern"
    )
    assert unpool[2] < nearest[2], (
        "the switches help: MaxUnpool2d + conv ends below nearest + conv"
    )
    print("task: max-pooled 4x4 digits back to 8x8, 100 Adam steps")
    print(
        f"| module | parameters | checkerboard at init, median of {INITS} "
        "| test MSE |"
    )
    print("|---|---|---|---|")
    tol = dict(zip(rows, ("0.0004", "0.002", "0.004", "0.002", "0.0003")))
    cb_tol = {
        "ConvTranspose2d(k=4, s=2, p=1)": " ±0.1",  # seeds 0-9, kernels
        "Conv2d 3x3 to 4 channels + PixelShuffle(2)": " ±0.07",
    }
    for name, (params, start, mse) in rows.items():
        cb = "n/a" if np.isnan(start) else f"{start:.3f}"
        cb += cb_tol.get(name, "")
        print(f"| {name} | {params} | {cb} | {mse:.4f} ±{tol[name]} |")
    for name, (params, start, mse) in rows.items():
        print(f"test MSE, {name}: {mse:.4f} ±{tol[name]}")


if __name__ == "__main__":
    main()
