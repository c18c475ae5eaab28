"""Hook-based guided backpropagation breaks on in-place ReLUs (an error) and on
F.relu in forward (silently the plain gradient).

PyTorch documentation, torch.nn.Module.register_full_backward_hook (hooks on
modules whose inputs or outputs are modified in place raise an error);
Springenberg et al. 2015, "Striving for Simplicity", ICLR workshop (guided
backpropagation).
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


class FunctionalReLU(nn.Module):
    """Two linear layers with F.relu between them: no nn.ReLU to hook."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(8, 8), nn.Linear(8, 2)

    def forward(self, x):
        return self.b(F.relu(self.a(x)))


# --8<-- [start:hooks]
def clamp(module, grad_in, grad_out):  # guided backprop's rule at a ReLU
    return (grad_in[0].clamp(min=0),)


def input_gradient(model, x, hooked=True):
    handles = [
        m.register_full_backward_hook(clamp)
        for m in model.modules()
        if isinstance(m, nn.ReLU) and hooked
    ]
    x = x.clone().requires_grad_(True)
    try:
        (grad,) = torch.autograd.grad(model(x)[:, 0].sum(), x)
    finally:
        for h in handles:
            h.remove()
    return grad


# --8<-- [end:hooks]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(16, 8, device=device)

    # --8<-- [start:check]
    inplace = nn.Sequential(
        nn.Linear(8, 8), nn.ReLU(inplace=True), nn.Linear(8, 2)
    )
    try:
        input_gradient(inplace.to(device), x)
        message = "no error"
    except RuntimeError as error:
        message = str(error).split(".")[0]

    functional = FunctionalReLU().to(device)  # F.relu: nothing is hooked
    twin = nn.Sequential(functional.a, nn.ReLU(), functional.b)  # same weights
    guided = not torch.equal(
        input_gradient(twin, x), input_gradient(twin, x, hooked=False)
    )
    silent = torch.equal(
        input_gradient(functional, x),
        input_gradient(functional, x, hooked=False),
    )
    # --8<-- [end:check]
    assert guided, "with nn.ReLU the hooks change the gradient"
    assert "modified inplace" in message, (
        "a backward hook on nn.ReLU(inplace=True) raises"
    )
    assert silent, "with F.relu the hooked gradient is the plain gradient"
    print(f"backward hook on nn.ReLU(inplace=True): RuntimeError: {message}")
    print(f"nn.ReLU, hooked gradient differs from the plain one: {guided}")
    print(f"F.relu in forward, hooked gradient == plain gradient: {silent}")


if __name__ == "__main__":
    main()
