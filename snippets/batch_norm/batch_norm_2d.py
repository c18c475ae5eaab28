"""Batch norm for conv feature maps, written from scratch, matches
nn.BatchNorm2d in train() and eval().

Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network Training
by Reducing Internal Covariate Shift", ICML, Algorithm 1 (train), Algorithm 2
and Section 3.1 (inference), Section 3.2 (convolutional layers).
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
class BatchNorm2d(nn.Module):
    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1
    ):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))  # gamma, (C,)
        self.bias = nn.Parameter(torch.zeros(num_features))  # beta, (C,)
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, C, H, W)
        if self.training:
            # one mean and variance per channel,
            # over the batch AND all positions
            mean = x.mean(dim=(0, 2, 3))
            # biased: used to normalize
            var = x.var(dim=(0, 2, 3), unbiased=False)
            n = x.numel() // x.shape[1]  # N * H * W values per channel
            with torch.no_grad():  # unbiased: kept for inference
                # r <- (1 - m) r + m * mean
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(var * n / (n - 1), self.momentum)
        else:
            # fixed statistics at test time
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean[:, None, None]) / torch.sqrt(
            var[:, None, None] + self.eps
        )
        return self.weight[:, None, None] * x_hat + self.bias[:, None, None]


# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    ours, ref = BatchNorm2d(8).to(device), nn.BatchNorm2d(8).to(device)
    with torch.no_grad():
        for m in (ours, ref):  # same non-trivial gamma and beta
            m.weight.copy_(torch.linspace(0.5, 2.0, 8))
            m.bias.copy_(torch.linspace(-1.0, 1.0, 8))

    # --8<-- [start:check]
    ours.train(), ref.train()
    for step in range(5):
        x = (
            3.0 * torch.randn(16, 8, 6, 6, device=device) + 2.0
        ).requires_grad_(True)
        y_ours, y_ref = ours(x), ref(x)
        torch.testing.assert_close(y_ours, y_ref)  # same output in train()
        (g_ours,) = torch.autograd.grad((y_ours**2).sum(), x)
        (g_ref,) = torch.autograd.grad((y_ref**2).sum(), x)
        torch.testing.assert_close(g_ours, g_ref)  # and the same gradient
    # same running stats
    torch.testing.assert_close(ours.running_mean, ref.running_mean)
    torch.testing.assert_close(ours.running_var, ref.running_var)

    ours.eval(), ref.eval()
    x = 3.0 * torch.randn(4, 8, 6, 6, device=device) + 2.0
    torch.testing.assert_close(ours(x), ref(x))  # same output in eval()
    # --8<-- [end:check]
    print("train() outputs and input gradients match nn.BatchNorm2d: True")
    print("running_mean and running_var match after 5 steps: True")
    print("eval() outputs match nn.BatchNorm2d: True")
    w = 1 - 0.9**5  # weight of the data after 5 updates
    # (1 - w) * 0 + w * 2
    assert abs(ref.running_mean.mean().item() - w * 2.0) < 0.1
    assert abs(ref.running_var.mean().item() - ((1 - w) * 1.0 + w * 9.0)) < 0.5
    print(f"weight of the batches in the running stats, 1 - 0.9^5: {w:.3f}")
    print(
        f"running_mean after 5 steps (true mean 2.0): "
        f"{ref.running_mean.mean().item():.3f}"
    )
    print(
        f"running_var after 5 steps (true var 9.0): "
        f"{ref.running_var.mean().item():.3f}"
    )


if __name__ == "__main__":
    main()
