"""Void pixels (label 255 in PASCAL VOC) must be left out of both the loss and
the confusion matrix; the confusion matrix then gives all four of FCN's metrics.

The PASCAL VOC 2012 development kit marks object borders and unclear regions
with the label 255 ("void") and leaves them out of the evaluation; Long,
Shelhamer & Darrell 2015, FCN (CVPR), Section 5 defines pixel accuracy, mean
accuracy, mean IU and frequency weighted IU.
"""

import os

import torch
import torch.nn.functional as F

from metrics import confusion_matrix, mean_iou, per_class_iou, pixel_accuracy

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
VOID = 255


# --8<-- [start:metrics]
def mean_accuracy(cm: torch.Tensor) -> float:
    """Mean over classes of n_ii / t_i, the share of class i found."""
    t = cm.sum(1).double()  # t_i: pixels of true class i
    return float((cm.diagonal() / t).mean())


def frequency_weighted_iou(cm: torch.Tensor) -> float:
    """IoU of each class weighted by its share t_i / sum_k t_k of pixels."""
    t = cm.sum(1).double()
    return float((t / t.sum() * per_class_iou(cm)).sum())


# --8<-- [end:metrics]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:example]
    # 0 background, 1 square, 2 circle, 255 void on the objects' borders
    target = torch.tensor(
        [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, VOID], [0, VOID, 2, 2]],
        device=device,
    )
    pred = torch.tensor(
        [
            [0, 0, 0, 0],
            [0, 1, 1, 1],  # one background pixel called square
            [0, 1, 2, 2],  # one square pixel called circle; a void pixel
            [0, 1, 0, 2],  # a void pixel; one circle pixel called background
        ],
        device=device,
    )
    # --8<-- [end:example]
    # --8<-- [start:loss]
    logits = torch.randn(1, 3, 4, 4, device=device)  # (N, C, H, W)
    loss = F.cross_entropy(logits, target[None], ignore_index=VOID)
    valid = target != VOID  # the 14 labelled pixels
    log_p = logits[0].log_softmax(0)  # (C, H, W)
    picked = log_p.gather(0, target.clamp(max=2)[None])[0]  # void: any class
    by_hand = -picked[valid].sum() / valid.sum()  # mean over valid pixels only
    # --8<-- [end:loss]
    torch.testing.assert_close(loss, by_hand)
    all_pixels = -picked.mean()  # all 16 pixels, void read as class 2
    assert (loss - all_pixels).abs() > 1e-4, (loss, all_pixels)

    # --8<-- [start:confusion]
    try:  # void left in: bin 255 * 3 + p lies far beyond the 3 * 3 bins
        confusion_matrix(pred, target, num_classes=3)
        void_left_in = "counted"
    except RuntimeError:  # bincount returned 768 bins; reshape(3, 3) fails
        void_left_in = "RuntimeError"
    cm = confusion_matrix(pred[valid], target[valid], num_classes=3)
    # --8<-- [end:confusion]
    assert void_left_in == "RuntimeError", void_left_in
    bins = torch.bincount(target.flatten() * 3 + pred.flatten()).numel()
    assert bins == VOID * 3 + 2 + 1, bins  # highest bin: void pixel called 2
    # --8<-- [start:by_hand]
    # By hand, rows true class, columns predicted (void pixels dropped):
    #   [[7, 1, 0],    t = (8, 4, 2), 14 pixels
    #    [0, 3, 1],    IoU = 7/(8+8-7) = 7/9, 3/(4+4-3) = 3/5,
    #    [1, 0, 1]]          1/(2+2-1) = 1/3
    # pixel accuracy 11/14 = 0.7857
    # mean accuracy  (7/8 + 3/4 + 1/2) / 3 = 17/24 = 0.7083
    # mean IU        (7/9 + 3/5 + 1/3) / 3 = 77/135 = 0.5704
    # freq. w. IU    (8 * 7/9 + 4 * 3/5 + 2 * 1/3) / 14 = 209/315 = 0.6635
    # --8<-- [end:by_hand]
    expected = torch.tensor([[7, 1, 0], [0, 3, 1], [1, 0, 1]], device=device)
    assert torch.equal(cm, expected), cm
    assert abs(pixel_accuracy(cm) - 11 / 14) < 1e-6
    assert abs(mean_accuracy(cm) - 17 / 24) < 1e-12
    assert abs(mean_iou(cm) - 77 / 135) < 1e-12
    assert abs(frequency_weighted_iou(cm) - 209 / 315) < 1e-12

    print(f"cross-entropy, ignore_index=255: {loss.item():.4f}")
    print(f"by hand, mean over 14 non-void pixels: {by_hand.item():.4f}")
    print(f"mean over all 16 pixels, void as circle: {all_pixels.item():.4f}")
    print(f"bincount with void pixels left in: {bins} bins, not 9")
    print(f"confusion matrix with void pixels left in: {void_left_in}")
    print(f"confusion matrix, void masked: {cm.tolist()}")
    print(f"pixel accuracy (by hand 11/14): {pixel_accuracy(cm):.4f}")
    print(f"mean accuracy (by hand 17/24): {mean_accuracy(cm):.4f}")
    print(f"mean IU (by hand 77/135): {mean_iou(cm):.4f}")
    fw_iou = frequency_weighted_iou(cm)
    print(f"frequency weighted IU (by hand 209/315): {fw_iou:.4f}")


if __name__ == "__main__":
    main()
