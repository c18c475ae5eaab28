# exact_mask_average.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/dropout/exercises/exact_mask_average.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python exact_mask_average_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "78b9b8ca27bac54ec178bd9f48e7e0212d5f1dd2678b241c223e610b8031ebaa", "sources": {"snippets/dropout/exercises/exact_mask_average.py": "4a33c09e8237b1b90cb2ea93bdc0de685fb7d6c9b9b0230fddd3d731ce8ddde6"}}


# --- the exercise, with the solution removed: snippets/dropout/exercises/exact_mask_average.py ---
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
    # TODO: your answer here (see the exercise on the page)
    return f(x)


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
