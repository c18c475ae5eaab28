"""The RPN head predicts k scores and 4k offsets per feature-map position, whose
flattening lines up with the anchor order; training samples 256 anchors per
image, at most half of them positive, never an ignored one.

Ren, He, Girshick & Sun 2015, "Faster R-CNN" (NeurIPS), Section 3.1 (a 3x3 conv,
then two sibling 1x1 convs: 2k scores with a softmax and 4k coordinates for k =
9 anchors), Section 3.1.3 (256 anchors per image, positives and negatives up to
1:1, padded with negatives when there are fewer than 128 positives), Section
3.3 (cross-boundary anchors are ignored in training). Here: k sigmoid scores,
as torchvision and most implementations do (asserted equal to a 2-way softmax).
"""

import itertools
import os

import torch
from torch import nn

from anchor_matching import match_anchors  # same folder
from anchors import cell_anchors, grid_anchors  # same folder
from box_coder import decode, encode  # same folder
from nms import box_iou  # same folder

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:head]
def flatten_head(x, n):
    """(N, k * n, H, W) -> (N, H * W * k, n): row (i * W + j) * k + a is
    anchor a at position (i, j), the order of grid_anchors."""
    N, _, H, W = x.shape
    return x.permute(0, 2, 3, 1).reshape(N, H * W * (x.shape[1] // n), n)


class RPNHead(nn.Module):
    def __init__(self, channels, k=9):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)  # 3x3 window
        self.cls = nn.Conv2d(channels, k, 1)  # k objectness logits (sigmoid)
        self.reg = nn.Conv2d(channels, 4 * k, 1)  # (tx, ty, tw, th) per anchor

    def forward(self, feat):  # feat: (N, C, H, W)
        h = torch.relu(self.conv(feat))
        return flatten_head(self.cls(h), 1)[..., 0], flatten_head(
            self.reg(h), 4
        )


# --8<-- [end:head]


# --8<-- [start:sampler]
def sample_anchors(labels, gen, batch=256, positive_fraction=0.5):
    """Indices of the positive and negative anchors that enter the loss:
    at most batch * positive_fraction positives, negatives fill up the rest;
    ignored anchors (label -1) are never drawn."""
    pos = torch.nonzero(labels == 1).flatten()
    neg = torch.nonzero(labels == 0).flatten()
    n_pos = min(len(pos), int(batch * positive_fraction))
    n_neg = min(len(neg), batch - n_pos)  # pad with negatives
    pos = pos[torch.randperm(len(pos), generator=gen)[:n_pos]]
    neg = neg[torch.randperm(len(neg), generator=gen)[:n_neg]]
    return pos, neg


# --8<-- [end:sampler]


def main() -> None:
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    scales, ratios, stride = (128, 256, 512), (0.5, 1.0, 2.0), 16
    H, W, k = 38, 50, 9  # a 608 x 800 image at stride 16
    anchors = grid_anchors(H, W, stride, scales, ratios)  # (H * W * k, 4)

    head = RPNHead(64, k).to(device)
    feat = torch.randn(1, 64, H, W, device=device)
    logits, deltas = head(feat)
    assert logits.shape == (1, H * W * k) and deltas.shape == (1, H * W * k, 4)

    # one position and anchor, checked by hand: (i, j) = (5, 17), anchor a = 7
    i, j, a = 5, 17, 7
    idx = (i * W + j) * k + a
    raw = head.reg(torch.relu(head.conv(feat)))  # (1, 4k, H, W)
    torch.testing.assert_close(deltas[0, idx], raw[0, 4 * a : 4 * a + 4, i, j])
    centre = (anchors[idx, :2] + anchors[idx, 2:]) / 2
    torch.testing.assert_close(
        centre, torch.tensor([j + 0.5, i + 0.5], dtype=torch.float64) * stride
    )
    torch.testing.assert_close(
        anchors[idx] - centre.repeat(2), cell_anchors(scales, ratios)[a]
    )

    # every position and anchor (on a 6 x 8 map): write the targets of known
    # boxes into a (1, 4k, h, w) map the way the paper lays it out (4 channels
    # per anchor), flatten it as the head does and decode it on grid_anchors:
    # each box comes back at its own anchor
    h, w = 6, 8
    cells = cell_anchors(scales, ratios)
    target_map = torch.zeros(1, 4 * k, h, w, dtype=torch.float64)
    boxes = []
    for y, x, b in itertools.product(range(h), range(w), range(k)):
        c = torch.tensor([(x + 0.5) * stride, (y + 0.5) * stride] * 2)
        anchor = (c + cells[b])[None]
        box = anchor + torch.tensor(
            [[y, x, 2 * y, 3 * x + b]], dtype=torch.float64
        )
        target_map[0, 4 * b : 4 * b + 4, y, x] = encode(box, anchor)[0]
        boxes.append(box[0])
    small = grid_anchors(h, w, stride, scales, ratios)
    back = decode(flatten_head(target_map, 4)[0], small)
    assert torch.allclose(back, torch.stack(boxes)), "flatten = anchor order"

    # the paper's 2k outputs with a softmax give the same probability as k
    # sigmoid logits equal to the difference of each pair
    two = torch.randn(100, 2, dtype=torch.float64)
    assert torch.allclose(
        torch.softmax(two, 1)[:, 1], torch.sigmoid(two[:, 1] - two[:, 0])
    ), "2-way softmax = sigmoid of the difference"

    # a labelled image: three objects, cross-boundary anchors ignored
    gt = torch.tensor(
        [[100, 120, 260, 330], [400, 200, 720, 520], [40, 420, 200, 560]],
        dtype=torch.float64,
    )
    labels, _ = match_anchors(anchors, gt)
    # no label hangs on float rounding: IoUs clear of 0.7 and 0.3, and each
    # IoU ties its box's best or is clearly below it
    iou_rpn = box_iou(anchors, gt)
    for values, t in ((iou_rpn, 0.7), (iou_rpn.max(1).values, 0.3)):
        assert float((values - t).abs().min()) > 1e-6, f"no IoU near {t}"
    gap = iou_rpn.max(0).values - iou_rpn
    assert not ((gap > 1e-9) & (gap < 1e-6)).any(), "no near-tie"
    inside = (
        (anchors[:, :2] >= 0).all(1)
        & (anchors[:, 2] <= W * stride)
        & (anchors[:, 3] <= H * stride)
    )
    labels[~inside] = -1  # Section 3.3: ignored in training
    n_pos = int((labels == 1).sum())
    assert 0 < n_pos < 128, n_pos  # the case of fewer positives than 128
    pos, neg = sample_anchors(labels, gen)
    assert len(pos) == n_pos and len(neg) == 256 - n_pos, (len(pos), len(neg))
    assert (labels[pos] == 1).all() and (labels[neg] == 0).all()
    assert len(torch.cat([pos, neg]).unique()) == 256

    # many positives (a crowd): the batch is capped at 128 of each
    crowd = torch.arange(len(anchors)) % 3 - 1  # -1, 0, 1, -1, 0, 1, ...
    many_pos, many_neg = sample_anchors(crowd, gen)
    assert (crowd == 1).sum() > 128 and (crowd == 0).sum() > 128
    assert len(many_pos) == 128 and len(many_neg) == 128, (
        "at most 128 positives"
    )
    assert (crowd[many_pos] == 1).all() and (crowd[many_neg] == 0).all()

    print(f"feature map: {tuple(feat.shape)}")
    print(f"scores: {tuple(logits.shape)}, offsets: {tuple(deltas.shape)}")
    print(f"anchors: {tuple(anchors.shape)}")
    print(f"flat index of position (5, 17), anchor 7: {idx}")
    print(
        "labelled image, positive / negative / ignored: "
        f"{n_pos} / {int((labels == 0).sum())} / {int((labels == -1).sum())}"
    )
    print(f"labelled image, sampled positives: {len(pos)}")
    print(f"labelled image, sampled negatives: {len(neg)}")
    print(
        f"crowd, positives available: {int((crowd == 1).sum())}, "
        f"sampled positive / negative: {len(many_pos)} / {len(many_neg)}"
    )


if __name__ == "__main__":
    main()
