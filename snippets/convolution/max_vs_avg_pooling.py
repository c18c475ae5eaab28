"""Max pooling keeps the strongest response in each window and routes the
gradient to it alone; average pooling dilutes it and spreads the gradient
evenly. Neither is shift invariant: a one-pixel shift leaves a max-pooled
impulse unchanged only when it stays inside its window.

Goodfellow et al. 2016, "Deep Learning", Section 9.3 (pooling, invariance to
small translations); Boureau, Ponce & LeCun 2010, "A Theoretical Analysis of
Feature Pooling in Visual Recognition" (ICML); Azulay & Weiss 2019, JMLR
20(184); Zhang 2019 (ICML), Figure 3.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:scratch]
def pool2d(x, k, reduce):
    """Non-overlapping k x k pooling (stride k) of x (N, C, H, W)."""
    n, c, h, w = x.shape
    cols = F.unfold(x, k, stride=k).view(n, c, k * k, -1)  # windows as columns
    out = cols.amax(2) if reduce == "max" else cols.mean(2)
    return out.view(n, c, h // k, w // k)


# --8<-- [end:scratch]


def shift_right(x):
    """Shift by one pixel to the right, filling with zeros."""
    return F.pad(x, (1, 0))[..., :-1]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(4, 3, 8, 8, device=device, requires_grad=True)
    mx, av = pool2d(x, 2, "max"), pool2d(x, 2, "avg")
    torch.testing.assert_close(mx, nn.MaxPool2d(2)(x))
    torch.testing.assert_close(av, nn.AvgPool2d(2)(x))
    (g_max,) = torch.autograd.grad(mx.sum(), x)
    (g_avg,) = torch.autograd.grad(av.sum(), x)
    assert (g_max != 0).sum() == mx.numel()  # one input per window
    assert torch.all(g_avg == 0.25)  # 1/k^2 to every input

    # --8<-- [start:detect]
    fmap = torch.zeros(1, 1, 4, 4, device=device)  # a feature map
    fmap[0, 0, 1, 2] = 1.0  # one strong detection
    print(f"max pool of one detection of 1.0: {nn.MaxPool2d(4)(fmap).item()}")
    print(f"avg pool of one detection of 1.0: {nn.AvgPool2d(4)(fmap).item()}")
    # --8<-- [end:detect]

    # --8<-- [start:shift]
    unchanged = 0
    for col in range(7):  # impulse at each column
        img = torch.zeros(1, 1, 8, 8, device=device)
        img[0, 0, 3, col] = 1.0
        same = torch.equal(
            nn.MaxPool2d(2)(img), nn.MaxPool2d(2)(shift_right(img))
        )
        unchanged += same  # only for even col
    # --8<-- [end:shift]
    assert unchanged == 4  # cols 0, 2, 4, 6
    noise = torch.randn(2000, 1, 8, 8, device=device)
    kept = nn.MaxPool2d(2)(noise) == nn.MaxPool2d(2)(shift_right(noise))
    frac = kept[..., 1:].float().mean().item()  # windows off the edge
    assert 0.2 < frac < 0.5, frac  # about 1/3 of windows
    per_window = g_max[0, 0, :2, :2].ne(0).sum().item()
    print(f"gradient entries per 2x2 window, max pool: {per_window}")
    print(f"gradient per input, avg pool: {g_avg[0, 0, 0, 0].item()}")
    print(
        "impulse positions whose 1-pixel shift leaves the max pool "
        f"unchanged: {unchanged} of 7"
    )
    print(
        "pooled values unchanged by a 1-pixel shift, random images: "
        f"{frac:.2f} ±0.01"
    )


if __name__ == "__main__":
    main()
