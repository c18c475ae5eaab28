"""padding='same' keeps the size only at stride 1: with an even kernel PyTorch
pads one more pixel at the bottom/right, and with stride 2 it refuses.

PyTorch documentation of nn.Conv2d (padding='same' "doesn't support any stride
values other than 1"); Dumoulin & Visin 2016 (arXiv 1603.07285), Section 2.2.1
(half padding needs an odd k).
"""

import os

import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(1, 1, 6, 6, device=device)
    # --8<-- [start:even]
    w = torch.randn(1, 1, 4, 4, device=device)  # even kernel: 3 pads
    same = F.conv2d(x, w, padding="same")  # (1, 1, 6, 6)
    left_1 = F.conv2d(F.pad(x, (1, 2, 1, 2)), w)  # 1 before, 2 after
    left_2 = F.conv2d(F.pad(x, (2, 1, 2, 1)), w)  # 2 before, 1 after
    # --8<-- [end:even]
    torch.testing.assert_close(same, left_1)
    assert (same - left_2).abs().max() > 1e-3  # the other split
    assert same.shape[-2:] == x.shape[-2:]
    # --8<-- [start:stride]
    try:
        F.conv2d(x, w[..., :3, :3], stride=2, padding="same")
        error = "none"
    except RuntimeError as e:  # PyTorch refuses
        error = type(e).__name__
    # --8<-- [end:stride]
    assert error == "RuntimeError"
    explicit = F.conv2d(x, w[..., :3, :3], stride=2, padding=1)
    print(
        f"k=4, padding='same': output {tuple(same.shape[-2:])}, "
        "pads (top, bottom) = (1, 2)"
    )
    print("equals explicit F.pad(x, (1, 2, 1, 2)) then conv: True")
    print(f"k=3, stride=2, padding='same' raises: {error}")
    print(
        f"k=3, stride=2, padding=1 on 6x6 gives: {tuple(explicit.shape[-2:])}"
    )


if __name__ == "__main__":
    main()
