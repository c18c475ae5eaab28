"""Asking for many large shapes in a small image gives fewer shapes than asked,
because shapes may neither overlap nor touch.

The data set's own placement rule (snippets/shapes/shapes.py: up to 50 tries per
shape).
"""

import os

import torch

from shapes import make_shapes  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    for max_shapes, max_side in ((3, 16), (8, 16)):
        # --8<-- [start:count]
        data = make_shapes(
            300, max_shapes=max_shapes, max_side=max_side, seed=SEED
        )
        counts = torch.tensor([len(b) for b in data["boxes"]])  # per image
        # --8<-- [end:count]
        print(
            f"max_shapes={max_shapes}, max_side={max_side}: mean shapes per "
            f"image {counts.float().mean():.2f}, most in one image "
            f"{int(counts.max())}"
        )
        if max_shapes == 8:
            assert int(counts.max()) < 8  # never reaches what was asked
        assert int(counts.min()) >= 1


if __name__ == "__main__":
    main()
