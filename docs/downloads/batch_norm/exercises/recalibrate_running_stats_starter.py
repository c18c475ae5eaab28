# recalibrate_running_stats.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/batch_norm/exercises/recalibrate_running_stats.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python recalibrate_running_stats_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "a77624462dc64374a8debdc6d2b1cf1edde29b0f4bb6ee05aad4269fe53f1424", "sources": {"snippets/batch_norm/exercises/recalibrate_running_stats.py": "b0f05642f69db4ca15aa0e4819f32c06d44260ae21c48e3a91c1461de8d2f69c"}}


# --- the exercise, with the solution removed: snippets/batch_norm/exercises/recalibrate_running_stats.py ---
"""Exercise: recompute the running statistics of every BN layer as plain
averages over a set of batches, without touching a weight.

Ioffe & Szegedy 2015, "Batch Normalization", Algorithm 2 (population statistics
averaged over mini-batches); Wu & Johnson 2021, "Rethinking 'Batch' in
BatchNorm", Section 3 (PreciseBN). momentum=None makes nn.BatchNorm2d keep a
cumulative average (PyTorch docs).
"""

import torch
from torch import nn


@torch.no_grad()
def recalibrate(model: nn.Module, batches: list[torch.Tensor]) -> None:
    """Set each BN layer's running_mean and running_var to the average of its
    batch statistics over `batches`; leave the model in eval() mode."""
    # TODO: your answer here (see the exercise on the page)
    model.eval()


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Conv2d(8, 4, 3, padding=1, bias=False),
        nn.BatchNorm2d(4),
    ).to(device)
    # stale statistics, e.g. from another data set
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(16, 3, 8, 8, device=device))
    model.eval()
    batches = [
        2 + 3 * torch.randn(16, 3, 8, 8, device=device) for _ in range(6)
    ]
    weights = [p.clone() for p in model.parameters()]

    recalibrate(model, batches)

    conv, bn = model[0], model[1]
    with torch.no_grad():
        feats = [conv(x) for x in batches]  # BN's inputs, (16, 8, 8, 8) each
    means = torch.stack([f.mean((0, 2, 3)) for f in feats]).mean(0)
    vars_ = torch.stack([f.var((0, 2, 3)) for f in feats]).mean(0)  # unbiased
    assert torch.allclose(bn.running_mean, means, atol=1e-5), (
        "running_mean is the average of the 6 batch means"
    )
    assert torch.allclose(bn.running_var, vars_, rtol=1e-4), (
        "running_var is the average of the 6 unbiased batch variances"
    )
    assert all(
        torch.equal(a, b) for a, b in zip(weights, model.parameters())
    ), "no weight changes"
    assert not model.training and model[4].momentum == 0.1, (
        "the model is back in eval() with momentum 0.1"
    )
    print("running_mean = mean of the batch means: True")
    print(
        f"first BN, average running_mean: {bn.running_mean.mean().item():.3f}"
    )
    print(f"first BN, batches tracked: {int(bn.num_batches_tracked)}")


if __name__ == "__main__":
    main()
