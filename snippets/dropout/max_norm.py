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
