"""RandAugment: N transformations per image, each drawn uniformly from a fixed
list of 14, all at one shared magnitude M. The photometric transformations
match Pillow's ImageOps and ImageEnhance (what AutoAugment's released code
calls) to within one grey level, and Pillow's equalize leaves an 8x8 image
unchanged.

Cubuk, Zoph, Shlens & Le 2020, "RandAugment: Practical automated data
augmentation with a reduced search space" (the method); the transformations and
their ranges come from Cubuk et al. 2019, "AutoAugment".
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageEnhance, ImageOps
from sklearn.datasets import load_digits

from transforms import affine, rotation_theta

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:ops]
# Images (N, 1, H, W) in [0, 1]; `v` holds one parameter per image, shape (N,).
def _blend(x, degenerate, factor):
    """Pillow's ImageEnhance: degenerate + factor * (x - degenerate)."""
    f = factor.view(-1, 1, 1, 1)
    return (degenerate + f * (x - degenerate)).clamp(0, 1)


def _warp(x, a, b, c, d, tx=0.0, ty=0.0):
    """An affine warp about the image centre; (a b tx; c d ty) maps output to
    input coordinates in [-1, 1] units. Pixels from outside are black, and
    values are read bilinearly (Pillow, torchvision and the TPU code take the
    nearest pixel, and shear about the top-left corner)."""
    rows = [
        torch.as_tensor(t, dtype=torch.float32, device=x.device)
        for t in (a, b, tx, c, d, ty)
    ]
    theta = torch.stack(torch.broadcast_tensors(*rows), -1).view(-1, 2, 3)
    return affine(x, theta=theta)[0]


def identity(x, v):
    return x


def autocontrast(x, v):
    """Stretch each image to use the whole range from black to white."""
    lo, hi = x.amin((1, 2, 3), keepdim=True), x.amax((1, 2, 3), keepdim=True)
    return torch.where(hi > lo, (x - lo) / (hi - lo).clamp_min(1e-12), x)


