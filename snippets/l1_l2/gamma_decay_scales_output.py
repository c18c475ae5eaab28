"""Weight decay on batch norm's gamma shrinks a channel's output scale and the
network's slope; decay on beta or on a bias does not.

He, Zhang, Zhang, Zhang, Xie & Li 2019, "Bag of Tricks for Image Classification
with Convolutional Neural Networks", CVPR, Section 3.1 ("No bias decay": leaving
biases, gamma and beta undecayed is an empirical choice); Ioffe & Szegedy 2015,
Algorithm 1 (y = gamma x_hat + beta).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def make_net() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, bias=False),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(8 * 6 * 6, 4),
    ).double()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    base = make_net().to(device)
    with torch.no_grad():
        base[1].bias.uniform_(0.1, 0.5)  # some beta
    x = torch.randn(32, 3, 6, 6, device=device, dtype=torch.float64)
    r = torch.randn(32, 4, device=device, dtype=torch.float64)  # a fixed probe

    def scale_and_slope(net):
        xr = x.clone().requires_grad_(True)
        feat = net[:2](xr)  # BN output
        out = net(xr)  # train(): batch stats
        (g,) = torch.autograd.grad((out * r).sum(), xr)  # slope
        return feat.std(dim=(0, 2, 3)).mean().item(), g.norm().item()

    # --8<-- [start:decay]
    factor = (1 - 0.1 * 5e-4) ** 2000  # 2000 SGD steps of
    results = {}  # pure decay
    for name in ["nothing", "gamma", "beta", "linear bias"]:
        net = make_net().to(device)
        net.load_state_dict(base.state_dict())
        target = {
            "gamma": net[1].weight,
            "beta": net[1].bias,
            "linear bias": net[4].bias,
        }.get(name)
        if target is not None:
            with torch.no_grad():
                target.mul_(factor)  # w <- (1-lr*wd)^k w
        results[name] = scale_and_slope(net)
    # --8<-- [end:decay]
    scale0, slope0 = results["nothing"]
    assert abs(results["gamma"][0] / scale0 - factor) < 1e-6  # scale x factor
    assert results["gamma"][1] < 0.95 * slope0  # flatter function
    for name in ["beta", "linear bias"]:
        assert abs(results[name][0] / scale0 - 1) < 1e-9  # scale unchanged
    assert abs(results["linear bias"][1] / slope0 - 1) < 1e-9  # slope unchanged
    print(f"decay factor applied, (1 - 0.1 * 5e-4)^2000: {factor:.3f}")
    tol = {
        "nothing": "",
        "gamma": " ±0.004",
        "beta": " ±0.02",  # seeds 0-4
        "linear bias": "",
    }
    for name, (scale, slope) in results.items():
        print(
            f"decayed {name}: BN output scale x{scale / scale0:.3f}, "
            f"input-gradient norm x{slope / slope0:.3f}{tol[name]}"
        )


if __name__ == "__main__":
    main()
