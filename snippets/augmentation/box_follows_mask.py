"""A flip, shift or crop moves the box onto the tight box of the moved mask; a
rotation makes the box of a round or pointed shape loose.

A crop that cuts a circle or triangle can leave its clipped box loose too.
Boxes and masks moved with the image: torchvision's transforms.v2 with
tv_tensors (BoundingBoxes, Mask). Loose boxes after rotation (the "largest box
method"): Kalra, Stoppi, Brown, Agarwal & Kadambi 2021, "Towards Rotation
Invariance in Object Detection", ICCV.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch

from shapes import CLASSES, make_shapes
from transforms import (
    affine,
    hflip,
    mask_box,
    random_crop,
    rotation_theta,
    vflip,
)

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = make_shapes(1000, max_shapes=1, seed=SEED)
    x, mask = data["images"].to(device), data["masks"].to(device)
    box = torch.cat(data["boxes"]).to(device)  # (1000, 4), tight
    cls = torch.cat(data["labels"]).to(device)

    # --8<-- [start:check]
    def crop(*a):
        return random_crop(*a, pad=4)

    for name, t in [("hflip", hflip), ("vflip", vflip), ("pad 4 + crop", crop)]:
        _, m, b = t(x, mask, box)
        tight = mask_box(m)  # the box the moved mask has
        assert (b[:, :2] <= tight[:, :2]).all()  # the box holds the mask
        assert (b[:, 2:] >= tight[:, 2:]).all()
        area, area0 = (m > 0).sum((1, 2)), (mask > 0).sum((1, 2))
        whole = area == area0  # nothing cut off by the border
        exact = (b == tight).all(1)
        assert exact[whole].all()  # exact for every uncut shape
        assert exact[cls == 0].all()  # and for every square
        print(
            f"{name}: box == tight box of mask for {exact.float().mean():.1%}"
            f" ({(~whole).sum()} shapes cut by the border)"
        )
    # --8<-- [end:check]
    # --8<-- [start:rotate]
    angle = (torch.rand(len(x)) * 2 - 1) * 20  # -20..20 degrees
    _, m, b = affine(x, mask, box, rotation_theta(angle, size=32))
    outward = torch.tensor([-1, -1, 1, 1]).to(b)
    excess = (b - mask_box(m)) * outward  # px per edge, > 0: too loose
    worst = excess.amax(1)  # (N,) the loosest edge
    assert (excess >= -1).all()  # holds the mask, to 1 px
    assert (worst[cls == 0] <= 1).all()  # a square's box: within 1 px
    for k, name in enumerate(CLASSES):
        w = worst[cls == k]
        print(
            f"rotate +-20 deg, {name}: box edge too far out by up to "
            f"{w.max():.0f} px (mean {w.mean():.1f})"
        )
    # --8<-- [end:rotate]
    assert worst[cls == 1].mean() > 1  # a circle's box grows
    assert ((m > 0).flatten(1).sum(1) > 0).all()  # no shape rotated away


if __name__ == "__main__":
    main()
