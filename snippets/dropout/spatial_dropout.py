"""On a smooth feature map, the kept neighbours of a dropped pixel carry part
of its value (refilling from them beats a constant fill); nn.Dropout2d removes
whole channels, with nothing left to refill from.

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
    mean = smooth.mean(dim=(2, 3), keepdim=True)  # each map's offset (~1)
    varying = (smooth - mean).norm()  # the part that carries the pattern
    rows = {}
    for name, drop in [
        ("nn.Dropout", nn.Dropout(p)),
        ("nn.Dropout2d", nn.Dropout2d(p)),
    ]:
        out = drop.train()(smooth) * (1 - p)  # undo 1/(1-p)
        kept = (out != 0).float()
        n_kept = kept.sum(dim=(2, 3), keepdim=True)
        kept_mean = out.sum(dim=(2, 3), keepdim=True) / n_kept.clamp(min=1)
        refills = {
            "neighbours": fill_from_neighbours(out),
            "kept mean": torch.where(kept.bool(), out, kept_mean),
        }
        errs = {
            k: ((r - smooth).norm() / varying).item()
            for k, r in refills.items()
        }
        ch_mean = out.mean(dim=(2, 3)) / smooth.mean(dim=(2, 3))  # (N, C)
        empty = (n_kept == 0).float().mean().item()  # maps with nothing kept
        rows[name] = (errs, ch_mean.std().item(), empty)
    # --8<-- [end:compare]
    errs = rows["nn.Dropout"][0]
    assert errs["neighbours"] < 0.85 * errs["kept mean"], (
        "neighbours beat a constant fill"
    )
    assert errs["neighbours"] > 0.3, (
        "neighbours restore only part of the pattern"
    )
    assert rows["nn.Dropout"][2] == 0, (
        "element-wise dropout leaves every map some pixels"
    )
    assert rows["nn.Dropout"][1] < 0.3 * rows["nn.Dropout2d"][1], rows
    tol = {"neighbours": 0.01, "kept mean": 0.002}  # kb check --seeds 10
    for k in ("neighbours", "kept mean"):
        print(
            f"nn.Dropout, refill error from {k} / norm of the map's "
            "varying part: "
            f"{errs[k]:.3f} ±{tol[k]}"
        )
    for name, (_, spread, empty) in rows.items():
        print(
            f"{name}, std of the kept fraction of a channel's mean: "
            f"{spread:.3f} ±0.001"
        )
    print(
        f"nn.Dropout2d, fraction of maps with no pixel left: "
        f"{rows['nn.Dropout2d'][2]:.2f} ±0.03"
    )


if __name__ == "__main__":
    main()
