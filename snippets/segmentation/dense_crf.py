"""DeepLab's fully connected CRF: mean-field inference redraws a coarse score
map along the edges of the image, and lifts the mean IoU of a stride-4 head
to about that of the learned stride-2 head (the margin is small: some seeds
leave it just below).

Chen, Papandreou, Kokkinos, Murphy & Yuille 2015, "Semantic Image Segmentation
with Deep Convolutional Nets and Fully Connected CRFs" (ICLR), Section 4
(the energy, its two Gaussian kernels, mean-field inference); the inference
is Kraehenbuehl & Koltun 2011, "Efficient Inference in Fully Connected CRFs
with Gaussian Edge Potentials" (NIPS), Section 3. Here every pair of pixels is
summed exactly, which 16x16 images allow; the papers filter instead.
"""

import os
import sys
from pathlib import Path

# the shared data set lives in snippets/shapes/
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))
import torch

from shapes import make_shapes

# same folder: the FCN of the section before, and the metrics
from fcn_32s_16s_8s import HEADS, SkipFCN, train
from metrics import confusion_matrix, mean_iou

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:crf]
def dense_crf(
    images: torch.Tensor,  # (N, 1, H, W) intensities
    scores: torch.Tensor,  # (N, C, H, W) the network's class scores
    w_app: float,  # weight of the appearance (bilateral) kernel
    theta_pos: float,  # its reach in pixels
    theta_int: float,  # its reach in intensity
    w_smooth: float = 1.0,  # weight and reach of the smoothness kernel
    theta_smooth: float = 1.0,
    iters: int = 10,
) -> torch.Tensor:
    """Mean-field marginals Q (N, C, H, W) of the fully connected CRF with
    unary -log softmax(scores) and a Potts pairwise term."""
    n, c, h, w = scores.shape
    rows, cols = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    pos = torch.stack([rows, cols], -1).view(1, h * w, 2).float()
    pos = pos.to(scores.device)
    d_pos = torch.cdist(pos, pos) ** 2  # (1, P, P) squared distances
    inten = images.reshape(n, h * w, 1)
    d_int = torch.cdist(inten, inten) ** 2  # (N, P, P)
    k = w_app * torch.exp(
        -d_pos / (2 * theta_pos**2) - d_int / (2 * theta_int**2)
    ) + w_smooth * torch.exp(-d_pos / (2 * theta_smooth**2))
    k = k * (1 - torch.eye(h * w, device=k.device))  # pairs j != i only
    unary = scores.reshape(n, c, h * w).log_softmax(1)  # -unary energy
    q = unary.softmax(1)
    for _ in range(iters):
        msg = torch.bmm(q, k)  # (N, C, P): sum_j k(i, j) Q_j(l)
        # Potts: a label pays for the mass its neighbours put on the others
        penalty = msg.sum(1, keepdim=True) - msg
        q = (unary - penalty).softmax(1)
    return q.view(n, c, h, w)


# --8<-- [end:crf]


def miou(scores: torch.Tensor, masks: torch.Tensor) -> float:
    return mean_iou(confusion_matrix(scores.argmax(1), masks, 4))


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:run]
    kw = dict(size=16, max_shapes=2, min_side=5, max_side=9)
    data = make_shapes(600, seed=1, **kw)  # as in the FCN section
    val = make_shapes(100, seed=4, **kw)  # to choose the CRF's settings
    test = make_shapes(200, seed=2, **kw)
    model = train(SkipFCN(w=12).to(device), data)
    with torch.no_grad():
        x_val, x_test = val["images"].to(device), test["images"].to(device)
        y_val, y_test = val["masks"].to(device), test["masks"].to(device)
        stride4 = model(x_val)[1]  # the FCN-16s head: stride 4 here
        # DeepLab cross-validates the kernel settings; a small grid on the
        # validation images does the same
        grid = [(w, t) for w in (3.0, 10.0, 30.0) for t in (0.1, 0.2)]
        w_app, theta_int = max(
            grid,
            key=lambda g: miou(
                dense_crf(x_val, stride4, g[0], 3.0, g[1]), y_val
            ),
        )
        heads = dict(zip(HEADS, model(x_test)))
        crf = dense_crf(x_test, heads["16s"], w_app, 3.0, theta_int)
    before, after = miou(heads["16s"], y_test), miou(crf, y_test)
    learned = miou(heads["8s"], y_test)
    assert after > before + 0.1, (
        f"the CRF raises the stride-4 head's mean IoU {before} -> {after}"
    )
    # --8<-- [end:run]
    print(f"FCN-16s head (stride 4), mean IoU: {before:.3f} ±0.03")
    print(f"the same scores after the CRF, mean IoU: {after:.3f} ±0.05")
    print(f"FCN-8s head (stride 2), mean IoU: {learned:.3f} ±0.03")


if __name__ == "__main__":
    main()
