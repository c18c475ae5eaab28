"""With gamma = sqrt(var + eps) and beta = mean, batch norm returns its input
unchanged: it can represent the identity.

Ioffe & Szegedy 2015, "Batch Normalization", ICML, Section 3 (the learnable
scale gamma and shift beta).
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # (N, C, H, W), far from mean 0 / std 1
    x = 4.0 * torch.randn(32, 6, 5, 5, device=device) - 3.0
    bn = nn.BatchNorm2d(6).to(device).train()

    # --8<-- [start:identity]
    y_default = bn(x)  # gamma = 1, beta = 0
    mean = x.mean(dim=(0, 2, 3))  # per-channel batch statistics
    var = x.var(dim=(0, 2, 3), unbiased=False)
    with torch.no_grad():
        bn.weight.copy_(torch.sqrt(var + bn.eps))  # gamma = sqrt(Var[x] + eps)
        bn.bias.copy_(mean)  # beta  = E[x]
    y_identity = bn(x)
    # the original activations come back
    torch.testing.assert_close(y_identity, x)
    # --8<-- [end:identity]
    std_default = y_default.std(dim=(0, 2, 3), unbiased=False)
    torch.testing.assert_close(
        y_default.mean(dim=(0, 2, 3)),
        torch.zeros(6, device=device),
        atol=1e-5,
        rtol=0,
    )
    torch.testing.assert_close(
        std_default, torch.ones(6, device=device), atol=1e-4, rtol=0
    )
    print(f"input mean and std: {x.mean().item():.2f} {x.std().item():.2f}")
    print(
        f"output mean and std with gamma=1, beta=0: "
        f"{y_default.mean().item():.2f} {y_default.std().item():.2f}"
    )
    gap = (y_identity - x).abs().max().item()
    assert gap < 1e-4, gap
    print(
        f"output == input (within 1e-4) with gamma=sqrt(var+eps), beta=mean: "
        f"{gap < 1e-4}"
    )


if __name__ == "__main__":
    main()
