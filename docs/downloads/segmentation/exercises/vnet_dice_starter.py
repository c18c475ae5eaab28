# vnet_dice.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/segmentation/exercises/vnet_dice.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python vnet_dice_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# The local modules it imports are inlined below, byte for byte, and registered as
# modules before the snippet's own code runs.
# kb-download: {"record": "2eb6de50dd4e44a4417147b069cdd793321394b911c5e481447e4063defa529a", "sources": {"snippets/segmentation/exercises/vnet_dice.py": "5e87932e80c12884131899551f13e39d5744bbeebe3e43da6e23119d47f1d3a5", "snippets/segmentation/metrics.py": "efea61a2ee1de10c5211873d794a6a3dd45178980f1bbbaa030bfadb54daf0f1"}}


import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)


# snippets/segmentation/metrics.py
_add_module('metrics', r'''"""Pixel accuracy and mean IoU both come from one confusion matrix; mean IoU
weighs every class equally.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation" (CVPR), Section 5 defines pixel accuracy, mean accuracy, mean IU
and frequency weighted IU from the counts n_ij of pixels of class i predicted as
class j; the PASCAL VOC development kit scores segmentation by per-class IoU.
"""

import os
import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:metrics]
def confusion_matrix(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int
) -> torch.Tensor:
    """cm[i, j] = number of pixels of true class i predicted as class j."""
    # one bin per (true, predicted) pair
    index = target.flatten() * num_classes + pred.flatten()
    return torch.bincount(index, minlength=num_classes**2).reshape(
        num_classes, num_classes
    )


def pixel_accuracy(cm: torch.Tensor) -> float:
    return float(cm.diagonal().sum() / cm.sum())  # correct pixels / all pixels


def per_class_iou(cm: torch.Tensor) -> torch.Tensor:
    """IoU_c = TP / (TP + FP + FN); NaN for a class in neither prediction nor
    target."""
    tp = cm.diagonal().double()
    union = cm.sum(0) + cm.sum(1) - cm.diagonal()  # predicted c + true c - both
    return torch.where(union > 0, tp / union.clamp(min=1), torch.nan)


def mean_iou(cm: torch.Tensor) -> float:
    """Mean over the classes present in the prediction or the target (the NaNs
    are skipped)."""
    return float(per_class_iou(cm).nanmean())


# --8<-- [end:metrics]


def iou_by_sets(pred: torch.Tensor, target: torch.Tensor, c: int) -> float:
    """Second route: IoU of class c as |P & T| / |P | T| on boolean masks."""
    p, t = pred == c, target == c
    return (p & t).sum().item() / (p | t).sum().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:example]
    # 4 classes: 0 background, 1 square, 2 circle, 3 triangle (absent here)
    target = torch.tensor(
        [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 2]], device=device
    )
    # the one-pixel circle missed
    pred = torch.tensor(
        [
            [0, 0, 0, 0],
            [0, 1, 1, 1],  # one background pixel called square
            [0, 0, 1, 0],  # one square pixel missed
            [0, 0, 0, 0],
        ],
        device=device,
    )
    # By hand: 13 of 16 pixels right -> pixel accuracy 13/16 = 0.8125
    # background: both 10, true 11, predicted 12 -> IoU 10 / (11 + 12 - 10) =
    # 10/13
    #   square:     both 3,  true 4,  predicted 4  -> IoU 3 / 5
    #   circle:     both 0,  true 1,  predicted 0  -> IoU 0 / 1 = 0
    #   triangle:   in neither -> left out of the mean
    # mean IoU = (10/13 + 3/5 + 0) / 3 = 0.4564
    # --8<-- [end:example]
    cm = confusion_matrix(pred, target, num_classes=4)
    assert cm.sum() == 16 and cm.diagonal().sum() == 13, cm
    assert pixel_accuracy(cm) == 13 / 16
    iou = per_class_iou(cm)
    torch.testing.assert_close(
        iou[:3].cpu(), torch.tensor([10 / 13, 3 / 5, 0.0], dtype=torch.float64)
    )
    assert iou[3].isnan()
    assert abs(mean_iou(cm) - (10 / 13 + 3 / 5) / 3) < 1e-12
    for c in range(3):  # confusion matrix == set definition
        assert abs(iou[c].item() - iou_by_sets(pred, target, c)) < 1e-12

    # --8<-- [start:all_background]
    lazy = torch.zeros_like(target)  # predict "background" everywhere
    cm_lazy = confusion_matrix(lazy, target, num_classes=4)
    # pixel accuracy 11/16 = 0.6875, but IoU is 11/16 for background and 0 for
    # square and circle
    # --8<-- [end:all_background]
    assert pixel_accuracy(cm_lazy) == 11 / 16
    assert abs(mean_iou(cm_lazy) - (11 / 16) / 3) < 1e-12
    # accuracy flatters the lazy predictor
    assert pixel_accuracy(cm_lazy) > 2 * mean_iou(cm_lazy)

    print(f"pixel accuracy (by hand 13/16): {pixel_accuracy(cm):.4f}")
    print(
        f"IoU background, square, circle (by hand 10/13, 3/5, 0): "
        f"{', '.join(f'{v:.4f}' for v in iou[:3].tolist())}"
    )
    print(f"mean IoU over 3 present classes: {mean_iou(cm):.4f}")
    print(f"all-background pixel accuracy: {pixel_accuracy(cm_lazy):.4f}")
    print(f"all-background mean IoU: {mean_iou(cm_lazy):.4f}")


if __name__ == "__main__":
    main()
''')


