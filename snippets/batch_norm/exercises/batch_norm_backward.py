"""Exercise: the backward pass of batch norm, written out and checked against
autograd.

Ioffe & Szegedy 2015, "Batch Normalization", Section 3: the chain rule through
mu_B, sigma_B^2 and x_hat. Because mu_B and sigma_B^2 depend on every x_i, the
input gradient of a channel sums to zero and is orthogonal to x_hat.
"""

import torch
import torch.nn.functional as F


def batch_norm_backward(dy, x, gamma, eps=1e-5):
    """dy, x: (N, C, H, W); gamma: (C,). The gradients of y = gamma * x_hat +
    beta (batch statistics) -> (dx, dgamma, dbeta)."""
    # BEGIN SOLUTION (starter: return x * 0, gamma * 0, gamma * 0)
    axes = (0, 2, 3)
    m = x.numel() // x.shape[1]  # values per channel: N * H * W
    mu = x.mean(axes, keepdim=True)
    inv_std = (x.var(axes, unbiased=False, keepdim=True) + eps).rsqrt()
    x_hat = (x - mu) * inv_std
    dbeta = dy.sum(axes)
    dgamma = (dy * x_hat).sum(axes)
    g = gamma.view(1, -1, 1, 1)
    dx = (
        g
        * inv_std
        / m
        * (m * dy - dbeta.view(1, -1, 1, 1) - x_hat * dgamma.view(1, -1, 1, 1))
    )
    return dx, dgamma, dbeta
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    x = (1 + 2 * torch.randn(4, 3, 5, 5, **opts)).requires_grad_()
    gamma = torch.randn(3, **opts).requires_grad_()
    beta = torch.randn(3, **opts).requires_grad_()
    y = F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5)
    dy = torch.randn_like(y)
    y.backward(dy)

    dx, dgamma, dbeta = batch_norm_backward(dy, x.detach(), gamma.detach())
    assert torch.allclose(dbeta, beta.grad, atol=1e-10), "dbeta equals autograd"
    assert torch.allclose(dgamma, gamma.grad, atol=1e-10), (
        "dgamma equals autograd"
    )
    assert torch.allclose(dx, x.grad, atol=1e-10), "dx equals autograd"
    # what the gradient through the batch statistics does
    zero = torch.zeros(3, **opts)
    assert torch.allclose(dx.sum((0, 2, 3)), zero, atol=1e-10), (
        "each channel's dx sums to 0"
    )
    naive = (
        dy
        * gamma.detach().view(1, -1, 1, 1)
        / (
            x.detach().var((0, 2, 3), unbiased=False, keepdim=True) + 1e-5
        ).sqrt()
    )
    assert not torch.allclose(naive, x.grad, atol=1e-3), (
        "treating mu_B and sigma_B^2 as constants gives another gradient"
    )
    print("dx, dgamma, dbeta equal autograd: True")
    print("each channel's dx sums to 0: True")
    err = (naive - x.grad).norm() / x.grad.norm()
    print(
        f"gradient with the batch statistics held constant, relative "
        f"error: {err.item():.2f}"
    )


if __name__ == "__main__":
    main()
