"""Max unpooling puts each pooled value back where its maximum came from and
fills the rest with zeros; for windows that do not overlap it is also the
gradient of max pooling.

Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks",
Section 2.1 ("switches"); Noh, Hong & Han 2015, "Learning Deconvolution Network
for Semantic Segmentation", Section 3.2.
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:scratch]
def max_pool_with_switches(x: torch.Tensor):
    """2x2 max pooling, stride 2. Returns the pooled values and, for each, the
    flat index of its maximum in the H*W input plane (the "switch")."""
    n, c, h, w = x.shape
    windows = x.view(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 2, 4, 3, 5)
    # the 4 values of each window
    windows = windows.reshape(n, c, h // 2, w // 2, 4)
    values, arg = windows.max(dim=-1)  # arg in 0..3 = 2*dy + dx
    rows = 2 * torch.arange(h // 2, device=x.device).view(-1, 1) + arg // 2
    cols = 2 * torch.arange(w // 2, device=x.device).view(1, -1) + arg % 2
    return values, rows * w + cols  # flat index, as PyTorch stores it


def max_unpool(
    values: torch.Tensor, switches: torch.Tensor, h: int, w: int
) -> torch.Tensor:
    n, c = values.shape[:2]
    out = values.new_zeros(n, c, h * w)
    # values back to their argmax
    out.scatter_(2, switches.flatten(2), values.flatten(2))
    return out.view(n, c, h, w)  # zeros everywhere else


# --8<-- [end:scratch]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 3, 6, 8, device=device)  # no ties in random floats

    # --8<-- [start:module]
    pool = nn.MaxPool2d(2, stride=2, return_indices=True)
    unpool = nn.MaxUnpool2d(2, stride=2)
    pooled, indices = pool(x)  # (2, 3, 3, 4) each
    restored = unpool(pooled, indices, output_size=x.shape)  # (2, 3, 6, 8)
    # --8<-- [end:module]

    values, switches = max_pool_with_switches(x)
    torch.testing.assert_close(values, pooled)
    assert torch.equal(switches, indices)  # same switches as PyTorch
    ours = max_unpool(values, switches, 6, 8)
    torch.testing.assert_close(ours, restored)

    kept = ours != 0
    assert kept.sum().item() == x.numel() // 4  # one survivor per 2x2 window
    # survivors sit where they were
    torch.testing.assert_close(ours[kept], x[kept])

    # unpooling is also the backward pass of max pooling: the gradient goes to
    # the switch position
    x_req = x.clone().requires_grad_(True)
    g = torch.randn_like(pooled)
    (grad_x,) = torch.autograd.grad((pool(x_req)[0] * g).sum(), x_req)
    assert torch.allclose(grad_x, max_unpool(g, switches, 6, 8)), (
        "the gradient of max pooling is the unpooled upstream gradient"
    )

    # only for windows that do not overlap: with kernel 3, stride 2, a position
    # that is the maximum of two windows receives the sum of their gradients,
    # while unpooling writes one of the two values there
    pool3 = nn.MaxPool2d(3, stride=2, return_indices=True)
    x3 = torch.randn(2, 3, 9, 9, device=device, requires_grad=True)
    pooled3, indices3 = pool3(x3)
    g3 = torch.randn_like(pooled3)
    (grad3,) = torch.autograd.grad((pooled3 * g3).sum(), x3)
    summed = torch.zeros_like(x3).flatten(2)
    summed.scatter_add_(2, indices3.flatten(2), g3.flatten(2))
    assert torch.allclose(grad3, summed.view_as(x3)), (
        "with overlapping windows the gradient adds at shared maxima"
    )
    unpooled3 = nn.MaxUnpool2d(3, stride=2)(g3, indices3, output_size=x3.shape)
    assert not torch.allclose(grad3, unpooled3), (
        "with overlapping windows unpooling is not the gradient"
    )

    print(
        f"pooled shape: {tuple(pooled.shape)}, "
        f"unpooled shape: {tuple(ours.shape)}"
    )
    # reached only if asserts passed
    print("switches equal nn.MaxPool2d indices: True")
    print("from-scratch unpooling matches nn.MaxUnpool2d: True")
    print(
        "gradient of max pooling equals unpooling of the "
        "upstream gradient: True"
    )
    print(
        "kernel 3, stride 2 (overlapping windows): gradient equals "
        "unpooling: False, equals the summed scatter: True"
    )
    print(
        f"fraction of unpooled entries that are zero: "
        f"{1 - kept.float().mean().item():.2f}"
    )


if __name__ == "__main__":
    main()
