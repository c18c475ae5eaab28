"""The softmax probability's gradient vanishes when confident: use the logit.

Selvaraju et al. 2017, Grad-CAM, ICCV, Section 3 (the gradient of the score y^c
"before the softmax"); Simonyan, Vedaldi & Zisserman 2014, ICLR workshop,
Section 2 (class scores, not softmax outputs, because the posterior can rise by
lowering other classes' scores).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch

from model import test_data, train_model

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def input_grad(f, x):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x).sum(), x)
    return grad  # (N, 1, H, W)


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = train_model(SEED, device=device)
    x, y, _ = test_data(200)
    x, y = x.to(device), y.to(device)

    # --8<-- [start:compare]
    def logit(v):  # s_c
        return model(v).gather(1, y[:, None])

    def prob(v):  # p_c
        return model(v).softmax(1).gather(1, y[:, None])

    g_logit, g_prob = input_grad(logit, x), input_grad(prob, x)
    # chain rule: dp_c/dx = p_c * (ds_c/dx - sum_k p_k ds_k/dx)
    p = model(x).softmax(1).detach()  # (N, 3)
    g_each = torch.stack(
        [input_grad(lambda v, k=k: model(v)[:, k], x) for k in range(3)], 1
    )  # (N, 3, 1, H, W)
    mixed = (p[:, :, None, None, None] * g_each).sum(1)
    pc = p.gather(1, y[:, None])[:, :, None, None]
    torch.testing.assert_close(g_prob, pc * (g_logit - mixed))
    # --8<-- [end:compare]
    ratio = g_prob.flatten(1).norm(dim=1) / g_logit.flatten(1).norm(dim=1)
    confident = pc.flatten() > 0.95
    # how many images, and how small the ratio, depend on the trained weights:
    # the bounds that hold for every seed are asserted and printed
    assert confident.sum() >= 50, confident.sum()
    assert ratio[confident].median() < 0.05, (
        "the probability's gradient is below 5% of the logit's "
        f"{ratio.median()}"
    )
    print("dp/dx = p (ds_c/dx - sum_k p_k ds_k/dx): True")
    print("test images with p(true class) > 0.95: at least 50 of 200")
    print("median |dp/dx| / |ds/dx| on those: below 0.05")


if __name__ == "__main__":
    main()
