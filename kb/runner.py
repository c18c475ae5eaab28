"""Run a snippet as `python snippets/<topic>/<name>.py`, fast and isolated, with a seed and no network.

A `Worker` (kb/worker.py) is a Python process that has imported torch, matplotlib and scikit-learn once;
it forks a fresh child per snippet, in its own temporary folder, with its own seed (`KB_SEED`), a
single-threaded environment and the network blocked. On a machine with a GPU, or with
`KB_RUNNER=fresh`, every snippet gets a fresh interpreter instead (a forked child must not share a CUDA
context). Either way the snippet prints and plots the same.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kb.paths import ROOT, rel
from kb.plotdata import SIDECAR_DIR

# PyTorch picks its CPU kernels at run time by instruction set (MKL, oneDNN and ATen each on its own),
# and other kernels add floats in another order. These settings imitate other CPUs on this one:
# "baseline" an x86 CPU without AVX (the kernels every x86-64 CPU has), "avx2" one without AVX-512.
KERNELS = {
    "native": {},
    "baseline": {
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
        "ONEDNN_MAX_CPU_ISA": "SSE41",
        "ATEN_CPU_CAPABILITY": "default",
    },
    "avx2": {"MKL_ENABLE_INSTRUCTIONS": "AVX2"},
}
TIMEOUT_S = 180  # a hard stop (a busy machine is slow); the budgets are measured by `python -m kb bench`


class SnippetFailed(Exception):
    """A snippet exited with an error, timed out or tried the network. The message says what to fix."""


@dataclass
class Run:
    snippet: Path
    stdout: str
    seconds: float
    seed: int = 0
    plots: dict[str, bytes] = field(default_factory=dict)
    # {name.png: what it shows}, kb/plotdata.py
    plot_data: dict[str, dict] = field(default_factory=dict)
    kernels: str = "native"


def snippet_env(kernels: str = "native") -> dict[str, str]:
    """The environment of every run, so results do not depend on the machine's core count; with
    `kernels`, the CPU kernels of another kind of CPU (KERNELS)."""
    env = dict(os.environ)
    env.update(KERNELS[kernels])
    env.update(
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MPLBACKEND="Agg",
        PYTHONHASHSEED="0",
        PYTHONPATH=str(ROOT),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("KB_SEED", None)
    return env


def use_fork() -> bool:
    if os.environ.get("KB_RUNNER") == "fresh" or not hasattr(os, "fork"):
        return False
    return not (Path("/dev/nvidiactl").exists() or shutil.which("nvidia-smi"))


class Worker:
    """One worker process; `run` is not thread-safe, so use one Worker per thread (see `run`)."""

    def __init__(
        self,
        fork: bool = True,
        preload: set[str] | None = None,
        kernels: str = "native",
    ):
        self.fork = fork
        self.kernels = kernels
        self.preload = preload  # top-level packages to import up front; None: all that snippets use
        self.process: subprocess.Popen | None = None

    def _start(self, *args: str) -> subprocess.Popen:
        if self.preload is not None:
            args += (f"--preload={','.join(sorted(self.preload)) or 'none'}",)
        return subprocess.Popen(
            [sys.executable, "-m", "kb.worker", *args],
            cwd=ROOT,
            env=snippet_env(self.kernels),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _ask(self, request: dict) -> dict:
        if not self.fork:
            process = self._start("--no-fork")
            try:
                out, _ = process.communicate(
                    json.dumps(request) + "\n", timeout=request["timeout"] + 30
                )
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                return {
                    "code": None,
                    "timed_out": True,
                    "seconds": request["timeout"],
                }
            return (
                json.loads(out)
                if out.strip()
                else {"code": process.returncode, "seconds": 0.0}
            )
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:  # the worker itself died (out of memory, killed): start a new one next time
            self.process = None
            return {"code": None, "seconds": 0.0, "worker_died": True}
        return json.loads(answer)

    def _execute(
        self, snippet: Path, seed: int, timeout: float, source: str | None
    ):
        """Run in a fresh temporary folder: (answer, stdout, stderr, network, plots, plot data)."""
        with tempfile.TemporaryDirectory(prefix="snippet-") as workdir:
            request = {
                "snippet": str(snippet),
                "name": rel(snippet),
                "workdir": workdir,
                "seed": seed,
                "timeout": timeout,
            }
            if source is not None:
                request["source"] = source
            answer = self._ask(request)
            folder = Path(workdir)
            plots = {
                p.name: p.read_bytes() for p in sorted(folder.glob("*.png"))
            }
            plot_data = {
                p.stem + ".png": json.loads(p.read_text(encoding="utf-8"))
                for p in sorted((folder / SIDECAR_DIR).glob("*.json"))
            }
            return (
                answer,
                _read(folder / ".kb-stdout.txt"),
                _read(folder / ".kb-stderr.txt"),
                _read(folder / ".kb-network-attempt"),
                plots,
                plot_data,
            )

    def run_source(
        self, snippet: Path, source: str, timeout: float = TIMEOUT_S
    ) -> tuple[int | None, str]:
        """Run `source` as if it were the snippet's file (its folder importable, `__file__` its
        path); (exit code, stderr). None as the code: it timed out or its worker died."""
        snippet = Path(snippet).resolve()
        answer, _, stderr, network, _, _ = self._execute(
            snippet, 0, timeout, source
        )
        if network:
            raise SnippetFailed(
                f"{rel(snippet)} (changed) tried to open a network connection"
            )
        return answer.get("code"), stderr

    def run(
        self, snippet: Path, seed: int = 0, timeout: float = TIMEOUT_S
    ) -> Run:
        snippet = Path(snippet).resolve()
        if not snippet.is_file():
            raise SnippetFailed(f"{rel(snippet)}: no such snippet file.")
        answer, stdout, stderr, network, plots, plot_data = self._execute(
            snippet, seed, timeout, None
        )
        where = rel(snippet) + describe_run(seed, self.kernels)
        if answer.get("timed_out"):
            raise SnippetFailed(
                f"{where}: still running after {timeout:.0f} s and was stopped. "
                "Make it smaller: snippets must run in seconds on a CPU."
            )
        if network:
            raise SnippetFailed(
                f"{where} tried to open a network connection ({network.strip()}). "
                "Nothing may download: use data a package ships or data the snippet "
                f"generates.\n{stderr.strip()[-2000:]}"
            )
        if answer.get("worker_died"):
            raise SnippetFailed(
                f"{where}: the worker running it died (out of memory?)."
            )
        if answer["code"] != 0:
            raise SnippetFailed(
                f"{where} failed (exit code {answer['code']}). Fix the snippet; "
                f"its error:\n{stderr.strip()[-3000:]}"
            )
        return Run(
            snippet,
            stdout,
            answer["seconds"],
            seed,
            plots,
            plot_data,
            self.kernels,
        )

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        self.process = None


def _read(path: Path) -> str:
    return (
        path.read_text(encoding="utf-8", errors="replace")
        if path.exists()
        else ""
    )


_local = threading.local()
_preload: set[str] | None = None


def preload_only(packages: set[str]) -> None:
    """Workers started from now on import only these top-level packages up front (`kb check` of a
    few snippets: importing scikit-learn for a snippet that does not use it costs a second)."""
    global _preload
    _preload = set(packages)


def describe_run(seed: int, kernels: str) -> str:
    """' (seed 1, baseline kernels)' for a run other than the recorded one; '' for that one."""
    parts = ([f"seed {seed}"] if seed else []) + (
        [f"{kernels} kernels"] if kernels != "native" else []
    )
    return f" ({', '.join(parts)})" if parts else ""


def run(
    snippet: Path,
    seed: int = 0,
    timeout: float = TIMEOUT_S,
    kernels: str = "native",
) -> Run:
    """Run a snippet with this thread's worker for these kernels (started on first use)."""
    return _worker(kernels).run(snippet, seed, timeout)


def run_source(
    snippet: Path, source: str, timeout: float = TIMEOUT_S
) -> tuple[int | None, str]:
    """Run changed code as the snippet's file, with this thread's worker: (exit code, stderr)."""
    return _worker("native").run_source(snippet, source, timeout)


def _worker(kernels: str) -> Worker:
    workers = _local.__dict__.setdefault("workers", {})
    if kernels not in workers:
        workers[kernels] = Worker(
            fork=use_fork(), preload=_preload, kernels=kernels
        )
    return workers[kernels]
