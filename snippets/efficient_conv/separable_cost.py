"""Separable conv: 1/N + 1/D_K^2 of the weights and mult-adds; faster on a CPU.

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
