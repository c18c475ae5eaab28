"""Exercise: one AdamW step from scratch, weight decay decoupled from the
gradient, equals torch.optim.AdamW; folding the decay into the gradient (Adam
with an L2 term) does not.

Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", ICLR,
Algorithm 2 (line 12: the decay is applied to the weights, outside the adaptive
step); Kingma & Ba 2015, "Adam", Algorithm 1 (the moments and bias correction).
"""

import os
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it

LR, BETAS, EPS, WD = 1e-2, (0.9, 0.999), 1e-8, 0.1


def adamw_step(w, grad, m, v, t):
    """Update w, m, v in place for step t (1, 2, ...) of AdamW."""
    b1, b2 = BETAS
    # BEGIN SOLUTION (starter: w.add_(-LR * grad))
    m.mul_(b1).add_((1 - b1) * grad)
    v.mul_(b2).add_((1 - b2) * grad * grad)
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    w.mul_(1 - LR * WD)  # decoupled: the decay never enters m or v
    w.add_(-LR * m_hat / (v_hat.sqrt() + EPS))
    # END SOLUTION


def loss_of(w, x, y):
    return ((x @ w - y) ** 2).mean()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(64, 5, device=device)
    y = torch.randn(64, device=device)
    w0 = torch.randn(5, device=device) * 3

    ours = w0.clone()
    m, v = torch.zeros_like(ours), torch.zeros_like(ours)
    theirs = w0.clone().requires_grad_(True)
    opt = torch.optim.AdamW(
        [theirs], lr=LR, betas=BETAS, eps=EPS, weight_decay=WD
    )
    for t in range(1, 21):
        w = ours.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(loss_of(w, x, y), w)
        adamw_step(ours, grad, m, v, t)
        opt.zero_grad()
        loss_of(theirs, x, y).backward()
        opt.step()
    # Adam with the decay folded into the gradient (an L2 term) ends elsewhere
    l2 = w0.clone().requires_grad_(True)
    adam = torch.optim.Adam([l2], lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    for _ in range(20):
        adam.zero_grad()
        loss_of(l2, x, y).backward()
        adam.step()
    apart = (l2.detach() - theirs.detach()).abs().max().item()
    assert apart > 1e-3, f"Adam + L2 is not AdamW: {apart}"
    print("Adam(weight_decay) ends where AdamW does: False")

    # the checks a learner's answer must pass
    assert torch.allclose(ours, theirs.detach(), rtol=1e-5, atol=1e-6), (
        "20 steps of adamw_step equal torch.optim.AdamW"
    )
    print("adamw_step equals torch.optim.AdamW for 20 steps: True")


if __name__ == "__main__":
    main()
