"""PyTorch's dropout modules differ in what they zero (elements, channels) and
in what they preserve (the mean, or for AlphaDropout the mean and the variance).

PyTorch documentation: torch.nn.Dropout, Dropout1d, Dropout2d, Dropout3d,
AlphaDropout, FeatureAlphaDropout; Klambauer et al. 2017, "Self-Normalizing
Neural Networks", NeurIPS (alpha dropout); Srivastava et al. 2014, JMLR, Section
10 (multiplicative Gaussian noise).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:gaussian]
class GaussianDropout(nn.Module):  # not in PyTorch: Srivastava et al., Sec. 10
    def __init__(self, p: float):
        super().__init__()
        self.sigma = (p / (1 - p)) ** 0.5  # same variance as p

    def forward(self, x):
        if not self.training:
            return x
        return x * (1 + self.sigma * torch.randn_like(x))  # mean kept


# --8<-- [end:gaussian]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    p = 0.3
    x = torch.randn(64, 32, 8, 8, device=device)  # (N, C, H, W)
    x = (x - x.mean()) / x.std()  # mean 0, var 1
    # --8<-- [start:table]
    variants = {  # name: (module, the shape it expects)
        "nn.Dropout": (nn.Dropout(p), (64, 32, 8, 8)),
        "nn.Dropout1d": (nn.Dropout1d(p), (64, 32 * 8, 8)),  # (N, C, L)
        "nn.Dropout2d": (nn.Dropout2d(p), (64, 32, 8, 8)),  # (N, C, H, W)
        "nn.Dropout3d": (nn.Dropout3d(p), (64, 32, 1, 8, 8)),  # (N, C, D, H, W)
        "nn.AlphaDropout": (nn.AlphaDropout(p), (64, 32, 8, 8)),
        "nn.FeatureAlphaDropout": (nn.FeatureAlphaDropout(p), (64, 32, 8, 8)),
        "GaussianDropout": (GaussianDropout(p), (64, 32, 8, 8)),
    }
    rows = {}
    for name, (module, shape) in variants.items():
        out = module.train()(x.reshape(shape))  # in the module's own shape
        dropped = out == out.flatten().mode().values  # 0, or alpha's
        per_channel = dropped.flatten(2).float().mean(-1)  # (N, C)
        whole = bool(((per_channel == 0) | (per_channel == 1)).all())
        out = out.reshape(x.shape)
        rows[name] = (
            whole,
            dropped.float().mean().item(),
            out.mean().item(),
            out.var().item(),
        )
    # --8<-- [end:table]
    # Largest distance from seed 0 over seeds 0-9 and other CPU kernels
    # (kb check --seeds 10) of the dropped fraction and of the variance; None:
    # the same in every run.
    tol = {
        "nn.Dropout": (0.003, None),
        "nn.Dropout1d": (0.007, 0.01),
        "nn.Dropout2d": (0.04, 0.08),
        "nn.Dropout3d": (0.02, 0.03),
        "nn.AlphaDropout": (0.003, None),
        "nn.FeatureAlphaDropout": (0.02, 0.01),
        "GaussianDropout": (None, 0.01),  # drops nothing
    }
    # The mean is 0 by design: asserted within a bound (about 5 standard
    # deviations over seeds), not printed. Dropping whole channels the alpha
    # way moves the mean most: a dropped map becomes a constant.
    mean_bound = {name: 0.01 for name in rows} | {"nn.FeatureAlphaDropout": 0.1}
    for name, (whole, frac, mean, var) in rows.items():
        assert abs(mean) < mean_bound[name], f"{name} keeps mean 0: {mean}"
        t_frac, t_var = (f" ±{t}" if t else "" for t in tol[name])
        print(
            f"{name}: whole channels: {whole}, "
            f"dropped fraction: {frac:.3f}{t_frac}, "
            f"mean: within {mean_bound[name]} of 0, var: {var:.2f}{t_var}"
        )
    assert rows["nn.Dropout2d"][0] and rows["nn.Dropout3d"][0]
    assert rows["nn.FeatureAlphaDropout"][0] and not rows["nn.Dropout"][0]
    # Dropout1d's channels are the rows of the maps: (64, 32 * 8, 8)
    assert rows["nn.Dropout1d"][0], "nn.Dropout1d zeroes whole channels"
    for name in ["nn.Dropout", "nn.Dropout2d", "nn.AlphaDropout"]:
        assert abs(rows[name][1] - p) < 0.05, rows[name]  # drops p
    # drops nothing: the mode is a value that occurs by chance, a few times
    assert rows["GaussianDropout"][1] < 1e-4, rows["GaussianDropout"]
    assert abs(rows["nn.AlphaDropout"][3] - 1) < 0.05, (
        "alpha dropout keeps variance 1 on a standardized input"
    )
    for name in ["nn.Dropout", "nn.Dropout2d", "GaussianDropout"]:
        assert abs(rows[name][3] - 1 / (1 - p)) < 0.15, rows[name]  # 1/(1-p)


if __name__ == "__main__":
    main()
