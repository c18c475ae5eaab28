"""Patchwise training is loss sampling: the gradient of a fully convolutional
net's loss on some output cells of a whole image equals the gradient of the
same net run on each cell's receptive-field patch. The whole image computes
the features the patches share once.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation" (CVPR), Section 3.4.
"""

import os

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def multiply_adds(net: nn.Sequential, side: int) -> int:
    """Multiply-adds of unpadded stride-1 convolutions on a side-wide image."""
    total = 0
    for layer in net:
        if isinstance(layer, nn.Conv2d):
            side -= layer.kernel_size[0] - 1
            total += side * side * layer.weight[0].numel() * layer.out_channels
    return total


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    f64 = dict(dtype=torch.float64, device=device)
    # --8<-- [start:net]
    # three unpadded 3x3 convolutions: each output cell sees a 7x7 patch
    net = nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3), nn.ReLU(),
        nn.Conv2d(8, 4, 3),
    ).to(**f64)  # fmt: skip
    field, side = 7, 20
    image = torch.randn(1, 1, side, side, **f64)
    cells = side - field + 1  # a 14 x 14 output
    labels = torch.randint(0, 4, (1, cells, cells), device=device)
    kept = torch.rand(1, cells, cells, device=device) < 0.25  # the sample
    # --8<-- [end:net]

    # --8<-- [start:compare]
    # whole image: one pass, the loss summed over the kept cells only
    losses = F.cross_entropy(net(image), labels, reduction="none")
    whole = torch.autograd.grad(losses[kept].sum(), list(net.parameters()))

    # patchwise: each kept cell's 7x7 receptive field run on its own
    _, rows, cols = kept.nonzero(as_tuple=True)
    patches = torch.stack(
        [image[0, :, r : r + field, c : c + field] for r, c in zip(rows, cols)]
    )
    scores = net(patches)[:, :, 0, 0]  # each patch gives one 1x1 cell
    loss = F.cross_entropy(scores, labels[kept], reduction="sum")
    patchwise = torch.autograd.grad(loss, list(net.parameters()))
    # --8<-- [end:compare]
    same = all(torch.allclose(a, b) for a, b in zip(whole, patchwise))
    print(f"output cells: {cells * cells}, sampled: {len(rows)}")
    print(f"same gradient, whole image and patches: {same}")
    assert same, (
        "the whole image with a sampled loss gives the patchwise gradient"
    )

    per_patch = multiply_adds(net, field)
    whole_image = multiply_adds(net, side)
    print(f"multiply-adds, the whole image: {whole_image}")
    print(f"multiply-adds, one patch: {per_patch}")
    print(f"multiply-adds, every cell's patch: {per_patch * cells * cells}")
    even = whole_image / per_patch
    print(f"patches that cost as much as the whole image: {even:.1f}")
    assert per_patch * cells * cells > 5 * whole_image, (
        "patches of every cell cost over 5 times the whole image"
    )
    assert len(rows) * per_patch > whole_image, (
        "the sampled cells' patches cost more than the whole image"
    )


if __name__ == "__main__":
    main()
