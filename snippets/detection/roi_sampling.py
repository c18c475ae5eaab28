"""Fast R-CNN's RoI sampler fills each image's 64 RoIs with at most 25 %
foreground (IoU >= 0.5) and background from [0.1, 0.5), where a uniform draw
over the proposals would be almost all background.

Girshick 2015, "Fast R-CNN" (ICCV), Section 2.3 (Fine-tuning for detection),
"Mini-batch sampling": N = 2 images, R = 128 RoIs, 64 per image; 25 % from
proposals with IoU >= 0.5 with a ground-truth box (foreground), the rest from
proposals whose maximum IoU lies in [0.1, 0.5) (background); "the lower
threshold of 0.1 appears to act as a heuristic for hard example mining";
images flipped horizontally with probability 0.5.
"""

import os

import torch

from nms import box_iou  # same folder: snippets/detection/nms.py

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:sampler]
def sample_rois(max_iou, gen, per_image=64, fg_fraction=0.25):
    """max_iou: (P,) each proposal's highest IoU with a ground-truth box.
    Returns the indices of the foreground and background RoIs drawn."""
    fg = torch.nonzero(max_iou >= 0.5).flatten()
    bg = torch.nonzero((max_iou >= 0.1) & (max_iou < 0.5)).flatten()
    n_fg = min(len(fg), int(per_image * fg_fraction))  # at most 16 of 64
    n_bg = min(len(bg), per_image - n_fg)  # background fills the rest
    fg = fg[torch.randperm(len(fg), generator=gen)[:n_fg]]
    bg = bg[torch.randperm(len(bg), generator=gen)[:n_bg]]
    return fg, bg  # proposals below IoU 0.1 are never drawn


# --8<-- [end:sampler]


def uniform_rois(max_iou, gen, per_image=64):
    """The naive route: 64 proposals drawn uniformly, split by IoU 0.5."""
    drawn = torch.randperm(len(max_iou), generator=gen)[:per_image]
    return drawn[max_iou[drawn] >= 0.5], drawn[max_iou[drawn] < 0.5]


# --8<-- [start:flip]
def hflip(boxes, width):
    """Mirror (x0, y0, x1, y1) boxes in an image `width` pixels wide."""
    x0, y0, x1, y1 = boxes.unbind(1)
    return torch.stack([width - x1, y0, width - x0, y1], 1)


# --8<-- [end:flip]


def random_proposals(n, gen, height=600, width=800):
    """Boxes spread over the image, as a proposal method returns them."""
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64)
    xy = xy * torch.tensor([width - 40.0, height - 40.0], dtype=torch.float64)
    wh = 20 + torch.rand(n, 2, generator=gen, dtype=torch.float64) * 260
    lim = torch.tensor([width, height] * 2, dtype=torch.float64)
    return torch.cat([xy, xy + wh], 1).clamp(max=lim)


