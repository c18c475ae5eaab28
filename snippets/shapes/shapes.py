"""Synthetic shapes: thousands of labelled 32x32 images with exact boxes and
masks, generated in well under a second.

The shared data set of this site (docs/shapes.md): squares, circles and
triangles on a noisy dark background, each with its class, its tight bounding
box and a per-pixel class mask. Nothing downloaded.
"""

import torch

CLASSES = ("square", "circle", "triangle")


# --8<-- [start:draw]
def _draw(
    cls: torch.Tensor,
    x0: torch.Tensor,
    y0: torch.Tensor,
    side: torch.Tensor,
    size: int,
) -> torch.Tensor:
    """Boolean masks (n, size, size) of one shape per image, inside the square
    [x0, x0+side) x [y0, y0+side)."""
    yy = torch.arange(size).view(1, size, 1).float()  # (1, H, 1) row index
    xx = torch.arange(size).view(1, 1, size).float()  # (1, 1, W) column index
    x0, y0, s = (t.view(-1, 1, 1).float() for t in (x0, y0, side))
    row, col = yy - y0, xx - x0  # position inside the shape's square
    inside = (row >= 0) & (row < s) & (col >= 0) & (col < s)
    c = (s - 1) / 2  # centre of the square, in pixels
    # a disc touching all four sides
    circle = (row - c) ** 2 + (col - c) ** 2 <= c**2 + 0.5
    # apex at the top, base = bottom row
    triangle = (col - c).abs() <= row / 2 + 0.5
    # (3, n, H, W)
    masks = torch.stack([inside, inside & circle, inside & triangle])
    # pick each image's class: (n, H, W)
    return masks[cls, torch.arange(len(cls))]


# --8<-- [end:draw]


def _bounds(masks: torch.Tensor) -> torch.Tensor:
    """Tight boxes (n, 4) = (x0, y0, x1, y1), x1/y1 exclusive, of non-empty
    boolean masks (n, H, W)."""
    cols, rows = masks.any(1), masks.any(2)  # (n, W), (n, H)
    size = masks.shape[-1]
    first = lambda a: a.float().argmax(1)  # first True
    # one past the last True
    last = lambda a: size - a.flip(1).float().argmax(1)
    return torch.stack(
        [first(cols), first(rows), last(cols), last(rows)], 1
    ).float()


# --8<-- [start:make_shapes]
def make_shapes(
    n: int,
    size: int = 32,
    max_shapes: int = 1,
    seed: int = 0,
    min_side: int = 8,
    max_side: int = 16,
    noise: float = 0.1,
) -> dict:
    """n images (n, 1, size, size) with 1..max_shapes non-overlapping shapes
    each, their boxes (x0, y0, x1, y1; x1/y1 exclusive; tight around each
    shape's mask), labels and class masks."""
    g = torch.Generator().manual_seed(seed)
    # shapes wanted per image
    count = torch.randint(1, max_shapes + 1, (n,), generator=g)
    # placed squares, far away if none
    squares = torch.full((n, max_shapes, 4), -size * 2)
    masks = torch.zeros(n, size, size, dtype=torch.long)
    images = torch.zeros(n, size, size)
    boxes, labels = [[] for _ in range(n)], [[] for _ in range(n)]
    for slot in range(max_shapes):
        cls = torch.randint(0, len(CLASSES), (n,), generator=g)
        side = torch.randint(min_side, max_side + 1, (n,), generator=g)
        # each shape its own grey level
        brightness = 0.6 + 0.4 * torch.rand(n, generator=g)
        todo = (count > slot).nonzero().flatten()  # images that want this shape
        for _ in range(50):  # retry positions that overlap
            s = side[todo]
            x0 = (torch.rand(len(todo), generator=g) * (size - s + 1)).long()
            y0 = (torch.rand(len(todo), generator=g) * (size - s + 1)).long()
            new = torch.stack([x0, y0, x0 + s, y0 + s], 1).view(-1, 1, 4)
            old = squares[todo]  # (k, max_shapes, 4)
            # or row between
            apart = (
                (new[..., 2] < old[..., 0])
                | (old[..., 2] < new[..., 0])  # >= 1 empty column
                | (new[..., 3] < old[..., 1])
                | (old[..., 3] < new[..., 1])
            )
            ok = apart.all(1)
            squares[todo[ok], slot] = new[ok, 0]
            todo = todo[~ok]  # the clashing ones try again
            if len(todo) == 0:
                break
        # the rest give up this shape
        placed = (squares[:, slot, 0] >= 0).nonzero().flatten()
        x0, y0 = squares[placed, slot, 0], squares[placed, slot, 1]
        shape = _draw(cls[placed], x0, y0, side[placed], size)  # (k, H, W)
        masks[placed] = torch.where(
            shape, (cls[placed] + 1).view(-1, 1, 1), masks[placed]
        )
        images[placed] = torch.where(
            shape, brightness[placed].view(-1, 1, 1), images[placed]
        )
        for i, b in zip(placed.tolist(), _bounds(shape).tolist()):
            boxes[i].append(b)
            labels[i].append(int(cls[i]))
    images = (images + noise * torch.randn(n, size, size, generator=g)).clamp(
        0, 1
    )
    return {
        "images": images.unsqueeze(1),  # (n, 1, H, W)
        "boxes": [torch.tensor(b) for b in boxes],  # n x (k_i, 4)
        "labels": [
            torch.tensor(l, dtype=torch.long) for l in labels
        ],  # n x (k_i,)
        "masks": masks,  # (n, H, W): 0 = background
    }


