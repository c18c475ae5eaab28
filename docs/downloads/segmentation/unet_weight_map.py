# unet_weight_map.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/segmentation/unet_weight_map.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python unet_weight_map.py
#
# kb-download: {"record": "19e4c0d51623302005d73324be597173142a0145b2172febb6846d1f5ecdbc75", "sources": {"snippets/segmentation/unet_weight_map.py": "cafc30a289dfa294041161af2ac8b48a5433dcb923c0248172c4391c6481ee12"}}


# --- the snippet, unchanged: snippets/segmentation/unet_weight_map.py ---
"""U-Net's weight map peaks in the thin background gap between two touching
cells, not around an isolated one, and weights a per-pixel cross-entropy.

Ronneberger, Fischer & Brox 2015, "U-Net: Convolutional Networks for Biomedical
Image Segmentation" (MICCAI), Section 3, Eq. 2: w(x) = w_c(x) + w0 exp(-(d1(x)
+ d2(x))^2 / (2 sigma^2)), d1 and d2 the distances to the nearest and the
second nearest cell, w0 = 10, sigma about 5 pixels; Eq. 1, the weighted
cross-entropy.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
SIZE = 64
W0, SIGMA = 10.0, 5.0  # Section 3: w0 = 10, sigma about 5 pixels
# (row, col, radius): two discs with a 2-pixel gap on row 20, one far away
DISCS = ((20, 18, 8), (20, 37, 8), (50, 14, 7))


def instance_labels() -> torch.Tensor:
    """(SIZE, SIZE) int64: 0 = background, k = cell k."""
    r, c = torch.meshgrid(torch.arange(SIZE), torch.arange(SIZE), indexing="ij")
    labels = torch.zeros(SIZE, SIZE, dtype=torch.long)
    for k, (r0, c0, rad) in enumerate(DISCS, start=1):
        labels[(r - r0) ** 2 + (c - c0) ** 2 <= rad**2] = k
    return labels


# --8<-- [start:weight_map]
def unet_weight_map(labels: torch.Tensor, w0: float = W0, sigma: float = SIGMA):
    """labels (H, W): 0 = background, 1..K = cells. Returns w (H, W) and the
    class weights w_c (background, cell)."""
    H, W = labels.shape
    rows, cols = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
    pixels = torch.stack([rows, cols], -1).reshape(-1, 2).double()  # (HW, 2)
    # distance of every pixel to the nearest pixel of each cell: (K, H, W)
    dist = torch.stack(
        [
            torch.cdist(pixels, pixels[labels.flatten() == k]).amin(1)
            for k in range(1, int(labels.max()) + 1)
        ]
    ).view(-1, H, W)
    d = dist.sort(0).values
    d1, d2 = d[0], d[1]  # nearest and second-nearest cell
    cell = (labels > 0).long()
    freq = torch.bincount(cell.flatten(), minlength=2).double() / cell.numel()
    w_c = 1 / (2 * freq)  # class balance: each class carries half the weight
    border = w0 * torch.exp(-((d1 + d2) ** 2) / (2 * sigma**2))
    # on background pixels only: the separating borders are background
    return w_c[cell] + border * (cell == 0), w_c


# --8<-- [end:weight_map]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    labels = instance_labels()
    w, w_c = unet_weight_map(labels)
    bg = labels == 0
    gap = torch.zeros_like(bg)
    gap[19:22, 27:29] = True  # the 2-pixel neck between discs 1 and 2
    gap &= bg
    ring = bg & (F.max_pool2d((labels == 3)[None].float(), 3, 1, 1)[0] > 0)
    # distance to the nearest cell, to find background far from every cell
    near = F.max_pool2d((labels > 0)[None].float(), 31, 1, 15)[0] > 0
    far = bg & ~near  # more than 15 pixels (3 sigma) from any cell
    top = int(w.argmax())
    where = "gap between the touching discs" if gap.flatten()[top] else "other"
    # --8<-- [start:checks]
    assert where != "other", (
        f"the peak lies in the gap, not {divmod(top, SIZE)}"
    )
    assert w[gap].mean() > W0 / 2 + w_c[0], "the gap weighs over w0 / 2 + w_c"
    # an isolated cell gets no such border: its second-nearest cell is far
    assert w[gap].mean() > w[ring].mean() + W0 / 2, "gap over ring by w0 / 2"
    assert (w[far] - w_c[0]).abs().max() < 1e-3, "far from cells, w is w_c"
    # --8<-- [end:checks]
    # --8<-- [start:loss]
    target = (labels > 0).long()[None].to(device)  # (1, H, W): 0 bg, 1 cell
    logits = torch.randn(1, 2, SIZE, SIZE, device=device, dtype=torch.float64)
    wd, w_c = w[None].to(device), w_c.to(device)
    loss = (F.cross_entropy(logits, target, reduction="none") * wd).sum()
    # by hand, Eq. 1 as a loss: -sum over pixels of w(x) log p_l(x)(x)
    log_p = F.log_softmax(logits, 1).gather(1, target[:, None])[:, 0]
    torch.testing.assert_close(loss, -(wd * log_p).sum())
    # the w_c part alone is F.cross_entropy's per-class weight
    w_c_only = (
        F.cross_entropy(logits, target, reduction="none") * w_c[target]
    ).sum()
    by_class = F.cross_entropy(logits, target, weight=w_c, reduction="sum")
    torch.testing.assert_close(w_c_only, by_class)
    # --8<-- [end:loss]
    print(f"class weights w_c: background {w_c[0]:.3f}, cell {w_c[1]:.3f}")
    print(f"max weight: {w.max():.2f}")
    print(f"max weight at: {where}")
    print(f"mean weight, gap between the touching discs: {w[gap].mean():.2f}")
    print(f"mean weight, ring around the isolated disc: {w[ring].mean():.2f}")
    print(f"mean weight, background far from every cell: {w[far].mean():.3f}")
    print("weighted cross-entropy, reduction='none' * w: equals Eq. 1 by hand")
    plot(labels, w)


def plot(labels: torch.Tensor, w: torch.Tensor) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.2))
    axes[0].imshow(
        labels, cmap="tab10", vmin=0, vmax=9, interpolation="nearest"
    )
    axes[0].set_title("cells (one color each)", fontsize=9)
    im = axes[1].imshow(w, cmap="magma", interpolation="nearest")
    axes[1].set_title("weight map w(x), Eq. 2", fontsize=9)
    fig.colorbar(im, ax=axes[1], fraction=0.046)
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle(
        "U-Net's weight map: the gap between touching cells weighs most", y=1.03
    )
    fig.savefig("unet_weight_map.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
