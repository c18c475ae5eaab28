# max_norm_high_lr.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/dropout/max_norm_high_lr.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python max_norm_high_lr.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "b00dadddd1ecf660b7061ed9a471ae906db0c8813be1f728a309a84c792f9baf", "sources": {"snippets/dropout/max_norm.py": "ca25a7d2ab577c82132cacf3a88d96ac0a149715127c8257fafb17b544dbca78", "snippets/dropout/max_norm_high_lr.py": "3c334b3d89d3e242fdbb945aec3a650e2a0fee58eb63d5ded8b406126e343fd6"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/dropout/max_norm.py
_add_module('max_norm', r'''"""The max-norm constraint used with dropout caps the norm of each unit's
incoming weight vector; torch.renorm does the same projection.

Srivastava et al. 2014, JMLR 15(56), Section 5.1 (max-norm regularization, ||w||
<= c for the incoming weights of each hidden unit) and Appendix A.3; PyTorch
documentation, torch.renorm.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:maxnorm]
def max_norm_(linear: nn.Linear, c: float = 3.0) -> None:
    with torch.no_grad():  # weight: (out, in), row = one unit
        norms = linear.weight.norm(dim=1, keepdim=True)
        linear.weight.mul_((c / norms).clamp(max=1.0))  # shrink long rows


# --8<-- [end:maxnorm]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    layer = nn.Linear(64, 32).to(device)
    with torch.no_grad():
        # 32 rows (one per unit) with norms spread from 1 to 30
        layer.weight.div_(layer.weight.norm(dim=1, keepdim=True))
        layer.weight.mul_(torch.linspace(1, 30, 32, device=device)[:, None])
    before = layer.weight.detach().clone()
    # --8<-- [start:check]
    reference = torch.renorm(before, p=2, dim=0, maxnorm=3.0)  # PyTorch's op
    max_norm_(layer, c=3.0)  # after opt.step()
    torch.testing.assert_close(layer.weight, reference)
    # --8<-- [end:check]
    norms = layer.weight.norm(dim=1)
    short = before.norm(dim=1) <= 3.0
    torch.testing.assert_close(layer.weight[short], before[short])  # untouched
    assert norms.max().item() <= 3.0 + 1e-5
    print("from-scratch max-norm == torch.renorm: True")
    print(
        f"rows (units) longer than c=3 before / after: "
        f"{int((~short).sum())} / {int((norms > 3.0 + 1e-5).sum())}"
    )


if __name__ == "__main__":
    main()
''')


# --- the snippet, unchanged: snippets/dropout/max_norm_high_lr.py ---
"""At a learning rate ten times one that trains it well, a dropout network's
weights blow up; max-norm keeps them bounded. In a short schedule no
high-rate setting comes near the lower rate.

Srivastava et al. 2014, JMLR 15(56), Section 5.1 (max-norm lets large learning
rates be used without the weights blowing up), Appendix A.2 (learning rates 10
to 100 times higher, momentum 0.95 to 0.99) and A.3 (c from 3 to 4); Hinton et
al. 2012, arXiv:1207.0580, Appendix A.1 (momentum with the new gradient
scaled by 1 - momentum). Data: scikit-learn's 8x8 digits.
"""

import os
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from max_norm import max_norm_  # the projection shown above on the page

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
N_TRAIN = 1000  # of 1797 digits; the rest is the test set
EPOCHS = 15
LOW_LR, HIGH_LR = 0.5, 5.0  # 0.5 trains well; 5 is ten times that
MOMENTUM = 0.9  # Appendix A.2 uses 0.95 to 0.99 over far longer runs
C = 3.0  # max-norm radius in PyTorch's convention: the paper's c is C / q
REPEATS = 4  # high-rate runs vary a lot: the mean of 4 runs is shown


def load_split(device: str) -> tuple[torch.Tensor, ...]:
    X, y = load_digits(return_X_y=True)  # (1797, 64), pixels 0..16
    X = torch.tensor(X / 16.0, dtype=torch.float32, device=device)
    y = torch.tensor(y, device=device)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    train, test = perm[:N_TRAIN].to(device), perm[N_TRAIN:].to(device)
    return X[train], y[train], X[test], y[test]


def make_mlp() -> nn.Sequential:
    """64-256-256-10, dropout 0.2 on the input and 0.5 on the hidden units
    (retain 0.8 and 0.5: typical values in the paper's Appendix A.4)."""
    return nn.Sequential(
        nn.Dropout(0.2),
        nn.Linear(64, 256),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(256, 256),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(256, 10),
    )


