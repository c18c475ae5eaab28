"""torch.no_grad() does not turn dropout off: only model.eval() does.

PyTorch documentation, torch.no_grad (disables gradient calculation only) and
torch.nn.Module.eval (sets training = False, which nn.Dropout reads).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = nn.Sequential(
        nn.Linear(20, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 3)
    ).to(device)
    x = torch.randn(8, 20, device=device)
    # --8<-- [start:modes]
    model.train()
    with torch.no_grad():  # gradients off ...
        a, b = model(x), model(x)  # ... dropout on
    model.eval()
    c, d = model(x), model(x)  # dropout off
    # --8<-- [end:modes]
    differ = not torch.allclose(a, b)
    assert differ  # random masks
    torch.testing.assert_close(c, d)  # deterministic
    print(f"train() under no_grad(): two calls differ: {differ}")
    print(f"eval(): two calls differ: {not torch.equal(c, d)}")


if __name__ == "__main__":
    main()