def jittered(gt, n, gen, scale):
    """n proposals around the ground-truth boxes, each corner moved by
    `scale` times the box size (normal noise)."""
    base = gt[torch.arange(n) % len(gt)]
    size = (base[:, 2:] - base[:, :2]).repeat(1, 2)
    noise = torch.randn(n, 4, generator=gen, dtype=torch.float64)
    return base + scale * size * noise


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    f64 = dict(dtype=torch.float64)
    # image 1: three objects, 2000 proposals, 50 of them near an object
    gt1 = torch.tensor(
        [[100, 80, 260, 400], [420, 150, 700, 330], [300, 420, 420, 560]], **f64
    )
    props1 = torch.cat(
        [random_proposals(1950, gen), jittered(gt1, 50, gen, 0.2)]
    )
    iou1 = box_iou(props1, gt1).max(1).values  # (P,) each one's best IoU
    # image 2: one object the proposals barely find: none of 2000 loose
    # proposals reaches IoU 0.5, and 5 shifted copies of the box do
    gt2 = torch.tensor([[450, 200, 610, 380]], **f64)
    props2 = torch.cat(
        [random_proposals(1850, gen), jittered(gt2, 150, gen, 0.3)]
    )
    props2 = props2[box_iou(props2, gt2)[:, 0] < 0.5]
    shifts = torch.tensor([[k, 0, k, 0] for k in range(5)], **f64)
    props2 = torch.cat([props2, gt2 + shifts])  # IoU (160 - k) / (160 + k)
    iou2 = box_iou(props2, gt2).max(1).values

    # no count hangs on float rounding: every IoU is clear of 0.1 and 0.5
    for iou in (iou1, iou2):
        for t in (0.1, 0.5):
            margin = float((iou - t).abs().min())
            assert margin > 1e-9, f"no IoU within 1e-9 of {t}: {margin}"

    fg1, bg1 = sample_rois(iou1, gen)
    assert len(fg1) == 16 and len(bg1) == 48, "image 1: 16 foreground, 48 bg"
    n_fg1 = int((iou1 >= 0.5).sum())
    assert n_fg1 > 16, "image 1 has more foreground than the quota"
    fg2, bg2 = sample_rois(iou2, gen)
    assert int((iou2 >= 0.5).sum()) == 5, "image 2: five foreground proposals"
    assert len(fg2) == 5 and len(bg2) == 59, "fewer foreground: bg fills up"
    for fg, bg, iou in ((fg1, bg1, iou1), (fg2, bg2, iou2)):
        assert bool((iou[fg] >= 0.5).all()), "foreground RoIs have IoU >= 0.5"
        assert bool(((iou[bg] >= 0.1) & (iou[bg] < 0.5)).all()), (
            "background RoIs have IoU in [0.1, 0.5), none below 0.1"
        )
        assert len(torch.cat([fg, bg]).unique()) == len(fg) + len(bg)
    batch = len(fg1) + len(bg1) + len(fg2) + len(bg2)
    assert batch == 128, "R = 128 RoIs from N = 2 images"

    # the same image 1 drawn uniformly: the foreground share is its share
    # among all proposals, far below the sampler's 25 %
    uniform_share = n_fg1 / len(iou1)
    fg_u, bg_u = uniform_rois(iou1, gen)
    assert uniform_share < 0.25 / 4 and len(fg_u) < 16, (
        "uniform sampling gives far less foreground"
    )

    # horizontal flip: boxes mirror with the image, IoUs and labels stay
    flipped = box_iou(hflip(props1, 800), hflip(gt1, 800)).max(1).values
    assert torch.allclose(flipped, iou1, rtol=0, atol=1e-12), "flip: same IoUs"
    back = hflip(hflip(props1, 800), 800)  # flipping twice: the same boxes
    assert torch.allclose(back, props1, rtol=0, atol=1e-12)

    n_bg1 = int(((iou1 >= 0.1) & (iou1 < 0.5)).sum())
    print(f"image 1, proposals: {len(iou1)}")
    print(f"image 1, foreground proposals (IoU >= 0.5): {n_fg1}")
    print(f"image 1, background proposals (IoU in [0.1, 0.5)): {n_bg1}")
    print(f"image 1, proposals below IoU 0.1: {int((iou1 < 0.1).sum())}")
    print(f"image 1, sampled foreground / background: {len(fg1)} / {len(bg1)}")
    print(f"image 2, foreground proposals: {int((iou2 >= 0.5).sum())}")
    print(f"image 2, sampled foreground / background: {len(fg2)} / {len(bg2)}")
    print(f"mini-batch, RoIs from 2 images: {batch}")
    print(f"image 1, foreground fraction, sampler: {len(fg1) / 64:.3f}")
    print(
        f"image 1, foreground fraction, uniform over all proposals: "
        f"{uniform_share:.3f}"
    )
    print(f"image 1, uniform draw of 64, foreground: {len(fg_u)}")


if __name__ == "__main__":
    main()
