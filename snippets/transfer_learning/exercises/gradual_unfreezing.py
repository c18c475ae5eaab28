"""Exercise: gradual unfreezing with discriminative learning rates; a layer
that is unfrozen must also join the optimizer, with a rate 2.6 times smaller
than the layer above it.

Howard & Ruder 2018, "Universal Language Model Fine-tuning for Text
Classification" (ACL): Section 3.2, discriminative fine-tuning (eta^(l-1) =
eta^l / 2.6), and Section 3.3, gradual unfreezing (unfreeze the last layer
first, then the next lower one at each stage).
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it

HEAD_LR, DECAY = 0.1, 2.6


def unfreeze_next(
    optimizer: torch.optim.Optimizer, layers: list, stage: int
) -> None:
    """Stage 1, 2, ...: unfreeze layers[-1 - stage] (layers[-1], the head,
    trains from stage 0) and train it from now on at HEAD_LR / DECAY**stage."""
    # BEGIN SOLUTION (starter: layers[-1 - stage].requires_grad_(True))
    layer = layers[-1 - stage]
    layer.requires_grad_(True)
    optimizer.add_param_group(
        {"params": list(layer.parameters()), "lr": HEAD_LR / DECAY**stage}
    )
    # END SOLUTION


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = nn.Sequential(
        nn.Linear(6, 6),
        nn.Tanh(),
        nn.Linear(6, 6),
        nn.Tanh(),
        nn.Linear(6, 6),
        nn.Tanh(),
        nn.Linear(6, 2),
    ).to(device)
    layers = [m for m in model if isinstance(m, nn.Linear)]  # head last
    for layer in layers[:-1]:
        layer.requires_grad_(False)  # the pretrained body starts frozen
    # plain SGD: a step moves each parameter by -lr * grad (up to rounding)
    optimizer = torch.optim.SGD(layers[-1].parameters(), lr=HEAD_LR)
    x = torch.randn(16, 6, device=device)
    y = torch.randn(16, 2, device=device)

    frozen_ok, steps_ok = True, True
    for stage in range(len(layers)):
        if stage > 0:
            unfreeze_next(optimizer, layers, stage)
        before = [[p.detach().clone() for p in m.parameters()] for m in layers]
        optimizer.zero_grad(set_to_none=True)
        ((model(x) - y) ** 2).mean().backward()
        optimizer.step()
        for depth, (layer, old) in enumerate(zip(layers[::-1], before[::-1])):
            for p, p0 in zip(layer.parameters(), old):
                if depth > stage:  # still frozen
                    frozen_ok &= torch.equal(p, p0) and p.grad is None
                else:
                    lr = HEAD_LR / DECAY**depth
                    expected = p0 - lr * p.grad
                    steps_ok &= torch.allclose(p, expected, atol=1e-7)
        groups = [f"{g['lr']:.4f}" for g in optimizer.param_groups]
        print(f"stage {stage}: learning rates of the groups: {groups}")

    # the checks a learner's answer must pass
    assert frozen_ok, "the layers still frozen neither move nor get a .grad"
    assert steps_ok, (
        "each unfrozen layer moves by HEAD_LR / 2.6**depth times its gradient, "
        "up to rounding (depth 0 = the head)"
    )
    assert len(optimizer.param_groups) == len(layers), (
        "the optimizer ends with one group per layer"
    )


if __name__ == "__main__":
    main()
