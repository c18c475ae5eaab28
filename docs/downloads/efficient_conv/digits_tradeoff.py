# digits_tradeoff.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/efficient_conv/digits_tradeoff.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python digits_tradeoff.py
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "92e2defede6f8770561b281decef5e256ca8b741bc0b33a1dfa6cc543cd4d2a2", "sources": {"snippets/efficient_conv/digits_tradeoff.py": "c1485a33f68186d5e678e1affec53a1075acdbb56ed327c6b165f0a2476fd9f3", "snippets/efficient_conv/separable_cost.py": "d84cd5ed09a041e558643e3b650c55078613186533850427fa7a68786eac8dc6"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/efficient_conv/separable_cost.py
_add_module('separable_cost', r'''"""Separable conv: 1/N + 1/D_K^2 of the weights and mult-adds; faster on a CPU.

Howard et al. 2017, "MobileNets", arXiv 1704.04861, Section 3.1 (the costs of
a standard and of a depthwise separable convolution, and their ratio).
"""

import os
import time
from fractions import Fraction

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:layers]
def standard(m: int, n: int, k: int) -> nn.Module:
    return nn.Conv2d(m, n, k, padding=k // 2, bias=False)


def separable(m: int, n: int, k: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(m, m, k, padding=k // 2, groups=m, bias=False),  # depthwise
        nn.Conv2d(m, n, 1, bias=False),  # pointwise
    )


# --8<-- [end:layers]


# --8<-- [start:count]
def count_mult_adds(module: nn.Module, x: torch.Tensor) -> int:
    """Multiply-adds of every Conv2d for one image, from its output shape."""
    macs = []

    def hook(conv, inputs, out):  # each output value: C_in/G * kh * kw
        kh, kw = conv.kernel_size
        per_value = conv.in_channels // conv.groups * kh * kw
        macs.append(out[0].numel() * per_value)

    convs = [m for m in module.modules() if isinstance(m, nn.Conv2d)]
    handles = [c.register_forward_hook(hook) for c in convs]
    with torch.no_grad():
        module(x[:1])
    for h in handles:
        h.remove()
    return sum(macs)


# --8<-- [end:count]


# --8<-- [start:conventions]
def torch_flops(module: nn.Module, x: torch.Tensor) -> int:
    """PyTorch's own count for one image: 2 FLOPs per multiply-add."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(x[:1])
    return counter.get_total_flops()


def saved_activations(module: nn.Module, x: torch.Tensor) -> int:
    """Values autograd keeps for the backward pass of one image, weights not
    counted: each convolution keeps its input for its weight's gradient."""
    weights = {p.data_ptr() for p in module.parameters()}
    sizes = []

    def pack(t):
        if t.data_ptr() not in weights:
            sizes.append(t.numel())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        module(x[:1])
    return sum(sizes)


# --8<-- [end:conventions]


# --8<-- [start:timing]
def best_ms(module: nn.Module, x: torch.Tensor, repeats: int) -> float:
    """Fastest wall time of `repeats` forward passes, in milliseconds: other
    jobs on the CPU can only add time, so the minimum is the steadiest."""
    best = float("inf")
    with torch.no_grad():
        module(x)  # warm-up
        for _ in range(repeats):
            start = time.perf_counter()
            module(x)
            if x.is_cuda:
                torch.cuda.synchronize()  # wait for the kernel
            best = min(best, time.perf_counter() - start)
    return 1e3 * best


# --8<-- [end:timing]


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def main() -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # single thread: comparable
    device = "cuda" if torch.cuda.is_available() else "cpu"
    M, N, K, D_F = 64, 128, 3, 32  # in, out, kernel, map size
    std = standard(M, N, K).to(device)
    sep = separable(M, N, K).to(device)
    x = torch.randn(1, M, D_F, D_F, device=device)  # one image (1, C, H, W)

    # --8<-- [start:cost]
    macs_std, macs_sep = count_mult_adds(std, x), count_mult_adds(sep, x)
    assert macs_std == K * K * M * N * D_F * D_F  # Howard, 3.1
    assert macs_sep == K * K * M * D_F * D_F + M * N * D_F * D_F
    ratio = Fraction(1, N) + Fraction(1, K * K)  # 1/N + 1/D_K^2
    assert Fraction(macs_sep, macs_std) == ratio  # exactly
    assert Fraction(n_params(sep), n_params(std)) == ratio  # weights too
    # --8<-- [end:cost]
    print(f"standard weights: {n_params(std)}")
    print(f"separable weights: {n_params(sep)}")
    print(f"standard multiply-adds per image: {macs_std}")
    print(f"separable multiply-adds per image: {macs_sep}")
    print(f"cost ratio 1/N + 1/D_K^2: {float(ratio):.4f}")
    print(f"fewer multiply-adds by: {1 / float(ratio):.2f}x")

    flops_std, flops_sep = torch_flops(std, x), torch_flops(sep, x)
    assert (flops_std, flops_sep) == (2 * macs_std, 2 * macs_sep), (
        "FlopCounterMode counts two FLOPs per multiply-add"
    )
    values_std = saved_activations(std, x)
    values_sep = saved_activations(sep, x)
    assert values_sep > values_std, (
        "the separable pair stores more activations than the standard conv"
    )
    print(f"FlopCounterMode, standard / separable: {flops_std} / {flops_sep}")
    print(
        f"activations saved for backward per image, standard / separable: "
        f"{values_std} / {values_sep}"
    )

    # --8<-- [start:time]
    t_std, t_sep = float("inf"), float("inf")
    for _ in range(15):  # interleaved rounds: both see the same load
        t_std = min(t_std, best_ms(std, x, repeats=15))
        t_sep = min(t_sep, best_ms(sep, x, repeats=15))
    speedup = t_std / t_sep
    # by how much depends on the CPU
    assert speedup > 1, f"the separable layer is faster {(t_std, t_sep)}"
    # --8<-- [end:time]
    # timings of this CPU: "wall clock" lines are never compared with a record
    print(f"standard conv, wall clock (ms): {t_std:.2f}")
    print(f"separable conv, wall clock (ms): {t_sep:.2f}")
    print(f"speedup, wall clock (times): {speedup:.1f}")


if __name__ == "__main__":
    main()
''')


# --- the snippet, unchanged: snippets/efficient_conv/digits_tradeoff.py ---
"""Digits: a separable CNN has far fewer weights and mult-adds, loses little.

Howard et al. 2017, "MobileNets", arXiv 1704.04861, Section 3.1 and Fig. 3
(a separable layer: 3x3 depthwise, BN, ReLU, 1x1 pointwise, BN, ReLU),
Section 3.2 (the first layer stays a full convolution) and Section 4.1,
Table 4 (ImageNet: 1.1 % less accuracy for about 8x fewer mult-adds).
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

from separable_cost import count_mult_adds  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
TOL = {"standard": 0.01, "separable": 0.03}  # largest change over seeds 1..4
# one run's difference is a few of 450 test images and moves with the seed by
# as much as its size: assert a bound on it, for every seed, and print that
MAX_LOSS = 0.05


# --8<-- [start:model]
def conv_bn(c_in, c_out, k, groups=1):
    return [
        nn.Conv2d(c_in, c_out, k, padding=k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
    ]


def layer(c_in, c_out, separable):
    if not separable:
        return conv_bn(c_in, c_out, 3)  # standard 3x3
    return conv_bn(c_in, c_in, 3, groups=c_in) + conv_bn(c_in, c_out, 1)


def make_cnn(separable: bool) -> nn.Sequential:
    return nn.Sequential(  # (N, 1, 8, 8)
        *conv_bn(1, 8, 3),  # first: full conv
        *layer(8, 16, separable),
        nn.MaxPool2d(2),  # (N, 16, 4, 4)
        *layer(16, 32, separable),
        nn.MaxPool2d(2),  # (N, 32, 2, 2)
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(32, 10),
    )


# --8<-- [end:model]


def load_split(device):
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(digits.target)
    order = torch.randperm(
        len(y), generator=torch.Generator().manual_seed(SEED)
    )
    train, test = order[:1347], order[1347:]  # 75 % / 25 %
    return (
        x[train].to(device),
        y[train].to(device),
        x[test].to(device),
        y[test].to(device),
    )


# --8<-- [start:train]
def train_and_test(model, x, y, x_test, y_test, epochs=10, batch_size=128):
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    steps = epochs * -(-len(y) // batch_size)
    decay = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1 - i / steps)
    model.train()
    # the order has its own generator: every model sees the same batches
    order = torch.Generator(device=y.device).manual_seed(SEED)
    for _ in range(epochs):
        for batch in torch.randperm(
            len(y), device=y.device, generator=order
        ).split(batch_size):
            loss = F.cross_entropy(model(x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            decay.step()  # lr falls linearly to 0
    model.eval()
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


# --8<-- [end:train]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x, y, x_test, y_test = load_split(device)
    # --8<-- [start:run]
    results = {}
    for name, separable in [("standard", False), ("separable", True)]:
        torch.manual_seed(
            SEED
        )  # the first conv starts alike; later ones differ
        model = make_cnn(separable).to(device)
        acc = train_and_test(model, x, y, x_test, y_test)
        params = sum(p.numel() for p in model.parameters())
        macs = count_mult_adds(model, x)  # in eval() mode
        results[name] = (params, macs, acc)
    # --8<-- [end:run]
    (p_std, m_std, a_std), (p_sep, m_sep, a_sep) = results.values()
    assert p_sep < p_std / 4 and m_sep < m_std / 4  # far cheaper
    assert a_std > 0.9 and a_sep > 0.9  # both learn
    # loses little
    assert a_std - a_sep < MAX_LOSS, (
        f"the separable net loses less than MAX_LOSS {a_sep}"
    )
    for name, (params, macs, acc) in results.items():
        print(f"{name} parameters: {params}")
        print(f"{name} conv multiply-adds per image: {macs}")
        print(f"{name} test accuracy: {acc:.3f} ±{TOL[name]}")
    print(f"fewer parameters by: {p_std / p_sep:.1f}x")
    print(f"fewer conv multiply-adds by: {m_std / m_sep:.1f}x")
    print(f"accuracy lost by the separable CNN: less than {MAX_LOSS}")

    fig, axes = plt.subplots(1, 3, figsize=(8, 2.4))
    names, colors = list(results), ["tab:blue", "tab:orange"]
    for ax, i, title in zip(
        axes,
        range(3),
        ["parameters", "conv mult-adds / image", "test accuracy"],
    ):
        ax.bar(names, [results[n][i] for n in names], color=colors)
        ax.set_title(title, fontsize=9)
    axes[2].set_ylim(0.8, 1.0)
    fig.tight_layout()
    fig.savefig("digits_tradeoff.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
