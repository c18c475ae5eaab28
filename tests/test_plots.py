"""Plots of training compared as a reader compares them (kb/plotdata.py): a curve that moved within
its measured band passes; a lost line, another curve, another axis or a wrong mask fails, on made-up
figures and on a real snippet of the site. On that snippet, a count off by one and a number outside
its measured band fail too, and the unchanged snippet passes on another CPU's kernels."""

import json
import shutil
import uuid

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from kb import outputs, plotdata  # noqa: E402
from kb.paths import ROOT, SNIPPETS  # noqa: E402

EPOCHS = np.arange(1, 9)
LOSS = 2.0 * 0.7**EPOCHS
ACCURACY = 1 - 0.5 * 0.6**EPOCHS


def curves(loss=LOSS, accuracy=ACCURACY, log=False, lost=False) -> dict:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(EPOCHS, loss, label="training loss")
    if not lost:
        ax.plot(EPOCHS, accuracy, label="test accuracy")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.legend()
    fig.canvas.draw()
    shown = plotdata.describe(fig)
    plt.close(fig)
    return json.loads(json.dumps(shown))  # as read back from a record


def mask(labels: np.ndarray) -> dict:
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.imshow(labels, cmap="tab10", vmin=0, vmax=9)
    fig.canvas.draw()
    shown = plotdata.describe(fig)
    plt.close(fig)
    return json.loads(json.dumps(shown))


def measured_bands(recorded: dict, *others: dict) -> dict:
    return plotdata.bands([plotdata.distances(recorded, o) for o in others])


def test_a_curve_moved_within_its_seed_spread_passes():
    recorded = curves()
    # the spread measured over "seeds": the accuracy curve moves by up to 0.02
    bands = measured_bands(
        recorded,
        curves(accuracy=ACCURACY + 0.02),
        curves(accuracy=ACCURACY - 0.015),
    )
    assert (
        plotdata.compare(recorded, curves(accuracy=ACCURACY + 0.01), bands)
        is None
    )


@pytest.mark.parametrize(
    "changed, words",
    [
        (
            dict(lost=True),
            "legend",
        ),  # a lost line: its legend entry went with it
        (dict(accuracy=ACCURACY[::-1]), "line 1 moved by"),  # another curve
        (
            dict(accuracy=ACCURACY + 0.2),
            "line 1 moved by",
        ),  # the same shape, far outside its band
        (dict(log=True), "scales"),  # another axis
    ],
    ids=["lost line", "another curve", "outside its band", "another axis"],
)
def test_a_real_change_of_a_curve_plot_fails(changed, words):
    recorded = curves()
    bands = measured_bands(recorded, curves(accuracy=ACCURACY + 0.02))
    difference = plotdata.compare(recorded, curves(**changed), bands)
    assert difference is not None and words in difference, difference


def test_a_wrong_mask_fails_and_a_moved_edge_passes():
    labels = np.zeros((32, 32), dtype=int)
    labels[8:20, 8:20] = 1  # a square
    labels[22:28, 2:8] = 2  # a small circle, say
    edge = labels.copy()
    edge[8:20, 20] = 1  # one pixel wider: what another seed gives
    bands = measured_bands(mask(labels), mask(edge))
    assert plotdata.compare(mask(labels), mask(edge), bands) is None
    wrong = labels.copy()
    wrong[22:28, 2:8] = 1  # the small object labelled as the other class
    difference = plotdata.compare(mask(labels), mask(wrong), bands)
    assert difference is not None and "image" in difference, difference


def test_bands_are_rounded_up_and_never_below_what_a_reader_sees():
    assert plotdata.round_up(0.0123) == 0.02
    assert plotdata.round_up(3.2) == 4
    assert plotdata.bands([{"axes 0 line 0": 1e-7}]) == {
        "axes 0 line 0": plotdata.FLOOR["points"]
    }


# --- a real snippet ---------------------------------------------------------------------------------

REAL = SNIPPETS / "network_in_network" / "nin_digits.py"


