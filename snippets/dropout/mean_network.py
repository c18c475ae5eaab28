"""With dropout on one hidden layer feeding a softmax layer, the eval() network
gives exactly the normalized geometric mean of all 2^N thinned networks.

Hinton et al. 2012, "Improving neural networks by preventing co-adaptation of
feature detectors", arXiv 1207.0580 (the "mean network": for one hidden layer
of N units and a softmax output, it equals the geometric mean of the label
distributions of all 2^N networks); Srivastava et al. 2014, JMLR 15, Section 4.
"""

import itertools
import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:means]
def mask_averages(hidden, head: nn.Module, p: float):
    """The normalized geometric and the arithmetic mean of softmax(head(h))
    over all 2^N dropout masks of the hidden units h, each mask weighted by
    its probability."""
    n = hidden.shape[-1]
    masks = torch.tensor(  # (2^N, N): every mask once
        list(itertools.product([0.0, 1.0], repeat=n)),
        dtype=hidden.dtype,
        device=hidden.device,
    )
    kept = masks.sum(1)
    probs = ((1 - p) ** kept * p ** (n - kept))[:, None, None]  # (2^N, 1, 1)
    logits = head(hidden * masks[:, None, :] / (1 - p))  # (2^N, B, K)
    # geometric mean: average the log-probabilities, then renormalize
    geometric = F.softmax((probs * F.log_softmax(logits, -1)).sum(0), -1)
    arithmetic = (probs * F.softmax(logits, -1)).sum(0)  # (B, K)
    return geometric, arithmetic


# --8<-- [end:means]


def fmt(t: torch.Tensor) -> list[float]:
    return [round(v, 4) for v in t.tolist()]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    n_in, n_hidden, n_classes, p = 5, 8, 4, 0.5
    x = torch.randn(6, n_in, **opts)  # (B, n_in)

    # --8<-- [start:check]
    body = nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU())
    head = nn.Linear(n_hidden, n_classes)  # logits linear in the mask
    # dropout on the N = 8 hidden units, then the softmax layer's logits
    model = nn.Sequential(body, nn.Dropout(p), head).to(**opts)
    model.eval()  # the mean network: dropout is the identity
    mean_net = F.softmax(model(x), -1)  # (B, K)
    hidden = body(x)  # (B, N), the units dropout acts on
    geometric, arithmetic = mask_averages(hidden, head, p)
    torch.testing.assert_close(geometric, mean_net)
    # --8<-- [end:check]
    geo_gap = (geometric - mean_net).abs().max().item()
    arith_gap = (arithmetic - mean_net).abs().max().item()
    assert geo_gap < 1e-12, (
        f"the mean network is the normalized geometric mean: {geo_gap}"
    )
    assert arith_gap > 1e-3, (
        f"the arithmetic mean of the softmax outputs differs: {arith_gap}"
    )
    assert torch.allclose(arithmetic.sum(-1), torch.ones(6, **opts))

    print(f"masks averaged over: {2**n_hidden}")
    print(f"eval() softmax, first input: {fmt(mean_net[0])}")
    print(f"normalized geometric mean, first input: {fmt(geometric[0])}")
    print(f"arithmetic mean, first input: {fmt(arithmetic[0])}")
    print("max |geometric mean - eval() softmax|: < 1e-12")
    print(f"max |arithmetic mean - eval() softmax|: {arith_gap:.4f}")


if __name__ == "__main__":
    main()
