# bilinear_kernel.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/deconvolution/exercises/bilinear_kernel.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python bilinear_kernel_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "cf821ed953ea5852d1144070a434d8665908af0872f021f03aa4d34b2361b6fd", "sources": {"snippets/deconvolution/exercises/bilinear_kernel.py": "8279c07ac72b80469124d56af6721e7f245cd3332299f168a3a1f5406b806e3b"}}


# --- the exercise, with the solution removed: snippets/deconvolution/exercises/bilinear_kernel.py ---
"""Exercise: the fixed kernel that makes ConvTranspose2d(k=2f, stride=f,
padding=f/2) bilinear upsampling by an even factor f.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation", CVPR, Section 3.3: upsampling layers initialized to bilinear
interpolation. The 1-D weights are the tent 1 - |a - (f - 1/2)| / f.
"""

import torch
import torch.nn.functional as F


def bilinear_kernel(f: int) -> torch.Tensor:
    """The (2f, 2f) kernel of bilinear upsampling by the even factor f."""
    # TODO: your answer here (see the exercise on the page)
    return torch.zeros(2 * f, 2 * f)


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(1, 1, 6, 7, dtype=torch.float64, device=device)
    for f in (2, 4, 6):
        w = bilinear_kernel(f).to(device, torch.float64)
        assert w.shape == (2 * f, 2 * f), "the kernel is 2f x 2f"
        up = F.conv_transpose2d(x, w[None, None], stride=f, padding=f // 2)
        ref = F.interpolate(
            x, scale_factor=f, mode="bilinear", align_corners=False
        )
        assert up.shape == ref.shape, "the output is f times larger"
        inner = (slice(None), slice(None), slice(f, -f), slice(f, -f))
        assert torch.allclose(up[inner], ref[inner], atol=1e-12), (
            f"equals bilinear interpolation away from the border, f={f}"
        )
        print(f"f={f}: 6x7 input -> {tuple(up.shape[-2:])}")
    print(
        "factor 2 kernel, first row x 16:",
        (bilinear_kernel(2)[0] * 16).tolist(),
    )


if __name__ == "__main__":
    main()