def equalize(x, v):
    """Pillow's histogram equalization on 256 grey levels. Its step is
    (pixels - count of the brightest level) // 255, so an image of fewer
    than 256 pixels (an 8x8 digit has 64) has step 0 and stays as it is."""
    levels = (x * 255).round().long().flatten(1)  # (N, H*W)
    hist = torch.zeros(len(x), 256, dtype=torch.long, device=x.device)
    hist.scatter_add_(1, levels, torch.ones_like(levels))  # pixels per level
    brightest = 255 - (hist.flip(1) > 0).int().argmax(1, keepdim=True)
    step = (levels.shape[1] - hist.gather(1, brightest)) // 255  # (N, 1)
    below = hist.cumsum(1) - hist  # pixels darker than each level
    lut = ((step // 2 + below) // step.clamp_min(1)).clamp(max=255)
    out = lut.gather(1, levels).float() / 255
    return torch.where(step > 0, out, x.flatten(1)).view_as(x)


def rotate(x, degrees):
    return affine(x, theta=rotation_theta(degrees.cpu(), size=x.shape[-1]))[0]


def solarize(x, threshold):
    """Invert every pixel at or above `threshold` grey levels (0 to 256)."""
    return torch.where(x * 255 >= threshold.view(-1, 1, 1, 1), 1 - x, x)


def color(x, factor):
    """Blend with the image's own greyscale: on a greyscale image, nothing."""
    return _blend(x, x, factor)


def posterize(x, bits):
    """Keep the top `bits` bits of each 8-bit grey level."""
    step = (2 ** (8 - bits)).view(-1, 1, 1, 1)
    return (
        torch.div((x * 255).round(), step, rounding_mode="floor") * step / 255
    )


def contrast(x, factor):
    # Pillow averages the 8-bit levels and rounds half up
    levels = (x * 255).round()
    mean = (levels.mean((1, 2, 3), keepdim=True) + 0.5).floor() / 255
    return _blend(x, mean.expand_as(x), factor)


def brightness(x, factor):
    return _blend(x, torch.zeros_like(x), factor)


def sharpness(x, factor):
    """Blend with Pillow's SMOOTH filter; Pillow leaves the border as it is."""
    smooth = (
        torch.tensor([[1.0, 1, 1], [1, 5, 1], [1, 1, 1]], device=x.device) / 13
    )
    blurred = x.clone()
    blurred[..., 1:-1, 1:-1] = F.conv2d(x, smooth.view(1, 1, 3, 3))
    return _blend(x, (blurred * 255).round() / 255, factor)


def shear_x(x, s):
    return _warp(x, 1.0, s, 0.0, 1.0)  # input x = output x + s * output y


def shear_y(x, s):
    return _warp(x, 1.0, 0.0, s, 1.0)


def translate_x(x, fraction):
    return _warp(x, 1.0, 0.0, 0.0, 1.0, tx=-2 * fraction)  # [-1, 1] spans 2


def translate_y(x, fraction):
    return _warp(x, 1.0, 0.0, 0.0, 1.0, ty=-2 * fraction)


# --8<-- [end:ops]


# --8<-- [start:policy]
# Each transformation's parameter at magnitude M, on the paper's 0-10 scale:
# (transformation, value at M = 0, change at M = 10, random sign?). Every one
# grows stronger with M. The ranges are AutoAugment's, its shifts of 150 px
# taken as 150 of 331 px as torchvision does; the signs, and the enhancement
# factors as a distance of up to 0.9 from 1, are torchvision's.
OPS = {
    "identity": (identity, 0, 0, False),
    "autocontrast": (autocontrast, 0, 0, False),
    "equalize": (equalize, 0, 0, False),
    "rotate": (rotate, 0, 30, True),  # degrees
    "solarize": (solarize, 256, -256, False),  # threshold in grey levels
    "color": (color, 1, 0.9, True),
    "posterize": (posterize, 8, -4, False),  # bits kept
    "contrast": (contrast, 1, 0.9, True),
    "brightness": (brightness, 1, 0.9, True),
    "sharpness": (sharpness, 1, 0.9, True),
    "shear_x": (shear_x, 0, 0.3, True),
    "shear_y": (shear_y, 0, 0.3, True),
    "translate_x": (translate_x, 0, 150 / 331, True),  # fraction of the width
    "translate_y": (translate_y, 0, 150 / 331, True),
}


def transform(name, x, magnitude, sign=None):
    """Transformation `name` at `magnitude` on each image of x; where it has a
    direction, the sign is drawn for each image."""
    op, start, change, signed = OPS[name]
    if sign is None and signed:
        sign = torch.randint(0, 2, (len(x),)) * 2 - 1
    elif sign is None:
        sign = torch.ones(len(x))
    value = start + sign * change * magnitude / 10
    if name == "posterize":
        value = value.round()  # whole bits
    return op(x, value.float().to(x.device))


def rand_augment(x, n=2, magnitude=9, names=tuple(OPS)):
    """Apply n transformations to each image, each drawn uniformly (with
    replacement) from `names`, all at `magnitude`. Every transformation runs
    on the whole batch and each image keeps the one it drew: simple, and
    cheap at 8x8."""
    rows = torch.arange(len(x), device=x.device)
    for _ in range(n):
        drawn = torch.randint(0, len(names), (len(x),), device=x.device)
        every = torch.stack([transform(name, x, magnitude) for name in names])
        x = every[drawn, rows]
    return x


# --8<-- [end:policy]


def pillow(images, transform):
    """Apply a Pillow transformation to each (H, W) uint8 image."""
    return np.stack(
        [np.asarray(transform(Image.fromarray(im))) for im in images]
    )


def largest_level_difference(x, ours, theirs) -> int:
    """Largest difference in grey levels, ours (floats) against Pillow's.
    Pillow truncates with int() in autocontrast and when it blends, where
    ours keeps floats and rounds once: hence a tolerance of one level."""
    mine = (ours(x) * 255).round().to(torch.uint8).cpu().numpy()[:, 0]
    images = (x * 255).round().to(torch.uint8).cpu().numpy()[:, 0]
    theirs = pillow(images, theirs).astype(int)
    return int(np.abs(mine.astype(int) - theirs).max())


def pillow_checks(full):
    """(ours, Pillow's) pairs for each photometric transformation, at a weak
    and a strong setting; `full` is a tensor of ones, one per image."""
    checks = {
        "autocontrast": [
            (lambda t: autocontrast(t, None), ImageOps.autocontrast)
        ],
        "equalize": [(lambda t: equalize(t, None), ImageOps.equalize)],
        "solarize": [
            (
                lambda t, v=v: solarize(t, v * full),
                lambda im, v=v: ImageOps.solarize(im, v),
            )
            for v in (200, 40)
        ],
        "posterize": [
            (
                lambda t, b=b: posterize(t, b * full),
                lambda im, b=b: ImageOps.posterize(im, b),
            )
            for b in (6, 4)
        ],
    }
    # color on greyscale: this only confirms that both leave it as it is
    enhancers = {
        "color": ImageEnhance.Color,
        "contrast": ImageEnhance.Contrast,
        "brightness": ImageEnhance.Brightness,
        "sharpness": ImageEnhance.Sharpness,
    }
    for name, enhancer in enhancers.items():
        op = OPS[name][0]
        checks[name] = [
            (
                lambda t, f=f, op=op: op(t, f * full),
                lambda im, f=f, e=enhancer: e(im).enhance(f),
            )
            for f in (0.3, 1.7)
        ]
    return checks


def changed(a, b):
    """Fraction of images in which at least one pixel differs."""
    return (a != b).flatten(1).any(1).float().mean().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(
        digits.images[:200] / 16.0, dtype=torch.float32, device=device
    )
    # on 8-bit grey levels, as Pillow sees them
    x = (x.unsqueeze(1) * 255).round() / 255  # (200, 1, 8, 8)
    # most digits already span black to white: add faint copies, which
    # autocontrast and contrast have something to do on
    faint = ((0.2 + 0.5 * x) * 255).round() / 255
    both = torch.cat([x, faint])
    full = torch.ones(len(both), device=device)

    for name, pairs in pillow_checks(full).items():
        worst = max(largest_level_difference(both, a, b) for a, b in pairs)
        assert worst <= 1, (
            f"{name} matches Pillow within one grey level: {worst}"
        )
        print(f"{name}, largest difference from Pillow (grey levels): {worst}")

    touched = changed(autocontrast(x, None), x)
    assert touched < 0.1, f"autocontrast changes few digits: {touched}"
    print(f"autocontrast, fraction of the digits changed: {touched:.2f}")

    # equalize: nothing on 64 pixels, a change on the same digits at 32x32
    assert torch.equal(equalize(x, None), x), (
        "equalize leaves an 8x8 image unchanged"
    )
    big = x.repeat_interleave(4, -1).repeat_interleave(4, -2)  # 32x32
    on_big = changed(equalize(big, None), big)
    assert on_big > 0.9, f"equalize changes most 32x32 digits: {on_big}"
    worst = largest_level_difference(
        big, lambda t: equalize(t, None), ImageOps.equalize
    )
    assert worst <= 1, (
        f"equalize at 32x32 matches Pillow within one grey level: {worst}"
    )
    on_small = changed(equalize(x, None), x)
    print(f"equalize, fraction of the 8x8 digits changed: {on_small:.2f}")
    print(f"equalize, the same digits at 32x32, fraction changed: {on_big:.2f}")
    print(f"equalize at 32x32, largest difference from Pillow: {worst}")

    # a shift by 1/8 of an 8-pixel image is one pixel, with black coming in
    one_px = torch.full((len(x),), 1 / 8, device=device)
    rolled = torch.roll(x, 1, -1)
    rolled[..., 0] = 0
    torch.testing.assert_close(translate_x(x, one_px), rolled)
    print("translate_x by 1/8 of the width: the image moves right by 1 pixel")

    # the policy: some images draw two transformations that change nothing
    many = x.repeat(10, 1, 1, 1)  # 2000 images, for a steadier fraction
    out = rand_augment(many, n=2, magnitude=9)
    kept = 1 - changed(out, many)
    # four of the fourteen change (almost) nothing on these digits
    near = (4 / 14) ** 2
    assert abs(kept - near) < 0.03, (
        f"N = 2, M = 9 leaves about (4/14)^2 of the images unchanged: {kept}"
    )
    pairs = len(OPS) ** 2
    print(f"transformations: {len(OPS)}, ordered pairs for N = 2: {pairs}")
    print(
        f"N = 2, M = 9, fraction of the images left unchanged: {kept:.3f} ±0.03"
    )
    _plot(x[digits.target[:200] == 2][0:1])


def _plot(digit) -> None:
    """One digit under each transformation at magnitudes 2 and 9, sign +1."""
    fig, axes = plt.subplots(2, len(OPS), figsize=(len(OPS) * 0.9, 2.3))
    for row, magnitude in enumerate((2, 9)):
        for ax, name in zip(axes[row], OPS):
            image = transform(name, digit, magnitude, sign=torch.ones(1))
            ax.imshow(image[0, 0].cpu(), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(name.replace("_", " "), fontsize=7, rotation=45)
        axes[row, 0].set_ylabel(f"M = {magnitude}", fontsize=8)
    fig.savefig("rand_augment.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
