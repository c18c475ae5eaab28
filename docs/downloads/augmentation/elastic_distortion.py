# elastic_distortion.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/augmentation/elastic_distortion.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python elastic_distortion.py
#
# kb-download: {"record": "c0f4c8e67583f8d94c8fbfa3d9a4519b7f06a6d2518d39152da10605293d41ae", "sources": {"snippets/augmentation/elastic_distortion.py": "7f130d10aa26c4a896cc7fa54d85adcaf6e45a0736ef7e620a8a54a4f688a366"}}


# --- the snippet, unchanged: snippets/augmentation/elastic_distortion.py ---
"""Elastic field (Simard 2003, Sec. 2): noise at small σ, near-affine at large.

Simard, Steinkraus & Platt 2003, "Best Practices for Convolutional Neural
Networks Applied to Visual Document Analysis", ICDAR, Section 2 ("Expanding
Data Sets through Elastic Distortions"): draw dx, dy uniform in [-1, 1] at
every pixel, convolve each with a Gaussian of standard deviation sigma
(pixels), multiply by alpha, and read the image at the displaced positions
with bilinear interpolation. Here on scikit-learn's 8x8 digits upsampled to
28x28, the size of an MNIST digit.
"""

import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
SIZE = 28  # pixels, as MNIST
FIELDS = 256  # random fields behind each statistic


# --8<-- [start:field]
def gaussian_kernel(sigma: float) -> torch.Tensor:
    """(2r+1,) normalized 1-D Gaussian, cut at r = ceil(4 sigma)."""
    r = max(1, math.ceil(4 * sigma))
    t = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-(t**2) / (2 * sigma**2))
    return k / k.sum()


def displacement_field(n, size, sigma, alpha, generator=None, device="cpu"):
    """(n, 2, size, size) displacements (dx, dy) in pixels: uniform noise in
    [-1, 1] at every pixel, smoothed by a Gaussian of std sigma, times alpha.
    The noise is drawn on a margin of r pixels around the image, so that the
    field near the border is as strong as in the middle."""
    k = gaussian_kernel(sigma).to(device)
    r = len(k) // 2
    u = torch.rand(n, 2, size + 2 * r, size + 2 * r, generator=generator)
    u = (2 * u - 1).to(device)  # uniform in [-1, 1]
    # separable blur: rows, then columns; each channel (dx, dy) on its own
    u = F.conv2d(u, k.view(1, 1, 1, -1).repeat(2, 1, 1, 1), groups=2)
    u = F.conv2d(u, k.view(1, 1, -1, 1).repeat(2, 1, 1, 1), groups=2)
    return alpha * u  # (n, 2, size, size): "valid" convolution


# --8<-- [end:field]


# --8<-- [start:warp]
def elastic_warp(x, field):
    """New image at pixel (i, j) = old image read at (i + dy, j + dx), with
    bilinear interpolation and 0 (background) outside. x: (N, C, H, W);
    field: (N, 2, H, W) in pixels, channel 0 along columns (x), 1 along rows."""
    N, _, H, W = x.shape
    rows, cols = torch.meshgrid(
        torch.arange(H, device=x.device, dtype=x.dtype),
        torch.arange(W, device=x.device, dtype=x.dtype),
        indexing="ij",
    )
    px = cols + field[:, 0]  # (N, H, W) where each output pixel reads, px
    py = rows + field[:, 1]
    # grid_sample wants (x, y) in [-1, 1]; with align_corners=True, -1 and 1
    # are the CENTRES of the first and last pixels: pixel p -> 2p/(W-1) - 1
    grid = torch.stack([2 * px / (W - 1) - 1, 2 * py / (H - 1) - 1], -1)
    return F.grid_sample(
        x, grid, mode="bilinear", padding_mode="zeros", align_corners=True
    )


# --8<-- [end:warp]


def rms_of(field):
    """Root mean square length of the displacements (px)."""
    return field.pow(2).sum(1).mean().sqrt().item()


def neighbour_correlation(field):
    """Correlation of the displacement at a pixel with the one to its right,
    over all fields, pixels and both components (the mean is 0 by design)."""
    return (
        (field[..., 1:] * field[..., :-1]).mean() / field.pow(2).mean()
    ).item()


def predicted_correlation(sigma):
    """The same, from the kernel alone: sum_i k_i k_(i+1) / sum_i k_i^2."""
    k = gaussian_kernel(sigma)
    return ((k[1:] * k[:-1]).sum() / k.pow(2).sum()).item()


