"""With the same mask, dropout before or after ReLU (or leaky ReLU) gives the
same output, because they are positively homogeneous, f(cx) = c f(x) for
c > 0; sigmoid and tanh do not commute with the 1/(1-p) scaling, tanh although
tanh(0) = 0.

PyTorch documentation, torch.nn.Dropout (zeroing and the 1/(1-p) scaling); ReLU
is positively homogeneous: relu(a x) = a relu(x) for a >= 0.
"""

import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    p = 0.5
    x = torch.randn(256, 64, device=device)
    # --8<-- [start:order]
    mask = (torch.rand_like(x) > p).float() / (1 - p)  # one dropout mask
    drop_then_relu = torch.relu(mask * x)
    relu_then_drop = mask * torch.relu(x)
    torch.testing.assert_close(drop_then_relu, relu_then_drop)  # identical

    leaky = torch.nn.functional.leaky_relu  # also f(cx) = c f(x), c > 0
    torch.testing.assert_close(leaky(mask * x), mask * leaky(x))

    gaps = {}
    for name, f in [("sigmoid", torch.sigmoid), ("tanh", torch.tanh)]:
        # tanh(0) = 0, yet tanh(2x) != 2 tanh(x): the 1/(1-p) breaks it
        gaps[name] = (f(mask * x) - mask * f(x)).abs().max().item()
    # --8<-- [end:order]
    assert gaps["sigmoid"] > 0.1, "sigmoid does not commute with dropout"
    assert gaps["tanh"] > 0.1, "tanh does not commute although tanh(0) = 0"
    print("ReLU: dropout before == dropout after: True")
    print("leaky ReLU: dropout before == dropout after: True")
    for name, gap in gaps.items():
        print(f"{name}: dropout before == dropout after: {gap < 1e-6}")


if __name__ == "__main__":
    main()
