"""With the same mask, dropout before or after ReLU gives the same output,
because ReLU commutes with a non-negative scaling; it does not commute with
sigmoid.

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

    drop_then_sigmoid = torch.sigmoid(mask * x)  # sigmoid(0) = 0.5
    sigmoid_then_drop = mask * torch.sigmoid(x)
    gap = (drop_then_sigmoid - sigmoid_then_drop).abs().max().item()
    # --8<-- [end:order]
    assert gap > 0.1, gap
    print("ReLU: dropout before == dropout after: True")
    print(f"sigmoid: dropout before == dropout after: {gap < 1e-6}")


if __name__ == "__main__":
    main()
