"""nn.Conv2d(kernel_size=1) and nn.Linear on the channels-last tensor are the
same layer with the same weights.

Lin, Chen & Yan 2014, "Network In Network" (ICLR), Section 3.1: cross channel
parametric pooling "is also equivalent to a convolution layer with 1x1
convolution kernel". Conversely a dense layer on a C x H x W map is a
convolution whose kernel covers the whole map (Long et al. 2015, FCN, 3.1).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 16, 7, 7, device=device)  # (N, C, H, W)

    # --8<-- [start:conv_vs_linear]
    conv = nn.Conv2d(16, 8, kernel_size=1).to(device)  # weight (8, 16, 1, 1)
    linear = nn.Linear(16, 8).to(device)  # weight (8, 16)
    with torch.no_grad():
        linear.weight.copy_(conv.weight.view(8, 16))  # same numbers
        linear.bias.copy_(conv.bias)
    y_conv = conv(x)  # (N, 8, H, W)
    y_linear = linear(x.movedim(1, -1)).movedim(-1, 1)  # channels last
    # --8<-- [end:conv_vs_linear]
    torch.testing.assert_close(y_conv, y_linear)

    # --8<-- [start:fc_as_conv]
    fc = nn.Linear(16 * 7 * 7, 10).to(device)  # flatten + dense
    conv_fc = nn.Conv2d(16, 10, kernel_size=7).to(device)  # kernel = map
    with torch.no_grad():
        conv_fc.weight.copy_(fc.weight.view(10, 16, 7, 7))
        conv_fc.bias.copy_(fc.bias)
    big = torch.randn(2, 16, 9, 9, device=device)  # a larger input
    scores_map = conv_fc(big)  # (N, 10, 3, 3)
    # --8<-- [end:fc_as_conv]
    torch.testing.assert_close(fc(x.flatten(1)), conv_fc(x).flatten(1))
    torch.testing.assert_close(
        scores_map[..., 0, 0], fc(big[..., :7, :7].flatten(1))
    )

    n_conv = sum(p.numel() for p in conv.parameters())
    n_linear = sum(p.numel() for p in linear.parameters())
    print(f"1x1 conv parameters: {n_conv}, nn.Linear parameters: {n_linear}")
    print("nn.Conv2d(k=1) equals nn.Linear on channels-last input: True")
    print("flatten + nn.Linear equals nn.Conv2d with a 7x7 kernel: True")
    print(
        f"the same conv on a 9x9 input gives a map of scores: "
        f"{tuple(scores_map.shape)}"
    )


if __name__ == "__main__":
    main()
