"""Pixel accuracy and mean IoU both come from one confusion matrix; mean IoU
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
