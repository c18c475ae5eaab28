"""`python -m kb bench`: the performance budgets, measured (a benchmark, not a timed test).

    snippet compute              each <= 10 s, median <= 3 s (single-threaded, after imports)
    runner overhead              <= 0.2 s a snippet over its own compute
    python -m kb check SNIPPET   about the snippet's compute (plus one start of the worker)
    make_shapes(2000)            <= 1 s (the shared data set must stay cheap)
    mkdocs build                 cold <= 15 s, warm <= 3 s
    pytest (README's command)    <= 150 s, and it must pass; cold <= 1.3 x the snippet runs / cores,
                                 again with nothing changed <= 15 % of cold, after editing one
                                 snippet <= 25 % of cold (kb/verified.py)

Run it on a quiet machine: every figure is wall time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kb import outputs, runner
from kb.paths import ROOT, rel

SNIPPET_BUDGET_S, MEDIAN_BUDGET_S, OVERHEAD_BUDGET_S = 10.0, 3.0, 0.2
SHAPES_BUDGET_S, COLD_BUILD_BUDGET_S, WARM_BUILD_BUDGET_S, TESTS_BUDGET_S = (
    1.0,
    15.0,
    3.0,
    150.0,
)
EMPTY_SNIPPET = '"""Does nothing: what is left of its run time is the runner\'s own cost."""\n'


class Report:
    def __init__(self):
        self.over = 0

    def line(
        self,
        what: str,
        seconds: float,
        budget: float | None = None,
        note: str = "",
        failed: bool = False,
    ) -> None:
        verdict = ""
        if budget is not None or failed:
            bad = failed or (budget is not None and seconds > budget)
            self.over += bad
            verdict = "FAILED" if failed else ("over budget" if bad else "ok")
            verdict += f" (budget {budget:g} s)" if budget is not None else ""
        print(
            f"{what:58} {seconds:8.2f}  {verdict}{'  ' + note if note else ''}",
            flush=True,
        )


def _timed(command: list[str], cwd: Path = ROOT) -> tuple[float, int]:
    start = time.perf_counter()
    code = subprocess.run(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).returncode
    return time.perf_counter() - start, code


def bench_snippets(report: Report) -> dict[Path, float]:
    worker = runner.Worker(fork=runner.use_fork())
    computes = {}
    for snippet in outputs.all_snippets():
        try:
            seconds = worker.run(snippet).seconds
        except runner.SnippetFailed as error:
            report.line(
                rel(snippet), 0.0, failed=True, note=str(error).splitlines()[0]
            )
            continue
        computes[snippet] = seconds
        report.line(rel(snippet), seconds, SNIPPET_BUDGET_S)
    report.line(
        f"median of {len(computes)} snippets",
        statistics.median(computes.values()),
        MEDIAN_BUDGET_S,
    )
    report.line("all snippets, one after another", sum(computes.values()))
    overheads = []
    with tempfile.TemporaryDirectory(
        dir=ROOT / "snippets", prefix="_bench_"
    ) as folder:
        empty = Path(folder) / "empty.py"
        empty.write_text(EMPTY_SNIPPET)
        for _ in range(10):
            start = time.perf_counter()
            worker.run(empty)
            overheads.append(time.perf_counter() - start)
    worker.close()
    report.line(
        "runner overhead a snippet (median of 10 empty runs)",
        statistics.median(overheads),
        OVERHEAD_BUDGET_S,
    )
    return computes


def bench_check(report: Report) -> None:
    snippet = ROOT / "snippets" / "deconvolution" / "adjoint.py"
    compute = runner.Worker(fork=runner.use_fork()).run(snippet).seconds
    seconds, code = _timed([sys.executable, "-m", "kb", "check", rel(snippet)])
    report.line(
        f"python -m kb check {rel(snippet)}",
        seconds,
        failed=code != 0,
        note=f"its compute {compute:.2f} s; the rest starts Python and imports torch once",
    )


def bench_shapes(report: Report) -> None:
    sys.path.insert(0, str(ROOT / "snippets" / "shapes"))
    from shapes import make_shapes

    times = []
    for _ in range(3):
        start = time.perf_counter()
        make_shapes(2000, max_shapes=3, seed=0)
        times.append(time.perf_counter() - start)
    report.line(
        "make_shapes(2000, max_shapes=3), best of 3",
        min(times),
        SHAPES_BUDGET_S,
    )


SERVE_REBUILD = """
import sys, time
from mkdocs.commands.build import build
from mkdocs.config import load_config

def once():
    config = load_config("mkdocs.yml", strict=True, site_dir=sys.argv[1])
    config.plugins.on_startup(command="serve", dirty=False)
    start = time.perf_counter()
    build(config)
    return time.perf_counter() - start

once()
print(min(once() for _ in range(3)))
"""

# A warm build as `mkdocs build` runs it, timing kb's hook apart from MkDocs and its plugins.
SPLIT_BUILD = """
import sys, time
from mkdocs.commands.build import build
from mkdocs.config import load_config

config = load_config("mkdocs.yml", strict=True, site_dir=sys.argv[1])
in_kb = 0.0

def timed(callback):
    def run(*args, **kwargs):
        global in_kb
        start = time.perf_counter()
        try:
            return callback(*args, **kwargs)
        finally:
            in_kb += time.perf_counter() - start
    return run

for event, callbacks in config.plugins.events.items():
    callbacks[:] = [timed(c) if getattr(c, "__module__", None) in config["hooks"] else c
                    for c in callbacks]
config.plugins.on_startup(command="build", dirty=False)
start = time.perf_counter()
build(config)
print(time.perf_counter() - start, in_kb)
"""


