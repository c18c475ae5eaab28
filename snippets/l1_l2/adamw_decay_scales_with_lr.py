"""AdamW shrinks each weight by lr * weight_decay * w per step, so its decay
scales with the learning rate; Adam's L2 gradient is normalized away into a step
of about lr for every weight.

Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", ICLR,
Algorithm 2; PyTorch documentation, torch.optim.AdamW (default
weight_decay=0.01) and torch.optim.Adam (default weight_decay=0).
"""

import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def one_step(opt_class, lr, w0, **kw):
    w = w0.clone().requires_grad_(True)
    opt = opt_class([w], lr=lr, **kw)
    w.grad = torch.zeros_like(w)  # no data gradient
    opt.step()
    return (w0 - w).detach()  # how far it moved


def main() -> None:
    torch.manual_seed(SEED)
    w0 = torch.tensor([0.01, 1.0, 100.0], dtype=torch.float64)  # small to large
    # --8<-- [start:steps]
    adamw_1 = one_step(torch.optim.AdamW, 1e-3, w0, weight_decay=0.1)
    adamw_2 = one_step(torch.optim.AdamW, 2e-3, w0, weight_decay=0.1)
    adam_l2 = one_step(torch.optim.Adam, 1e-3, w0, weight_decay=0.1)
    default = torch.optim.AdamW([torch.zeros(1)]).defaults["weight_decay"]
    # --8<-- [end:steps]
    torch.testing.assert_close(adamw_1, 1e-3 * 0.1 * w0)  # lr * wd * w
    torch.testing.assert_close(adamw_2, 2 * adamw_1)  # doubles with lr
    # ~lr, any size
    torch.testing.assert_close(
        adam_l2, torch.full_like(w0, 1e-3), rtol=1e-4, atol=0
    )
    assert default == 0.01
    fmt = lambda t: ", ".join(f"{v:.1e}" for v in t.tolist())
    print(f"weights: {fmt(w0)}")
    print(f"AdamW lr=1e-3, wd=0.1, one step shrinks them by: {fmt(adamw_1)}")
    print(f"AdamW lr=2e-3, wd=0.1, one step shrinks them by: {fmt(adamw_2)}")
    print(
        f"Adam + L2 wd=0.1, lr=1e-3, one step shrinks them by: {fmt(adam_l2)}"
    )
    print(f"AdamW default weight_decay: {default}")


if __name__ == "__main__":
    main()
