"""What a plot shows, as data, so two renderings of a result of training are compared as a reader would.

Pixels are the wrong measure for a plot of training: another CPU rounds floats in another order, the
training amplifies it, and a curve moves by a few pixels. A reader calls that the same figure, and
calls a lost line, another curve, another axis or a wrong mask a different one. So when a snippet
saves a plot, the worker also writes what the plot shows (`describe`), in axes coordinates (0 to 1
across an axes): every line, patch, scatter, contour and text position as points, every image as its
normalized values, and the plot's structure (axes, titles, labels, scales, legend, colours).

`compare` then asks what a reader asks:
- the structure must be the same: the same axes, titles, labels and legend (numbers in texts aside),
  the same marks in the same order with the same colours and styles;
- each mark may move only as far as it moved between seeds and CPUs when its tolerance was measured
  (`python -m kb check --seeds 10 --record`, kept in seeds.json): a point set by its Hausdorff
  distance (how far its farthest point moved, in axes fractions), an image by the mean absolute
  difference of its normalized values, an axis's limits by their move as a fraction of the span.
"""

from __future__ import annotations

import json
import math
import os
import re

MAX_POINTS = 2000  # a mark with more points is thinned evenly: the shape stays, the record stays small
# images are block-averaged to at most this many rows and columns
IMAGE_SIDE = 32
# points beyond the axes by more than this fraction are drawn at its edge: a reader sees no farther
VISIBLE_MARGIN = 0.1
# Below these a reader sees nothing: about a pixel of an axes, half a grey level of an image. A band
# measured narrower (seed 0 under two kernel settings, say) is widened to them, no further.
FLOOR = {"points": 0.002, "image": 0.002, "limits": 0.002}
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
SIDECAR_DIR = ".kb-plotdata"  # where the worker writes a plot's description, beside the snippet's PNGs


def _text(text: str) -> str:
    """A text with its numbers masked: a number in a title is a result, compared as the stdout's are."""
    return NUMBER.sub("#", text)


def _color(value) -> str:
    from matplotlib.colors import to_hex

    try:
        return to_hex(value, keep_alpha=True)
    except (ValueError, TypeError):
        return str(value)


def _points(xy, transform, ax) -> list[list[float]]:
    """Data points in axes fractions (0 to 1 across the axes), thinned to MAX_POINTS."""
    import numpy as np

    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) == 0:
        return []
    fractions = ax.transAxes.inverted().transform(transform.transform(xy))
    # what lies outside the axes is not seen, however far (a bar's foot at 0 on a log scale)
    fractions = np.clip(fractions, -VISIBLE_MARGIN, 1 + VISIBLE_MARGIN)
    if len(fractions) > MAX_POINTS:
        fractions = fractions[
            np.linspace(0, len(fractions) - 1, MAX_POINTS).astype(int)
        ]
    return np.round(fractions, 5).tolist()


