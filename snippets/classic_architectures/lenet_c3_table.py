"""LeNet-5's C3 connects each of its 16 maps to a subset of S2's 6 maps (Table
I): 60 connections and 1,516 trainable parameters instead of a dense layer's
2,416, and an S2 map a C3 map does not see has no effect on it.

LeCun, Bottou, Bengio & Haffner 1998, "Gradient-Based Learning Applied to
Document Recognition", Proc. IEEE, section II.B and Table I: the first six C3
maps take 3 contiguous S2 maps, the next six 4 contiguous, the next three 4
discontinuous, the last one all six; "1,516 trainable parameters"; the reasons
given are fewer connections and broken symmetry.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:table]
TABLE_I = [  # S2 maps seen by C3 maps 0..15
    *[[(j + i) % 6 for i in range(3)] for j in range(6)],  # 3 contiguous
    *[[(j + i) % 6 for i in range(4)] for j in range(6)],  # 4 contiguous
    [0, 1, 3, 4],  # 4 discontinuous
    [1, 2, 4, 5],
    [0, 2, 3, 5],
    [0, 1, 2, 3, 4, 5],  # all six
]


def c3_mask(table: list[list[int]]) -> torch.Tensor:
    mask = torch.zeros(16, 6)  # (C3 map, S2 map)
    for j, inputs in enumerate(table):
        mask[j, inputs] = 1.0
    return mask


class MaskedConv2d(nn.Conv2d):
    """A 5x5 conv whose weight[j, i] is zero unless C3 map j sees S2 map i."""

    def __init__(self, mask: torch.Tensor):
        super().__init__(6, 16, 5)  # (N, 6, 14, 14) -> (N, 16, 10, 10)
        self.register_buffer("mask", mask[:, :, None, None])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias)


# --8<-- [end:table]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    mask = c3_mask(TABLE_I)
    c3 = MaskedConv2d(mask).to(device)
    dense = nn.Conv2d(6, 16, 5).to(device)
    x = torch.randn(8, 6, 14, 14, device=device, requires_grad=True)  # S2
    # --8<-- [start:check]
    connections = int(c3.mask.sum())  # (C3 map, S2 map) pairs
    trainable = connections * 5 * 5 + c3.bias.numel()  # + one bias per map
    y = c3(x)  # (8, 16, 10, 10)
    y.sum().backward()
    used = int((c3.weight.grad != 0).sum()) + int((c3.bias.grad != 0).sum())
    assert connections == 60, f"Table I links 60 map pairs, not {connections}"
    assert trainable == used == 1_516, (trainable, used)
    assert sum(p.numel() for p in dense.parameters()) == 2_416
    # an S2 map that C3 map j does not see has no effect on map j
    for j, inputs in enumerate(TABLE_I):
        x.grad = None
        c3(x)[:, j].sum().backward()
        seen = (x.grad.abs().sum(dim=(0, 2, 3)) > 0).nonzero().flatten()
        assert seen.tolist() == sorted(inputs), (j, seen.tolist())
    # --8<-- [end:check]
    # the same maps, each computed from its own inputs only (no mask)
    w, b = c3.weight.detach(), c3.bias.detach()
    per_map = torch.cat(
        [
            F.conv2d(x[:, t], w[j : j + 1, t], b[j : j + 1])
            for j, t in enumerate(TABLE_I)
        ],
        dim=1,
    )
    torch.testing.assert_close(y, per_map)
    sizes = [len(t) for t in TABLE_I]
    print("Table I, rows S2 maps 0-5, columns C3 maps 0-15")
    for i in range(6):
        print(
            f"  S2 map {i}: " + " ".join("X" if m else "." for m in mask[:, i])
        )
    print(
        f"C3 maps seeing 3 / 4 / 6 S2 maps: "
        f"{sizes.count(3)} / {sizes.count(4)} / {sizes.count(6)}"
    )
    print(f"map-to-map links in Table I: {connections}")
    print(f"C3 trainable parameters, from the mask: {trainable:,}")
    print(f"weights and biases with a nonzero gradient: {used:,}")
    print(
        f"dense C3 parameters: {sum(p.numel() for p in dense.parameters()):,}"
    )
    print("masked conv == per-map convs on the table's inputs: True")
    print("unseen S2 maps have zero gradient: True")


if __name__ == "__main__":
    main()
