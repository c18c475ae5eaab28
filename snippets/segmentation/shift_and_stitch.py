"""Shift-and-stitch and filter rarefaction give the same dense output: a
network's stride-2 pool, run on the four shifted inputs and interlaced, equals
the pool at stride 1 followed by the next 3x3 convolution dilated by 2.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation" (CVPR), Section 3.2 (shift-and-stitch is filter rarefaction);
Yu & Koltun 2016, "Multi-Scale Context Aggregation by Dilated Convolutions"
(ICLR), Section 2 (dilated convolutions).
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
F_OUT, CLASSES = 2, 5  # output stride f of the network, classes scored


# --8<-- [start:nets]
def strided_net() -> nn.Sequential:
    """Unpadded convolutions around one stride-2 max pool: output stride 2."""
    return nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.ReLU(),
        nn.MaxPool2d(2, stride=2),  # the one stride-2 layer
        nn.Conv2d(8, CLASSES, 3),  # the 3x3 convolution after it
    )  # fmt: skip


def rarefy(net: nn.Sequential) -> nn.Sequential:
    """Same weights; the pool's stride removed, the next conv dilated by 2."""
    conv2 = nn.Conv2d(8, CLASSES, 3, dilation=2)  # taps 2 apart: a 5x5 span
    with torch.no_grad():
        conv2.weight.copy_(net[3].weight)
        conv2.bias.copy_(net[3].bias)
    return nn.Sequential(net[0], net[1], nn.MaxPool2d(2, stride=1), conv2)


# --8<-- [end:nets]


# --8<-- [start:stitch]
def shift_and_stitch(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Run net on the f^2 shifted inputs and interlace the outputs."""
    outs = {}
    for dy in range(F_OUT):
        for dx in range(F_OUT):
            # shift: drop the first dy rows and dx columns (no padding added)
            outs[dy, dx] = net(x[..., dy:, dx:])
    rows = sum(outs[dy, 0].shape[2] for dy in range(F_OUT))
    cols = sum(outs[0, dx].shape[3] for dx in range(F_OUT))
    dense = x.new_zeros(x.shape[0], CLASSES, rows, cols)
    for (dy, dx), out in outs.items():
        dense[..., dy::F_OUT, dx::F_OUT] = out  # (i, j) -> (2i + dy, 2j + dx)
    return dense


# --8<-- [end:stitch]


def multiply_adds(model: nn.Module, x: torch.Tensor) -> int:
    """Count the multiply-adds of every Conv2d in one forward."""
    total = 0

    def count(module, inputs, out):
        nonlocal total
        # each output value: in_channels x kh x kw multiply-adds
        total += out.numel() * module.weight[0].numel()

    hooks = [
        m.register_forward_hook(count)
        for m in model.modules()
        if isinstance(m, nn.Conv2d)
    ]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return total


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    net = strided_net().to(device).eval()
    x = torch.randn(1, 3, 34, 34, device=device)
    # --8<-- [start:compare]
    dense_net = rarefy(net).to(device).eval()
    with torch.no_grad():
        coarse = net(x)  # (1, 5, 14, 14): one output per 2 pixels
        stitched = shift_and_stitch(net, x)  # (1, 5, 27, 27), 4 passes
        dense = dense_net(x)  # (1, 5, 27, 27), 1 pass
    # (a) == (b) at every position
    torch.testing.assert_close(stitched, dense)
    # and on the stride-2 grid both are the original network's output
    torch.testing.assert_close(dense[..., ::F_OUT, ::F_OUT], coarse)
    # --8<-- [end:compare]
    assert stitched.shape == (1, CLASSES, 27, 27), stitched.shape
    # the dilated conv is FCN's rarefied filter: zeros between the taps
    pooled = dense_net[:3](x)
    rarefied = torch.zeros(CLASSES, 8, 5, 5, device=device)
    rarefied[..., ::2, ::2] = net[3].weight.detach()
    torch.testing.assert_close(
        F.conv2d(pooled, rarefied, net[3].bias), dense_net[3](pooled)
    )
    passes = [x[..., dy:, dx:] for dy in range(F_OUT) for dx in range(F_OUT)]
    stitch_cost = sum(multiply_adds(net, p) for p in passes)
    dense_cost = multiply_adds(dense_net, x)
    assert dense_cost < stitch_cost, (
        f"the dilated network needs fewer multiply-adds "
        f"({dense_cost} vs {stitch_cost})"
    )
    print(f"input shape: {tuple(x.shape)}")
    print(f"strided network output shape: {tuple(coarse.shape)}")
    print(f"shift-and-stitch output shape: {tuple(stitched.shape)}")
    print(f"dilated network output shape: {tuple(dense.shape)}")
    print(f"multiply-adds, one strided pass: {multiply_adds(net, x)}")
    print(f"multiply-adds, shift-and-stitch (4 passes): {stitch_cost}")
    print(f"multiply-adds, dilated network (1 pass): {dense_cost}")
    print(f"shift-and-stitch / dilated: {stitch_cost / dense_cost:.2f}")


if __name__ == "__main__":
    main()
