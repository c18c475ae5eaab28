"""Exercise: average a dropout network over all of its 2^d masks, exactly.

The weight scaling rule (inverted dropout's eval()) gives the exact average of
the thinned networks for a linear layer, and only an approximation after a
nonlinearity (Srivastava et al. 2014, "Dropout", JMLR 15, Sections 4 and 7.5).
"""

import itertools

import torch
from torch import nn


def exact_average(f, x: torch.Tensor, p: float) -> torch.Tensor:
    """E over the masks m ~ Bernoulli(1 - p)^d of f(m * x / (1 - p)), for an
    input x of shape (d,), computed by summing over all 2^d masks."""
    # BEGIN SOLUTION (starter: return f(x))
    d = x.shape[0]
    total = 0.0
    for bits in itertools.product((0.0, 1.0), repeat=d):
        m = torch.tensor(bits, dtype=x.dtype, device=x.device)
        kept = int(m.sum().item())
        prob = (1 - p) ** kept * p ** (d - kept)  # P(this mask)
        total = total + prob * f(m * x / (1 - p))
    return total
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    d, p = 8, 0.3
    x = torch.randn(d, **opts)
    linear = nn.Linear(d, 3).to(**opts)
    deep = nn.Sequential(nn.Linear(d, 16), nn.Tanh(), nn.Linear(16, 3))
    deep = deep.to(**opts)
    with torch.no_grad():
        lin_avg = exact_average(linear, x, p)
        deep_avg = exact_average(deep, x, p)
        # Monte Carlo with nn.Dropout, the train-mode network itself
        samples = deep(nn.Dropout(p).train()(x.expand(200_000, d)))
        mc = samples.mean(0)
        stderr = samples.std(0).max().item() / 200_000**0.5
    assert torch.allclose(lin_avg, linear(x), atol=1e-10), (
        "for a linear layer the average over the masks is the eval() output"
    )
    assert torch.allclose(deep_avg, mc, atol=5 * stderr), (
        "the exact average agrees with 200000 sampled nn.Dropout passes"
    )
    gap = (deep_avg - deep(x)).abs().max().item()
    assert gap > 10 * stderr, (
        "after tanh the eval() output is not the average over the masks"
    )
    print("masks summed over:", 2**d)
    print("linear layer, average over the masks equals eval(): True")
    print(f"tanh network, max |average - eval()|: {gap:.4f}")
    print(
        f"tanh network, max |average - 200000 sampled passes|: "
        f"{(deep_avg - mc).abs().max().item():.4f}"
    )


if __name__ == "__main__":
    main()
