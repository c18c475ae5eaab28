"""Recast as a convolution, a classifier's Linear layer scores every crop of a
larger image in one pass, for fewer multiply-adds than classifying the crops
one by one.

Long, Shelhamer & Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation" (CVPR), Section 3.1 (adapting classifiers for dense prediction);
Sermanet et al. 2014, "OverFeat" (ICLR), Section 3.5 (ConvNets and sliding
window efficiency).
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
CROP, STRIDE, CLASSES = 18, 4, 5  # crop size, total stride of the two pools


# --8<-- [start:classifier]
def features() -> nn.Sequential:
    """Unpadded convolutions and 2x2 max pools: an 18x18 crop -> (16, 3, 3)."""
    return nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.ReLU(), nn.MaxPool2d(2),  # 18 -> 16 -> 8
        nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),  # 8 -> 6 -> 3
    )  # fmt: skip


class CropClassifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = features()
        self.fc = nn.Linear(16 * 3 * 3, CLASSES)  # needs exactly 18x18 input

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, 3, 18, 18)
        return self.fc(self.features(x).flatten(1))  # (N, CLASSES)


# --8<-- [end:classifier]


# --8<-- [start:convolutionalize]
def convolutionalize(clf: CropClassifier) -> nn.Sequential:
    """The same weights, the Linear layer reshaped into a 3x3 convolution."""
    fc = nn.Conv2d(16, CLASSES, kernel_size=3)
    with torch.no_grad():
        # flatten(1) ordered the inputs (C, H, W): undo it
        fc.weight.copy_(clf.fc.weight.view(CLASSES, 16, 3, 3))
        fc.bias.copy_(clf.fc.bias)
    return nn.Sequential(clf.features, fc)  # any input size -> score map


# --8<-- [end:convolutionalize]


def multiply_adds(model: nn.Module, x: torch.Tensor) -> int:
    """Count the multiply-adds of every Conv2d and Linear in one forward."""
    total = 0

    def count(module, inputs, out):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            # each output value: in_channels x kh x kw multiply-adds
            total += out.numel() * module.weight[0].numel()
        else:
            total += out.numel() * module.in_features

    layers = (nn.Conv2d, nn.Linear)
    hooks = [
        m.register_forward_hook(count)
        for m in model.modules()
        if isinstance(m, layers)
    ]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return total


def main() -> None:
    # on a GPU, cuDNN may round float32 convolutions to TF32: keep them exact
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    clf = CropClassifier().to(device).eval()
    image = torch.randn(1, 3, 34, 34, device=device)
    # --8<-- [start:dense]
    fcn = convolutionalize(clf).to(device).eval()
    with torch.no_grad():
        score_map = fcn(image)  # (1, CLASSES, 5, 5): one score vector per crop
        # the slow route: cut every 18x18 crop at a step of 4, classify each
        crops = image.unfold(2, CROP, STRIDE).unfold(3, CROP, STRIDE)
        rows, cols = crops.shape[2], crops.shape[3]  # (1, 3, 5, 5, 18, 18)
        crops = crops.permute(0, 2, 3, 1, 4, 5).reshape(-1, 3, CROP, CROP)
        per_crop = clf(crops).view(rows, cols, CLASSES).permute(2, 0, 1)
    # entry (i, j) of the score map is the classifier on the crop at (4i, 4j)
    torch.testing.assert_close(score_map[0], per_crop)
    # --8<-- [end:dense]
    assert score_map.shape == (1, CLASSES, 5, 5), score_map.shape
    one_crop = image[:, :, 4 * 2 : 4 * 2 + CROP, 4 * 3 : 4 * 3 + CROP]
    torch.testing.assert_close(score_map[0, :, 2, 3], clf(one_crop)[0])
    shared = multiply_adds(fcn, image)
    separate = multiply_adds(clf, crops)
    assert shared < separate, (
        f"the shared pass needs fewer multiply-adds ({shared} vs {separate})"
    )
    print(f"score map shape (N, classes, rows, cols): {tuple(score_map.shape)}")
    print(f"crops scored: {rows * cols}")
    print(f"multiply-adds, fully convolutional: {shared}")
    print(f"multiply-adds, crop by crop: {separate}")
    print(f"crop by crop / fully convolutional: {separate / shared:.2f}")


if __name__ == "__main__":
    main()