def _best_of_3(command: list[str]) -> tuple[float, int]:
    runs = [_timed(command) for _ in range(3)]
    return min(seconds for seconds, _ in runs), max(code for _, code in runs)


def bench_build(report: Report) -> None:
    cache = ROOT / ".cache"
    with tempfile.TemporaryDirectory() as site:
        build = [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--site-dir",
            site,
        ]
        shutil.rmtree(cache, ignore_errors=True)
        seconds, code = _timed(build)
        report.line(
            "cold mkdocs build --strict (no cache)",
            seconds,
            COLD_BUILD_BUDGET_S,
            failed=code != 0,
        )
        seconds, code = _best_of_3(build)
        report.line(
            "warm mkdocs build --strict (a new process), best of 3",
            seconds,
            WARM_BUILD_BUDGET_S,
            failed=code != 0,
        )
        bench_build_parts(report, site)
        rebuild = subprocess.run(
            [sys.executable, "-c", SERVE_REBUILD, site],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        seconds = (
            float(rebuild.stdout.split()[-1])
            if rebuild.returncode == 0
            else 0.0
        )
        report.line(
            "warm rebuild in mkdocs serve (after an edit), best of 3",
            seconds,
            WARM_BUILD_BUDGET_S,
            failed=rebuild.returncode != 0,
            note="Python start and imports excluded: serve pays them once",
        )


def bench_build_parts(report: Report, site: str) -> None:
    """Where a warm build's time goes: the fastest of 3 builds, timed in parts, and what importing
    mkdocs-jupyter adds to the imports MkDocs and Material need anyway."""
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", SPLIT_BUILD, site],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        if done.returncode != 0:
            report.line("  a warm build, timed in parts", wall, failed=True)
            return
        building, in_kb = map(float, done.stdout.split()[-2:])
        runs.append((wall, building, in_kb))
    wall, building, in_kb = min(runs)
    report.line(
        "  start Python, import MkDocs, its plugins and kb", wall - building
    )
    # what importing mkdocs-jupyter adds to MkDocs and Material, imported anyway
    others = "import mkdocs.commands.build, material.plugins.search.plugin"
    without, _ = _best_of_3([sys.executable, "-c", others])
    with_it, _ = _best_of_3(
        [sys.executable, "-c", others + ", mkdocs_jupyter.plugin"]
    )
    report.line(
        "    of which: import mkdocs-jupyter",
        with_it - without,
        note="it imports nbconvert and jupytext",
    )
    report.line("  the build itself (mkdocs prints it as 'built in')", building)
    report.line(
        "    of which: kb's hook (directives, checks, downloads)", in_kb
    )
    report.line(
        "    of which: Markdown, Material search, templates, writing",
        building - in_kb,
        note="MkDocs and its plugins; highlighting and search parsing from kb's cache",
    )


def bench_tests(report: Report, computes: dict[Path, float]) -> None:
    """pytest cold (no verified run remembered), warm (nothing changed) and after one snippet changed."""
    from kb import verified

    shutil.rmtree(verified.CACHE_DIR, ignore_errors=True)
    cold, code = _timed([sys.executable, "-m", "pytest", "-q"])
    report.line(
        "pytest, cold (the README's test command)",
        cold,
        TESTS_BUDGET_S,
        failed=code != 0,
        note=f"exit code {code}",
    )
    # the floor: the snippet runs the suite makes (each twice: here and on the baseline kernels),
    # at best spread evenly over the cores
    cores = os.cpu_count() or 1
    floor = 2 * sum(computes.values()) / cores
    report.line(
        f"  its snippet runs ({len(computes)} x 2) / {cores} cores, the floor",
        floor,
        note="snippet compute only; the rest is the build, browser and download tests",
    )
    report.line("  cold / floor (target <= 1.3)", cold / floor, None)
    report.over += cold > 1.3 * floor
    warm, code = _timed([sys.executable, "-m", "pytest", "-q"])
    report.line(
        "pytest again, nothing changed",
        warm,
        0.15 * cold,
        failed=code != 0,
        note=f"{warm / cold:.0%} of cold (target <= 15%)",
    )
    snippet = ROOT / "snippets" / "dropout" / "inverted_dropout.py"
    with _edited(snippet):
        edited, code = _timed([sys.executable, "-m", "pytest", "-q"])
    report.line(
        f"pytest after editing {rel(snippet)}",
        edited,
        0.25 * cold,
        failed=code != 0,
        note=f"{edited / cold:.0%} of cold (target <= 25%)",
    )


@contextlib.contextmanager
def _edited(snippet: Path):
    """A code change that keeps the output, recorded as `refresh` would record it; undone after."""
    folder = outputs.output_dir(snippet)
    saved = {p: p.read_bytes() for p in [snippet, *folder.glob("*.json")]}
    try:
        snippet.write_text(snippet.read_text() + "\n_BENCH_EDIT = True\n")
        outputs.restamp(snippet)
        yield
    finally:
        for path, data in saved.items():
            path.write_bytes(data)


def main(snippets_only: bool = False, build_only: bool = False) -> int:
    report = Report()
    print(f"{'what':58} {'wall s':>8}")
    if build_only:
        bench_build(report)
        print("over budget" if report.over else "all within budget")
        return 1 if report.over else 0
    computes = bench_snippets(report)
    if not snippets_only:
        bench_check(report)
        bench_shapes(report)
        bench_build(report)
        bench_tests(report, computes)
        print(
            f"\n{len(computes)} snippets; pytest budget {TESTS_BUDGET_S:g} s on 2 cores"
        )
    print("over budget" if report.over else "all within budget")
    return 1 if report.over else 0
