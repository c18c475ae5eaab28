"""Exercise: the class activation map of a GAP head shows where in the image
each class score comes from.

Zhou et al. 2016, "Learning Deep Features for Discriminative Localization",
CVPR, Section 2: with global average pooling followed by a linear layer, the
score of class c is the spatial mean of M_c(x, y) = sum_k w_ck f_k(x, y), plus
the bias, so M_c can be read as a map of the evidence for c.
"""

import torch
from torch import nn


def class_activation_map(features: torch.Tensor, fc: nn.Linear) -> torch.Tensor:
    """features (N, C, H, W), fc: Linear(C, K) applied after GAP -> the class
    activation maps (N, K, H, W), without the bias."""
    n, _, h, w = features.shape
    k, _ = fc.weight.shape  # (K, C)
    # BEGIN SOLUTION (starter: return features.new_zeros(n, k, h, w))
    return torch.einsum("kc,nchw->nkhw", fc.weight, features)
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    features = torch.rand(4, 32, 7, 7, **opts)  # the last conv's maps
    fc = nn.Linear(32, 10).to(**opts)
    logits = fc(features.mean((2, 3)))  # GAP, then the linear layer
    with torch.no_grad():
        cam = class_activation_map(features, fc)
    assert cam.shape == (4, 10, 7, 7), "one map per class"
    assert torch.allclose(cam.mean((2, 3)) + fc.bias, logits, atol=1e-10), (
        "the mean of each class map plus its bias is the class score"
    )
    # a feature that fires at row 2, column 5 and votes for class 3
    blob = torch.zeros(1, 32, 7, 7, **opts)
    blob[0, 0, 2, 5] = 1.0
    blob[0, 1:] = 0.1 * torch.rand(31, 7, 7, **opts)
    with torch.no_grad():
        fc.weight.zero_()
        fc.weight[3, 0] = 5.0
        fc.weight[3, 1:] = 0.1
        cam3 = class_activation_map(blob, fc)[0, 3]
    peak = divmod(int(cam3.argmax()), 7)
    assert peak == (2, 5), "the map of class 3 peaks where its feature fires"
    print("class map of the voting feature, peak (row, column):", peak)


if __name__ == "__main__":
    main()
