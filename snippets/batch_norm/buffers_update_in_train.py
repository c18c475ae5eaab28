"""In train() batch norm updates its running statistics even under
torch.no_grad() with every parameter frozen; only eval() stops it.

PyTorch documentation, torch.nn.BatchNorm2d (running_mean and running_var are
buffers updated in training mode) and torch.no_grad (it disables gradient
tracking only).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(8, 4, 5, 5, device=device)  # (N, C, H, W)
    x = x - x.mean(dim=(0, 2, 3), keepdim=True) + 2.0  # channel means exactly 2
    # --8<-- [start:frozen]
    bn = nn.BatchNorm2d(4).to(device)  # a "pretrained" layer
    for p in bn.parameters():
        p.requires_grad_(False)  # frozen parameters
    bn.train()
    with torch.no_grad():  # no gradients either
        y_train = bn(x)
    moved = bn.running_mean.clone()  # 0 -> 0.1 * 2.0

    bn.eval()
    with torch.no_grad():
        y_eval = bn(x)
    # --8<-- [end:frozen]
    torch.testing.assert_close(moved, torch.full_like(moved, 0.2))
    torch.testing.assert_close(bn.running_mean, moved)  # eval(): untouched
    assert bn.num_batches_tracked.item() == 1
    mean_train = y_train.mean().item()  # batch stats: ~0
    mean_eval = y_eval.mean().item()  # running stats
    assert abs(mean_train) < 1e-5 and mean_eval > 1.0, (mean_train, mean_eval)
    print(
        f"running_mean after one train() batch under no_grad, frozen: "
        f"{moved.mean().item():.3f}"
    )
    print(
        f"running_mean after the same batch in eval(): "
        f"{bn.running_mean.mean().item():.3f}"
    )
    print(f"output mean in train() (batch statistics): {abs(mean_train):.3f}")
    print(
        f"output mean in eval() (running statistics) above 1: {mean_eval > 1}"
    )


if __name__ == "__main__":
    main()
