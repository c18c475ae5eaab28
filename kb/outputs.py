"""Recorded snippet outputs: run a snippet, record what it printed and plotted, compare a new run.

Every snippet's stdout and plots are recorded under `docs/outputs/<topic>/<name>/` by
`python -m kb refresh`, committed, and shown on the pages from there, so a fresh clone serves every
output without running anything. The tests run each snippet again and compare it with the record:
text must match exactly and numbers within noise in their last printed digits.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kb.paths import OUTPUTS, ROOT, SNIPPETS, rel

TIMEOUT_S = 60  # a hard stop; the budget of 10 s per snippet is measured by `python -m kb bench`
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


class OutputError(Exception):
    """A snippet failed, or its output does not match its record. The message says how to fix it."""


@dataclass
class Run:
    snippet: Path
    stdout: str
    seconds: float
    plots: dict[str, bytes] = field(default_factory=dict)


def refresh_command(snippet: Path) -> str:
    return f"python -m kb refresh {rel(snippet)}"


def snippet_env() -> dict[str, str]:
    """The environment every recorded run uses, so records do not depend on the machine's core count."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONHASHSEED="0")
    return env


def run_snippet(snippet: Path, timeout: float = TIMEOUT_S) -> Run:
    """Run `python <snippet>` in a fresh temporary directory; collect stdout and the PNGs it saved."""
    snippet = Path(snippet).resolve()
    if not snippet.is_file():
        raise OutputError(f"{rel(snippet)}: no such snippet file.")
    with tempfile.TemporaryDirectory(prefix="snippet-") as workdir:
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, str(snippet)], cwd=workdir, env=snippet_env(),
                capture_output=True, text=True, timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise OutputError(f"{rel(snippet)}: still running after {timeout:.0f} s and was stopped. "
                              "Make it smaller: snippets must run in seconds on a CPU.") from None
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise OutputError(f"{rel(snippet)} failed (exit code {proc.returncode}). Fix the snippet; "
                              f"its error:\n{proc.stderr.strip()[-3000:]}")
        plots = {p.name: p.read_bytes() for p in sorted(Path(workdir).glob("*.png"))}
    return Run(snippet, proc.stdout, seconds, plots)


def output_dir(snippet: Path) -> Path:
    """docs/outputs/<topic>/<name>/ for snippets/<topic>/<name>.py."""
    return OUTPUTS / Path(snippet).resolve().relative_to(SNIPPETS).with_suffix("")


def source_hash(snippet: Path) -> str:
    return hashlib.sha256(Path(snippet).read_bytes()).hexdigest()


def record(run: Run) -> Path:
    """Write a run's stdout, plots and provenance to the snippet's output folder."""
    import torch  # only here: reading records must not need torch

    folder = output_dir(run.snippet)
    if folder.exists():
        shutil.rmtree(folder)  # a plot the snippet no longer makes must not linger
    folder.mkdir(parents=True)
    (folder / "stdout.txt").write_text(run.stdout, encoding="utf-8")
    for name, data in run.plots.items():
        (folder / name).write_bytes(data)
    meta = {
        "snippet": rel(run.snippet),
        "source_sha256": source_hash(run.snippet),
        "seconds": round(run.seconds, 2),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": "cpu",
        "date": dt.date.today().isoformat(),
        "plots": sorted(run.plots),
    }
    (folder / "run.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return folder


def load_record(snippet: Path) -> dict:
    """The recorded run of a snippet: its run.json plus `stdout`. Raises if there is none."""
    folder = output_dir(snippet)
    meta_file = folder / "run.json"
    if not meta_file.is_file():
        raise OutputError(f"{rel(snippet)} has no recorded output ({rel(folder)}/ is missing). "
                          f"Record it with: {refresh_command(snippet)}")
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["stdout"] = (folder / "stdout.txt").read_text(encoding="utf-8")
    return meta


def _tolerance(expected: str) -> float:
    """Noise allowed for a printed number: two units in its last printed digit, or 0.01 % of it."""
    mantissa, _, exponent = expected.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    unit = 10.0 ** (int(exponent or 0) - decimals)
    return 2 * unit + 1e-4 * abs(float(expected))


def line_matches(expected: str, actual: str) -> bool:
    """Same text around the numbers, and every number within its tolerance."""
    if NUMBER.split(expected) != NUMBER.split(actual):
        return False
    want, got = NUMBER.findall(expected), NUMBER.findall(actual)
    return len(want) == len(got) and all(
        abs(float(w) - float(g)) <= _tolerance(w) for w, g in zip(want, got))


def compare_stdout(expected: str, actual: str) -> str | None:
    """None if the outputs agree; else a short description of the first difference."""
    want, got = expected.splitlines(), actual.splitlines()
    for number, (w, g) in enumerate(zip(want, got), start=1):
        if not line_matches(w, g):
            return f"line {number} was\n    {w}\n  and is now\n    {g}"
    if len(want) != len(got):
        return f"it printed {len(got)} lines, the record has {len(want)}"
    return None


def check(run: Run) -> None:
    """Fail unless a fresh run reproduces the snippet's record (source, stdout and plot names)."""
    snippet = run.snippet
    meta = load_record(snippet)
    fix = f"If the change is intended, record the new output with: {refresh_command(snippet)}"
    if meta["source_sha256"] != source_hash(snippet):
        raise OutputError(f"{rel(snippet)} changed since its output was recorded, so the page shows a "
                          f"stale output. {fix}")
    difference = compare_stdout(meta["stdout"], run.stdout)
    if difference:
        raise OutputError(f"{rel(snippet)} printed something other than its recorded output: "
                          f"{difference}\n{fix}")
    if sorted(run.plots) != meta["plots"]:
        raise OutputError(f"{rel(snippet)} saved plots {sorted(run.plots)}, the record has "
                          f"{meta['plots']}. {fix}")


def value(snippet: Path, label: str) -> str:
    """The value printed on the line `label: value` of a snippet's recorded output."""
    stdout = load_record(snippet)["stdout"]
    for line in stdout.splitlines():
        key, sep, val = line.partition(": ")
        if sep and key.strip() == label:
            return val.strip()
    labels = [line.partition(": ")[0].strip() for line in stdout.splitlines() if ": " in line]
    raise OutputError(f'{rel(snippet)} prints no line labelled "{label}". Its labels: {labels}')


def all_snippets(root: Path = ROOT) -> list[Path]:
    """Every runnable snippet: snippets/**/*.py, except private files and folders (_*)."""
    snippets = root / "snippets"
    return sorted(p for p in snippets.rglob("*.py")
                  if not any(part.startswith("_") for part in p.relative_to(snippets).parts))
