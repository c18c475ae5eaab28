"""At a learning rate where the CNN without batch norm diverges, the same CNN with batch norm trains fast.

Ioffe & Szegedy 2015, "Batch Normalization", ICML, Sections 3.3 and 4.2.1 (higher learning rates);
Bjorck, Gomes, Selman & Weinberger 2018, "Understanding Batch Normalization", NeurIPS.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
import torch.nn.functional as F


# --8<-- [start:model]
def make_cnn(batch_norm: bool) -> nn.Sequential:
    def block(c_in: int, c_out: int) -> list[nn.Module]:
        norm = nn.BatchNorm2d(c_out) if batch_norm else nn.Identity()
        return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=not batch_norm), norm, nn.ReLU()]

    return nn.Sequential(                                       # input (N, 1, 8, 8)
        *block(1, 8), *block(8, 8), nn.MaxPool2d(2),            # (N, 8, 4, 4)
        *block(8, 16), *block(16, 16), nn.MaxPool2d(2),         # (N, 16, 2, 2)
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10),
    )
# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(0)
    np.random.seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32, device=device).unsqueeze(1)
    y = torch.tensor(digits.target, device=device)
    # --8<-- [start:train]
    EPOCHS = 6
    runs = [("without BN, lr 0.1", False, 0.1),    # a usual rate: trains, slowly
            ("without BN, lr 0.2", False, 0.2),    # twice that: blows up
            ("with BN, lr 0.2", True, 0.2)]        # the same high rate with BN

    curves = {}
    for name, bn, lr in runs:
        torch.manual_seed(0)                                    # same init and data order
        model = make_cnn(bn).to(device)
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        losses = []
        for epoch in range(1, EPOCHS + 1):
            total, correct = 0.0, 0
            for batch in torch.randperm(len(y), device=device).split(128):
                logits = model(x[batch])
                loss = F.cross_entropy(logits, y[batch])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(batch)
                correct += (logits.argmax(1) == y[batch]).sum().item()
            losses.append(total / len(y))                       # mean training loss of the epoch
            if epoch % 2 == 0:
                print(f"{name} epoch {epoch} train loss: {losses[-1]:.3f}")
        print(f"{name} final train accuracy: {correct / len(y):.3f}")
        curves[name] = losses
    # --8<-- [end:train]
    final = {name: losses[-1] for name, losses in curves.items()}
    assert final["without BN, lr 0.1"] < 0.5 * final["without BN, lr 0.2"], final  # trainable at 0.1
    assert final["with BN, lr 0.2"] < 0.1 * final["without BN, lr 0.2"], final     # BN survives 0.2
    assert final["with BN, lr 0.2"] < final["without BN, lr 0.1"], final           # ... and is fastest
    assert max(curves["without BN, lr 0.2"]) > np.log(10), final                   # no-BN blew up

    fig, ax = plt.subplots(figsize=(7, 3))
    for name, losses in curves.items():
        ax.plot(range(1, EPOCHS + 1), losses, marker="o", label=name)
    ax.axhline(np.log(10), color="gray", ls=":", label="chance, ln 10")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean train loss (log scale)")
    ax.set_title("4-conv CNN on digits, SGD with momentum 0.9")
    ax.legend(fontsize=8)
    fig.savefig("bn_high_lr_loss.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
