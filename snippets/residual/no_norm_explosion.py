"""Without normalization, He-initialized x + F(x) blocks explode with depth.

Zhang, Dauphin & Ma 2019, "Fixup Initialization: Residual Learning Without
Normalization", ICLR; De & Smith 2020, "Batch Normalization Biases Residual
Blocks Towards the Identity Function in Deep Networks", NeurIPS.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
WIDTH, BLOCKS = 64, 50


# --8<-- [start:branches]
def make_branch(kind: str) -> nn.Sequential:
    """F(x) = W2 relu(W1 x), He-initialized, with or without BN."""
    f = nn.Sequential(
        nn.Linear(WIDTH, WIDTH, bias=False),
        nn.ReLU(),
        nn.Linear(WIDTH, WIDTH, bias=False),
    )
    for layer in (f[0], f[2]):
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    if kind == "BN at the end of each branch":
        f.append(nn.BatchNorm1d(WIDTH))
    if kind == "no normalization, last layer zero":  # Fixup / SkipInit idea
        nn.init.zeros_(f[2].weight)
    return f


def stds_through_depth(kind: str, x: torch.Tensor) -> list[float]:
    stds = []
    for _ in range(BLOCKS):
        x = x + make_branch(kind).to(x.device)(x)  # x_{l+1} = x_l + F(x_l)
        stds.append(x.std().item())
    return stds


# --8<-- [end:branches]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(256, WIDTH, device=device)  # std 1
    kinds = [
        "no normalization",
        "BN at the end of each branch",
        "no normalization, last layer zero",
    ]
    with torch.no_grad():
        stds = {kind: stds_through_depth(kind, x) for kind in kinds}
    for kind, s in stds.items():
        print(
            f"{kind}: activation std after 10 / 50 blocks: "
            f"{s[9]:.3g} / {s[-1]:.3g}"
        )
    # Var[F(x)] = 2 Var[x] with He init, so Var[x + F(x)] = 3 Var[x]; with BN
    # at the end, F adds variance 1 per block: Var[x_L] = 1 + L (De & Smith).
    print(f"closed form sqrt(3)^L: {3**5:.3g} / {3**25:.3g}")
    print(f"closed form sqrt(1 + L): {11**0.5:.3g} / {51**0.5:.3g}")
    assert 0.1 < stds["no normalization"][-1] / 3**25 < 10
    assert abs(stds["BN at the end of each branch"][-1] / 51**0.5 - 1) < 0.2
    assert stds["no normalization"][-1] > 1e8  # explodes
    assert stds["no normalization"][-1] > 1e6 * stds["no normalization"][9]
    assert abs(stds["no normalization, last layer zero"][-1] - x.std()) < 1e-6


if __name__ == "__main__":
    main()
