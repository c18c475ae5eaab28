"""Grad-CAM, from a hook and autograd, equals CAM and points at the object.

Selvaraju et al. 2017, "Grad-CAM: Visual Explanations from Deep Networks via
Gradient-based Localization", ICCV, Section 3 (Eq. 1 and 2, and its proof that
Grad-CAM generalizes CAM); Zhou et al. 2016, "Learning Deep Features for
Discriminative Localization", CVPR, Section 2 (CAM).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
import torch.nn.functional as F

from model import CLASSES, box_scores, overlay, test_data, train_model

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:grad_cam]
def grad_cam(model, layer, x, target):
    """ReLU(sum_k alpha_k A^k), alpha_k = spatial mean of d score / d A^k."""
    saved = {}
    hook = layer.register_forward_hook(
        lambda module, inputs, output: saved.update(A=output)
    )
    try:
        score = model(x).gather(1, target[:, None]).sum()  # before softmax
    finally:
        hook.remove()
    A = saved["A"]  # (N, K, h, w)
    (dA,) = torch.autograd.grad(score, A)  # (N, K, h, w)
    alpha = dA.mean((2, 3), keepdim=True)  # Eq. 1: (N, K, 1, 1)
    return F.relu((alpha * A).sum(1)).detach()  # Eq. 2: (N, h, w)


# --8<-- [end:grad_cam]


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = train_model(SEED, device=device)
    x, y, boxes = test_data(200)
    x, y = x.to(device), y.to(device)
    last_conv = model.features[-1]  # conv3's ReLU
    cam = grad_cam(model, last_conv, x, y)  # (200, 8, 8)
    # --8<-- [start:cam]
    # CAM (Zhou et al.): class weights of the linear layer times the maps.
    # With global average pooling d score / d A = w / (h * w), so Grad-CAM
    # is ReLU(CAM) / (h * w) (Selvaraju et al., Section 3).
    A = model.features(x)  # (N, K, 8, 8)
    w = model.fc.weight[y]  # (N, K)
    zhou = torch.einsum("nk,nkhw->nhw", w, A).detach()
    torch.testing.assert_close(cam, F.relu(zhou) / (8 * 8))
    # --8<-- [end:cam]
    up = F.interpolate(cam[:, None], size=32, mode="bilinear")[:, 0].cpu()
    s = box_scores(up, boxes)
    early = grad_cam(model, model.features[4], x, y)  # conv2's ReLU
    e = box_scores(
        F.interpolate(early[:, None], size=32, mode="bilinear")[:, 0].cpu(),
        boxes,
    )
    assert cam.shape[1:] == (8, 8), cam.shape
    assert s["pointing"] > 2.5 * s["chance"], s
    assert s["mass"] > 1.5 * s["chance"], s
    print("Grad-CAM equals ReLU(CAM) / 64: True")
    print(f"Grad-CAM map at the last conv layer: {tuple(cam.shape[1:])}")
    print(f"test images: {len(x)}")
    print(f"Grad-CAM mass inside the box: {s['mass']:.2f} ±0.2")
    print(
        f"Grad-CAM maximum inside the box (pointing): {s['pointing']:.2f} ±0.4"
    )
    print(f"chance (box area / image area): {s['chance']:.3f} ±0.02")
    print(
        f"at conv2 {tuple(early.shape[1:])}, mass inside the box: "
        f"{e['mass']:.2f} ±0.2"
    )
    print(
        f"at conv2, maximum inside the box (pointing): {e['pointing']:.2f} ±0.3"
    )
    titles = [CLASSES[int(c)] for c in y[:6]]
    overlay(x[:6].cpu(), up[:6], boxes[:6], titles, "grad_cam.png")


if __name__ == "__main__":
    main()
