"""Resizing a class mask bilinearly invents class values that were never there;
nearest-neighbour keeps the set of labels.

PyTorch documentation of torch.nn.functional.interpolate (mode "nearest" copies
a source value, "bilinear" mixes neighbouring values); a mask holds class
indices, not intensities.
"""

import os
import sys
from pathlib import Path

# the shared data set
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch
import torch.nn.functional as F

from shapes import make_shapes

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    masks = make_shapes(64, seed=SEED)["masks"]  # (N, 32, 32), one shape each
    # --8<-- [start:resize]
    m = masks[:, None].float()  # (N, 1, H, W)
    near = F.interpolate(m, size=(20, 20), mode="nearest")
    bil = F.interpolate(m, size=(20, 20), mode="bilinear", align_corners=False)
    bil_rounded = bil.round()  # back to "classes"
    # --8<-- [end:resize]
    invented = 0
    for i in range(len(m)):
        src = set(masks[i].unique().tolist())
        assert set(near[i].unique().long().tolist()) <= src
        known = torch.isin(bil_rounded[i].long(), torch.tensor(sorted(src)))
        invented += int((~known).sum())
    frac = float((bil != bil.round()).double().mean())
    assert invented > 0 and frac > 0.01, (
        "bilinear resizing gives fractional labels and invents classes"
    )
    print("nearest, labels all from the source mask: True")
    print(f"bilinear, share of pixels with a fractional label: {frac:.3f}")
    print(
        "bilinear then rounded, pixels given a class absent from their image: "
        f"{invented}"
    )


if __name__ == "__main__":
    main()
