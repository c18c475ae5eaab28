"""A convolution bias before batch norm cancels: the output is the same without
it and the bias gets zero gradient.

Ioffe & Szegedy 2015, "Batch Normalization", ICML, Section 3.2: "the bias b can
be ignored since its effect will be canceled by the subsequent mean subtraction
(the role of the bias is subsumed by beta)".
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(16, 3, 8, 8, device=device, dtype=torch.float64)
    # --8<-- [start:cancel]
    with_bias = nn.Conv2d(3, 8, 3, padding=1, bias=True)
    no_bias = nn.Conv2d(3, 8, 3, padding=1, bias=False)
    with torch.no_grad():
        no_bias.weight.copy_(with_bias.weight)  # same kernels
        with_bias.bias.normal_(0.0, 3.0)  # a large bias
    net_b = nn.Sequential(with_bias, nn.BatchNorm2d(8)).double().to(device)
    net_0 = nn.Sequential(no_bias, nn.BatchNorm2d(8)).double().to(device)

    y_b, y_0 = net_b(x), net_0(x)  # train(): batch stats
    torch.testing.assert_close(y_b, y_0)  # the bias is gone
    (y_b * torch.randn_like(y_b)).sum().backward()  # any loss
    bias_grad = with_bias.bias.grad.abs().max().item()
    # --8<-- [end:cancel]
    weight_grad = with_bias.weight.grad.abs().max().item()
    assert bias_grad < 1e-10 * weight_grad, (bias_grad, weight_grad)
    parameters_saved = with_bias.bias.numel()
    print("train() output with bias == without bias: True")
    print(
        f"largest |bias gradient| < 1e-10 x largest |weight gradient|: "
        f"{bias_grad < 1e-10 * weight_grad}"
    )
    print(f"bias parameters that never learn: {parameters_saved}")


if __name__ == "__main__":
    main()
