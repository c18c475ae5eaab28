# decay_groups.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/l1_l2/exercises/decay_groups.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python decay_groups_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "68c45c271b0c4b720a4ad3921caecde92e1e5255177ec233b77e6c7c05b6c999", "sources": {"snippets/l1_l2/exercises/decay_groups.py": "967c8af335d3e1832d497b4a6f2e34c1d1bb5f55b8d34d021811b4653e705199"}}


# --- the exercise, with the solution removed: snippets/l1_l2/exercises/decay_groups.py ---
"""Exercise: build optimizer parameter groups that decay the kernels and weight
matrices but not the biases or the batch-norm scales and shifts.

He et al. 2019, "Bag of Tricks for Image Classification with Convolutional
Neural Networks", CVPR, Section 3.1 ("No bias decay"); PyTorch documentation,
torch.optim (per-parameter options).
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def decay_groups(model: nn.Module, wd: float) -> list[dict]:
    """Two groups for an optimizer: weight decay wd, and no weight decay."""
    # TODO: your answer here (see the exercise on the page)
    return [{"params": list(model.parameters())}]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 6 * 6, 10),
    ).to(device)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1)  # no parameter starts at zero, so decay would show
    opt = torch.optim.SGD(decay_groups(model, 0.01), lr=0.1)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    for p in model.parameters():
        p.grad = torch.zeros_like(p)  # a step of weight decay alone
    opt.step()
    changed = [
        n for n, p in model.named_parameters() if not torch.equal(p, before[n])
    ]
    print(f"parameters that weight decay changed: {', '.join(changed)}")

    # the checks a learner's answer must pass
    grouped = [id(p) for g in decay_groups(model, 0.01) for p in g["params"]]
    assert sorted(grouped) == sorted(id(p) for p in model.parameters()), (
        "every parameter is in exactly one group"
    )
    assert changed == ["0.weight", "4.weight"], (
        "only the conv kernel and the linear weight matrix are decayed"
    )


if __name__ == "__main__":
    main()
