"""Monte-Carlo dropout: switching only the dropout modules back to train() gives
random predictions whose average matches eval(), without touching batch norm.

Srivastava et al. 2014, JMLR 15(56), Section 7.5 (Monte-Carlo model averaging
vs. weight scaling); Gal & Ghahramani 2016, "Dropout as a Bayesian
Approximation", ICML (the spread of the sampled predictions as uncertainty).
"""

import os

import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32, device=device)
    y = torch.tensor(digits.target, device=device)
    x, y, x_test, y_test = x[:1000], y[:1000], x[1000:], y[1000:]
    model = nn.Sequential(
        nn.Linear(64, 128),
        nn.BatchNorm1d(128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 10),
    ).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(10):  # 10 epochs
        for idx in torch.randperm(len(y), device=device).split(50):
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()

    # --8<-- [start:mc]
    model.eval()  # BN: running stats
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.train()  # dropout: sampling
    stats_before = model[1].running_mean.clone()
    with torch.no_grad():
        samples = torch.stack([model(x_test).softmax(1) for _ in range(50)])
    mc_mean = samples.mean(0)  # (797, 10)
    spread = samples.std(0).gather(1, mc_mean.argmax(1, keepdim=True))
    model.eval()  # weight scaling
    with torch.no_grad():
        eval_prob = model(x_test).softmax(1)
    # --8<-- [end:mc]
    torch.testing.assert_close(model[1].running_mean, stats_before)
    acc_mc = (mc_mean.argmax(1) == y_test).float().mean().item()
    acc_eval = (eval_prob.argmax(1) == y_test).float().mean().item()
    right = mc_mean.argmax(1) == y_test
    sd_right = spread[right].mean().item()
    sd_wrong = spread[~right].mean().item()
    assert abs(acc_mc - acc_eval) < 0.02, (acc_mc, acc_eval)
    assert sd_wrong > sd_right, (sd_wrong, sd_right)
    print("BN running_mean unchanged by the 50 MC passes: True")
    print(f"test accuracy, eval() (weight scaling): {acc_eval:.3f} ±0.007")
    print(f"test accuracy, mean of 50 MC dropout passes: {acc_mc:.3f} ±0.005")
    print(
        f"spread of the top probability, correct predictions: "
        f"{sd_right:.3f} ±0.003"
    )
    print(
        f"spread of the top probability, wrong predictions: "
        f"{sd_wrong:.3f} ±0.02"
    )


if __name__ == "__main__":
    main()
