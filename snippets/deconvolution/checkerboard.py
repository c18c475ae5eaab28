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
