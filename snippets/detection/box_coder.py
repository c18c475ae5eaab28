"""Box regression targets are offsets relative to the anchor, (tx, ty, tw, th),
and decoding inverts encoding exactly.

Girshick, Donahue, Darrell & Malik 2014, R-CNN (CVPR), Appendix C (Bounding-box
regression): tx = (Gx - Px) / Pw, ty = (Gy - Py) / Ph, tw = log(Gw / Pw), th =
log(Gh / Ph), with (x, y) the centre and (w, h) the size; Ren et al. 2015,
Faster R-CNN (NeurIPS), Section 3.1.2, Eq. 2 (anchors).
"""

import math
import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:coder]
def to_cxcywh(b):
    return torch.stack(
        [
            (b[:, 0] + b[:, 2]) / 2,
            (b[:, 1] + b[:, 3]) / 2,
            b[:, 2] - b[:, 0],
            b[:, 3] - b[:, 1],
        ],
        1,
    )


def encode(gt, anchors):
    """(N, 4) xyxy ground truth and anchors -> (N, 4) targets
    (tx, ty, tw, th)."""
    g, a = to_cxcywh(gt), to_cxcywh(anchors)
    # log size ratio
    return torch.cat(
        [
            (g[:, :2] - a[:, :2]) / a[:, 2:],  # centre shift / size
            torch.log(g[:, 2:] / a[:, 2:]),
        ],
        1,
    )


def decode(t, anchors):
    """Inverse of encode: targets and anchors -> xyxy boxes."""
    a = to_cxcywh(anchors)
    c = a[:, :2] + t[:, :2] * a[:, 2:]
    wh = a[:, 2:] * torch.exp(t[:, 2:])
    return torch.cat([c - wh / 2, c + wh / 2], 1)


# --8<-- [end:coder]


def random_boxes(n, gen):
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * 100
    wh = 5 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * 100
    return torch.cat([xy, xy + wh], 1)


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    gt, anchors = random_boxes(1000, gen), random_boxes(1000, gen)
    t = encode(gt, anchors)
    back = decode(t, anchors)
    err = float((back - gt).abs().max())
    torch.testing.assert_close(back, gt, rtol=0, atol=1e-9)  # exact round trip

    # independent route: R-CNN's formulas box by box with Python floats
    for (g0, g1, g2, g3), (p0, p1, p2, p3), tt in zip(
        gt[:50].tolist(), anchors[:50].tolist(), t[:50].tolist()
    ):
        pw, ph, gw, gh = p2 - p0, p3 - p1, g2 - g0, g3 - g1
        ref = [
            ((g0 + g2) / 2 - (p0 + p2) / 2) / pw,
            ((g1 + g3) / 2 - (p1 + p3) / 2) / ph,
            math.log(gw / pw),
            math.log(gh / ph),
        ]
        assert max(abs(x - y) for x, y in zip(ref, tt)) < 1e-12

    # the targets do not change when the image is shifted or scaled
    shift = torch.tensor([7.0, -3.0, 7.0, -3.0], dtype=torch.float64)
    torch.testing.assert_close(encode(gt + shift, anchors + shift), t)
    torch.testing.assert_close(encode(3 * gt, 3 * anchors), t)
    # a zero target decodes to the anchor itself
    torch.testing.assert_close(decode(torch.zeros_like(t), anchors), anchors)
    print(f"round trip of 1000 boxes, max error < 1e-9 pixels: {err < 1e-9}")
    print("targets unchanged by a shift and by a 3x scale of the image: True")
    print("zero target decodes to the anchor: True")


if __name__ == "__main__":
    main()
