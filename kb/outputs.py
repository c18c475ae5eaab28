"""Recorded snippet outputs: record what a snippet printed and plotted, and compare a new run with it.

Every snippet's stdout and plots are recorded under `docs/outputs/<topic>/<name>/` by
`python -m kb refresh`, committed, and shown on the pages from there, so a fresh clone serves every
output without running anything. The tests run each snippet again and compare it with the record:

- text must match exactly;
- a number is compared tightly (an integer exactly, a decimal within two units of its last printed
  digit), unless the snippet prints a
  tolerance right after it, `0.968 ±0.02`: a result of training, which another CPU's float rounding
  moves. Such a tolerance must be covered by a measurement: `python -m kb check --seeds 10 --record`
  runs the snippet under seeds 0 to 9 and records the spread in `seeds.json`, and the tests fail when a
  tolerance is narrower than that spread or a seed-dependent number has none;
- a plot must match its record within an image tolerance (RMS of pixel differences).

A record is stale when the code of its snippet, or of a local module the snippet imports, changed. The
fingerprint is taken of the parsed code without docstrings, so a comment, a docstring or a reformat does
not make a record stale.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kb.paths import OUTPUTS, ROOT, SNIPPETS, rel, walk
from kb.runner import Run, SnippetFailed  # noqa: F401  (Run is part of this module's interface)
from kb import filecache, runner

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
TOLERANCE = re.compile(r"\s*±\s*(" + NUMBER.pattern + ")")
VALUE = re.compile(
    r"(?P<number>"
    + NUMBER.pattern
    + r")(?:\s*±\s*(?P<tol>"
    + NUMBER.pattern
    + "))?"
)
WALL_CLOCK = "wall clock"  # in a line's label: its numbers are timings of this CPU, never compared
PLOT_RMS_TOLERANCE = 1.0  # pixel RMS (0-255) a plot that does not depend on training may differ by
SEEDS_FILE = "seeds.json"
PLOT_DATA_SUFFIX = ".plotdata.json"
# The runs that measure a result of training's spread, besides seeds 0..N-1 on this CPU's kernels:
# the recorded seed under the kernels of other CPUs, and the second run the tests make (seed 1 under
# the baseline kernels), so every run the tests compare is inside the measured band.
OTHER_KERNEL_RUNS = [(0, "baseline"), (0, "avx2"), (1, "baseline")]


class OutputError(Exception):
    """A snippet failed, or its output does not match its record. The message says how to fix it."""


def refresh_command(snippet: Path) -> str:
    return f"python -m kb refresh {rel(snippet)}"


def seeds_command(snippet: Path) -> str:
    return f"python -m kb check --seeds 10 --record {rel(snippet)}"


def run_snippet(snippet: Path, seed: int = 0, kernels: str = "native") -> Run:
    """Run a snippet as `python <snippet>` would, in a temporary folder; its stdout and PNGs.
    `kernels` imitates another CPU (runner.KERNELS)."""
    try:
        return runner.run(snippet, seed, kernels=kernels)
    except runner.SnippetFailed as error:
        raise OutputError(str(error)) from None


def output_dir(snippet: Path) -> Path:
    """docs/outputs/<topic>/<name>/ for snippets/<topic>/<name>.py."""
    return OUTPUTS / Path(snippet).resolve().relative_to(SNIPPETS).with_suffix(
        ""
    )


# --- freshness -------------------------------------------------------------------------------------


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(
                node,
                (
                    ast.Module,
                    ast.ClassDef,
                    ast.FunctionDef,
                    ast.AsyncFunctionDef,
                ),
            )
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return tree


def _code_hash(path: Path) -> str:
    tree = _without_docstrings(ast.parse(path.read_text(encoding="utf-8")))
    dump = ast.dump(tree, include_attributes=False)
    return hashlib.sha256(dump.encode()).hexdigest()


def code_hash(path: Path) -> str:
    """sha256 of the parsed code without docstrings: comments, docstrings, blank lines and formatting
    do not change what a snippet prints, so they do not change the hash."""
    return filecache.cached("hash", Path(path), _code_hash)


def _imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif (
            isinstance(node, ast.ImportFrom) and node.module and not node.level
        ):
            names.add(node.module.split(".")[0])
    return names


def imported_names(path: Path) -> set[str]:
    """The top-level names of the modules a file imports (absolute imports only)."""
    return filecache.cached("imports", Path(path), _imported_names)


def module_index(snippets: Path = SNIPPETS) -> dict[str, list[Path]]:
    """{stem: [paths]} of snippets/**/*.py outside private (_*) folders and files.

    Listed again when snippets/ or a folder in it changes (adding or removing a file changes its
    folder's mtime). As in git's index, a folder changed within the last two seconds is not trusted:
    a file added within the same clock tick would not change the mtime again."""
    return filecache.per_build(
        ("index", Path(snippets)), lambda: _module_index(Path(snippets))
    )


def _module_index(snippets: Path) -> dict[str, list[Path]]:
    # private folders are not listed: a test's throw-away _test_* folder may vanish mid-scan
    with os.scandir(snippets) as entries:
        times = sorted(
            (e.name, e.stat().st_mtime_ns)
            for e in entries
            if not e.name.startswith("_") and e.is_dir()
        )
    times.append(("", os.stat(snippets).st_mtime_ns))
    if time.time_ns() - max(t for _, t in times) < 2e9:
        return _list_modules(snippets)
    return filecache.memo(  # mtimes: trusted by this process only
        ("index", str(snippets), tuple(times)),
        lambda: _list_modules(snippets),
        durable=False,
    )


def _list_modules(snippets: Path) -> dict[str, list[Path]]:
    index: dict[str, list[Path]] = {}
    for folder, files in walk(snippets):
        for name in files:
            if name.endswith(".py") and not name.startswith("_"):
                index.setdefault(name[:-3], []).append(folder / name)
    return index


def local_imports(
    path: Path, snippets: Path = SNIPPETS, index: dict | None = None
) -> list[Path]:
    """The modules under snippets/ that a file imports: a file of that name in its own folder, or
    else anywhere in snippets/ outside private (_*) folders (snippets/shapes/shapes.py)."""
    index = module_index(snippets) if index is None else index
    path, found = Path(path), []
    for name in sorted(imported_names(path)):
        beside = path.parent / f"{name}.py"
        found += [beside] if beside.is_file() else index.get(name, [])
    # only a module of its own name can be the file itself
    return [p for p in found if p.stem != path.stem or not p.samefile(path)]


def imported_packages(snippets: list[Path]) -> set[str]:
    """The top-level names these snippets and the local modules they import import."""
    names = set()
    for snippet in snippets:
        root = snippets_folder(snippet).parent
        names |= set().union(
            *(imported_names(root / path) for path in fingerprint(snippet))
        )
    return names


def snippets_folder(snippet: Path) -> Path:
    """The snippets/ folder of snippets/<topic>/<name>.py or snippets/<topic>/exercises/<name>.py."""
    snippet = Path(snippet).resolve()
    exercise = snippet.parent.name == "exercises"
    return snippet.parents[2 if exercise else 1]


def fingerprint(snippet: Path) -> dict[str, str]:
    """{path: code hash} of a snippet and, recursively, every local module it imports."""
    snippet = Path(snippet).resolve()
    return dict(
        filecache.per_build(
            ("fingerprint", snippet), lambda: _fingerprint(snippet)
        )
    )


def _fingerprint(snippet: Path) -> dict[str, str]:
    snippets = snippets_folder(snippet)
    found, todo, index = {}, [snippet], module_index(snippets)
    while todo:
        path = todo.pop()
        # "snippets/...", also in a copy of the repository
        key = path.relative_to(snippets.parent).as_posix()
        if key not in found:
            found[key] = code_hash(path)
            todo += local_imports(path, snippets, index)
    return dict(sorted(found.items()))


def stale_reason(snippet: Path, sources: dict[str, str]) -> str | None:
    """Why a record taken from `sources` no longer matches the code; None when it is fresh."""
    now = fingerprint(snippet)
    changed = [path for path in now if sources.get(path) != now[path]]
    gone = [path for path in sources if path not in now]
    if not changed and not gone:
        return None
    return ", ".join(changed + gone) + (
        " changed" if changed else " is no longer imported"
    )


# --- records ---------------------------------------------------------------------------------------


def record(run: Run) -> Path:
    """Write a run's stdout, plots and provenance to the snippet's output folder."""
    import torch  # only here: reading records must not need torch

    folder = output_dir(run.snippet)
    seeds = folder / SEEDS_FILE
    # stays valid while the code is the same
    keep = seeds.read_bytes() if seeds.is_file() else None
    if folder.exists():
        # a plot the snippet no longer makes must not linger
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "stdout.txt").write_text(run.stdout, encoding="utf-8")
    for name, data in run.plots.items():
        (folder / name).write_bytes(data)
    for name, shown in run.plot_data.items():
        (folder / plot_data_file(name)).write_text(
            json.dumps(shown) + "\n", encoding="utf-8"
        )
    meta = {
        "snippet": rel(run.snippet),
        "sources": fingerprint(run.snippet),
        "seconds": round(run.seconds, 2),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": "cpu",
        "date": dt.date.today().isoformat(),
        "plots": sorted(run.plots),
    }
    (folder / "run.json").write_text(
        json.dumps(meta, indent=2) + "\n", encoding="utf-8"
    )
    if keep and not stale_reason(run.snippet, json.loads(keep)["sources"]):
        seeds.write_bytes(keep)
    return folder


def restamp(snippet: Path) -> None:
    """Make the record fresh for the snippet's current code without running it: a code change that
    keeps the output, recorded as `refresh` would (for tests and `kb bench`)."""
    for path in (
        output_dir(snippet) / "run.json",
        output_dir(snippet) / SEEDS_FILE,
    ):
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            data["sources"] = fingerprint(snippet)
            path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def plot_data_file(plot: str) -> str:
    """The record of what a plot shows (kb/plotdata.py): name.png -> name.plotdata.json."""
    return plot.removesuffix(".png") + PLOT_DATA_SUFFIX


def load_record(snippet: Path) -> dict:
    """The recorded run of a snippet: its run.json plus `stdout`. Raises if there is none."""
    key = ("record", Path(snippet).resolve())
    return dict(filecache.per_build(key, lambda: _load_record(snippet)))


def _load_record(snippet: Path) -> dict:
    folder = output_dir(snippet)
    meta_file = folder / "run.json"
    if not meta_file.is_file():
        raise OutputError(
            f"{rel(snippet)} has no recorded output ({rel(folder)}/ is missing). "
            f"Record it with: {refresh_command(snippet)}"
        )
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["stdout"] = (folder / "stdout.txt").read_text(encoding="utf-8")
    return meta


def freshness_problem(snippet: Path) -> str | None:
    """Why the page would show a missing or stale output for this snippet; None when it is fresh.

    A hash check only: nothing is run. Used by the strict build and by `mkdocs serve`.
    """
    try:
        meta = load_record(snippet)
    except OutputError as error:
        return str(error)
    reason = stale_reason(snippet, meta.get("sources", {}))
    if reason:
        return (
            f"{rel(snippet)}: its recorded output is stale ({reason} since it was recorded), so "
            f"the page would show new code next to an old output. Record it with: "
            f"{refresh_command(snippet)}"
        )
    return None


# --- comparing numbers -----------------------------------------------------------------------------


def _tight(expected: str) -> float:
    """Noise allowed for a printed number without ±: none for an integer (a count, a shape), two
    units in the last printed digit for a decimal (float rounding that reaches the printed digits)."""
    mantissa, _, exponent = expected.lower().partition("e")
    if "." not in mantissa and not exponent:
        return 0.0
    decimals = len(mantissa.partition(".")[2])
    return 2 * 10.0 ** (int(exponent or 0) - decimals)


def parse_line(line: str) -> tuple[list[str], list[tuple[str, str | None]]]:
    """A line's text pieces and its numbers, each with its printed tolerance (or None)."""
    texts, values, last = [], [], 0
    for m in VALUE.finditer(line):
        texts.append(line[last : m.start()])
        values.append((m.group("number"), m.group("tol")))
        last = m.end()
    texts.append(line[last:])
    return texts, values


def is_wall_clock(line: str) -> bool:
    """A line whose label says "wall clock" prints timings of the CPU that ran it: another CPU, or
    the same one under load, measures other figures, so only its text is compared. The snippet
    asserts the relation the timings back ("separable is faster"), which holds on any CPU."""
    label, sep, _ = line.partition(": ")
    return bool(sep) and WALL_CLOCK in label


def line_matches(expected: str, actual: str, tight: bool = True) -> bool:
    """Same text around the numbers; each number within its printed ± tolerance (taken from the
    record), or, when `tight`, within noise in its last digits. `tight=False` (a run under another
    seed) skips the numbers that carry no tolerance. Timings ("wall clock" lines) are not compared."""
    want_text, want = parse_line(expected)
    got_text, got = parse_line(actual)
    if want_text != got_text or len(want) != len(got):
        return False
    if is_wall_clock(expected):
        return True
    for (w, tol), (g, _) in zip(want, got):
        if tol is not None:
            if abs(float(w) - float(g)) > float(tol) * (1 + 1e-9):
                return False
        elif tight and abs(float(w) - float(g)) > _tight(w) * (1 + 1e-9):
            return False
    return True


def wide_tolerances(stdout: str) -> list[str]:
    """Printed numbers whose ± is half their value or more: a band that wide checks nothing. Show a
    stable figure instead (more data, a mean over repeats, a relation the snippet asserts)."""
    wide = []
    for line in stdout.splitlines():
        for number, tol in parse_line(line)[1]:
            if tol is not None and float(tol) >= abs(float(number)) / 2:
                wide.append(f"{line.strip()}  ({number} ±{tol})")
    return wide


def compare_stdout(
    expected: str, actual: str, tight: bool = True
) -> str | None:
    """None if the outputs agree; else a short description of the first difference."""
    want, got = expected.splitlines(), actual.splitlines()
    for number, (w, g) in enumerate(zip(want, got), start=1):
        if not line_matches(w, g, tight):
            return f"line {number} was\n    {w}\n  and is now\n    {g}"
    if len(want) != len(got):
        return f"it printed {len(got)} lines, the record has {len(want)}"
    return None


# --- comparing plots -------------------------------------------------------------------------------


def plot_rms(expected: bytes, actual: bytes) -> float:
    """RMS difference of two PNGs in 0-255 grey levels (matplotlib's measure); inf if sizes differ."""
    import numpy as np
    from matplotlib.testing.compare import calculate_rms
    from matplotlib.image import imread

    with tempfile.TemporaryDirectory() as tmp:
        images = []
        for name, data in (("expected.png", expected), ("actual.png", actual)):
            (Path(tmp) / name).write_bytes(data)
            image = imread(Path(tmp) / name)
            # as compare_images does
            images.append(np.asarray(image[..., :3] * 255, dtype=np.int16))
    if images[0].shape != images[1].shape:
        return math.inf
    return float(calculate_rms(*images))


def compare_plots(snippet: Path, recorded: list[str], run: Run) -> str | None:
    """None when a run's plots show what the recorded ones show.

    A plot of a snippet that does not train must match its record to within a grey level (pixel RMS
    1): it depends on no training and on no float rounding a reader could see. A plot of training is
    compared as a reader compares it (kb/plotdata.py): the same structure, each mark within the band
    measured over seeds and kernels, and the pixels within the largest difference measured then.
    """
    plots = run.plots
    if sorted(plots) != sorted(recorded):
        return f"saved plots {sorted(plots)}, the record has {sorted(recorded)}"
    folder = output_dir(snippet)
    if not trains(snippet):
        for name in recorded:
            rms = plot_rms((folder / name).read_bytes(), plots[name])
            if rms > PLOT_RMS_TOLERANCE:
                return f"plot {name} differs from its record by {_rms_words(rms)} (tolerance {PLOT_RMS_TOLERANCE:g})"
        return None
    from kb import plotdata

    measured = load_seeds(snippet).get("plots", {})
    for name in recorded:
        if [run.seed, run.kernels] in measured.get(name, {}).get(
            "other_structure", []
        ):
            continue  # this seed draws other data: measured so, not comparable
        shown = folder / plot_data_file(name)
        if (
            name not in measured
            or not shown.is_file()
            or name not in run.plot_data
        ):
            return (
                f"plot {name} has no record of what it shows or no band measured over seeds and "
                f"kernels. Record them with: {refresh_command(snippet)} and then {seeds_command(snippet)}"
            )
        difference = plotdata.compare(
            json.loads(shown.read_text(encoding="utf-8")),
            run.plot_data[name],
            measured[name]["marks"],
        )
        if difference:
            return f"plot {name} shows something else than its record: {difference}"
        rms = plot_rms((folder / name).read_bytes(), plots[name])
        if rms > measured[name]["rms"]:
            return (
                f"plot {name} differs from its record by {_rms_words(rms)}, more than between "
                f"seeds and kernels when it was measured ({measured[name]['rms']:g})"
            )
    return None


def _rms_words(rms: float) -> str:
    return (
        "a different size"
        if math.isinf(rms)
        else f"an RMS difference of {rms:.2f}"
    )


# --- checking a run --------------------------------------------------------------------------------


def check(run: Run, plots: bool = True) -> None:
    """Fail unless a run reproduces the snippet's record: fresh code, stdout and plots.

    A run under another seed than the recorded one must keep the asserts (it ran), the text, and
    every number that carries a ± tolerance within it. Plots of training are compared within their
    measured bands under any seed or kernels; other plots must match to a grey level.
    """
    snippet = run.snippet
    problem = freshness_problem(snippet)
    if problem:
        raise OutputError(problem)
    meta = load_record(snippet)
    fix = f"If the change is intended, record the new output with: {refresh_command(snippet)}"
    seeded = runner.describe_run(run.seed, run.kernels)
    difference = compare_stdout(meta["stdout"], run.stdout, tight=not run.seed)
    if difference:
        raise OutputError(
            f"{rel(snippet)} printed something other than its recorded output{seeded}: "
            f"{difference}\n"
            + (
                fix
                if not run.seed
                else "A number with ± left its tolerance: widen it only "
                f"as far as the spread measured by {seeds_command(snippet)} justifies."
            )
        )
    difference = plots and compare_plots(snippet, meta["plots"], run)
    if difference:
        raise OutputError(f"{rel(snippet)}{seeded} {difference}. {fix}")


def _two_separators(snippet: Path, line: str) -> str:
    return (
        f'{rel(snippet)} prints "{line}", two ": " on one line; the label is the text before '
        'the first. Print the whole label first: "label: value".'
    )


def value(snippet: Path, label: str, allow_stale: bool = False) -> str:
    """The value printed on the line `label: value` of a snippet's recorded output. A number printed
    with a ± tolerance (seed 0, the tests' band) is shown with its range over the recorded seeds
    instead, since readers take the band for an error bar."""
    stdout = load_record(snippet)["stdout"]
    for line in stdout.splitlines():
        key, sep, val = line.partition(": ")
        if sep and key.strip() == label:
            if ": " in val:  # the rest of the label would show as the value
                raise OutputError(_two_separators(snippet, line))
            if "±" not in val:
                return val.strip()
            return _with_seed_ranges(snippet, line, allow_stale)
    labels = [
        line.partition(": ")[0].strip()
        for line in stdout.splitlines()
        if ": " in line
    ]
    raise OutputError(
        f'{rel(snippet)} prints no line labelled "{label}". Its labels: {labels}'
    )


# --- seeds -----------------------------------------------------------------------------------------

# an optimizer, or a hand-written SGD step
TRAINING = re.compile(r"\boptim\.|\.step\(|-=\s*lr\b")


def trains(snippet: Path) -> bool:
    """Whether a snippet (or a local module it imports) trains: its results then depend on the seed
    and, amplified by training, on the CPU's float rounding, so they print a ± tolerance."""
    snippet = Path(snippet).resolve()
    root = snippets_folder(snippet).parent
    return filecache.per_build(
        ("trains", snippet),
        lambda: any(
            TRAINING.search((root / path).read_text(encoding="utf-8"))
            for path in fingerprint(snippet)
        ),
    )


def measuring_runs(snippet: Path, count: int) -> list[Run]:
    """Seeds 0..count-1 on this CPU's kernels, then OTHER_KERNEL_RUNS: what a spread is measured on."""
    runs = [run_snippet(snippet, seed) for seed in range(count)]
    return runs + [
        run_snippet(snippet, seed, kernels)
        for seed, kernels in OTHER_KERNEL_RUNS
    ]


def seeds_summary(runs: list[Run]) -> dict:
    """The numbers and plots of runs under several seeds and kernels (runs[0] = the recorded run),
    line by line; `values` has one row per run, the seeds on this CPU's kernels first."""
    lines = []
    for number, line in enumerate(runs[0].stdout.splitlines()):
        texts, values = parse_line(line)
        per_seed = []
        for run in runs:
            other = run.stdout.splitlines()
            got = parse_line(other[number])[1] if number < len(other) else []
            per_seed.append(
                [float(v) for v, _ in got] if len(got) == len(values) else None
            )
        if values and not is_wall_clock(line):
            lines.append(
                {
                    "line": line,
                    "label": line.partition(": ")[0].strip(),
                    "tolerances": [t for _, t in values],
                    "values": per_seed,
                }
            )
    native = [r.seed for r in runs if r.kernels == "native"]
    return {
        "seeds": native,
        "other_kernels": [[r.seed, r.kernels] for r in runs[len(native) :]],
        "lines": lines,
        "plots": plot_spread(runs),
    }


def plot_spread(runs: list[Run]) -> dict:
    """Per plot of runs[0]: how far each mark moved in the other runs (its band, kb/plotdata.py),
    the largest pixel RMS between them, and what kept a plot from being measured.

    Another seed may draw other data (other example images, other titles): a run of another seed
    whose plot has another structure is listed in `other_structure` and left out of the bands, and
    the tests do not compare that run's plot. The recorded seed on other kernels must keep the
    structure: if another CPU changes what a plot shows, that is a problem to fix in the snippet.
    """
    from kb import plotdata

    spread = {}
    first = runs[0]
    for name in sorted(first.plots):
        entry = {
            "rms": PLOT_RMS_TOLERANCE,
            "kernel_rms": 0.0,
            "marks": {},
            "other_structure": [],
            "problems": [],
        }
        moved = []
        for run in runs[1:]:
            where = runner.describe_run(run.seed, run.kernels).strip(" ()")
            if name not in run.plot_data or name not in first.plot_data:
                entry["problems"].append(
                    f"{where}: no record of what {name} shows"
                )
                continue
            shape = plotdata.structure_difference(
                first.plot_data[name], run.plot_data[name]
            )
            if shape and run.seed != first.seed:
                entry["other_structure"].append([run.seed, run.kernels])
                continue
            if shape:
                entry["problems"].append(f"{where}: {shape}")
                continue
            rms = plot_rms(first.plots[name], run.plots[name])
            entry["rms"] = max(entry["rms"], plotdata.round_up(rms))
            # the same seed on another CPU's kernels: the same result, other rounding
            if run.seed == first.seed:
                entry["kernel_rms"] = max(entry["kernel_rms"], round(rms, 3))
            moved.append(
                plotdata.distances(first.plot_data[name], run.plot_data[name])
            )
        entry["marks"] = plotdata.bands(moved)
        spread[name] = entry
    return spread


def seeds_problems(summary: dict, trained: bool = True) -> list[str]:
    """Numbers whose printed tolerance is narrower than their spread over seeds, or, in a snippet that
    trains, that vary with the seed and have none (seed 0 is the recorded one). Without training a
    number that varies with the seed is a function of random inputs: exact on every CPU, so under
    other kernels (the rows after the seeds) a number without ± must stay within its last digits. A
    plot whose structure changes between runs cannot be compared, nor can a plot that does not
    depend on training but changes with the seed or the kernels."""
    problems = []
    seeds = len(summary["seeds"])
    others = summary.get("other_kernels", [])
    for entry in summary["lines"]:
        # other kernels: a number without ± stays as tight as on this CPU's kernels, same seed
        for (seed, _), row in zip(others, entry["values"][seeds:]):
            same_seed = entry["values"][summary["seeds"].index(seed)]
            if row is None or same_seed is None:
                continue
            for i, tol in enumerate(entry["tolerances"]):
                first = parse_line(entry["line"])[1][i][0]
                noise = _tight(first) * (1 + 1e-9)
                if tol is None and abs(row[i] - same_seed[i]) > noise:
                    problems.append(
                        f'"{entry["line"]}": number {i + 1} is {row[i]:g} under other CPU kernels '
                        "and has no ± tolerance: make it independent of float rounding (float64, no "
                        "value on a threshold) or give it its measured spread"
                    )
        runs = [v for v in entry["values"] if v is not None]
        if len(runs) != len(entry["values"]):
            problems.append(
                f'line "{entry["line"]}" is missing or changes shape under another seed'
            )
            continue
        for i, tol in enumerate(entry["tolerances"]):
            column = [v[i] for v in runs]
            deviation = max(abs(x - column[0]) for x in column)
            if tol is None and deviation > 0 and trained:
                problems.append(
                    f'"{entry["line"]}": number {i + 1} varies with the seed '
                    f"({min(column):g} to {max(column):g}) but has no ± tolerance"
                )
            elif tol is not None and deviation > float(tol) * (1 + 1e-9):
                problems.append(
                    f'"{entry["line"]}": ±{tol} is narrower than the spread over seeds and '
                    f"kernels (largest distance from seed 0: {deviation:.4g})"
                )
    for name, plot in summary.get("plots", {}).items():
        problems += [f"plot {name}, {p}" for p in plot["problems"]]
        if not trained and plot.get("kernel_rms", 0) > PLOT_RMS_TOLERANCE:
            problems.append(
                f"plot {name} changes under other CPU kernels (pixel RMS {plot['kernel_rms']:g}) "
                "although the snippet does not train, so it cannot be compared to a grey level"
            )
    return problems


def record_seeds(snippet: Path, runs: list[Run]) -> Path:
    folder = output_dir(snippet)
    summary = {
        "snippet": rel(snippet),
        "sources": fingerprint(snippet),
        **seeds_summary(runs),
    }
    path = folder / SEEDS_FILE
    path.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return path


def load_seeds(snippet: Path, allow_stale: bool = False) -> dict:
    path = output_dir(snippet) / SEEDS_FILE
    if not path.is_file():
        raise OutputError(
            f"{rel(snippet)} has no record of its spread over seeds ({rel(path)}). "
            f"Record it with: {seeds_command(snippet)}"
        )
    summary = json.loads(path.read_text(encoding="utf-8"))
    reason = stale_reason(snippet, summary["sources"])
    if reason and not allow_stale:
        raise OutputError(
            f"{rel(snippet)}: its spread over seeds is stale ({reason}). Record it "
            f"with: {seeds_command(snippet)}"
        )
    return summary


def _seed_column(
    snippet: Path, label: str, allow_stale: bool
) -> tuple[list[float], int]:
    """The first number on the line `label: ...` in each seed's run, and its printed decimals."""
    summary = load_seeds(snippet, allow_stale)
    for entry in summary["lines"]:
        if entry["label"] == label:
            if ": " in entry["line"].partition(": ")[2]:
                raise OutputError(_two_separators(snippet, entry["line"]))
            # the first number after "label: "
            first = len(parse_line(label)[1])
            printed = parse_line(entry["line"])[1][first][0]
            column = [
                v[first] for v in entry["values"][: len(summary["seeds"])]
            ]
            return column, len(printed.partition(".")[2])
    labels = [e["label"] for e in summary["lines"]]
    raise OutputError(
        f'{rel(snippet)}: no line labelled "{label}" in its seeds record. Labels: {labels}'
    )


# what may follow a single number that carries a range at the end of the value: "502 of 640", "5.4 px"
SHORT_TAIL = re.compile(r"(\s+of\s+\d+)?(\s*(px|%|x|×|times))?\s*")


def _with_seed_ranges(snippet: Path, line: str, allow_stale: bool) -> str:
    """The value of the recorded `line` with each `number ±tol` as `number [seed 0; low to high over
    N seeds]`. Brackets, since the value often sits in a parenthesis of the page's own."""
    summary = load_seeds(snippet, allow_stale)
    entry = next((e for e in summary["lines"] if e["line"] == line), None)
    rows = entry and entry["values"][: len(summary["seeds"])]
    if not rows or None in rows:
        raise OutputError(
            f"{rel(snippet)}: its seeds record does not hold the recorded line {line!r} for every "
            f"seed (recorded from another run, or a seed printed other lines). Record it again: "
            f"{seeds_command(snippet)}"
        )
    label, _, val = line.partition(": ")
    val = val.strip()
    first = len(parse_line(label)[1])  # a row holds the label's numbers first
    matches = list(VALUE.finditer(val))
    ranges = []
    for index, m in enumerate(matches, start=first):
        column = [row[index] for row in rows]
        low, high = (
            _as_printed(x, m["number"]) for x in (min(column), max(column))
        )
        span = f"{low} in all" if low == high else f"{low} to {high} over"
        ranges.append(m["tol"] and f"seed 0; {span} {len(column)} seeds")
    shown = [(m, r) for m, r in zip(matches, ranges) if r]
    # one range closes a short value ("502 of 640 [seed 0; ...]"); else each follows its number
    at_end = len(shown) == 1 and SHORT_TAIL.fullmatch(val[shown[0][0].end() :])
    parts, last = [], 0
    for m, where in zip(matches, ranges):
        parts.append(val[last : m.start()] + m["number"])
        parts.append(f" [{where}]" if where and not at_end else "")
        last = m.end()
    parts.append(val[last:])
    return "".join(parts) + (f" [{shown[0][1]}]" if at_end else "")


def _as_printed(x: float, printed: str) -> str:
    """`x` as `printed` was written: its decimals, its exponent form, a leading +."""
    mantissa, e, _ = printed.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    text = f"{x:{'+' if printed.startswith('+') else ''}.{decimals}{'e' if e else 'f'}}"
    return (
        text.replace("-", "", 1)
        if float(text) == 0 and text.startswith("-")
        else text
    )


def spread(snippet: Path, label: str, allow_stale: bool = False) -> str:
    """'mean ± std over N seeds (min to max)' of the first number on the line `label: ...`."""
    column, decimals = _seed_column(snippet, label, allow_stale)
    mean, std = statistics.fmean(column), statistics.stdev(column)
    f = lambda x: f"{x:.{decimals + 1}f}"  # noqa: E731  one digit more than printed
    return (
        f"{f(mean)} ± {f(std)} (mean ± std over {len(column)} seeds, "
        f"range {f(min(column))} to {f(max(column))})"
    )


def sign(snippet: Path, label: str, allow_stale: bool = False) -> str:
    """'positive in K of N seeds': how often an effect printed on `label: ...` has its sign."""
    column, _ = _seed_column(snippet, label, allow_stale)
    return f"positive in {sum(v > 0 for v in column)} of {len(column)} seeds"


def difference(
    snippet: Path, first: str, second: str, allow_stale: bool = False
) -> str:
    """An effect as the difference of two printed values, seed by seed: 'mean ± std over N seeds
    (range a to b; positive in K of N: VERDICT)'. For an effect too noisy to print with a ± of its
    own. The verdict is the record's, so a page never has to type whether an effect is noise."""
    a, decimals = _seed_column(snippet, first, allow_stale)
    b, _ = _seed_column(snippet, second, allow_stale)
    column = [x - y for x, y in zip(a, b)]
    mean, std = statistics.fmean(column), statistics.stdev(column)
    f = lambda x: f"{x:.{decimals}f}"  # noqa: E731  as printed: the inputs were rounded so
    return (
        f"{f(mean)} ± {f(std)} (mean ± std over {len(column)} seeds, range {f(min(column))} "
        f"to {f(max(column))}; positive in {sum(v > 0 for v in column)} of {len(column)}: "
        f"{noise_verdict(column)})"
    )


def noise_verdict(column: list[float]) -> str:
    """Whether an effect measured seed by seed keeps its sign: the words a page shows for it."""
    if all(v > 0 for v in column) or all(v < 0 for v in column):
        return "the same sign in every seed"
    return "the range reaches zero, within seed noise"


def all_snippets(root: Path = ROOT) -> list[Path]:
    """Every runnable snippet: snippets/**/*.py, except private files and folders (_*)."""
    index = module_index(root / "snippets")
    return sorted(p for paths in index.values() for p in paths)