def affine_share(field):
    """Share of the field's energy sum |d|^2 that the best affine field
    d(i, j) = A (j, i) + t explains, per field, averaged: 1 for a translation
    or any affine warp, about 3/(H W) for white noise."""
    n, _, H, W = field.shape
    rows, cols = torch.meshgrid(
        torch.arange(H, dtype=torch.float64),
        torch.arange(W, dtype=torch.float64),
        indexing="ij",
    )
    design = torch.stack([torch.ones(H * W), cols.flatten(), rows.flatten()], 1)
    d = field.double().cpu().reshape(n * 2, H * W).T  # (H W, 2n)
    fit = design @ torch.linalg.lstsq(design, d).solution
    res = (d - fit).pow(2).sum(0).view(n, 2).sum(1)
    return (1 - res / d.pow(2).sum(0).view(n, 2).sum(1)).mean().item()


def fold_share(field):
    """Share of pixels where the map p -> p + d(p) folds over (Jacobian
    determinant <= 0): there the output reads the input backwards and the
    strokes tear or double."""
    dx_dj, dx_di = torch.gradient(field[:, 0], dim=(2, 1))
    dy_dj, dy_di = torch.gradient(field[:, 1], dim=(2, 1))
    det = (1 + dx_dj) * (1 + dy_di) - dx_di * dy_dj
    return (det <= 0).double().mean().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    g = torch.Generator().manual_seed(SEED)
    digits = torch.tensor(load_digits().images / 16.0, dtype=torch.float32)
    x = F.interpolate(
        digits[:FIELDS, None], size=SIZE, mode="bilinear", align_corners=False
    ).to(device)  # (256, 1, 28, 28): 3.5 px per pixel of the 8x8 digit

    # --8<-- [start:checks]
    # the resampling convention, checked three ways
    zero = torch.zeros(len(x), 2, SIZE, SIZE, device=device)
    assert torch.allclose(elastic_warp(x, zero), x, atol=1e-5), (
        "an all-zero field returns the image unchanged"
    )
    shift = zero.clone()
    shift[:, 0], shift[:, 1] = 3.0, -2.0  # read 3 px right, 2 px up
    moved = torch.zeros_like(x)
    moved[..., 2:, : SIZE - 3] = x[..., : SIZE - 2, 3:]
    assert torch.allclose(elastic_warp(x, shift), moved, atol=1e-5), (
        "a constant whole-pixel field is a shift"
    )
    # by hand: at (1.75, 0.5) px from a pixel, between 3, 7 (its row) and 5,
    # 9 (the row below): 3 + 0.75 (7 - 3) = 6, 5 + 0.75 (9 - 5) = 8,
    # 6 + 0.5 (8 - 6) = 7
    patch = torch.tensor([[0.0, 3, 7], [0, 5, 9], [0, 0, 0]]).view(1, 1, 3, 3)
    d = torch.zeros(1, 2, 3, 3)
    d[0, 0, 0, 0], d[0, 1, 0, 0] = 1.75, 0.5
    by_hand = elastic_warp(patch, d)[0, 0, 0, 0].item()
    assert abs(by_hand - 7) < 1e-5, "bilinear reading equals the hand value 7"
    # --8<-- [end:checks]
    print("all-zero field, largest change of a pixel: below 1e-5")
    print(f"bilinear value at (1.75, 0.5) px, by hand 7: {by_hand:.4f}")

    # --8<-- [start:sigma]
    corr, affine = {}, {}
    for sigma in (0.3, 1.0, 4.0, 8.0):
        field = displacement_field(FIELDS, SIZE, sigma, 1.0, g, device)
        corr[sigma] = neighbour_correlation(field)
        affine[sigma] = affine_share(field)
        assert abs(corr[sigma] - predicted_correlation(sigma)) < 0.02, (
            f"the measured correlation is the kernel's {sigma}"
        )
    assert corr[0.3] < 0.05 and affine[0.3] < 0.02, (
        "a small sigma gives a nearly uncorrelated field"
    )
    assert corr[8.0] > 0.98 and affine[8.0] > 0.7, (
        "a large sigma gives a smooth, nearly affine field"
    )
    # --8<-- [end:sigma]
    print("sigma 0.3 px, neighbour correlation of the field: below 0.05")
    for sigma in (1.0, 4.0, 8.0):
        print(
            f"sigma {sigma:g} px, neighbour correlation of the field: "
            f"{corr[sigma]:.3f} {TOL['corr', sigma]}"
        )
    print("sigma 0.3 px, share of the field an affine map explains: below 0.02")
    for sigma in (1.0, 4.0, 8.0):
        print(
            f"sigma {sigma:g} px, share of the field an affine map explains: "
            f"{affine[sigma]:.2f} {TOL['affine', sigma]}"
        )

    # --8<-- [start:alpha]
    rms = {}
    for sigma in (4.0, 8.0):  # the same alpha on a smoother field
        field = displacement_field(FIELDS, SIZE, sigma, 34.0, g, device)
        rms[sigma] = rms_of(field)
        expected = 34.0 / (sigma * math.sqrt(6 * math.pi))
        assert abs(rms[sigma] / expected - 1) < 0.05, (
            f"the RMS displacement is alpha / (sigma sqrt(6 pi)) {rms}"
        )
    assert rms[8.0] < 0.6 * rms[4.0], (
        "at a fixed alpha, doubling sigma shrinks the displacements"
    )
    folds, change = {}, {}
    for alpha in (34.0, 136.0):
        field = displacement_field(FIELDS, SIZE, 4.0, alpha, g, device)
        folds[alpha] = fold_share(field)
        change[alpha] = (elastic_warp(x, field) - x).abs().mean().item()
    assert folds[34.0] < 0.005 and folds[136.0] > 0.05, (
        "a four times larger alpha folds the map"
    )
    # --8<-- [end:alpha]
    for sigma in rms:
        print(
            f"alpha 34, sigma {sigma:g} px, RMS displacement (px): "
            f"{rms[sigma]:.2f} {TOL['rms', sigma]}"
        )
    print(
        "sigma 4 px, alpha 34, share of pixels where the map folds: below 0.005"
    )
    print(
        f"sigma 4 px, alpha 136, share of pixels where the map folds: "
        f"{folds[136.0]:.3f} {TOL['folds', 136.0]}"
    )
    for alpha in change:
        print(
            f"sigma 4 px, alpha {alpha:g}, mean absolute change of a pixel: "
            f"{change[alpha]:.3f} {TOL['change', alpha]}"
        )
    _plot(x[:1].cpu(), g)


