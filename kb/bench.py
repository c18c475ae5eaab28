"""`python -m kb bench`: the performance budgets, measured (a benchmark, not a timed test).

Budgets: each snippet <= 10 s wall on a 2-core CPU (interpreter start-up and `import torch`
included), the README's test command (`pytest`) <= 5 min, a warm `mkdocs build` <= 15 s.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from kb import outputs
from kb.paths import ROOT, rel

SNIPPET_BUDGET_S, TESTS_BUDGET_S, WARM_BUILD_BUDGET_S = 10, 300, 15


def _timed(command: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    code = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return time.perf_counter() - start, code


def _verdict(seconds: float, budget: float) -> str:
    return "ok" if seconds <= budget else f"OVER {budget:.0f} s"


def main(snippets_only: bool = False) -> int:
    over = 0
    print(f"{'snippet':60} {'wall s':>7}")
    total = 0.0
    for snippet in outputs.all_snippets():
        try:
            seconds = outputs.run_snippet(snippet).seconds  # one at a time, single-threaded
        except outputs.OutputError as error:
            print(f"{rel(snippet):60} FAILED: {str(error).splitlines()[0]}")
            over += 1
            continue
        total += seconds
        over += seconds > SNIPPET_BUDGET_S
        print(f"{rel(snippet):60} {seconds:7.1f}  {_verdict(seconds, SNIPPET_BUDGET_S)}")
    print(f"{'all snippets, one after another':60} {total:7.1f}")
    if snippets_only:
        return 1 if over else 0

    with tempfile.TemporaryDirectory() as site:
        build = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site]
        _timed(build)  # warms the notebook cache
        seconds, code = _timed(build)
    over += seconds > WARM_BUILD_BUDGET_S or code != 0
    print(f"{'warm mkdocs build --strict':60} {seconds:7.1f}  {_verdict(seconds, WARM_BUILD_BUDGET_S)}"
          + ("" if code == 0 else f" (exit code {code})"))

    seconds, code = _timed([sys.executable, "-m", "pytest", "-q"])
    over += seconds > TESTS_BUDGET_S or code != 0
    print(f"{'pytest (the README test command)':60} {seconds:7.1f}  {_verdict(seconds, TESTS_BUDGET_S)}"
          + ("" if code == 0 else f" (exit code {code})"))
    return 1 if over else 0
