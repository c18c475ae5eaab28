"""A YOLO-v1 style grid can hold one object per cell: when two centres fall into
one cell, one object vanishes from the targets.

Redmon, Divvala, Girshick & Farhadi 2016, YOLO (CVPR), Section 2 (the cell
holding an object's centre is responsible for it) and Section 2.4 (Limitations:
small objects that appear in groups).
"""

import os

import torch

# same folder: snippets/detection/grid_detector.py
from grid_detector import CELL, encode

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    # --8<-- [start:collision]
    # two small shapes side by side, both centred inside the cell (row 1, col 1)
    boxes = torch.tensor([[8.0, 9.0, 12.0, 13.0], [12.0, 9.0, 16.0, 13.0]])
    labels = torch.tensor([0, 1])  # square, circle
    t = encode([boxes], [labels])  # (1, 6, S, S)
    # --8<-- [end:collision]
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2 // CELL
    assert (centres[0] == centres[1]).all()  # the same cell
    objects_in_targets = int(t[0, 0].sum())
    assert objects_in_targets == 1
    print(f"cells of the two centres (col, row): {centres.long().tolist()}")
    print(
        f"objects in the image: {len(boxes)}, in the targets: "
        f"{objects_in_targets}"
    )
    print(
        f"class kept for that cell: {int(t[0, 1, 1, 1])} "
        f"(the last written; the other is lost)"
    )


if __name__ == "__main__":
    main()
