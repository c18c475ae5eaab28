"""Gradient ascent on the input from a grey image finds, for at least two of
the three classes, an image the trained CNN scores far higher than any real
image of the class and classifies as that class.

Simonyan, Vedaldi & Zisserman 2014, "Deep Inside Convolutional Networks:
Visualising Image Classification Models and Saliency Maps", ICLR workshop,
Section 2 (class model visualisation: argmax_I S_c(I) - lambda ||I||_2^2,
with the unnormalised score S_c, not the softmax); Olah, Mordvintsev &
Schubert 2017, "Feature Visualization", Distill (the regularization shapes
what the image shows).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch

from model import CLASSES, test_data, train_model

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
LAM, STEPS, LR = 0.01, 200, 0.05  # L2 weight, Adam steps, step size


# --8<-- [start:class_model]
def class_model(model, lam=LAM, steps=STEPS, lr=LR, start=0.5):
    """One image per class, (K, 1, 32, 32), maximizing the logit minus an L2
    penalty, S_c(I) - lam * ||I||^2, by gradient ascent on the pixels."""
    k = model.fc.out_features
    image = torch.full((k, 1, 32, 32), start, device=model.fc.weight.device)
    image.requires_grad_(True)  # we optimize the input, not the weights
    opt = torch.optim.Adam([image], lr=lr, maximize=True)  # ascent
    classes = torch.arange(k, device=image.device)
    for _ in range(steps):
        score = model(image).gather(1, classes[:, None])  # logits: (K, 1)
        objective = score.sum() - lam * image.pow(2).sum()
        opt.zero_grad()
        objective.backward()
        opt.step()
    return image.detach()


# --8<-- [end:class_model]


def plot(images, name: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(images), figsize=(1.6 * len(images), 1.8))
    for ax, im, label in zip(axes, images, CLASSES):
        ax.imshow(im[0], cmap="gray")  # each image on its own scale
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(label, fontsize=8)
    fig.savefig(name, dpi=100, bbox_inches="tight")
    plt.close(fig)


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = train_model(SEED, device=device)
    for p in model.parameters():
        p.requires_grad_(False)  # only the image changes
    k = len(CLASSES)
    images = class_model(model)
    x, y, _ = test_data(200)
    with torch.no_grad():
        scores = model(images)  # (K, K): row c is the image for class c
        real = model(x.to(device)).cpu()  # real test images' scores
    # --8<-- [start:check]
    own = scores.diag().cpu()  # S_c of the image made for class c
    best_real = torch.stack([real[y == c, c].max() for c in range(k)])
    raised = int((own > 2 * best_real.abs()).sum())
    assert raised >= 2, (
        f"S_c far above every real image's for 2 classes {own} {best_real}"
    )
    classified = int((scores.argmax(1).cpu() == torch.arange(k)).sum())
    assert classified >= 2, f"2 class images classified as their class {scores}"
    # --8<-- [end:check]
    # nothing keeps the pixels in the range of real images, [0, 1]
    assert images.abs().max() > 1, "the class images leave the pixel range"
    print(f"start: a uniform grey image (every pixel 0.5); classes: {k}")
    print(f"lambda: {LAM}, Adam steps: {STEPS}, step size: {LR}")
    print(
        f"classes whose image scores over twice their best real test image:"
        f" at least 2 of {k}"
    )
    print(f"class images classified as their class: {classified} ±1 of {k}")
    print(f"largest |pixel| of the class images: {images.abs().max():.0f} ±2")
    plot(images.cpu(), "class_model.png")


if __name__ == "__main__":
    main()