# --- the exercise, with the solution removed: snippets/segmentation/exercises/vnet_dice.py ---
"""Exercise: V-Net's Dice coefficient, 2 sum(p g) / (sum(p^2) + sum(g^2)), is
2 IoU / (1 + IoU) on hard masks, and on soft predictions it differs from the
plain-sum variant used on this page.

Milletari, Navab & Ahmadi 2016, "V-Net: Fully Convolutional Neural Networks for
Volumetric Medical Image Segmentation" (3DV), Section 3: the Dice coefficient
D of a binary foreground segmentation and its gradient.
"""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metrics import iou_by_sets  # |P and T| / |P or T| of one class


def vnet_dice(p: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """p: foreground probabilities, g: the binary ground truth (0. or 1.),
    same shape -> the Dice coefficient over all their elements."""
    # TODO: your answer here (see the exercise on the page)
    return (p * g).sum() / g.sum()


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # by hand: 2 * 0.5 / (0.25 + 0.25 + 1) = 2/3; plain sums: 1 / 2
    p = torch.tensor([0.5, 0.5, 0.0, 0.0], device=device)
    g = torch.tensor([1.0, 0.0, 0.0, 0.0], device=device)
    soft = vnet_dice(p, g).item()
    plain = (2 * (p * g).sum() / (p.sum() + g.sum())).item()
    print(
        f"soft example, V-Net Dice / plain-sum Dice: {soft:.3f} / {plain:.3f}"
    )

    # the checks a learner's answer must pass
    assert abs(soft - 2 / 3) < 1e-6, "the soft example worked out by hand"
    pred = torch.rand(4, 16, 16, device=device) > 0.6
    target = torch.rand(4, 16, 16, device=device) > 0.5
    d = vnet_dice(pred.float(), target.float()).item()
    by_sets = 2 * (pred & target).sum().item() / (pred.sum() + target.sum())
    iou = iou_by_sets(pred.long(), target.long(), 1)
    assert abs(d - by_sets) < 1e-6, "hard masks: 2 |P and G| / (|P| + |G|)"
    assert abs(d - 2 * iou / (1 + iou)) < 1e-6, "hard masks: 2 IoU / (1 + IoU)"
    assert abs(vnet_dice(target.float(), target.float()).item() - 1) < 1e-6, (
        "a perfect prediction scores 1"
    )
    # the gradient V-Net derives, against autograd
    q = torch.rand(64, device=device, requires_grad=True)
    t = (torch.rand(64, device=device) > 0.5).float()
    vnet_dice(q, t).backward()
    grad, q = q.grad, q.detach()
    den = (q**2).sum() + (t**2).sum()
    by_hand = 2 * (t * den - 2 * q * (q * t).sum()) / den**2
    assert torch.allclose(grad, by_hand, atol=1e-6), (
        "the gradient equals the one V-Net derives"
    )
    print(
        f"hard masks, Dice / 2 IoU / (1 + IoU): {d:.4f} / "
        f"{2 * iou / (1 + iou):.4f}"
    )


if __name__ == "__main__":
    main()
