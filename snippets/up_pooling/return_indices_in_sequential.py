"""nn.MaxPool2d(return_indices=True) returns a pair (the pooled map and its
switches), so the next layer of an nn.Sequential receives a tuple and fails; a
module whose forward keeps the switches for the unpooling works.

PyTorch documentation, torch.nn.MaxPool2d (return_indices: "if True, will
return the max indices along with the outputs") and torch.nn.MaxUnpool2d.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:module]
class PoolUnpool(nn.Module):
    """Pool, transform the pooled map, unpool with the same switches."""

    def __init__(self, channels: int):
        super().__init__()
        self.pool = nn.MaxPool2d(2, return_indices=True)
        self.middle = nn.Conv2d(channels, channels, 3, padding=1)
        self.unpool = nn.MaxUnpool2d(2)

    def forward(self, x):
        pooled, switches = self.pool(x)  # keep the switches
        return self.unpool(self.middle(pooled), switches, output_size=x.shape)


# --8<-- [end:module]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(2, 4, 8, 8, device=device)
    # --8<-- [start:sequential]
    pool = nn.MaxPool2d(2, return_indices=True)
    assert isinstance(pool(x), tuple), "the pooling layer returns a pair"
    broken = nn.Sequential(pool, nn.Conv2d(4, 4, 3, padding=1)).to(device)
    try:
        broken(x)  # the conv gets (pooled, switches)
        raised = False
    except TypeError:
        raised = True
    assert raised, "in an nn.Sequential the next layer gets a tuple and fails"
    # --8<-- [end:sequential]
    out = PoolUnpool(4).to(device)(x)
    assert out.shape == x.shape, "a forward that keeps the switches works"
    print("nn.MaxPool2d(2, return_indices=True) returns: a tuple of 2")
    print("nn.Sequential(pool, nn.Conv2d(...)): TypeError")
    print(f"PoolUnpool output shape: {tuple(out.shape)}, as the input")


if __name__ == "__main__":
    main()
