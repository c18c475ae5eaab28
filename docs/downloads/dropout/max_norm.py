# max_norm.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/dropout/max_norm.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python max_norm.py
#
# kb-download: {"record": "dab376c4bc088d449cab7d3a31e627d94c6791b8de1e8b2556d4fdd2421659da", "sources": {"snippets/dropout/max_norm.py": "ca25a7d2ab577c82132cacf3a88d96ac0a149715127c8257fafb17b544dbca78"}}


# --- the snippet, unchanged: snippets/dropout/max_norm.py ---
"""The max-norm constraint used with dropout caps the norm of each unit's
incoming weight vector; torch.renorm does the same projection.

Srivastava et al. 2014, JMLR 15(56), Section 5.1 (max-norm regularization, ||w||
<= c for the incoming weights of each hidden unit) and Appendix A.3; PyTorch
documentation, torch.renorm.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:maxnorm]
def max_norm_(linear: nn.Linear, c: float = 3.0) -> None:
    with torch.no_grad():  # weight: (out, in), row = one unit
        norms = linear.weight.norm(dim=1, keepdim=True)
        linear.weight.mul_((c / norms).clamp(max=1.0))  # shrink long rows


# --8<-- [end:maxnorm]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    layer = nn.Linear(64, 32).to(device)
    with torch.no_grad():
        # 32 rows (one per unit) with norms spread from 1 to 30
        layer.weight.div_(layer.weight.norm(dim=1, keepdim=True))
        layer.weight.mul_(torch.linspace(1, 30, 32, device=device)[:, None])
    before = layer.weight.detach().clone()
    # --8<-- [start:check]
    reference = torch.renorm(before, p=2, dim=0, maxnorm=3.0)  # PyTorch's op
    max_norm_(layer, c=3.0)  # after opt.step()
    torch.testing.assert_close(layer.weight, reference)
    # --8<-- [end:check]
    norms = layer.weight.norm(dim=1)
    short = before.norm(dim=1) <= 3.0
    torch.testing.assert_close(layer.weight[short], before[short])  # untouched
    assert norms.max().item() <= 3.0 + 1e-5
    print("from-scratch max-norm == torch.renorm: True")
    print(
        f"rows (units) longer than c=3 before / after: "
        f"{int((~short).sum())} / {int((norms > 3.0 + 1e-5).sum())}"
    )


if __name__ == "__main__":
    main()
