"""A stride-2 convolution can replace a max-pooling layer: it gives the same
output size, average pooling is one fixed case of it, and on the digits a CNN
with learned stride-2 convolutions instead of max pooling reaches a test
accuracy within a few points of the pooled one, for every seed.

Springenberg, Dosovitskiy, Brox & Riedmiller 2015, "Striving for Simplicity:
The All Convolutional Net", ICLR workshop track (arXiv 1412.6806), section 2
(pooling as a fixed operation on each feature map, a convolution with stride 2
in its place) and the abstract (max pooling replaced "without loss in
accuracy on several image recognition benchmarks").
"""

import os

import torch
from torch import nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
def max_pool(c: int) -> list[nn.Module]:
    return [nn.MaxPool2d(2)]  # fixed, no parameters


def strided_conv(c: int) -> list[nn.Module]:
    return [nn.Conv2d(c, c, 3, stride=2, padding=1), nn.ReLU()]  # learned


def make_cnn(down) -> nn.Sequential:
    return nn.Sequential(  # input (N, 1, 8, 8)
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        *down(16),  # (N, 16, 4, 4)
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        *down(32),  # (N, 32, 2, 2)
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(32, 10),
    )


# --8<-- [end:model]


def train(model, x, y, gen) -> nn.Module:
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    for _ in range(8):  # epochs
        for batch in torch.randperm(len(y), generator=gen).split(100):
            loss = F.cross_entropy(model(x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:same_size]
    x = torch.randn(1, 16, 8, 8, device=device)  # (N, C, H, W)
    pooled = nn.MaxPool2d(2)(x)
    strided = nn.Conv2d(16, 16, 3, stride=2, padding=1).to(device)(x)
    assert pooled.shape == strided.shape == (1, 16, 4, 4), strided.shape

    # average pooling is a 2x2 stride-2 convolution with fixed weights 1/4,
    # each output channel reading only its own input channel
    w = torch.zeros(16, 16, 2, 2, device=device)
    w[range(16), range(16)] = 0.25
    torch.testing.assert_close(F.conv2d(x, w, stride=2), nn.AvgPool2d(2)(x))
    # --8<-- [end:same_size]
    print(f"MaxPool2d(2) on (1, 16, 8, 8): {tuple(pooled.shape)}")
    print(f"Conv2d(16, 16, 3, stride=2, padding=1): {tuple(strided.shape)}")
    print("AvgPool2d(2) equals a stride-2 convolution with weights 1/4: True")

    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32)[:, None] / 16
    labels = torch.tensor(digits.target)
    perm = torch.randperm(
        len(labels), generator=torch.Generator().manual_seed(SEED)
    )
    images, labels = images[perm].to(device), labels[perm].to(device)
    x_tr, y_tr, x_te, y_te = (
        images[:1400],
        labels[:1400],
        images[1400:],
        labels[1400:],
    )
    # --8<-- [start:compare]
    acc, params = {}, {}
    for name, down in (
        ("max pooling", max_pool),
        ("stride-2 convolutions", strided_conv),
    ):
        torch.manual_seed(SEED)  # the same first convolution for both
        model = train(
            make_cnn(down).to(device),
            x_tr,
            y_tr,
            torch.Generator().manual_seed(SEED),
        )
        with torch.no_grad():
            acc[name] = (model(x_te).argmax(1) == y_te).float().mean().item()
        params[name] = sum(p.numel() for p in model.parameters())
    # --8<-- [end:compare]
    gap = acc["max pooling"] - acc["stride-2 convolutions"]
    assert min(acc.values()) > 0.9, f"both networks learn the digits: {acc}"
    assert abs(gap) < 0.04, f"the accuracies differ by less than 0.04: {acc}"
    for name in acc:
        print(f"parameters, {name}: {params[name]:,}")
    for name in acc:
        print(f"test accuracy, {name}: {acc[name]:.3f} ±0.04")
    print(f"test images: {len(y_te)}")


if __name__ == "__main__":
    main()
