"""Exercise: turn an image by quarter turns with torch.rot90 and move its mask
and box with it.

torch.rot90(x, 1, dims=(-2, -1)) turns counterclockwise: the pixel in row r,
column c of a W-wide image moves to row W-1-c, column r (PyTorch docs, and the
rot90 check of snippets/augmentation/transforms.py). A box's edges move the
same way as a flip's: an edge at x goes to W - x, and the two x edges swap.
"""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shapes"))
from transforms import mask_box  # noqa: E402
from shapes import make_shapes  # noqa: E402


def rot90(x, mask, box, k):
    """k counterclockwise quarter turns of images x (N, C, H, W), masks
    (N, H, W) and boxes (N, 4) as (x0, y0, x1, y1), x1/y1 exclusive."""
    x = torch.rot90(x, k, dims=(-2, -1))
    mask = torch.rot90(mask, k, dims=(-2, -1))
    # BEGIN SOLUTION (starter: return x, mask, box.clone())
    W = mask.shape[-2] if k % 2 else mask.shape[-1]  # the width before a turn
    for _ in range(k % 4):
        x0, y0, x1, y1 = box.unbind(1)
        box = torch.stack([y0, W - x1, y1, W - x0], 1)
        W = mask.shape[-1] + mask.shape[-2] - W  # the sides swap each turn
    return x, mask, box
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = make_shapes(200, max_shapes=1, seed=0)
    x = data["images"].to(device)  # (200, 1, 32, 32)
    mask = data["masks"].to(device)  # (200, 32, 32)
    box = torch.cat(data["boxes"]).to(device).float()  # (200, 4)
    for k in range(4):
        xk, mk, bk = rot90(x, mask, box, k)
        assert torch.equal(bk, mask_box(mk)), (
            f"after {k} quarter turns the box is the turned mask's tight box"
        )
    # a wide image: the width changes with every turn
    wide_x, wide_mask = x[:, :, :, :24], mask[:, :, :24]
    keep = wide_mask.flatten(1).any(1)  # shapes still visible
    wide_box = mask_box(wide_mask[keep])
    for k in range(4):
        _, mk, bk = rot90(wide_x[keep], wide_mask[keep], wide_box, k)
        assert torch.equal(bk, mask_box(mk)), (
            f"on a 32x24 image, after {k} quarter turns the box still fits"
        )
    example = torch.tensor([[2.0, 5.0, 10.0, 9.0]], device=device)
    blank = torch.zeros(1, 1, 32, 32, device=device)
    turned = rot90(blank, blank[:, 0].long(), example, 1)[2]
    print(
        "box (2, 5, 10, 9) on 32x32, one quarter turn:",
        tuple(int(v) for v in turned[0].tolist()),
    )
    print("shapes images checked, 4 turns each:", len(x))


if __name__ == "__main__":
    main()
