"""PyTorch needs no test-time weight scaling: dropout scales by 1/(1-p) in
training and eval() is the identity.

Srivastava et al. 2014, JMLR 15, Section 1 and Figure 2 (train without scaling,
multiply the outgoing weights by the retain probability at test time);
torch.nn.Dropout docs (scale by 1/(1-p) in training, identity in eval).
"""

import os
import itertools

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:expectation]
def exact_expectation(f, x: torch.Tensor, keep: float) -> torch.Tensor:
    """E_m[f(m * x)] over every mask m in {0,1}^d with m_i ~ Bernoulli(keep);
    exact, for small d."""
    d = x.shape[-1]
    total = 0.0
    for bits in itertools.product([0.0, 1.0], repeat=d):  # all 2^d masks
        m = torch.tensor(bits, dtype=x.dtype, device=x.device)
        prob = keep ** m.sum() * (1 - keep) ** (d - m.sum())
        total = total + prob * f(m * x)
    return total


# --8<-- [end:expectation]


def fmt(t: torch.Tensor) -> list[float]:
    return [round(v, 4) for v in t.tolist()]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # float64 so "equal in expectation" can be checked tightly
    dtype = torch.float64
    p = 0.4  # PyTorch's p: probability of DROPPING an input unit
    keep = 1 - p  # the paper's p: probability of RETAINING it
    x = torch.randn(8, device=device, dtype=dtype)  # one input with d = 8 units

    # --8<-- [start:pytorch]
    # PyTorch: inverted dropout scales by 1/(1-p) in training, so nothing is
    # left to do at test time.
    net = nn.Sequential(nn.Dropout(p), nn.Linear(8, 3)).to(device, dtype)
    w_before = net[1].weight.clone()
    net.eval()  # Dropout becomes the identity; the weights are not touched
    y_eval = net(x)
    y_plain = net[1](x)  # the same Linear layer with no dropout at all
    assert torch.equal(y_eval, y_plain) and torch.equal(
        net[1].weight, w_before
    ), "eval() output equals the layer without dropout; no weight rescaled"

    net.train()
    # (200000, 3): 200k independent masks on the same input
    samples = net(x.expand(200_000, 8))
    mc_gap = (samples.mean(0) - y_eval).abs().max().item()
    # the average training output -> the eval output
    assert mc_gap < 0.01, mc_gap
    # --8<-- [end:pytorch]

    # --8<-- [start:paper]
    # The paper's convention for the same layer: weights W_paper, no scaling in
    # training, and the outgoing weights multiplied by the retain probability at
    # test time (weight scaling inference rule).
    # (3, 8), (3,): trained the PyTorch way
    W, b = net[1].weight.detach(), net[1].bias.detach()
    W_paper = W / keep
    # y = W_paper (m * x) + b, no 1/(1-p)
    train_paper = lambda mx: mx @ W_paper.T + b
    # y = W (m * x / (1-p)) + b
    train_pytorch = lambda mx: (mx / keep) @ W.T + b

    m = torch.empty_like(x).bernoulli_(keep)  # one training mask
    # one net, factor moved
    torch.testing.assert_close(train_paper(m * x), train_pytorch(m * x))

    test_paper = x @ (keep * W_paper).T + b  # the paper's test time
    # E over all 2^8 masks
    expected_paper = exact_expectation(train_paper, x, keep)
    # test output = expected train output
    torch.testing.assert_close(test_paper, expected_paper)
    # same for PyTorch
    torch.testing.assert_close(
        y_eval, exact_expectation(train_pytorch, x, keep)
    )
    # the paper's rule == PyTorch's eval()
    torch.testing.assert_close(test_paper, y_eval)
    # --8<-- [end:paper]
    assert torch.allclose(test_paper, expected_paper) and torch.allclose(
        test_paper, y_eval
    ), "the paper's test rule equals eval() and the exact expectation"

    print(f"drop probability p (PyTorch): {p}")
    print(f"retain probability (the paper's p): {keep}")
    print(
        f"eval() output equals the no-dropout output: "
        f"{torch.equal(y_eval, y_plain)}"
    )
    print(f"PyTorch eval() output: {fmt(y_eval)}")
    print(f"mean of 200000 train-mode outputs: {fmt(samples.mean(0))}")
    print(f"largest gap, train-mode mean vs eval(): {mc_gap:.4f}")
    print(f"paper test output (retain prob * W_paper): {fmt(test_paper)}")
    print(f"exact mean of paper-style train outputs: {fmt(expected_paper)}")


if __name__ == "__main__":
    main()
