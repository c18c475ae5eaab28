"""Exercise: a convolution layer as k*k shifted, strided slices of the input,
each multiplied by one kernel position's C_out x C_in matrix, then summed.

y_o = b_o + sum_c x_c (cross-correlated with) W_{o,c} (Goodfellow et al. 2016,
"Deep Learning", Section 9.1); output size floor((H + 2p - d(k-1) - 1)/s) + 1
(Dumoulin & Visin 2016, "A guide to convolution arithmetic", Relationship 6).
"""

import itertools

import torch
import torch.nn.functional as F


def conv2d(x, w, b, stride=1, padding=0, dilation=1):
    """x (N, C_in, H, W), w (C_out, C_in, k, k), b (C_out,)
    -> y (N, C_out, ., .)"""
    n, _, h, wd = x.shape
    c_out, _, k, _ = w.shape
    h_out = (h + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    w_out = (wd + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    # BEGIN SOLUTION (starter: return x.new_zeros(n, c_out, h_out, w_out))
    xp = F.pad(x, (padding, padding, padding, padding))
    out = b.view(1, c_out, 1, 1).expand(n, c_out, h_out, w_out).clone()
    for a, c in itertools.product(range(k), range(k)):
        top, left = a * dilation, c * dilation  # this kernel position's shift
        patch = xp[
            :,
            :,
            top : top + stride * (h_out - 1) + 1 : stride,
            left : left + stride * (w_out - 1) + 1 : stride,
        ]  # (N, C_in, h_out, w_out): the pixel under (a, c) of every window
        out += torch.einsum("oi,nihw->nohw", w[:, :, a, c], patch)
    return out
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    checked = 0
    for k, s, p, d, h in itertools.product(
        (1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2), (7, 10)
    ):
        if h + 2 * p < d * (k - 1) + 1:
            continue  # the kernel does not fit
        x, w, b = (
            torch.randn(2, 3, h, h + 1, **opts),
            torch.randn(4, 3, k, k, **opts),
            torch.randn(4, **opts),
        )
        ours = conv2d(x, w, b, s, p, d)
        theirs = F.conv2d(x, w, b, stride=s, padding=p, dilation=d)
        assert ours.shape == theirs.shape, "the output size"
        assert torch.allclose(ours, theirs, atol=1e-10), (
            f"equals F.conv2d at k={k}, s={s}, p={p}, d={d}"
        )
        checked += 1
    print("settings checked against F.conv2d:", checked)

    # the sizes the page asks you to predict, read off F.conv2d itself
    x = torch.randn(1, 1, 28, 28, **opts)
    for k, s, p, d in ((5, 1, 0, 1), (3, 2, 1, 1), (3, 1, 2, 2), (4, 3, 0, 1)):
        w = torch.randn(1, 1, k, k, **opts)
        size = F.conv2d(x, w, stride=s, padding=p, dilation=d).shape[-1]
        print(f"28x28, k={k}, s={s}, p={p}, d={d}: {size}")


if __name__ == "__main__":
    main()
