"""Four ways to double a feature map: max unpooling, nearest, bilinear, and a
transposed convolution.

Unpooling: Zeiler & Fergus 2014 (Section 2.1), Noh et al. 2015 (Section 3.2),
Badrinarayanan et al. 2017 (SegNet). A transposed conv initialised to bilinear
interpolation: Long et al. 2015 (FCN), Sections 3.3 and 4.2.
"""

import os
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def test_image(size: int = 16) -> torch.Tensor:
    """A bright square, a smooth disc and a gentle ramp, so that every 2x2
    window has one maximum."""
    yy, xx = torch.meshgrid(
        torch.arange(size), torch.arange(size), indexing="ij"
    )
    yy, xx = yy.float(), xx.float()
    img = 0.02 * xx + 0.01 * yy  # ramp: breaks ties
    img = img + ((yy - 4).abs() <= 2).float() * ((xx - 4).abs() <= 2).float()
    img = img + torch.exp(-((yy - 10.5) ** 2 + (xx - 10.5) ** 2) / 8)
    return img.view(1, 1, size, size)


# --8<-- [start:bilinear_kernel]
def bilinear_conv_transpose(channels: int = 1) -> nn.ConvTranspose2d:
    """ConvTranspose2d(k=4, s=2, p=1) whose fixed kernel performs x2 bilinear
    interpolation."""
    w1d = torch.tensor([0.25, 0.75, 0.75, 0.25])
    up = nn.ConvTranspose2d(
        channels, channels, 4, stride=2, padding=1, bias=False, groups=channels
    )
    with torch.no_grad():
        up.weight.copy_(torch.outer(w1d, w1d).expand(channels, 1, 4, 4))
    return up


# --8<-- [end:bilinear_kernel]


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = test_image().to(device)  # (1, 1, 16, 16)
    # --8<-- [start:compare]
    # (1, 1, 8, 8) + switches
    pooled, idx = F.max_pool2d(x, 2, return_indices=True)
    ups = {
        "max unpooling": F.max_unpool2d(pooled, idx, 2),  # needs the switches
        "nearest": F.interpolate(pooled, scale_factor=2, mode="nearest"),
        "bilinear": F.interpolate(
            pooled, scale_factor=2, mode="bilinear", align_corners=False
        ),
        "convT (bilinear kernel)": bilinear_conv_transpose().to(device)(pooled),
    }
    # --8<-- [end:compare]

    for name, up in ups.items():
        assert up.shape == x.shape, (name, up.shape)
    # unpooling: exactly one non-zero per 2x2 window, at the position of the
    # original maximum
    unp = ups["max unpooling"]
    assert (unp != 0).sum().item() == pooled.numel(), (
        "unpooling: one non-zero per window"
    )
    torch.testing.assert_close(unp[unp != 0], x[unp != 0])
    # nearest copies each value into its 2x2 block
    blocks = pooled.repeat_interleave(2, 2).repeat_interleave(2, 3)
    assert torch.equal(ups["nearest"], blocks), "nearest is repeat_interleave"
    # the fixed transposed conv IS bilinear upsampling, except at the border,
    # where F.interpolate replicates the edge and the transposed conv sees
    # zeros
    inner = (slice(None), slice(None), slice(1, -1), slice(1, -1))
    assert torch.allclose(
        ups["convT (bilinear kernel)"][inner],
        ups["bilinear"][inner],
        rtol=1.3e-6,
        atol=1e-5,
    ), (
        "the bilinear transposed convolution equals interpolation "
        "inside the border"
    )
    assert not torch.allclose(ups["convT (bilinear kernel)"], ups["bilinear"])

    for name, up in ups.items():
        print(
            f"MSE to the 16x16 original, {name}: {F.mse_loss(up, x).item():.4f}"
        )

    fig, axes = plt.subplots(1, 6, figsize=(10, 2.2))
    panels = [("original 16x16", x), ("max-pooled 8x8", pooled)] + list(
        ups.items()
    )
    for ax, (title, img) in zip(axes, panels):
        ax.imshow(img[0, 0].detach().cpu(), cmap="gray", vmin=0, vmax=1.4)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Upsampling the max-pooled image back to 16x16", fontsize=10)
    fig.savefig("upsampling_compared.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