# tolerances: largest distance from the seed-0 value over seeds 1..4, rounded up
TOL = {
    ("corr", 1.0): "±0.01",
    ("corr", 4.0): "±0.01",
    ("corr", 8.0): "±0.01",
    ("affine", 1.0): "±0.01",
    ("affine", 4.0): "±0.03",
    ("affine", 8.0): "±0.01",
    ("rms", 4.0): "±0.03",
    ("rms", 8.0): "±0.03",
    ("folds", 136.0): "±0.01",
    ("change", 34.0): "±0.01",
    ("change", 136.0): "±0.01",
}


def _plot(digit, g) -> None:
    """Top: one digit under fields of growing sigma, each scaled to an RMS
    displacement of 1.5 px, then under sigma 4 with alpha 34 and 136. Bottom:
    each field as arrows (every other pixel, to scale)."""
    fields = {}
    for sigma in (0.3, 1.0, 4.0, 8.0):
        f = displacement_field(1, SIZE, sigma, 1.0, g)
        fields[f"sigma {sigma:g}\nRMS 1.5 px"] = f * 1.5 / rms_of(f)
    base = displacement_field(1, SIZE, 4.0, 34.0, g)
    fields["sigma 4\nalpha 34"] = base
    fields["sigma 4\nalpha 136"] = 4 * base
    n = len(fields) + 1
    fig, axes = plt.subplots(2, n, figsize=(1.45 * n, 3.3))
    axes[0, 0].imshow(digit[0, 0], cmap="gray", vmin=0, vmax=1)
    axes[0, 0].set_title("original", fontsize=7)
    axes[1, 0].axis("off")
    step = 2
    i, j = torch.meshgrid(
        torch.arange(0, SIZE, step), torch.arange(0, SIZE, step), indexing="ij"
    )
    for k, (name, f) in enumerate(fields.items(), start=1):
        axes[0, k].imshow(
            elastic_warp(digit, f)[0, 0], cmap="gray", vmin=0, vmax=1
        )
        axes[0, k].set_title(name, fontsize=7)
        ax = axes[1, k]
        ax.quiver(
            j,
            i,
            f[0, 0, ::step, ::step],
            f[0, 1, ::step, ::step],
            angles="xy",
            scale_units="xy",
            scale=1,
            width=0.008,
        )  # an arrow from where a pixel is to where it reads the image
        ax.set_xlim(-0.5, SIZE - 0.5), ax.set_ylim(SIZE - 0.5, -0.5)
        ax.set_aspect("equal")
    axes[1, 1].set_ylabel("field", fontsize=7)
    for ax in axes.flat:
        ax.set_xticks([]), ax.set_yticks([])
    fig.savefig("elastic_distortion.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
