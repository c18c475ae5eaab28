"""On a smooth feature map, element-wise dropout removes almost nothing
(neighbours restore a dropped pixel); nn.Dropout2d removes whole channels.

Tompson, Goroshin, Jain, LeCun & Bregler 2015, "Efficient Object Localization
Using Convolutional Networks", CVPR, Section 3.2 (SpatialDropout); PyTorch
documentation, torch.nn.Dropout2d.
"""

import os

import torch
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:fill]
def fill_from_neighbours(dropped: torch.Tensor) -> torch.Tensor:
    """Replace each zeroed pixel by the mean of its kept 3x3 neighbours."""
    kept = (dropped != 0).float()
    box = torch.ones(1, 1, 3, 3, device=dropped.device)
    n, c, h, w = dropped.shape
    flat = lambda t: t.reshape(n * c, 1, h, w)
    total = F.conv2d(flat(dropped), box, padding=1)  # sum of kept
    count = F.conv2d(flat(kept), box, padding=1)  # how many kept
    guess = (total / count.clamp(min=1)).reshape(n, c, h, w)
    return torch.where(kept.bool(), dropped, guess)


# --8<-- [end:fill]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    p = 0.5
    noise = torch.randn(64, 16, 20, 20, device=device)
    smooth = F.avg_pool2d(noise, 5, stride=1, padding=2)  # correlated maps
    smooth = smooth + 1.0  # (N, C, H, W)
    # --8<-- [start:compare]
    rows = {}
    for name, drop in [
        ("nn.Dropout", nn.Dropout(p)),
        ("nn.Dropout2d", nn.Dropout2d(p)),
    ]:
        out = drop.train()(smooth) * (1 - p)  # undo 1/(1-p)
        restored = fill_from_neighbours(out)
        err = ((restored - smooth).norm() / smooth.norm()).item()
        ch_mean = out.mean(dim=(2, 3)) / smooth.mean(dim=(2, 3))  # (N, C)
        rows[name] = (err, ch_mean.std().item())
    # --8<-- [end:compare]
    assert rows["nn.Dropout"][0] < 0.3 * rows["nn.Dropout2d"][0], rows
    assert rows["nn.Dropout"][1] < 0.3 * rows["nn.Dropout2d"][1], rows
    for name, (err, spread) in rows.items():
        tol_err = 0.001 if name == "nn.Dropout" else 0.02  # seeds 0-4
        tol_sd = 0.001
        print(
            f"{name}, error after refilling from neighbours: "
            f"{err:.3f} ±{tol_err}"
        )
        print(
            f"{name}, std of the kept fraction of a channel's mean: "
            f"{spread:.3f} ±{tol_sd}"
        )


if __name__ == "__main__":
    main()
