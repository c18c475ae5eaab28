"""nn.MaxUnpool2d needs the indices of its own pooling layer and, after an odd
size, output_size. Without it, it unpools into the even size (6x6 after 7x7):
it raises when a flat index (computed on the 7-wide input) reaches 36, and
otherwise returns a 6x6 map with values in the wrong places.

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
    # the CPU only: there an invalid index raises a RuntimeError; on CUDA it is
    # a device-side assert that breaks the GPU context (aten MaxUnpooling.cu)
    device = "cpu"
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

    # --8<-- [start:silent]
    xs = torch.randn(1000, 1, 7, 7, device=device)  # random 7x7 inputs
    raised = []
    for xi in xs:
        p_i, i_i = pool(xi[None])
        try:
            unpool(p_i, i_i)
            raised.append(False)
        except RuntimeError:
            raised.append(True)
    quiet = xs[raised.index(False)][None]  # one that raises nothing
    p_q, i_q = pool(quiet)
    guess = unpool(p_q, i_q)  # (1, 1, 6, 6), no error
    fixed = unpool(p_q, i_q, output_size=(7, 7))  # the fix
    # --8<-- [end:silent]
    fraction = sum(raised) / len(raised)
    assert all(
        r == (pool(xi[None])[1].max() >= 36).item() for r, xi in zip(raised, xs)
    ), "it raises exactly when a flat index reaches 36"
    assert 0.05 < fraction < 0.95, "some inputs raise, some do not"
    assert guess.shape[-2:] == (6, 6) and fixed.shape[-2:] == (7, 7)
    flat = i_q.flatten()  # flat indices in the 7-wide input
    fixed_at = fixed[0, 0, flat // 7, flat % 7]
    torch.testing.assert_close(fixed_at, p_q.flatten())  # all in place
    guess_at = guess.flatten()[flat]  # read as flat indices of a 6-wide map
    torch.testing.assert_close(guess_at, p_q.flatten())
    moved = flat >= 7  # maxima outside the first input row
    assert ((flat // 6 != flat // 7) | (flat % 6 != flat % 7))[moved].all(), (
        "every value outside the first row lands in the wrong place"
    )

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
    print(
        f"random 7x7 inputs that raise without output_size: "
        f"{fraction:.2f} ±0.02"
    )
    print(
        f"one that does not: {tuple(guess.shape[-2:])} map, no error, "
        f"values outside the first row misplaced"
    )
    print(f"with output_size=(7, 7): {tuple(fixed.shape[-2:])}, all in place")
    print(f"unpooling with the indices of another pooling layer: {error}")


if __name__ == "__main__":
    main()
