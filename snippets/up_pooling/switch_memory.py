"""A 2x2 switch needs 2 bits, but PyTorch stores it as an int64 flat index: half
the bytes of the float32 window it replaces, not a 64th.

Badrinarayanan, Kendall & Cipolla 2017, "SegNet: A Deep Convolutional
Encoder-Decoder Architecture for Image Segmentation", IEEE TPAMI (2 bits per
2x2 pooling window, in principle).
"""

import os
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = F.relu(torch.randn(1, 64, 32, 32, device=device))  # float32 features
    w = x.shape[-1]

    # --8<-- [start:memory]
    pooled, idx = F.max_pool2d(x, 2, return_indices=True)  # (1, 64, 16, 16)
    assert idx.dtype == torch.int64 and idx.element_size() == 8, (
        "PyTorch stores each switch as an 8-byte int64"
    )
    feature_bytes = x.numel() * x.element_size()  # 4 float32 per window
    index_bytes = idx.numel() * idx.element_size()  # 1 int64 per window
    two_bit_bytes = idx.numel() * 2 / 8  # SegNet's "in principle"

    # the 2 bits: which of the window's 4 positions held the maximum
    local = ((idx // w) % 2 * 2 + idx % 2).to(torch.uint8)  # 0..3
    rows = 2 * torch.arange(idx.shape[-2], device=device).view(-1, 1)
    cols = 2 * torch.arange(idx.shape[-1], device=device).view(1, -1)
    rebuilt = (rows + local // 2) * w + cols + local % 2  # the flat index
    # --8<-- [end:memory]
    assert local.max().item() <= 3
    assert torch.equal(rebuilt, idx), (
        "2 bits per window and the window's position give the flat index back"
    )
    assert feature_bytes == 2 * index_bytes == 64 * two_bit_bytes

    print(f"switch dtype: {idx.dtype}")
    print(f"bytes per switch: {idx.element_size()}")
    print(f"bytes, float32 feature map before pooling: {feature_bytes}")
    print(f"bytes, PyTorch's int64 indices: {index_bytes}")
    print(f"bytes, at 2 bits per window: {two_bit_bytes:.0f}")
    print(f"feature map / int64 indices: {feature_bytes // index_bytes}")
    print(f"feature map / 2-bit switches: {feature_bytes / two_bit_bytes:.0f}")


if __name__ == "__main__":
    main()