# --8<-- [end:make_shapes]


def _check(data: dict, n_check: int = 300) -> None:
    """Each box is exactly the bounds of its shape's mask pixels; no shape pixel
    lies outside a box."""
    for i in range(n_check):
        mask, boxes, labels = (
            data["masks"][i],
            data["boxes"][i],
            data["labels"][i],
        )
        assert len(boxes) == len(labels) >= 1, (len(boxes), len(labels))
        assert ((labels >= 0) & (labels < len(CLASSES))).all(), labels
        covered = 0
        for (x0, y0, x1, y1), label in zip(
            boxes.long().tolist(), labels.tolist()
        ):
            inside = mask[y0:y1, x0:x1] == label + 1
            assert inside[0].any() and inside[-1].any(), (
                i,
                "box rows are not tight",
            )
            assert inside[:, 0].any() and inside[:, -1].any(), (
                i,
                "box columns are not tight",
            )
            covered += int(inside.sum())
        assert covered == int((mask > 0).sum()), (
            i,
            "shape pixels outside every box",
        )


def main() -> None:
    torch.manual_seed(0)
    # generation is on the CPU by design
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # its speed is measured by `python -m kb bench`, not asserted: a busy CPU
    # must not fail a claim
    data = make_shapes(2000, max_shapes=3, seed=0)
    _check(data)
    single = make_shapes(2000, max_shapes=1, seed=1)
    _check(single)
    assert all(len(b) == 1 for b in single["boxes"])
    assert (
        data["images"].shape == (2000, 1, 32, 32)
        and data["images"].dtype == torch.float32
    )
    again = make_shapes(2000, max_shapes=3, seed=0)  # same seed, same data
    assert torch.equal(again["images"], data["images"]) and torch.equal(
        again["masks"], data["masks"]
    )
    assert all(torch.equal(a, b) for a, b in zip(again["boxes"], data["boxes"]))
    other = make_shapes(2000, max_shapes=3, seed=1)
    assert not torch.equal(other["images"], data["images"])
    x = data["images"].to(device)
    shape_px = x.squeeze(1)[data["masks"].to(device) > 0].mean().item()
    background_px = x.squeeze(1)[data["masks"].to(device) == 0].mean().item()
    assert shape_px > background_px + 0.5, (shape_px, background_px)
    counts = torch.tensor([len(b) for b in data["boxes"]])
    per_class = torch.bincount(
        torch.cat(data["labels"]), minlength=len(CLASSES)
    )
    print(f"images generated: {len(data['boxes'])}")
    print(
        f"shapes per image with max_shapes=3 (mean): "
        f"{counts.float().mean():.2f}"
    )
    print(
        "shapes per class: "
        + ", ".join(f"{c} {int(k)}" for c, k in zip(CLASSES, per_class))
    )
    print(
        f"mean pixel value, shapes / background: "
        f"{shape_px:.2f} / {background_px:.3f}"
    )
    _plot(single, data)


def _plot(single: dict, multi: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, axes = plt.subplots(2, 6, figsize=(8, 3))
    for row, data, name in (
        (0, single, "max_shapes=1"),
        (1, multi, "max_shapes=3"),
    ):
        for j, ax in enumerate(axes[row]):
            ax.imshow(data["images"][j, 0], cmap="gray", vmin=0, vmax=1)
            for (x0, y0, x1, y1), label in zip(
                data["boxes"][j].tolist(), data["labels"][j].tolist()
            ):
                # imshow puts pixel centres on integers, so a pixel's edges are
                # at +-0.5
                ax.add_patch(
                    Rectangle(
                        (x0 - 0.5, y0 - 0.5),
                        x1 - x0,
                        y1 - y0,
                        fill=False,
                        color="lime",
                        lw=1,
                    )
                )
                ax.text(
                    x0 - 0.5, y0 - 1, CLASSES[label], color="lime", fontsize=6
                )
            ax.set_xticks([]), ax.set_yticks([])
        axes[row, 0].set_ylabel(name, fontsize=8)
    fig.suptitle("make_shapes samples with their boxes and labels")
    fig.savefig("shapes_samples.png", dpi=110, bbox_inches="tight")


if __name__ == "__main__":
    main()
