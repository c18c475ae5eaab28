"""The deconvnet, backpropagation and guided backpropagation differ only in what
they do at a ReLU: rectify the backward signal, mask it by the forward input,
or both.

Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks",
Section 2.1 (unpooling with switches, rectification, filtering); Springenberg,
Dosovitskiy, Brox & Riedmiller 2015, "Striving for Simplicity: The All
Convolutional Net" (guided backpropagation).
"""

import os
import torch
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:forward]
def forward(x, w1, w2):
    """conv -> ReLU -> 2x2 max pool -> conv; keeps what the projections need."""
    a1 = F.conv2d(x, w1, padding=1)  # (1, 8, 12, 12), ReLU input
    r1 = F.relu(a1)
    p1, switches = F.max_pool2d(r1, 2, return_indices=True)  # (1, 8, 6, 6)
    top = F.conv2d(p1, w2, padding=1)  # (1, 4, 6, 6)
    return a1, p1, switches, top


# --8<-- [end:forward]


class DeconvReLU(torch.autograd.Function):
    """A ReLU whose backward is the deconvnet's: ReLU of the signal, no mask."""

    @staticmethod
    def forward(ctx, a):
        return a.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        return g.clamp(min=0)


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float64  # the routes agree to rounding error
    x = torch.randn(1, 3, 12, 12, device=device, dtype=dtype)
    w1 = torch.randn(8, 3, 3, 3, device=device, dtype=dtype)
    w2 = torch.randn(4, 8, 3, 3, device=device, dtype=dtype)

    # --8<-- [start:projections]
    a1, p1, switches, top = forward(x, w1, w2)
    k = top.flatten().argmax()  # the strongest top activation
    onehot = torch.zeros_like(top).flatten().index_fill(0, k, 1.0)
    onehot = onehot.view_as(top)  # all other activations set to zero
    # its signal at the pooled map: the top conv run backwards, mixed signs
    g = F.conv_transpose2d(onehot, w2, padding=1)
    unpooled = F.max_unpool2d(g, switches, 2, output_size=a1.shape[-2:])

    # backprop: mask by where the forward input of the ReLU was positive
    backprop = F.conv_transpose2d(unpooled * (a1 > 0), w1, padding=1)
    # deconvnet: ReLU of the backward signal itself, forward mask ignored
    deconvnet = F.conv_transpose2d(F.relu(unpooled), w1, padding=1)
    # guided backprop: both
    guided = F.conv_transpose2d(F.relu(unpooled) * (a1 > 0), w1, padding=1)
    # --8<-- [end:projections]

    assert (unpooled < 0).any(), "the signal has negative entries"
    assert not torch.allclose(deconvnet, backprop), (
        "the deconvnet's projection differs from the gradient"
    )

    # --8<-- [start:autograd]
    def projection(relu_hook=None, relu=F.relu):
        xr = x.clone().requires_grad_(True)
        r = relu(F.conv2d(xr, w1, padding=1))
        if relu_hook is not None:
            r.register_hook(relu_hook)  # edits the signal reaching the ReLU
        p, _ = F.max_pool2d(r, 2, return_indices=True)
        (grad,) = torch.autograd.grad(
            F.conv2d(p, w2, padding=1).flatten()[k], xr
        )
        return grad

    gradient = projection()  # plain autograd
    deconv_autograd = projection(relu=DeconvReLU.apply)
    # zero the negative signals, then the ReLU's own backward masks by a1 > 0
    guided_hook = projection(relu_hook=lambda s: s.clamp(min=0))
    # --8<-- [end:autograd]
    torch.testing.assert_close(backprop, gradient)
    torch.testing.assert_close(deconvnet, deconv_autograd)
    torch.testing.assert_close(guided, guided_hook)
    assert all(
        torch.allclose(a, b)
        for a, b in (
            (backprop, gradient),
            (deconvnet, deconv_autograd),
            (guided, guided_hook),
        )
    ), "each construction equals its autograd route"
    assert not torch.allclose(guided, gradient), (
        "guided backprop differs from the gradient"
    )
    # after max pooling, the forward mask bites only at a window with no
    # positive input (pooled value 0, its switch where a1 <= 0)
    live = F.max_unpool2d(g * (p1 > 0), switches, 2, output_size=a1.shape[-2:])
    assert torch.allclose(
        guided, F.conv_transpose2d(F.relu(live), w1, padding=1)
    ), "the forward mask acts only at windows with no positive input"
    dead = (p1 == 0).sum().item()

    def rel(a, b):
        return ((a - b).norm() / b.norm()).item()

    neg = (unpooled < 0).sum().item() / (unpooled != 0).sum().item()
    print(f"negative share of the non-zero signal entries: {neg:.2f}")
    print(f"pooling windows with no positive input: {dead} of {p1.numel()}")
    print("backprop equals the autograd gradient: True")
    print("deconvnet equals conv_transpose2d(relu(max_unpool(g))): True")
    print("guided backprop equals the gradient with a clamp hook: True")
    for name, a, b in (
        ("deconvnet vs backprop", deconvnet, backprop),
        ("guided vs backprop", guided, backprop),
        ("guided vs deconvnet", guided, deconvnet),
    ):
        print(f"relative difference, {name}: {rel(a, b):.3f}")


if __name__ == "__main__":
    main()
