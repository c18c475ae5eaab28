"""Two "bilinear" upsamplings disagree: F.interpolate and nn.Upsample default to
align_corners=False, nn.UpsamplingBilinear2d uses align_corners=True.

PyTorch documentation, torch.nn.functional.interpolate (align_corners, default
False) and torch.nn.UpsamplingBilinear2d ("deprecated in favor of
interpolate(). It is equivalent to nn.functional.interpolate(...,
mode='bilinear', align_corners=True)").
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def first_row(t: torch.Tensor) -> str:
    return " ".join(f"{v:.2f}" for v in t[0, 0, 0].tolist())


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:compare]
    x = torch.arange(16.0, device=device).view(1, 1, 4, 4)  # rows 0..3, 4..7
    default = F.interpolate(x, scale_factor=2, mode="bilinear")
    upsample = nn.Upsample(scale_factor=2, mode="bilinear")(x)
    module = nn.UpsamplingBilinear2d(scale_factor=2)(x)
    corners = F.interpolate(
        x, scale_factor=2, mode="bilinear", align_corners=True
    )
    assert torch.equal(upsample, default), "nn.Upsample's default is False"
    assert torch.equal(module, corners), "the module is align_corners=True"
    gap = (module - default).abs().max().item()
    assert gap > 0.1, "and the two defaults differ"
    # --8<-- [end:compare]
    print(f"first row, F.interpolate default: {first_row(default)}")
    print(f"first row, nn.UpsamplingBilinear2d: {first_row(module)}")
    print(f"largest difference: {gap:.2f}")


if __name__ == "__main__":
    main()
