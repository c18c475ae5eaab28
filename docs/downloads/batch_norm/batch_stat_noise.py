# batch_stat_noise.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/batch_norm/batch_stat_noise.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 matplotlib==3.11.2 scikit-learn==1.9.1 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python batch_stat_noise.py
#
# kb-download: {"record": "c06af1a01764379bcfd1ac1569577858b4ca5780e6699be5d93e1b6c14ce171b", "sources": {"snippets/batch_norm/batch_stat_noise.py": "939a0c50168138b677a2bfad5e3bbccc51c38677b0426f91fb1628def08bcf0b"}}


# --- the snippet, unchanged: snippets/batch_norm/batch_stat_noise.py ---
"""The mean and variance that batch norm estimates from a mini-batch get noisier
as the batch shrinks, roughly as 1/sqrt(batch size).

Wu & He 2018, "Group Normalization", ECCV, Section 1 and Figure 1 (BN's error
grows rapidly as the batch gets small, "caused by inaccurate batch statistics
estimation"); Ioffe & Szegedy 2015, Section 3.1.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    images = torch.tensor(
        load_digits().images / 16.0, dtype=torch.float32, device=device
    ).unsqueeze(1)  # (1797, 1, 8, 8)
    kernels = torch.tensor(
        [
            [[0, 0, 0], [0, 1, 0], [0, 0, 0]],  # fixed filters: the pixel,
            [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],  # a horizontal edge (Sobel),
            [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],  # a vertical edge (Sobel),
            [[0, 1, 0], [1, -4, 1], [0, 1, 0]],  # the Laplacian
        ],
        dtype=torch.float32,
        device=device,
    ).unsqueeze(1)
    feats = F.relu(F.conv2d(images, kernels, padding=1))  # (1797, 4, 8, 8)
    feats = F.avg_pool2d(feats, 4)  # (1797, 4, 2, 2)
    mu = feats.mean(dim=(0, 2, 3))  # population stats
    sigma = feats.std(dim=(0, 2, 3))  # (4,)

    # --8<-- [start:noise]
    sizes, mean_err, std_err = [2, 4, 8, 32, 128], [], []
    for b in sizes:
        # 500 batches
        idx = torch.stack(
            [torch.randperm(len(feats), device=device)[:b] for _ in range(500)]
        )
        batch = feats[idx]  # (500, b, 4, 2, 2)
        mu_b = batch.mean(dim=(1, 3, 4))  # (500, 4)
        sigma_b = batch.std(dim=(1, 3, 4), unbiased=False)
        mean_err.append((((mu_b - mu) / sigma) ** 2).mean().sqrt().item())
        std_err.append(((sigma_b / sigma - 1) ** 2).mean().sqrt().item())
    # --8<-- [end:noise]
    for i in range(len(sizes) - 1):  # noisier when smaller
        assert mean_err[i] > mean_err[i + 1], mean_err
    assert mean_err[0] > 4 * mean_err[-1], mean_err  # 2 vs 128: ~8x
    assert std_err[0] > 4 * std_err[-1], std_err
    tol_mean = [0.02, 0.005, 0.006, 0.004, 0.001]  # seed-to-seed
    tol_std = [0.02, 0.002, 0.002, 0.003, 0.001]  # spread, seeds 0-4
    rows = zip(sizes, mean_err, std_err, tol_mean, tol_std)
    for b, e_m, e_s, t_m, t_s in rows:
        print(f"batch {b}, error of batch mean / sigma: {e_m:.3f} ±{t_m}")
        print(f"batch {b}, relative error of batch std: {e_s:.3f} ±{t_s}")

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.loglog(sizes, mean_err, "o-", label="batch mean (error / sigma)")
    ax.loglog(sizes, std_err, "s-", label="batch std (relative error)")
    ref = [mean_err[0] * (sizes[0] / b) ** 0.5 for b in sizes]
    ax.loglog(sizes, ref, ":", color="gray", label="1 / sqrt(batch size)")
    ax.set_xlabel("images per batch")
    ax.set_ylabel("RMS error of the estimate")
    ax.legend(fontsize=8)
    fig.savefig("batch_stat_noise.png", dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
