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
    # BEGIN SOLUTION (starter: model.eval())
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    momenta = [bn.momentum for bn in bns]
    for bn in bns:
        bn.reset_running_stats()  # mean 0, var 1, num_batches_tracked 0
        bn.momentum = None  # cumulative average instead of an EMA
    model.train()  # BN uses and records the batch statistics
    for x in batches:
        model(x)
    for bn, momentum in zip(bns, momenta):
        bn.momentum = momentum
    model.eval()
    # END SOLUTION


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