def _image(image) -> list[list[float]]:
    """An image's values as the reader sees them (through its norm, 0 to 1), block-averaged."""
    import numpy as np

    array = np.ma.filled(np.ma.asarray(image.get_array(), dtype=float), np.nan)
    if array.ndim == 2:
        array = np.asarray(image.norm(array), dtype=float)
    else:  # RGB(A): already colours, 0-1 floats or 0-255 integers
        array = array[..., :3].mean(axis=-1)
        array = array / 255 if array.max(initial=0) > 1 else array
    rows, cols = array.shape
    step_r, step_c = math.ceil(rows / IMAGE_SIDE), math.ceil(cols / IMAGE_SIDE)
    array = array[
        : rows - rows % step_r or None, : cols - cols % step_c or None
    ]
    r, c = array.shape
    blocks = array.reshape(r // step_r, step_r, c // step_c, step_c)
    return np.round(np.nanmean(blocks, axis=(1, 3)), 4).tolist()


def _mark(artist, ax) -> dict | None:
    """One drawn thing of an axes: its identity (compared exactly) and its data (within a band)."""
    from matplotlib.collections import Collection, PathCollection
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    if not artist.get_visible():
        return None
    label = str(artist.get_label() or "")
    label = "" if label.startswith("_") else _text(label)
    if isinstance(artist, Line2D):
        return {
            "kind": "line",
            "identity": [
                label,
                _color(artist.get_color()),
                str(artist.get_linestyle()),
                str(artist.get_marker()),
            ],
            "points": _points(artist.get_xydata(), artist.get_transform(), ax),
        }
    if isinstance(artist, AxesImage):
        return {
            "kind": "image",
            "identity": [label, artist.get_cmap().name],
            "image": _image(artist),
        }
    if isinstance(artist, Patch):
        # the axes' background and frame are not marks
        if artist is ax.patch or type(artist).__name__ == "Spine":
            return None
        vertices = artist.get_path().vertices
        return {
            "kind": "patch",
            "identity": [
                label,
                type(artist).__name__,
                _color(artist.get_facecolor()),
                _color(artist.get_edgecolor()),
            ],
            # the transform includes the patch's own (a unit square to its place)
            "points": _points(vertices, artist.get_transform(), ax),
        }
    if isinstance(artist, Collection):
        # a scatter's points are its offsets; other collections (contours) are their paths
        if isinstance(artist, PathCollection):
            points = _points(
                artist.get_offsets(), artist.get_offset_transform(), ax
            )
        else:
            points = _points(
                [v for path in artist.get_paths() for v in path.vertices],
                artist.get_transform(),
                ax,
            )
        colors = [_color(c) for c in artist.get_facecolor()[:1]]
        return {
            "kind": "collection",
            "identity": [label, type(artist).__name__, *colors],
            "points": points,
        }
    if isinstance(artist, Text):
        if not artist.get_text().strip():
            return None
        return {
            "kind": "text",
            "identity": [_text(artist.get_text())],
            "points": _points(
                [artist.get_position()], artist.get_transform(), ax
            ),
        }
    return None


def describe(fig) -> dict:
    """What a saved figure shows: per axes its structure and its marks. Call after it was drawn."""
    axes = []
    for ax in fig.axes:
        legend = ax.get_legend()
        axes.append(
            {
                "structure": {
                    "title": _text(ax.get_title()),
                    "xlabel": _text(ax.get_xlabel()),
                    "ylabel": _text(ax.get_ylabel()),
                    "scales": [ax.get_xscale(), ax.get_yscale()],
                    "legend": [_text(t.get_text()) for t in legend.get_texts()]
                    if legend
                    else [],
                    "size": [round(v, 3) for v in ax.get_position().bounds],
                },
                "limits": [
                    list(map(float, ax.get_xlim())),
                    list(map(float, ax.get_ylim())),
                ],
                "marks": [
                    m
                    for a in ax.get_children()
                    if (m := _mark(a, ax)) is not None
                ],
            }
        )
    return {
        "size": [float(v) for v in fig.get_size_inches()],
        "dpi": float(fig.dpi),
        "axes": axes,
    }


def install() -> None:
    """Make every `savefig` of a PNG also write the figure's description to SIDECAR_DIR/<name>.json."""
    from matplotlib.figure import Figure

    save = Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        result = save(self, fname, *args, **kwargs)
        if isinstance(fname, (str, os.PathLike)) and str(fname).endswith(
            ".png"
        ):
            shown = json.dumps(
                describe(self)
            )  # before opening: a failure leaves no empty file
            os.makedirs(SIDECAR_DIR, exist_ok=True)
            target = os.path.join(
                SIDECAR_DIR, os.path.basename(str(fname))[:-4] + ".json"
            )
            with open(target, "w", encoding="utf-8") as out:
                out.write(shown)
        return result

    Figure.savefig = savefig


# --- comparing -------------------------------------------------------------------------------------


def _hausdorff(a: list, b: list) -> float:
    """How far the farthest point of either set lies from the other set (axes fractions)."""
    import numpy as np
    from scipy.spatial import cKDTree

    if not a and not b:
        return 0.0
    if not a or not b:
        return math.inf
    a, b = np.asarray(a), np.asarray(b)
    return float(
        max(cKDTree(b).query(a)[0].max(), cKDTree(a).query(b)[0].max())
    )


def _image_distance(a: list, b: list) -> float:
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return math.inf
    return float(np.nanmean(np.abs(a - b))) if a.size else 0.0


def _limits_distance(a: list, b: list) -> float:
    worst = 0.0
    for (a0, a1), (b0, b1) in zip(a, b):
        span = abs(a1 - a0) or 1.0
        worst = max(worst, abs(a0 - b0) / span, abs(a1 - b1) / span)
    return worst


def structure_difference(expected: dict, actual: dict) -> str | None:
    """What a reader sees at once: another figure size, axes, title, label, scale, legend or set of
    marks (kinds, colours, styles, labels). None when the structure is the same."""
    if expected["size"] != actual["size"] or expected["dpi"] != actual["dpi"]:
        return f"the figure's size changed ({expected['size']} -> {actual['size']})"
    if len(expected["axes"]) != len(actual["axes"]):
        return f"it has {len(actual['axes'])} axes, the record {len(expected['axes'])}"
    for i, (want, got) in enumerate(zip(expected["axes"], actual["axes"])):
        for key, value in want["structure"].items():
            if got["structure"][key] != value:
                return f"axes {i}: its {key} is {got['structure'][key]!r}, the record's {value!r}"
        wanted = [(m["kind"], m["identity"]) for m in want["marks"]]
        have = [(m["kind"], m["identity"]) for m in got["marks"]]
        if wanted != have:
            lost = [m for m in wanted if m not in have]
            new = [m for m in have if m not in wanted]
            return (
                f"axes {i}: other marks ({len(have)}, the record {len(wanted)}; "
                f"missing {lost[:3]}, new {new[:3]})"
            )
    return None


def distances(expected: dict, actual: dict) -> dict[str, float]:
    """{mark key: how far it moved} for two plots of the same structure."""
    found = {}
    for i, (want, got) in enumerate(zip(expected["axes"], actual["axes"])):
        found[f"axes {i} limits"] = _limits_distance(
            want["limits"], got["limits"]
        )
        for j, (a, b) in enumerate(zip(want["marks"], got["marks"])):
            key = f"axes {i} {a['kind']} {j}"
            if a["kind"] == "image":
                found[key] = _image_distance(a["image"], b["image"])
            else:
                found[key] = _hausdorff(a["points"], b["points"])
    return found


def _measure(key: str) -> str:
    return (
        "image"
        if " image " in key
        else "limits"
        if key.endswith("limits")
        else "points"
    )


def bands(measured: list[dict[str, float]]) -> dict[str, float]:
    """Each mark's tolerance from its distances under other seeds and kernels: the largest, rounded
    up to one significant digit, and at least what a reader can see (FLOOR)."""
    keys = measured[0] if measured else {}
    result = {}
    for key in keys:
        worst = max(m.get(key, 0.0) for m in measured)
        result[key] = max(round_up(worst), FLOOR[_measure(key)])
    return result


def round_up(x: float) -> float:
    """Up to one significant digit: 0.0123 -> 0.02, 3.2 -> 4."""
    if x <= 0 or math.isinf(x):
        return x
    scale = 10 ** math.floor(math.log10(x))
    return float(f"{math.ceil(round(x / scale, 9)) * scale:.1g}")


def compare(
    expected: dict, actual: dict, tolerances: dict[str, float]
) -> str | None:
    """None when `actual` shows what `expected` shows, each mark within its measured band."""
    difference = structure_difference(expected, actual)
    if difference:
        return difference
    for key, distance in distances(expected, actual).items():
        band = tolerances.get(key, FLOOR[_measure(key)])
        if distance > band * (1 + 1e-9):
            return (
                f"{key} moved by {distance:.3g} (its band, measured over seeds and kernels: "
                f"{band:g})"
            )
    return None
