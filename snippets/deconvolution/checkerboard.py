"""A transposed convolution whose kernel size is not divisible by its stride
paints a checkerboard.

Odena, Dumoulin & Olah 2016, "Deconvolution and Checkerboard Artifacts", Distill
(https://distill.pub/2016/deconv-checkerboard/): uneven overlap of the stamped
kernels; resize then convolve avoids it.
"""

import os
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:overlap]
def upsample_ones(kernel: int, stride: int = 2, size: int = 8) -> torch.Tensor:
    """Transposed conv of a constant image with an all-ones kernel: counts
    overlapping stamps."""
    x = torch.ones(1, 1, size, size)
    w = torch.ones(1, 1, kernel, kernel)
    return F.conv_transpose2d(x, w, stride=stride)[0, 0]


def resize_conv(size: int = 8) -> torch.Tensor:
    """Odena et al.'s alternative: nearest-neighbour resize, then an ordinary
    3x3 convolution."""
    x = F.interpolate(
        torch.ones(1, 1, size, size), scale_factor=2, mode="nearest"
    )
    return F.conv2d(x, torch.ones(1, 1, 3, 3), padding=1)[0, 0]


# --8<-- [end:overlap]


def interior(img: torch.Tensor, border: int = 4) -> torch.Tensor:
    return img[border:-border, border:-border]  # away from the image edges


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    k3, k4, rc = upsample_ones(3), upsample_ones(4), resize_conv()
    k3, k4, rc = k3.to(device), k4.to(device), rc.to(device)
    # kernel 3, stride 2: pixels are covered by 1, 2 or 4 stamps
    # -> a checkerboard
    assert set(interior(k3).unique().tolist()) == {1.0, 2.0, 4.0}
    # kernel 4, stride 2: every interior pixel is covered by exactly
    # 2x2 = 4 stamps
    assert interior(k4).unique().tolist() == [4.0]
    assert interior(rc).unique().tolist() == [9.0]

    # random (not all-ones) kernels: the k=3 output still varies with the
    # pixel's phase mod 2
    w = torch.rand(1, 1, 3, 3, device=device)
    out = F.conv_transpose2d(
        torch.ones(1, 1, 8, 8, device=device), w, stride=2
    )[0, 0]
    phases = interior(out)
    assert (
        phases[0::2, 0::2].std() < 1e-6
        and (phases[0, 0] - phases[1, 1]).abs() > 1e-3
    ), "a random positive kernel's output depends on the position modulo 2"

    # one condition behind both: a flat input stays flat iff the four phase
    # sub-kernels w[a::2, b::2] have equal sums; the tent kernel's all sum to 1
    def phase_sums(w):
        return [w[a::2, b::2].sum().item() for a in (0, 1) for b in (0, 1)]

    tent1d = torch.tensor([0.5, 1.0, 0.5], device=device)
    tent = torch.outer(tent1d, tent1d)
    flat = F.conv_transpose2d(
        torch.ones(1, 1, 8, 8, device=device), tent[None, None], stride=2
    )[0, 0]
    assert phase_sums(torch.ones(3, 3)) == [4.0, 2.0, 2.0, 1.0]
    assert phase_sums(tent) == [1.0] * 4 and interior(
        flat
    ).unique().tolist() == [1.0], (
        "a k=3 kernel with equal phase sums upsamples a flat map flat"
    )

    print(
        f"kernel 3 stride 2, interior min/max: "
        f"{interior(k3).min().item():.0f} / "
        f"{interior(k3).max().item():.0f}"
    )
    print(
        f"kernel 4 stride 2, interior min/max: "
        f"{interior(k4).min().item():.0f} / "
        f"{interior(k4).max().item():.0f}"
    )
    sums = ", ".join(f"{v:.0f}" for v in phase_sums(torch.ones(3, 3)))
    print(f"kernel 3 stride 2, all-ones, sums of the phase sub-kernels: {sums}")
    print(
        f"kernel 3 stride 2, tent [0.5, 1, 0.5] x [0.5, 1, 0.5], interior "
        f"min/max: {interior(flat).min().item():.0f} / "
        f"{interior(flat).max().item():.0f}"
    )
    print(
        f"resize + 3x3 conv, interior min/max: "
        f"{interior(rc).min().item():.0f} / "
        f"{interior(rc).max().item():.0f}"
    )

    fig, axes = plt.subplots(1, 3, figsize=(7, 2.6))
    panels = [
        (k3, "convT k=3, s=2"),
        (k4, "convT k=4, s=2"),
        (rc, "nearest x2 + conv 3x3"),
    ]
    for ax, (img, title) in zip(axes, panels):
        im = ax.imshow(img.cpu(), cmap="viridis")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.suptitle(
        "Upsampling a constant 8x8 image with all-ones kernels", fontsize=10
    )
    fig.tight_layout()
    fig.savefig("checkerboard.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
