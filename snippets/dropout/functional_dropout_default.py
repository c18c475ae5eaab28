"""F.dropout has training=True by default, so a module that calls it without
training=self.training keeps dropping in eval().

PyTorch documentation, torch.nn.functional.dropout (signature dropout(input,
p=0.5, training=True, inplace=False)).
"""

import inspect
import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:modules]
class Wrong(nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.5)  # training=True!


class Right(nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.5, training=self.training)  # follows eval()


# --8<-- [end:modules]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    default = inspect.signature(F.dropout).parameters["training"].default
    x = torch.ones(1000, device=device)
    wrong, right = Wrong().eval(), Right().eval()
    zeros_wrong = (wrong(x) == 0).float().mean().item()
    torch.testing.assert_close(right(x), x)  # identity in eval()
    assert default is True and zeros_wrong > 0.4, zeros_wrong
    print(f"default of F.dropout's training argument: {default}")
    print(f"eval(), F.dropout(x, 0.5) still drops units: {zeros_wrong > 0}")
    print(
        "eval(), F.dropout(x, 0.5, training=self.training) is the "
        "identity: True"
    )


if __name__ == "__main__":
    main()
