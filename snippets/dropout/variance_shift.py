"""Dropout before batch norm makes BN see a larger variance in train() than in
eval(), so its running_var is wrong at test time.

Li, Chen, Hu & Yang 2019, "Understanding the Disharmony between Dropout and
Batch Normalization by Variance Shift", CVPR (their variance-shift analysis:
Var_train = (c^2 + v) / (1 - p) - c^2 for PyTorch's drop probability p, Var_test
= v).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    p, c, v = 0.5, 0.5, 1.0  # drop prob, mean, var
    # --8<-- [start:shift]
    drop, bn = nn.Dropout(p), nn.BatchNorm1d(16, momentum=None)
    net = nn.Sequential(drop, bn).to(device)
    seen = {}
    bn.register_forward_pre_hook(
        lambda m, inp: seen.__setitem__(m.training, inp[0].var(0).mean())
    )
    net.train()
    for _ in range(20):  # fill running_var
        net(c + v**0.5 * torch.randn(512, 16, device=device))
    net.eval()
    x = c + v**0.5 * torch.randn(4096, 16, device=device)
    out_var = net(x).var(0).mean().item()  # should be ~1
    # --8<-- [end:shift]
    closed_form = (c**2 + v) / (1 - p) - c**2
    var_train, var_eval = seen[True].item(), seen[False].item()
    running = bn.running_var.mean().item()
    assert abs(var_train - closed_form) < 0.1 * closed_form, var_train
    assert abs(running - closed_form) < 0.1 * closed_form, running
    assert abs(var_eval - v) < 0.1 * v, var_eval
    assert out_var < 0.7, out_var  # not 1: shifted
    print(
        f"variance BN sees in train() (closed form {closed_form:.2f}): "
        f"{var_train:.2f} ±0.09"
    )
    print(f"BN running_var: {running:.2f} ±0.02")
    print(f"variance BN sees in eval(): {var_eval:.2f} ±0.01")
    print(
        f"variance of the BN output in eval() (1 if no shift): "
        f"{out_var:.2f} ±0.01"
    )


if __name__ == "__main__":
    main()