@pytest.fixture
def nin_copy():
    """nin_digits.py and its record, copied to a private folder: edit the copy, the record stays."""
    folder = SNIPPETS / f"_test_{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    copy = folder / REAL.name
    shutil.copy(REAL, copy)
    shutil.copytree(outputs.output_dir(REAL), outputs.output_dir(copy))
    outputs.restamp(copy)
    yield copy
    shutil.rmtree(folder)
    shutil.rmtree(outputs.output_dir(copy).parent, ignore_errors=True)


def edit_as_if_recorded(copy, old: str, new: str) -> None:
    """Change the plotting code; the record stays the real one's, made fresh for the new code."""
    text = copy.read_text()
    assert old in text, f"{old!r} is no longer in {REAL}: update this test"
    copy.write_text(text.replace(old, new))
    outputs.restamp(copy)


# Three real changes in one edited copy (one run of the snippet, not three): another curve, a count
# off by one, a number outside its measured band.
EDITS = [
    (
        'ax1.plot(epochs, accs, label="test accuracy")',
        'ax1.plot(epochs, losses, label="test accuracy")',
    ),
    (
        'print(f"NiN + GAP parameters: {nin_params}")',
        'print(f"NiN + GAP parameters: {nin_params + 1}")',
    ),
    (
        'print(f"NiN + GAP test accuracy: {accs[-1]:.3f} ±0.02")',
        'print(f"NiN + GAP test accuracy: {accs[-1] - 0.05:.3f} ±0.02")',
    ),
]


def test_the_real_nin_snippet_fails_on_each_real_change(nin_copy):
    for old, new in EDITS:
        edit_as_if_recorded(nin_copy, old, new)
    run = outputs.run_snippet(nin_copy)
    record = outputs.load_record(nin_copy)
    changed = [
        (was, now)
        for was, now in zip(
            record["stdout"].splitlines(), run.stdout.splitlines()
        )
        if not outputs.line_matches(was, now)
    ]
    assert [now for _, now in changed] == [
        "NiN + GAP parameters: 13195",  # a count off by one
        run.stdout.splitlines()[
            3
        ],  # the accuracy, 0.05 below: outside its ±0.02
    ]
    assert "NiN + GAP test accuracy" in changed[1][1]
    difference = outputs.compare_plots(nin_copy, record["plots"], run)
    assert "nin_digits.png shows something else than its record" in difference
    assert "axes 0 line 1 moved by" in difference  # another curve
    # and the same run with its accuracy curve lost from what the plot shows
    shown = run.plot_data["nin_digits.png"]["axes"][0]
    shown["marks"] = [
        m
        for m in shown["marks"]
        if "test accuracy" not in m.get("identity", [])
    ]
    shown["structure"]["legend"] = ["training loss"]
    assert "legend" in outputs.compare_plots(nin_copy, record["plots"], run)


def test_the_real_nin_plot_passes_on_the_baseline_kernels(nin_copy):
    """The control of the test above: the unedited copy passes on another CPU's kernels."""
    outputs.check(outputs.run_snippet(nin_copy, kernels="baseline"))


def test_every_plot_of_training_has_a_record_of_what_it_shows_and_its_bands():
    missing = []
    for snippet in outputs.all_snippets(ROOT):
        meta = outputs.load_record(snippet)
        if not (outputs.trains(snippet) and meta["plots"]):
            continue
        bands = outputs.load_seeds(snippet, allow_stale=True).get("plots", {})
        for name in meta["plots"]:
            shown = outputs.output_dir(snippet) / outputs.plot_data_file(name)
            if not shown.is_file() or name not in bands:
                missing.append(f"{outputs.rel(snippet)}: {name}")
    assert not missing, (
        "plots of training without a record of what they show or measured bands; run "
        "python -m kb refresh SNIPPET and python -m kb check --seeds 10 --record SNIPPET:\n  "
        + "\n  ".join(missing)
    )


def test_a_lost_line_without_a_legend_fails_too():
    recorded, lost = curves(), curves(lost=True)
    for shown in (recorded, lost):
        shown["axes"][0]["structure"]["legend"] = []
    difference = plotdata.compare(
        recorded, lost, measured_bands(recorded, recorded)
    )
    assert difference is not None and "other marks" in difference, difference
