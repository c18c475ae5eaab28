# residual_paths.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/residual/exercises/residual_paths.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python residual_paths_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "ea99b55f6b1bd1c980c4e066c9f3d39c13e726019514bd65ff4aadf4b45c541b", "sources": {"snippets/residual/exercises/residual_paths.py": "9b113e4334952c5a5c1fb4d8da539f8df6dd65d87314857791b91722d354163b"}}


# --- the exercise, with the solution removed: snippets/residual/exercises/residual_paths.py ---
"""Exercise: a residual network is a sum over 2^n paths; split its output
by the number of residual branches each path goes through.

Veit, Wilber & Belongie 2016, "Residual Networks Behave Like Ensembles of
Relatively Shallow Networks", NIPS, Section 3 (the unraveled view): n blocks
x_{i+1} = x_i + f_i(x_i) give 2^n paths, C(n, k) of them through k branches.
With linear branches the unraveling is exact.
"""

import math

import torch
from torch import nn


@torch.no_grad()
def path_terms(branches: list[nn.Module], x: torch.Tensor) -> list:
    """Linear branches f_1..f_n of x_{i+1} = x_i + f_i(x_i) -> n + 1 tensors,
    term k the sum of the paths through exactly k branches."""
    n = len(branches)
    # TODO: your answer here (see the exercise on the page)
    return [x] + [torch.zeros_like(x)] * n


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    n, width = 10, 32
    branches = [
        nn.Linear(width, width, bias=False).to(**opts) for _ in range(n)
    ]
    for f in branches:
        nn.init.normal_(f.weight, std=0.5 / math.sqrt(width))  # gain 0.5
    x = torch.randn(64, width, **opts)
    with torch.no_grad():
        h = x
        for f in branches:
            h = h + f(h)  # the network
    terms = path_terms(branches, x)
    assert len(terms) == n + 1, "one term for each k = 0..n"
    assert torch.allclose(sum(terms), h, atol=1e-10), (
        "the terms add up to the network's output"
    )
    assert torch.equal(terms[0], x), "the one path through no branch is x"
    # with every branch the identity, each path adds x: term k = C(n, k) x
    ones = [nn.Identity() for _ in range(n)]
    counts = [
        t[0, 0].item() for t in path_terms(ones, torch.ones(1, 1, **opts))
    ]
    assert counts == [math.comb(n, k) for k in range(n + 1)], (
        "C(n, k) paths go through k branches"
    )
    print(f"paths through k of {n} branches:", [int(c) for c in counts])
    norms = torch.stack([t.norm() for t in terms])
    share = (norms / norms.sum()).tolist()
    print(
        "share of the terms' norm, k = 0..3:", [round(s, 2) for s in share[:4]]
    )
    short = sum(share[: n // 2 + 1])
    assert short > 0.9, "paths through at most half the branches dominate"
    print(f"share through at most {n // 2} branches: {short:.3f}")


if __name__ == "__main__":
    main()
