# receptive_field.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/classic_architectures/exercises/receptive_field.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python receptive_field_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "6174fae34291bf488f327ed4aa00c72194856c24d9aea7aec73b8a53e996f7f6", "sources": {"snippets/classic_architectures/exercises/receptive_field.py": "34a8742cd339f6a33d1c56bd1797df03eae7031df8c2a20f782e4d8ef5a1e2c4"}}


# --- the exercise, with the solution removed: snippets/classic_architectures/exercises/receptive_field.py ---
"""Exercise: the receptive field of a stack of convolutions and poolings,
computed from the kernel sizes and strides and checked by backpropagation.

Each layer with kernel k widens the field by (k - 1) times the product of the
strides below it: r = 1 + sum_l (k_l - 1) * prod_{i<l} s_i (Araujo, Norris &
Sim 2019, "Computing Receptive Fields of Convolutional Neural Networks",
Distill, "Single-path networks"). Two 3x3 layers see 5x5, three see 7x7
(Simonyan & Zisserman 2015, VGG, Section 2.3).
"""

import torch
from torch import nn


def receptive_field(layers: list[tuple[int, int]]) -> int:
    """layers: (kernel, stride) from the input up -> the side, in input
    pixels, of the window one unit of the last layer sees."""
    # TODO: your answer here (see the exercise on the page)
    return layers[-1][0]


def measured_field(layers: list[tuple[int, int]], device: str) -> int:
    """Backpropagate from the centre unit of the last layer: the input
    pixels with a nonzero gradient are those it depends on (one row)."""
    stack = nn.Sequential(
        *(nn.Conv2d(1, 1, k, s, bias=False) for k, s in layers)
    ).to(device, torch.float64)
    for conv in stack:
        nn.init.ones_(conv.weight)  # positive: no unit hides its inputs
    size = 2 * receptive_field_upper_bound(layers) + 1
    x = torch.ones(1, 1, size, size, device=device, dtype=torch.float64)
    x.requires_grad_(True)
    out = stack(x)  # (1, 1, h, w)
    h, w = out.shape[-2:]
    out[0, 0, h // 2, w // 2].backward()
    row = x.grad[0, 0].abs().sum(0) > 0  # the columns it depends on
    return int(row.sum())


def receptive_field_upper_bound(layers: list[tuple[int, int]]) -> int:
    bound, jump = 1, 1
    for k, s in layers:
        bound, jump = bound + k * jump, jump * s
    return bound


# AlexNet's layers (Krizhevsky et al. 2012, Section 3.5; overlapping 3x3
# pooling with stride 2, Section 3.4) and VGG-16's (configuration D, Table 1)
ALEXNET = [(11, 4), (3, 2), (5, 1), (3, 2), (3, 1), (3, 1), (3, 1), (3, 2)]
VGG16 = [(3, 1)] * 2 + [(2, 2)]
VGG16 += [(3, 1)] * 2 + [(2, 2)]
VGG16 += ([(3, 1)] * 3 + [(2, 2)]) * 3


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    stacks = {
        "two 3x3": [(3, 1)] * 2,
        "three 3x3": [(3, 1)] * 3,
        "3x3 stride 2, then 3x3": [(3, 2), (3, 1)],
        "AlexNet up to conv2": ALEXNET[:3],
        "AlexNet up to conv3": ALEXNET[:5],
    }
    for name, layers in stacks.items():
        ours, true = receptive_field(layers), measured_field(layers, device)
        print(f"{name}: closed form {ours}, measured {true}")
        assert ours == true, f"{name}: the closed form matches backpropagation"
    assert receptive_field([(3, 1)] * 3) == 7, "three 3x3 layers see 7x7"
    alexnet, vgg16 = receptive_field(ALEXNET), receptive_field(VGG16)
    print("AlexNet, a unit after pool5 (pixels):", alexnet)
    print("VGG-16, a unit after the last pool (pixels):", vgg16)


if __name__ == "__main__":
    main()
