"""A kernel 2, stride 2 transposed convolution turns a flat input into a 2x2
periodic pattern unless its four weights per channel pair are equal.

Ronneberger, Fischer & Brox 2015, U-Net, Section 2 (the 2x2 up-convolution);
Odena, Dumoulin & Olah 2016, "Deconvolution and Checkerboard Artifacts",
Distill (https://distill.pub/2016/deconv-checkerboard/).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def distinct(values: torch.Tensor, tol: float = 1e-6) -> int:
    """Number of distinct values, closer than tol counting as one."""
    v = values.flatten().sort().values
    return 1 + int((v.diff() > tol).sum())


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:pattern]
    up = nn.ConvTranspose2d(16, 8, kernel_size=2, stride=2).to(device)
    flat = torch.ones(1, 16, 4, 4, device=device)  # a constant input
    with torch.no_grad():
        out = up(flat)  # (1, 8, 8, 8)
        # output pixel (2a + u, 2b + v) gets weight (u, v) only: the four
        # positions of a 2x2 block, tiled over the image
        block = up.weight.sum(0) + up.bias[:, None, None]  # (8, 2, 2)
        torch.testing.assert_close(out[0], block.repeat(1, 4, 4))
        # make the four weights of each (in, out) channel pair equal
        up.weight.copy_(
            up.weight.mean((2, 3), keepdim=True).expand(-1, -1, 2, 2)
        )
        out_equal = up(flat)
    # --8<-- [end:pattern]
    per_channel = [distinct(out[0, c]) for c in range(8)]
    per_channel_equal = [distinct(out_equal[0, c]) for c in range(8)]
    assert min(per_channel) > 1, (
        f"unequal weights: a flat input gives a 2x2 pattern {per_channel}"
    )
    assert max(per_channel_equal) == 1, (
        f"four equal weights: the output is flat {per_channel_equal}"
    )
    print(f"output shape: {tuple(out.shape)}")
    print(f"distinct values per channel, default init: {min(per_channel)}")
    print(
        f"distinct values per channel, equal weights: {max(per_channel_equal)}"
    )


if __name__ == "__main__":
    main()
