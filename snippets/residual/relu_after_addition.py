"""The ReLU after the addition of the original unit blocks the identity path.

He, Zhang, Ren & Sun 2016b, "Identity Mappings in Deep Residual Networks",
ECCV, Section 4 (with f = ReLU after the addition, x_{l+1} = relu(x_l + F)
is not an identity, and the signal is not passed directly).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F
from torch.autograd.functional import jacobian

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:original]
class OriginalUnit(nn.Module):
    """He et al. 2016: x_{l+1} = relu(x_l + F(x_l)),
    F = conv-BN-ReLU-conv-BN."""

    def __init__(self, c: int):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv2d(c, c, 3, padding=1, bias=False),
            nn.BatchNorm2d(c),
            nn.ReLU(),
            nn.Conv2d(c, c, 3, padding=1, bias=False),
            nn.BatchNorm2d(c),
        )

    def forward(self, x):
        return F.relu(x + self.f(x))  # the ReLU sits on the shortcut


# --8<-- [end:original]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 4, 4, 4, dtype=torch.float64, device=device)
    # --8<-- [start:run]
    net = nn.Sequential(*[OriginalUnit(4) for _ in range(50)])
    net = net.to(device, torch.float64)
    with torch.no_grad():
        for unit in net:
            nn.init.zeros_(unit.f[-1].weight)  # zero gamma: F(x) = 0
    jac = jacobian(net, x).reshape(x.numel(), x.numel())  # d x_L / d x_0
    blocked = (jac.diagonal() == 0).double().mean().item()
    print(
        f"50 original units, branches zeroed: output == input: "
        f"{torch.equal(net(x), x)}"
    )
    print(f"output == relu(input): {torch.equal(net(x), F.relu(x))}")
    print(f"share of the input whose direct gradient is blocked: {blocked:.2f}")
    # --8<-- [end:run]
    assert torch.equal(net(x), F.relu(x))  # not the identity
    assert torch.equal(jac, torch.diag((x > 0).double().flatten()))
    assert 0.2 < blocked < 0.8  # about half


if __name__ == "__main__":
    main()
