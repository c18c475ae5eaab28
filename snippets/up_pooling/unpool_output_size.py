"""nn.MaxUnpool2d needs the indices of its own pooling layer and, after an odd
size, output_size.

PyTorch documentation, nn.MaxUnpool2d ("MaxPool2d can map several input sizes to
the same output sizes. Hence, the inversion process can get ambiguous", use
output_size); pytorch/pytorch issue #580 (stacked unpooling of a 540x960 map
fails without it).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.arange(49.0, device=device).view(1, 1, 7, 7)  # odd size
    # --8<-- [start:odd]
    pool = nn.MaxPool2d(2, return_indices=True)
    unpool = nn.MaxUnpool2d(2)
    pooled, indices = pool(x)  # (1, 1, 3, 3); flat 7x7 indices
    try:
        unpool(pooled, indices)  # guesses 6x6: index 40 invalid
        guessed = "no error"
    except RuntimeError:
        guessed = "RuntimeError (invalid max index)"
    exact = unpool(pooled, indices, output_size=x.shape)  # (1, 1, 7, 7)
    # --8<-- [end:odd]
    assert guessed.startswith("RuntimeError") and exact.shape == x.shape
    kept = exact != 0
    torch.testing.assert_close(exact[kept], x[kept])  # maxima in place

    # --8<-- [start:wrong_indices]
    y = torch.randn(1, 1, 14, 14, device=device)
    pooled_y, _ = pool(y)  # (1, 1, 7, 7)
    try:
        unpool(pooled_y, indices)  # indices of another layer
        error = "none"
    except RuntimeError as e:
        error = type(e).__name__
    # --8<-- [end:wrong_indices]
    assert error == "RuntimeError"
    print(
        f"7x7 -> pooled {tuple(pooled.shape[-2:])} -> unpooled without "
        f"output_size: {guessed}"
    )
    print(f"with output_size=x.shape: {tuple(exact.shape[-2:])}")
    print(f"unpooling with the indices of another pooling layer: {error}")


if __name__ == "__main__":
    main()
