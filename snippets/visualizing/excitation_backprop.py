"""Excitation backprop passes a class's score down as a probability, through
positive weights only; its maps of two classes in one image are much alike,
and the contrastive version, minus the map of the class's negated weights,
keeps them apart.

Zhang, Lin, Brandt, Shen & Sclaroff 2016, "Top-down Neural Attention by
Excitation Backprop", ECCV, Section 3: the marginal winning probability
P(a_j) = sum_i P(a_j | a_i) P(a_i), with P(a_j | a_i) proportional to
a_j w_ji for w_ji > 0 and 0 otherwise; max pooling passes it to the winner;
contrastive excitation backprop subtracts the map of a dual unit whose
top-layer weights are negated.
"""

import os
import sys
from pathlib import Path

# model.py, the model every snippet here explains, is in this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
import torch.nn.functional as F

from grad_cam import MODELS, learned_models
from guided_grad_cam import mean, scores, two_shapes
from model import ShapeCNN

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
EPS = 1e-12


# --8<-- [start:excite]
def excite(x, positive_layer, p_out):
    """One layer down: P(x_j) = x_j sum_i w+_ij P(y_i) / (W+ x)_i, for a
    layer y = W x with the negative weights set to 0 (and no bias).
    Autograd computes W+^T v as the gradient of (W+ x) . v."""
    x = x.detach().requires_grad_()
    z = positive_layer(x)  # (W+ x)_i
    v = (p_out / (z + EPS)).detach()
    (grad,) = torch.autograd.grad((z * v).sum(), x)  # W+^T v
    return x.detach() * grad


def winner(x, p_out):
    """Through a 2x2 max pool: each window's maximum takes its probability."""
    x = x.detach().requires_grad_()
    (grad,) = torch.autograd.grad((F.max_pool2d(x, 2) * p_out).sum(), x)
    return grad


def positive(conv):
    w = conv.weight.clamp(min=0)
    return lambda t: F.conv2d(t, w, padding=conv.padding)


def excitation_backprop(model: ShapeCNN, x, target, sign: float = 1.0):
    """The probability that each conv1 unit wins, summed over channels:
    (N, 32, 32). sign=-1 starts from the dual unit, the class's weights
    negated."""
    f = model.features
    with torch.no_grad():  # the activations, after each ReLU and pool
        a1 = f[1](f[0](x))
        p1 = f[2](a1)
        a2 = f[4](f[3](p1))
        p2 = f[5](a2)
        a3 = f[7](f[6](p2))
    top = (sign * model.fc.weight).clamp(min=0)
    p = F.one_hot(target, model.fc.out_features).float()  # P(class) = 1
    p = excite(a3.mean((2, 3)), lambda t: F.linear(t, top), p)
    p = excite(a3, lambda t: t.mean((2, 3)), p)  # global average pool
    p = excite(p2, positive(f[6]), p)
    p = winner(a2, p)
    p = excite(p1, positive(f[3]), p)
    p = winner(a1, p)
    return p.sum(1)


def contrastive(model, x, target):
    """The class's map minus its dual's, clipped at zero."""
    target_map = excitation_backprop(model, x, target)
    dual_map = excitation_backprop(model, x, target, sign=-1.0)
    return (target_map - dual_map).clamp(min=0)


# --8<-- [end:excite]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:check]
    # one layer by hand: inputs 1, 2; weights (1, -1), (3, 1); P(y) = (.5, .5)
    x = torch.tensor([[1.0, 2.0]])
    w = torch.tensor([[1.0, -1.0], [3.0, 1.0]])
    p = excite(
        x, lambda t: F.linear(t, w.clamp(min=0)), torch.tensor([[0.5, 0.5]])
    )
    # W+ x = (1, 5): y1's half goes to x1 alone, y2's is shared 3/5 and 2/5
    expected = torch.tensor([[0.5 + 0.5 * 3 / 5, 0.5 * 2 / 5]])
    assert torch.allclose(p, expected), "the hand-worked layer"
    assert torch.isclose(p.sum(), torch.tensor(1.0)), "probability is kept"
    # --8<-- [end:check]
    x, labels, boxes = two_shapes(200, seed=20_000 + SEED)  # new images
    x, a, b = x.to(device), labels[:, 0].to(device), labels[:, 1].to(device)
    # --8<-- [start:run]
    runs = {"EB": [], "c-EB": []}
    for model in learned_models(device):  # as for Guided Grad-CAM
        for name, explain in (
            ("EB", excitation_backprop),
            ("c-EB", contrastive),
        ):
            maps = [explain(model, x, t).cpu() for t in (a, b)]
            runs[name].append(scores(*maps, boxes))
    eb, ceb = ({key: mean(runs[n], key) for key in runs[n][0]} for n in runs)
    assert eb["corr"] > 0.5, f"EB's two class maps are much alike {eb}"
    assert ceb["corr"] < min(0.4, eb["corr"] - 0.2), (
        f"c-EB's two class maps are far less alike {eb} {ceb}"
    )
    assert ceb["other"] < eb["other"] and ceb["own"] > eb["own"], (
        f"c-EB moves mass from the other object to its own {eb} {ceb}"
    )
    # --8<-- [end:run]
    print(f"test images, two shapes of different classes each: {len(x)}")
    print(f"models, each trained from its own seed: {MODELS}")
    print(f"EB, correlation of the two class maps: {eb['corr']:.2f} ±0.4")
    print("c-EB, correlation of the two class maps: below 0.4")
    print(f"EB, mass on its class's object: {eb['own']:.2f} ±0.07")
    print(f"c-EB, mass on its class's object: {ceb['own']:.2f} ±0.09")
    print("c-EB, mass on the other object: less than EB's")
    print(f"chance (box area / image area): {eb['chance']:.3f} ±0.02")


if __name__ == "__main__":
    main()
