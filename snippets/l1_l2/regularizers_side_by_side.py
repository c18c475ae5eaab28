"""The ways PyTorch offers to penalize weights, run side by side on one softmax
classifier: all shrink the weights, only the L1 proximal step gives exact zeros.

Goodfellow et al. 2016, Deep Learning, Sections 7.1.1 and 7.1.2; Loshchilov &
Hutter 2019, "Decoupled Weight Decay Regularization", ICLR, Algorithm 2;
Daubechies, Defrise & De Mol 2004 (the iterative soft-thresholding step).
"""

import os

import torch
from sklearn.datasets import load_digits
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    perm = torch.randperm(len(digits.target))
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)[perm].to(device)
    y = torch.tensor(digits.target)[perm].to(device)
    x, y, x_test, y_test = x[:500], y[:500], x[500:], y[500:]
    w0 = 0.01 * torch.randn(64, 10, device=device)
    lam = 0.01
    # --8<-- [start:methods]
    # name: (optimizer, weight_decay, extra penalty, prox threshold)
    methods = {
        "no penalty (SGD)": (torch.optim.SGD, 0.0, None, 0.0),
        "SGD(weight_decay)": (torch.optim.SGD, lam, None, 0.0),
        "SGD, L2 in the loss": (
            torch.optim.SGD,
            0.0,
            lambda w: lam / 2 * w.pow(2).sum(),
            0.0,
        ),
        "no penalty (Adam)": (torch.optim.Adam, 0.0, None, 0.0),
        "Adam(weight_decay)": (torch.optim.Adam, lam, None, 0.0),
        "AdamW(weight_decay)": (torch.optim.AdamW, lam, None, 0.0),
        "SGD, L1 in the loss": (
            torch.optim.SGD,
            0.0,
            lambda w: lam * w.abs().sum(),
            0.0,
        ),
        "SGD + L1 prox step": (torch.optim.SGD, 0.0, None, lam),
    }
    results = {}
    for name, (opt_class, wd, penalty, thresh) in methods.items():
        w = w0.clone().requires_grad_(True)
        lr = 0.5 if opt_class is torch.optim.SGD else 0.01
        opt = opt_class([w], lr=lr, weight_decay=wd)
        for _ in range(300):  # full batch
            loss = F.cross_entropy(x @ w, y)
            if penalty is not None:
                loss = loss + penalty(w)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if thresh:  # soft threshold
                with torch.no_grad():
                    w.copy_(w.sign() * (w.abs() - lr * thresh).clamp(min=0))
        acc = ((x_test @ w).argmax(1) == y_test).float().mean().item()
        results[name] = (w.norm().item(), (w == 0).sum().item(), acc)
    # --8<-- [end:methods]
    none_norm = results["no penalty (SGD)"][0]
    assert all(
        r[0] < none_norm for n, r in results.items() if n.startswith("SGD")
    )
    # same thing
    assert (
        abs(results["SGD(weight_decay)"][0] - results["SGD, L2 in the loss"][0])
        < 1e-3
    )
    assert results["SGD + L1 prox step"][1] > 100  # exact zeros
    assert all(r[1] == 0 for n, r in results.items() if "prox" not in n)
    adam_none = results["no penalty (Adam)"][0]
    assert all(
        r[0] < adam_none for n, r in results.items() if n.startswith("Adam")
    )
    tol = {  # name: (norm, zeros, accuracy), largest distance over seeds 0-4
        "no penalty (SGD)": (0.09, "", 0.02),
        "SGD(weight_decay)": (0.06, "", 0.009),
        "SGD, L2 in the loss": (0.06, "", 0.009),
        "no penalty (Adam)": (2, "", 0.009),
        "Adam(weight_decay)": (0.06, "", 0.008),
        "AdamW(weight_decay)": (2, "", 0.009),
        "SGD, L1 in the loss": (0.3, "", 0.02),
        "SGD + L1 prox step": (0.3, " ±7", 0.02),
    }
    for name, (norm, zeros, acc) in results.items():
        t_norm, t_zeros, t_acc = tol[name]
        print(
            f"{name}: weight norm {norm:.2f} ±{t_norm}, exact zeros {zeros}"
            f"{t_zeros}, test accuracy {acc:.3f} ±{t_acc}"
        )


if __name__ == "__main__":
    main()
