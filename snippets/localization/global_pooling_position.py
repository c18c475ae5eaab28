"""Global average pooling does not throw away where the object is: with zero
padding the localizer still regresses boxes far better than the mean box. With
circular padding the border is gone, and so is the position: the predicted
boxes shrink towards the mean box.

Kayhan & van Gemert 2020, "On Translation Invariance in CNNs: Convolutional
Layers can Exploit Absolute Spatial Location" (CVPR: boundary effects); Islam,
Jia & Bruce 2020, "How Much Position Information Do Convolutional Neural
Networks Encode?" (ICLR: zero padding).
"""

import os

import torch
from torch import nn

# same folder: snippets/localization/classify_and_localize.py
from classify_and_localize import Localizer, box_iou, one_shape_data, train

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
class PooledLocalizer(Localizer):
    """The page's localizer with global average pooling before the heads."""

    def __init__(self, padding_mode: str):
        super().__init__()
        convs = [m for m in self.features if isinstance(m, nn.Conv2d)]
        for conv in convs:
            conv.padding_mode = padding_mode  # "zeros" or "circular"
        self.features = nn.Sequential(
            *self.features[:6],  # the three convolutions and their ReLUs
            nn.AdaptiveAvgPool2d(1),  # (N, 32, 1, 1): one number per map
            nn.Flatten(),
            nn.Linear(32, 64),
            nn.ReLU(),
        )


# --8<-- [end:model]


def centre_spread(boxes):
    """The standard deviation of the box centres, averaged over x and y."""
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    return centres.std(0).mean().item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    (x, y, boxes), (x_test, _, boxes_test) = one_shape_data(device)
    mean, std = boxes.mean(0), boxes.std(0)
    # --8<-- [start:compare]
    # the baseline that knows nothing about the image: the mean training box
    iou = {"the mean box": box_iou(mean.expand_as(boxes_test), boxes_test)}
    spread = {}
    for padding in ("zeros", "circular"):
        model = PooledLocalizer(padding).to(device)
        model = train(model, x, y, (boxes - mean) / std)
        with torch.no_grad():
            pred = model(x_test)[1] * std + mean
        iou[f"pooled, {padding} padding"] = box_iou(pred, boxes_test)
        spread[f"pooled, {padding} padding"] = centre_spread(pred)
    # --8<-- [end:compare]
    zeros, circular = "pooled, zeros padding", "pooled, circular padding"
    mean_iou = {name: ious.mean().item() for name, ious in iou.items()}
    print(f"test mean IoU, the mean box: {mean_iou['the mean box']:.3f}")
    # ±: the spread over seeds 1-9 against seed 0 and other CPUs' kernels
    print(f"test mean IoU, {zeros}: {mean_iou[zeros]:.3f} ±0.2")
    print(f"test mean IoU, {circular}: {mean_iou[circular]:.3f} ±0.01")
    print(f"centre spread, true boxes: {centre_spread(boxes_test):.2f} px")
    print(f"centre spread, {zeros}: {spread[zeros]:.1f} ±0.4 px")
    assert mean_iou[zeros] > mean_iou["the mean box"] + 0.15, (
        "with zero padding the pooled localizer beats the mean box by over 0.15"
    )
    assert spread[zeros] > 0.75 * centre_spread(boxes_test), (
        "with zero padding the centres spread over 3/4 as wide as the true ones"
    )
    assert mean_iou[circular] < mean_iou["the mean box"] + 0.05, (
        "with circular padding it is within 0.05 of the mean box"
    )
    assert spread[circular] < 1.0, (
        "with circular padding the predicted centres spread under 1 px"
    )
    print(f"centre spread, {circular}: under 1 px")


if __name__ == "__main__":
    main()