# --8<-- [start:train]
def train(lr: float, c, capped: str, seed: int, data, device: str) -> dict:
    """Momentum as in Hinton et al. 2012, Appendix A.1: v = 0.9 v - 0.1 lr g,
    w += v, the rate decayed 10% per epoch; after every step, max-norm c on
    the rows of the `capped` layers ("hidden": the layers feeding hidden
    units; "all": the output layer's too)."""
    torch.manual_seed(seed)
    Xtr, ytr, Xte, yte = data
    model = make_mlp().to(device)
    hidden = [model[1], model[4]]  # rows = incoming weights of hidden units
    layers = hidden + [model[7]] if capped == "all" else hidden
    params = list(model.parameters())
    velocity = [torch.zeros_like(w) for w in params]
    for epoch in range(EPOCHS):
        rate = lr * 0.9**epoch
        model.train()
        for idx in torch.randperm(N_TRAIN, device=device).split(50):
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for w, v, g in zip(params, velocity, grads):
                    v.mul_(MOMENTUM).sub_((1 - MOMENTUM) * rate * g)
                    w.add_(v)
            if c is not None:
                for layer in layers:
                    max_norm_(layer, c)
    # --8<-- [end:train]
    model.eval()
    with torch.no_grad():
        error = (model(Xte).argmax(1) != yte).float().mean().item()
        norm = max(layer.weight.norm(dim=1).max().item() for layer in hidden)
        out_norm = model[7].weight.norm(dim=1).max().item()
    return {"error": error, "norm": norm, "out_norm": out_norm}


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = load_split(device)
    high = f"learning rate {HIGH_LR:.0f}"
    settings = {  # name: (learning rate, max-norm radius, layers capped)
        f"learning rate {LOW_LR}, no constraint": (LOW_LR, None, ""),
        f"{high}, no constraint": (HIGH_LR, None, ""),
        f"{high}, max-norm on hidden units": (HIGH_LR, C, "hidden"),
        f"{high}, max-norm on all units": (HIGH_LR, C, "all"),
    }
    runs = {  # seeds REPEATS * SEED + k; settings are paired by seed
        name: [
            train(lr, c, capped, REPEATS * SEED + k, data, device)
            for k in range(REPEATS)
        ]
        for name, (lr, c, capped) in settings.items()
    }
    low, free, hidden_capped, all_capped = runs.values()

    def mean(rs, key):
        return sum(r[key] for r in rs) / len(rs)

    print(
        f"{EPOCHS} epochs on {N_TRAIN} digits, mean of {REPEATS} runs each, "
        f"max-norm c={C:.0f}"
    )
    # spread over seeds 0-9 and other CPUs' kernels (kb check --seeds 10)
    for (name, rs), t in zip(runs.items(), ("0.01", "0.2", "0.15", "0.15")):
        print(f"{name}, test error: {mean(rs, 'error'):.3f} ±{t}")
    print(
        f"{next(iter(runs))}, largest incoming-weight norm of a hidden unit: "
        f"{mean(low, 'norm'):.2f} ±0.1"
    )
    print(
        f"{next(iter(runs))}, largest incoming-weight norm of an output unit: "
        f"{mean(low, 'out_norm'):.2f} ±0.1"
    )
    ratio = [h["out_norm"] / f["out_norm"] for h, f in zip(hidden_capped, free)]
    print(  # paired runs: same seed, same batches and masks
        f"{high}, output units' largest norm, hidden units capped / "
        f"no constraint: {sum(ratio) / len(ratio):.2f} ±0.1"
    )
    blown = min(r["norm"] for r in free) > 2 * C
    print(
        f"{high}, no constraint, every run's largest hidden norm > 2c: {blown}"
    )
    capped = max(r["norm"] for r in hidden_capped + all_capped) <= C + 1e-4
    capped &= max(r["out_norm"] for r in all_capped) <= C + 1e-4
    print(f"max-norm runs, every capped norm <= c: {capped}")

    assert mean(low, "error") < 0.1, f"the lower rate trains the network: {low}"
    assert blown, f"without the constraint, the hidden weights blow up: {free}"
    assert capped, "max-norm keeps every capped unit's norm at most c"
    assert min(r["out_norm"] for r in hidden_capped) > C, (
        "with the hidden units capped, the output weights still pass c: "
        f"{hidden_capped}"
    )
    for name, rs in list(runs.items())[1:]:
        assert mean(rs, "error") > mean(low, "error") + 0.2, (
            "every high-rate setting's test error ends more than 0.2 above "
            f"the lower rate's: {name}"
        )


if __name__ == "__main__":
    main()
