"""Hiding the object drops the class score, hiding the background does not.

Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks",
ECCV, Section 4.2 (occlusion sensitivity: a grey square slid over the image, the
correct class's score recorded).
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
import torch.nn.functional as F

from model import CLASSES, ShapeCNN, box_scores, overlay, test_data, train_model

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:occlusion]
@torch.no_grad()
def occlusion(model, x, target, patch=8, stride=4, fill=0.0):
    """Drop of the target's logit when a patch x patch square centred on
    each stride x stride cell is set to `fill`: (N, H, W), >= 0."""
    n, _, h, w = x.shape
    k, pad = h // stride, (patch - stride) // 2
    base = model(x).gather(1, target[:, None])  # (N, 1)
    covered = []
    for r in range(k):
        for c in range(k):
            xo = x.clone()
            top, left = r * stride - pad, c * stride - pad  # may be < 0
            xo[..., max(top, 0) : top + patch, max(left, 0) : left + patch] = (
                fill
            )
            covered.append(xo)
    out = model(torch.cat(covered)).view(k * k, n, -1)  # one batch
    index = target.view(1, n, 1).expand(k * k, n, 1)
    drop = base.T - out.gather(2, index)[..., 0]  # (k * k, N)
    drop = drop.T.reshape(n, 1, k, k)  # (N, 1, k, k)
    return F.interpolate(drop, scale_factor=stride)[:, 0].clamp(min=0)


# --8<-- [end:occlusion]


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = train_model(SEED, device=device)
    x, y, boxes = test_data(60)
    x, y = x.to(device), y.to(device)
    maps = occlusion(model, x, y).cpu()  # (60, 32, 32)
    # the batched version equals occluding one square at a time
    one = x[:1].clone()
    one[..., 10:18, 6:14] = 0.0  # the square of cell (3, 2)
    slow = model(x[:1])[0, y[0]] - model(one)[0, y[0]]
    torch.testing.assert_close(maps[0, 13, 9], slow.clamp(min=0).cpu())
    s = box_scores(maps, boxes)
    # untrained networks of the same shape: one init alone is a coin toss
    # (the sign of its class weights), so each image gets a fresh one
    torch.manual_seed(SEED + 1)
    untrained = [ShapeCNN().to(device).eval() for _ in range(len(x))]
    r = box_scores(
        torch.cat(
            [
                occlusion(net, x[i : i + 1], y[i : i + 1])
                for i, net in enumerate(untrained)
            ]
        ).cpu(),
        boxes,
    )
    assert s["mass"] > 3 * s["chance"], s
    assert s["pointing"] > 2.5 * s["chance"], s  # 3x: not on all CPUs
    # untrained: above chance too
    assert r["mass"] > 1.5 * r["chance"], (
        f"untrained maps: 1.5 times chance {r}"
    )
    # but training matters
    assert s["mass"] > r["mass"] + 0.1, (
        f"trained beats untrained by 0.1 {(s, r)}"
    )
    print(f"test images: {len(x)} (8x8 patch, stride 4: 64 copies each)")
    print(f"occlusion mass inside the box: {s['mass']:.2f} ±0.2")
    print(
        f"occlusion maximum inside the box (pointing): {s['pointing']:.2f} ±0.3"
    )
    print(f"chance (box area / image area): {s['chance']:.3f} ±0.03")
    print(
        "untrained models (a fresh one per image), "
        f"occlusion mass inside the box: {r['mass']:.2f} ±0.1"
    )
    titles = [CLASSES[int(c)] for c in y[:6]]
    overlay(x[:6].cpu(), maps[:6], boxes[:6], titles, "occlusion.png")


if __name__ == "__main__":
    main()
