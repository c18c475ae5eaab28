# occlusion_map.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/visualizing/exercises/occlusion_map.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python occlusion_map_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "aaeee73f66e0bc72935b542f7693e61528196ce0ee1a17d0db9df27d41a27411", "sources": {"snippets/visualizing/exercises/occlusion_map.py": "ca6c77a823f206e6809340dbd12cada4865369a6a754cba35cb3c1e71941febc"}}


# --- the exercise, with the solution removed: snippets/visualizing/exercises/occlusion_map.py ---
"""Exercise: occlusion sensitivity from scratch, and why the occluder is
filled with the background's level.

Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks",
ECCV, Section 4.2: slide a grey square over the image and record the class
score; the score falls where the evidence is hidden.
"""

import torch
import torch.nn.functional as F


@torch.no_grad()
def occlusion_map(score, x, patch: int, stride: int, fill: float = 0.0):
    """score: images (N, 1, H, W) -> (N,). The drop of the score when the
    patch x patch square at (r * stride, c * stride) is set to `fill`:
    (N, K, K), K = (H - patch) // stride + 1 (square images)."""
    n, _, h, _ = x.shape
    k = (h - patch) // stride + 1
    # TODO: your answer here (see the exercise on the page)
    return x.new_zeros(n, k, k)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    x = torch.rand(3, 1, 16, 16, **opts)
    # a linear score: hiding a patch with 0 removes exactly sum_P w x
    w, b = torch.randn(1, 1, 16, 16, **opts), 0.3

    def linear(im):
        return (w * im).sum((1, 2, 3)) + b

    drop = occlusion_map(linear, x, patch=4, stride=2)
    expected = F.avg_pool2d(w * x, 4, stride=2)[:, 0] * 16  # sum over P
    assert drop.shape == (3, 7, 7), "K = (16 - 4) // 2 + 1 = 7"
    assert torch.allclose(drop, expected, atol=1e-10), (
        "a linear score drops by the patch's sum of w * x"
    )
    drop = occlusion_map(linear, x, patch=4, stride=2, fill=0.5)
    expected = F.avg_pool2d(w * (x - 0.5), 4, stride=2)[:, 0] * 16
    assert torch.allclose(drop, expected, atol=1e-10), (
        "with fill f the drop is the patch's sum of w * (x - f)"
    )

    # a detector of bright 4x4 squares on a dark image
    def detector(im):
        return F.avg_pool2d(im, 4, stride=1).flatten(1).max(1).values

    img = torch.zeros(1, 1, 16, 16, **opts)
    img[..., 8:12, 2:6] = 1.0  # the object: rows 8-11, columns 2-5
    dark = occlusion_map(detector, img, patch=4, stride=2, fill=0.0)
    r, c = divmod(int(dark.argmax()), dark.shape[-1])
    assert (2 * r, 2 * c) == (8, 2), "fill 0: the largest drop is on the object"
    white = occlusion_map(detector, img, patch=4, stride=2, fill=1.0)
    print(
        f"fill 0 (background): largest drop at rows {2 * r}-{2 * r + 3},"
        f" columns {2 * c}-{2 * c + 3}"
    )
    print(f"fill 0, largest drop: {dark.max().item():.2f}")
    print(f"fill 1 (white), largest drop: {white.max().item():.2f}")
    assert white.max() <= 0, "a white occluder hides no evidence: it adds some"


if __name__ == "__main__":
    main()
