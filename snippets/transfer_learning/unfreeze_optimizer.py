"""Optimizers skip parameters whose .grad is None, so frozen parameters may be
handed to them; left-out ones never train.

PyTorch documentation, torch.optim (optimizers update only the parameters they
were given, and skip those with p.grad None) and Optimizer.zero_grad
(set_to_none=True is the default since PyTorch 2.0). A zero gradient, unlike
None, still lets momentum and weight decay move a weight.
"""

import os

import torch
import torch.nn.functional as F
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def make_model() -> nn.Sequential:
    return nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))


def train(model, opt, x, y, steps=5, set_to_none=True) -> None:
    for _ in range(steps):
        opt.zero_grad(set_to_none=set_to_none)
        F.cross_entropy(model(x), y).backward()
        opt.step()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(32, 8, device=device)
    y = torch.randint(0, 3, (32,), device=device)

    # --8<-- [start:frozen_in_optimizer]
    # 1. frozen parameters handed to the optimizer from the start: skipped,
    #    even with momentum and weight decay, because their .grad stays None
    model = make_model().to(device)
    before = model[0].weight.clone()
    model[0].requires_grad_(False)
    opt = torch.optim.SGD(
        model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-2
    )
    train(model, opt, x, y)
    frozen_kept = torch.equal(model[0].weight, before)
    grad_is_none = model[0].weight.grad is None
    # --8<-- [end:frozen_in_optimizer]

    # --8<-- [start:left_out]
    # 2. unfreezing a parameter the optimizer never received trains nothing
    model = make_model().to(device)
    model[0].requires_grad_(False)
    opt = torch.optim.SGD(model[2].parameters(), lr=0.1)  # head only
    train(model, opt, x, y)
    before = model[0].weight.clone()
    model[0].requires_grad_(True)  # "unfreeze"
    train(model, opt, x, y)
    left_out_kept = torch.equal(model[0].weight, before)
    has_grad = model[0].weight.grad is not None  # computed, unused
    opt.add_param_group({"params": model[0].parameters(), "lr": 0.01})
    train(model, opt, x, y)
    added_moved = not torch.equal(model[0].weight, before)
    # --8<-- [end:left_out]

    # --8<-- [start:zero_not_none]
    # 3. a zero gradient is not None: momentum and weight decay still act
    model = make_model().to(device)
    opt = torch.optim.SGD(
        model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-2
    )
    train(model, opt, x, y)  # trained: momentum buffers
    before = model[0].weight.clone()
    model[0].requires_grad_(False)  # frozen; zero_grad keeps a zero .grad
    train(model, opt, x, y, set_to_none=False)
    zero_grad_moved = not torch.equal(model[0].weight, before)
    # --8<-- [end:zero_not_none]

    assert frozen_kept and grad_is_none
    assert left_out_kept and has_grad and added_moved
    assert zero_grad_moved
    print(f"frozen parameter in the optimizer, bit-identical: {frozen_kept}")
    print(f"its .grad is None: {grad_is_none}")
    print(
        f"unfrozen but not in the optimizer, bit-identical: {left_out_kept}"
        f" (it has a .grad: {has_grad})"
    )
    print(f"after add_param_group, it trains: {added_moved}")
    print(
        f"frozen with a zero .grad (set_to_none=False), it moves: "
        f"{zero_grad_moved}"
    )


if __name__ == "__main__":
    main()
