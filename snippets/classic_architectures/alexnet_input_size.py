"""With no padding, AlexNet's 11x11 stride-4 first layer gives 55x55 only for a
227-230 pixel input; at 224 the fc6 input size no longer fits.

Krizhevsky, Sutskever & Hinton 2012, NIPS, section 3.5 says "224x224x3 input"
and Figure 2 shows 55x55 maps; (224 - 11) / 4 + 1 = 54.25. Caffe's reference
model uses 227; torchvision pads by 2.
"""

import os

import torch

from alexnet_counts import alexnet

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:sizes]
def conv_out(size: int, k: int = 11, stride: int = 4, pad: int = 0) -> int:
    return (size + 2 * pad - k) // stride + 1  # floor: the rest is dropped


def features(model, size: int) -> tuple:
    """Shape of what reaches fc6 (meta device: shapes only)."""
    x = torch.empty(1, 3, size, size, device="meta")
    return tuple(model[:-7](x).shape[1:])  # through Flatten


# --8<-- [end:sizes]


def main() -> None:
    torch.manual_seed(SEED)
    with torch.device("meta"):
        model = alexnet().eval()  # pad1=0, as in section 3.5
    # --8<-- [start:check]
    assert conv_out(224) == 54 and conv_out(227) == 55
    assert [s for s in range(220, 235) if conv_out(s) == 55] == [
        227,
        228,
        229,
        230,
    ]
    assert conv_out(224, pad=2) == 55  # torchvision's way
    assert features(model, 227) == (9216,)  # 256 * 6 * 6: fits fc6
    assert features(model, 224) == (6400,)  # 256 * 5 * 5: does not
    try:
        model(torch.empty(1, 3, 224, 224, device="meta"))
        error = "none"
    except RuntimeError as e:
        error = str(e)  # fc6 gets 6400, wants 9216
    assert "6400" in error and "9216" in error, error
    # --8<-- [end:check]
    print(f"conv1 output at 224, no padding: {conv_out(224)}")
    print(f"conv1 output at 227, no padding: {conv_out(227)}")
    print(f"conv1 output at 224, padding 2: {conv_out(224, pad=2)}")
    print(f"features reaching fc6 at 227: {features(model, 227)[0]}")
    print(f"features reaching fc6 at 224: {features(model, 224)[0]}")
    print(f"RuntimeError at 224 (meta device): {error}")


if __name__ == "__main__":
    main()
