"""Tests remembered: a test that passed is not run again while nothing it could read has changed.

Snippet runs have a finer memory (kb/verified.py: a snippet's own code, modules and record). The
other tests (builds of temporary sites, the runner, the scaffold, the browser, the Markdown fences)
may read any file of the repository, so a pass is remembered against all of them at once: every
file git tracks or would track, the Python and package versions, the CPU, Chromium, and the
variables that steer the suite (KB_*, CI, the kernel pins). Change any file and every such test runs
again. Only a pass is remembered: a failure, an error or a skip runs again next time. Outside a git
checkout nothing is remembered. `pytest --no-kb-cache` (KB_NO_CACHE=1) runs everything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cached_property
from pathlib import Path

import pytest

from kb import verified
from kb.filecache import digest

KEEP_LISTINGS = 10  # file listings kept to explain a rerun (about 0.2 MB each)
STEERING = ("KB_", "CI", "MKL_", "ONEDNN_", "ATEN_", "OMP_", "DNNL_")


def memory_dir(root: Path) -> Path:
    return root / ".cache" / "kb" / "verified" / "tests"


def repository_files(root: Path) -> dict[str, str] | None:
    """Every file git tracks or would track (not ignored), by path: a hash of its bytes."""
    try:
        listed = subprocess.run(
            [
                "git",
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    files = {}
    for name in sorted(set(listed.decode().split("\0")) - {""}):
        path = root / name
        try:
            files[name] = digest(path.read_bytes())
        except OSError:  # removed since git listed it, or not a file
            files[name] = "missing"
    return files


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return verified.binary_stamp(found) if found else "none"


def environment() -> dict[str, str]:
    """What a test's verdict depends on besides the repository's files."""
    steering = sorted(
        (k, v) for k, v in os.environ.items() if k.startswith(STEERING)
    )
    return {
        **verified._environment(),
        "chromium": _chromium(),
        "variables": digest(json.dumps(steering).encode()),
    }


WHY = {
    "python": "the Python version changed",
    "packages": "the installed packages changed",
    "kb": "kb's code changed",
    "cpu": "another CPU",
    "chromium": "Chromium changed",
    "variables": "KB_*, CI or kernel variables changed",
}


class Memory:
    """The remembered passes of one repository's tests (one small JSON file a test)."""

    def __init__(self, root: Path):
        self.root = root
        self.folder = memory_dir(root)

    @cached_property
    def files(self) -> dict[str, str] | None:
        return repository_files(self.root)

    @cached_property
    def now(self) -> dict[str, str]:
        return {
            "files": digest(json.dumps(self.files).encode()),
            **environment(),
        }

    def _path(self, nodeid: str) -> Path:
        return self.folder / f"{digest(nodeid.encode())[:24]}.json"

    def needs_run(self, nodeid: str) -> str | None:
        """None when `nodeid` passed before with nothing it could read changed; else why not."""
        if not verified.enabled():
            return "the cache is off (KB_NO_CACHE / --no-kb-cache)"
        if self.files is None:
            return "not a git checkout, so nothing is remembered"
        try:
            before = json.loads(self._path(nodeid).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "not verified on this machine before"
        if before.get("nodeid") != nodeid:
            return "not verified on this machine before"
        changed = [WHY[k] for k in WHY if before.get(k) != self.now[k]]
        if before.get("files") != self.now["files"]:
            changed.insert(0, self._changed_files(before.get("files", "")))
        return "; ".join(changed) if changed else None

    def _changed_files(self, files_before: str) -> str:
        try:
            before = json.loads(
                (self.folder / f"files-{files_before}.json").read_text(
                    encoding="utf-8"
                )
            )
        except (OSError, ValueError):
            return "the repository's files changed"
        changed = sorted(
            name
            for name in before.keys() | self.files.keys()
            if before.get(name) != self.files.get(name)
        )
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        return f"files changed: {', '.join(changed[:3])}{more}"

    def remember(self, nodeid: str) -> None:
        """Remember a pass, and the file list it was keyed on (to say later what changed)."""
        if not verified.enabled() or self.files is None:
            return
        listing = self.folder / f"files-{self.now['files']}.json"
        if not listing.exists():
            verified.write_json(listing, self.files)
            self._forget_old_listings()
        verified.write_json(self._path(nodeid), {"nodeid": nodeid, **self.now})

    def _forget_old_listings(self, keep: int = KEEP_LISTINGS) -> None:
        """A listing only names what changed since a remembered pass; keep the newest few."""
        try:  # another test worker may be pruning the same folder
            listings = sorted(
                self.folder.glob("files-*.json"),
                key=lambda p: p.stat().st_mtime_ns,
            )
            for old in listings[:-keep]:
                old.unlink(missing_ok=True)
        except FileNotFoundError:
            pass


class Plugin:
    """The pytest side: a remembered test is reported passed without running; a pass is remembered."""

    KEY = "kb-test"

    def __init__(self, root: Path):
        self.memory = Memory(root)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        why = self.memory.needs_run(item.nodeid)
        item.user_properties.append((self.KEY, why or ""))
        if why is not None:
            return None  # pytest runs it
        hook = item.ihook
        hook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        for when in ("setup", "call", "teardown"):
            # at teardown, what pytest's own teardown does to fixtures: finish those that earlier
            # tests set up and the next test does not need (the plugins' hooks expect a setup)
            run = (
                (lambda: item.session._setupstate.teardown_exact(nextitem))
                if when == "teardown"
                else (lambda: None)
            )
            call = pytest.CallInfo.from_call(run, when=when)
            report = hook.pytest_runtest_makereport(item=item, call=call)
            hook.pytest_runtest_logreport(report=report)
        hook.pytest_runtest_logfinish(
            nodeid=item.nodeid, location=item.location
        )
        return True

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if dict(item.user_properties).get(self.KEY) == "":
            return  # reported from memory, nothing ran
        passed = item.__dict__.setdefault("_kb_passed", [])
        passed.append(report.passed)
        if report.when == "teardown" and passed == [True, True, True]:
            self.memory.remember(item.nodeid)

    def pytest_terminal_summary(self, terminalreporter):
        reports = [
            r
            for kind in ("passed", "failed", "error")
            for r in terminalreporter.stats.get(kind, [])
            if r.when == "call" and self.KEY in dict(r.user_properties)
        ]
        if not reports:
            return
        ran = [dict(r.user_properties)[self.KEY] for r in reports]
        reasons: dict[str, int] = {}
        for why in filter(None, ran):
            reasons[why] = reasons.get(why, 0) + 1
        terminalreporter.section("kb: tests remembered")
        terminalreporter.write_line(
            f"{ran.count('')} passed before with no file, package or setting changed "
            f"(not run again), {len(ran) - ran.count('')} ran; `pytest --no-kb-cache` runs all"
        )
        for why, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"  {count} because {why}")
