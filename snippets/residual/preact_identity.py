"""With its branches zeroed, a pre-activation ResNet is exactly the identity.

He, Zhang, Ren & Sun 2016b, "Identity Mappings in Deep Residual Networks",
ECCV, Section 2 (x_L = x_l + sum of F, and the gradient's direct term) and
Section 4 (the full pre-activation unit: BN -> ReLU -> conv, twice).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F
from torch.autograd.functional import jacobian

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
C = 4  # channels


# --8<-- [start:units]
def branch(preact: bool) -> nn.Sequential:
    conv = lambda: nn.Conv2d(C, C, 3, padding=1, bias=False)
    if preact:  # BN -> ReLU -> conv, twice
        return nn.Sequential(
            nn.BatchNorm2d(C),
            nn.ReLU(),
            conv(),
            nn.BatchNorm2d(C),
            nn.ReLU(),
            conv(),
        )
    # original: conv -> BN -> ReLU -> conv -> BN
    return nn.Sequential(
        conv(),
        nn.BatchNorm2d(C),
        nn.ReLU(),
        conv(),
        nn.BatchNorm2d(C),
    )


class Unit(nn.Module):
    def __init__(self, preact: bool):
        super().__init__()
        self.preact, self.f = preact, branch(preact)

    def forward(self, x):
        y = x + self.f(x)
        return y if self.preact else F.relu(y)  # x_{l+1} = f(y_l)


# --8<-- [end:units]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, C, 4, 4, dtype=torch.float64, device=device)
    # --8<-- [start:identity]
    net = nn.Sequential(*[Unit(preact=True) for _ in range(50)])  # 50 units
    net = net.to(device, torch.float64)
    with torch.no_grad():
        for unit in net:  # zero every residual branch:
            last_conv = [m for m in unit.f if isinstance(m, nn.Conv2d)][-1]
            last_conv.weight.zero_()  # F(x) = 0 for every unit
    out = net(x)
    jac = jacobian(net, x).reshape(x.numel(), x.numel())  # d x_L / d x_0
    eye = torch.eye(x.numel(), dtype=x.dtype, device=device)
    print(
        f"50 pre-activation units, branches zeroed: output == input: "
        f"{torch.equal(out, x)}"
    )
    print(f"Jacobian d x_L / d x_0 == I: {torch.equal(jac, eye)}")
    # --8<-- [end:identity]
    assert torch.equal(out, x)  # exactly the identity ...
    assert torch.equal(jac, eye)  # ... and so is its Jacobian


if __name__ == "__main__":
    main()
