# batch_norm_backward.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/batch_norm/exercises/batch_norm_backward.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python batch_norm_backward_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "e6ac8e30fb4ebecac407c99d1b757a9a07f53ff585dda8d14940f796dad2f1eb", "sources": {"snippets/batch_norm/exercises/batch_norm_backward.py": "4b56cbfadc68d646d91b921c4c5255fdb6a185357cbfe22a92af03c74ef4344b"}}


# --- the exercise, with the solution removed: snippets/batch_norm/exercises/batch_norm_backward.py ---
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
    # TODO: your answer here (see the exercise on the page)
    return x * 0, gamma * 0, gamma * 0


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
