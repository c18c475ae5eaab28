# freeze_for_training.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/transfer_learning/exercises/freeze_for_training.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python freeze_for_training_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "10f5f84da9817e3c67cf28bc06e759d5c995bcaaf6ec86989dc87153f0dc77e8", "sources": {"snippets/transfer_learning/exercises/freeze_for_training.py": "61c3bff1b3dcb7c2d8da0173cc4aa50e991f9b63bd7b972ef65932e143cc2926"}}


# --- the exercise, with the solution removed: snippets/transfer_learning/exercises/freeze_for_training.py ---
"""Exercise: freezing a body takes requires_grad_(False) and eval(), after every
model.train(); then training the head leaves every tensor of the body,
BatchNorm's running statistics included, bit-identical.

PyTorch documentation, "nn.BatchNorm2d" (running_mean and running_var are
buffers, updated in training mode) and "Autograd mechanics", section "Locally
disabling gradient computation" (requires_grad); CS231n notes, "Transfer
Learning" (the fixed feature extractor).
"""

import os
import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def train_mode(model: nn.Module, frozen: nn.Module) -> None:
    """Put `model` in training mode with its submodule `frozen` frozen: no
    gradients for its parameters, and its buffers left alone."""
    # TODO: your answer here (see the exercise on the page)
    model.train()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    body = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
    )
    head = nn.Linear(8, 3)
    model = nn.Sequential(body, head).to(device)
    x = torch.randn(32, 1, 8, 8, device=device) + 1.0  # (N, C, H, W)
    y = torch.randint(0, 3, (32,), device=device)
    before = {k: v.clone() for k, v in body.state_dict().items()}
    head_before = head.weight.detach().clone()
    # every parameter is handed to the optimizer, with momentum and decay:
    # it skips those whose .grad is None
    opt = torch.optim.SGD(
        model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-2
    )
    for _ in range(5):
        train_mode(model, body)  # as a training loop does every epoch
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    after = body.state_dict()
    moved = [k for k in before if not torch.equal(before[k], after[k])]
    print(f"tensors of the frozen body that changed: {moved}")
    grads = sum(p.grad is not None for p in body.parameters())
    print(f"gradients computed for the body: {grads}")
    change = (head.weight.detach() - head_before).abs().max().item()
    print(f"the head's weights changed: {change > 0}")

    # the checks a learner's answer must pass
    assert not moved, f"every tensor of the body stays bit-identical: {moved}"
    assert all(p.grad is None for p in body.parameters()), (
        "no gradient is computed for the frozen body"
    )
    assert head.training and model.training, (
        "the head is in training mode (dropout and BatchNorm in it still train)"
    )
    assert change > 1e-3, f"the head trained: {change}"


if __name__ == "__main__":
    main()
