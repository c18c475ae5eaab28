"""A U-Net with two 2x2 poolings needs H and W divisible by 4: a 30x30 input
fails at the skip concatenation, padding it to 32x32 works.

Ronneberger, Fischer & Brox 2015, U-Net (MICCAI), Section 2 (the input tile size
must be chosen so that every 2x2 max-pooling is applied to a layer with an even
size).
"""

import os

import torch
import torch.nn.functional as F

from tiny_unet import TinyUNet  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    model = TinyUNet().eval()
    x = torch.randn(1, 1, 30, 30)
    # --8<-- [start:pad]
    try:
        model(x)
        error = "none"
    except RuntimeError as e:  # torch.cat of 14x14 and 15x15
        error = str(e).split("\n")[0][:60]
    pad_h, pad_w = -x.shape[-2] % 4, -x.shape[-1] % 4  # up to a multiple of 4
    out = model(F.pad(x, (0, pad_w, 0, pad_h)))[..., :30, :30]  # crop back
    # --8<-- [end:pad]
    assert error != "none" and out.shape == (1, 4, 30, 30)
    print(f"30x30 input: RuntimeError: {error}...")
    print(f"padded to 32x32 and cropped back: {tuple(out.shape)}")


if __name__ == "__main__":
    main()
