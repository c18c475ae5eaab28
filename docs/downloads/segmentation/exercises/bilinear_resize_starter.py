# bilinear_resize.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/segmentation/exercises/bilinear_resize.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python bilinear_resize_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "2ffa6d2cb6d68333870c5f80c49539e033faa6946f17c84a99499fbbb5c22c82", "sources": {"snippets/segmentation/exercises/bilinear_resize.py": "ed690d163f7074108eaf0d435efdcdd77bff7429a6a73feb508446abae7be293"}}


# --- the exercise, with the solution removed: snippets/segmentation/exercises/bilinear_resize.py ---
"""Exercise: bilinear resizing from scratch equals F.interpolate(mode=
"bilinear", align_corners=False): output pixel i reads the input at
(i + 0.5) * in / out - 0.5 and blends its two neighbours in each direction.

PyTorch documentation, "torch.nn.functional.interpolate" (align_corners=False:
pixels are areas, the corners of the input and output grids are aligned, not
their centres); Long et al. 2015 (FCN, CVPR), Section 3.3: bilinear
interpolation computes each output from the nearest four inputs.
"""

import torch
import torch.nn.functional as F


def resize_bilinear(x: torch.Tensor, size: tuple) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, h, w) with size = (h, w), align_corners=False."""

    # TODO: your answer here (see the exercise on the page)
    return F.interpolate(x, size=size)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 3, 8, 12, device=device)  # (N, C, H, W)

    # the checks a learner's answer must pass
    for size in [(16, 24), (20, 30), (5, 7), (8, 12), (13, 4)]:
        ours = resize_bilinear(x, size)
        theirs = F.interpolate(x, size=size, mode="bilinear")
        assert ours.shape == theirs.shape, f"the output size {size}"
        assert torch.allclose(ours, theirs, atol=1e-5), (
            f"equals F.interpolate(mode='bilinear') at size {size}"
        )
    corners = F.interpolate(
        x, size=(16, 24), mode="bilinear", align_corners=True
    )
    gap = (resize_bilinear(x, (16, 24)) - corners).abs().max().item()
    assert gap > 0.01, "align_corners=True is another resampling"
    print("equals F.interpolate(mode='bilinear') at 5 sizes: True")
    print(f"largest difference to align_corners=True, 8x12 -> 16x24: {gap:.3f}")
    # a mask of classes 0 and 2 resized bilinearly: values between them appear
    mask = torch.zeros(1, 1, 8, 8, device=device)
    mask[..., 2:6, 2:6] = 2.0
    blend = resize_bilinear(mask, (12, 12)).round()
    print(f"class values after resizing a 0/2 mask: {blend.unique().tolist()}")


if __name__ == "__main__":
    main()
