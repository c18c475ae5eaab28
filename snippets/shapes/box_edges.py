"""A shapes box (x0, y0, x1, y1) is pixel edges with x1, y1 exclusive:
mask[y0:y1, x0:x1] is exactly the shape's bounding crop, and its width is x1 -
x0.

The data set's own convention (snippets/shapes/shapes.py); Python slicing is
half-open.
"""

import os

import torch

from shapes import make_shapes  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    data = make_shapes(200, max_shapes=3, seed=SEED)
    n = 0
    for m, boxes in zip(data["masks"], data["boxes"]):
        for k, (x0, y0, x1, y1) in enumerate(boxes.long().tolist()):
            # --8<-- [start:crop]
            ys, xs = torch.nonzero(m > 0, as_tuple=True)
            inside = (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)
            crop = m[y0:y1, x0:x1] > 0  # the box's crop
            # --8<-- [end:crop]
            # first/last column used
            assert crop[:, 0].any() and crop[:, -1].any(), (
                "the crop touches all four box edges"
            )
            assert crop[0].any() and crop[-1].any(), (
                "the crop touches all four box edges"
            )
            assert int(inside.sum()) == int(crop.sum())
            assert crop.shape == (y1 - y0, x1 - x0), (
                "the crop's width is x1 - x0"
            )
            n += 1
    print(f"images checked: {len(data['masks'])}")
    print(f"boxes checked: {n}")
    print("crop mask[y0:y1, x0:x1] touches all four box edges: True")
    print("width of the crop == x1 - x0 (not x1 - x0 + 1): True")


if __name__ == "__main__":
    main()
