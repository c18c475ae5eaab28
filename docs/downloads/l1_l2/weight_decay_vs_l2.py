# weight_decay_vs_l2.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/l1_l2/weight_decay_vs_l2.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python weight_decay_vs_l2.py
#
# kb-download: {"record": "0130d633ff3f1cfebe4e75c25ead8d3bc7bc8b46fbb58a9bda5194c37c06a199", "sources": {"snippets/l1_l2/weight_decay_vs_l2.py": "994ed5893f58d94460f463428d04e617babdfb973114c68cbecce4fadf1d66fb"}}


# --- the snippet, unchanged: snippets/l1_l2/weight_decay_vs_l2.py ---
"""PyTorch's weight_decay=wd is the L2 penalty wd/2*||w||^2 for SGD and Adam,
but AdamW's decoupled decay is not. With momentum, SGD's decay goes through the
momentum buffer: it shrinks a weight by about lr*wd/(1-momentum) a step, not
lr*wd.

Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", ICLR (arXiv
1711.05101), Algorithm 1 (SGDW: decay decoupled from momentum) and Algorithm 2.
"""

import os
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def data_loss(
    w: torch.Tensor, x: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    return ((x @ w - y) ** 2).mean()


def run(
    opt_cls, w0, x, y, l2: float = 0.0, steps: int = 20, **opt_kwargs
) -> torch.Tensor:
    w = w0.clone().requires_grad_(True)
    opt = opt_cls([w], **opt_kwargs)
    for _ in range(steps):
        opt.zero_grad()
        # l2 > 0: the penalty is in the loss
        (data_loss(w, x, y) + l2 / 2 * (w**2).sum()).backward()
        opt.step()
    return w.detach()


# --8<-- [start:adamw]
def adamw_from_scratch(
    w0, x, y, lr, wd, steps=20, betas=(0.9, 0.999), eps=1e-8
) -> torch.Tensor:
    w, m, v = w0.clone(), torch.zeros_like(w0), torch.zeros_like(w0)
    for t in range(1, steps + 1):
        wg = w.clone().requires_grad_(True)
        # gradient of the DATA loss only
        (g,) = torch.autograd.grad(data_loss(wg, x, y), wg)
        w = w - lr * wd * w  # decoupled decay: not seen by m, v
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g**2
        m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
        w = w - lr * m_hat / (v_hat.sqrt() + eps)
    return w


# --8<-- [end:adamw]


# --8<-- [start:momentum]
def decayed_weight(steps=200, lr=0.1, wd=5e-4, momentum=0.9) -> float:
    """A weight of 1 under SGD's weight_decay alone (the data gradient is 0)."""
    w = torch.ones(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum, weight_decay=wd)
    for _ in range(steps):
        w.grad = torch.zeros_like(w)  # no data: only wd * w enters the buffer
        opt.step()
    return w.item()


# --8<-- [end:momentum]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # features on very different scales
    scales = torch.logspace(-2, 1, 20, device=device)
    x = torch.randn(64, 20, device=device, dtype=torch.float64) * scales
    y = torch.randn(64, device=device, dtype=torch.float64)
    w0 = torch.randn(20, device=device, dtype=torch.float64)
    wd = 0.1

    # --8<-- [start:checks]
    # (a) SGD: weight_decay adds wd * w to the gradient
    # == penalty wd/2 * ||w||^2 in the loss
    sgd_wd = run(
        torch.optim.SGD, w0, x, y, lr=0.01, momentum=0.9, weight_decay=wd
    )
    sgd_l2 = run(torch.optim.SGD, w0, x, y, l2=wd, lr=0.01, momentum=0.9)
    torch.testing.assert_close(sgd_wd, sgd_l2)
    # (b) Adam: weight_decay is the same coupled L2 penalty
    # (it goes through m and v)
    adam_wd = run(torch.optim.Adam, w0, x, y, lr=0.01, weight_decay=wd)
    adam_l2 = run(torch.optim.Adam, w0, x, y, l2=wd, lr=0.01)
    torch.testing.assert_close(adam_wd, adam_l2)
    # (c) AdamW: decay is decoupled from the adaptive step,
    # so it differs from Adam + L2 ...
    adamw = run(torch.optim.AdamW, w0, x, y, lr=0.01, weight_decay=wd)
    # ... and equals w <- w - lr*wd*w followed by an Adam step
    # on the data loss alone
    torch.testing.assert_close(
        adamw, adamw_from_scratch(w0, x, y, lr=0.01, wd=wd)
    )
    # --8<-- [end:checks]
    same = [(sgd_wd, sgd_l2), (adam_wd, adam_l2)]
    assert all(torch.allclose(a, b, rtol=1.3e-6, atol=1e-5) for a, b in same), (
        "weight_decay equals the L2 term in the loss to float precision"
    )
    gap = (adamw - adam_l2).abs().max().item()
    coupled_gap = (adam_wd - adam_l2).abs().max().item()
    assert gap > 1e6 * max(coupled_gap, 1e-15), (gap, coupled_gap)
    assert gap > 1e-3, gap
    # --8<-- [start:momentum-check]
    lr, decay, mu, steps = 0.1, 5e-4, 0.9, 200
    with_momentum = decayed_weight(steps, lr, decay, mu)
    per_step = (1 - lr * decay) ** steps  # "decay by lr*wd a step"
    amplified = (
        1 - lr * decay / (1 - mu)
    ) ** steps  # the buffer's steady state
    # --8<-- [end:momentum-check]
    assert with_momentum < per_step - 0.05, (
        "momentum makes the decay much stronger than lr*wd a step"
    )
    assert abs(with_momentum - amplified) < 0.01, (
        "with momentum the decay is about lr*wd/(1-momentum) a step"
    )
    print("SGD(weight_decay) == SGD on loss + wd/2*||w||^2: True")
    print("Adam(weight_decay) == Adam on loss + wd/2*||w||^2: True")
    print("AdamW == from-scratch decoupled update: True")
    print(f"max |AdamW - (Adam + L2)| after 20 steps: {gap:.3g} ±0.04")
    print(
        "a weight of 1 after 200 steps of SGD, momentum 0.9, lr 0.1, "
        f"weight_decay 5e-4 and no data gradient: {with_momentum:.4f} ±0.0005"
    )
    print(f"(1 - lr*wd)^200, decay by lr*wd a step: {per_step:.4f} ±0.0005")
    print(
        f"(1 - lr*wd/(1-momentum))^200, the buffer's steady state: "
        f"{amplified:.4f} ±0.0005"
    )


if __name__ == "__main__":
    main()
