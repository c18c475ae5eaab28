"""Verified results, remembered: a snippet that passed against its record is not run again until
something that could change the verdict changed.

A verdict depends on the snippet's code and the code of the local modules it imports, its record
(stdout, plots, what they show, run.json, seeds.json), kb's code that runs and compares it, the
Python and package versions, the CPU and its kernel setting, and the seed. `needs_run` compares
each of those with what they were when the same run last passed and says which changed; only a pass
is remembered (`remember`), so a failure runs again next time. `KB_NO_CACHE=1` (or
`pytest --no-kb-cache`) runs everything. The memory lives in .cache/kb/verified/, one small JSON
file per snippet, seed and kernel setting, so parallel test workers never write the same file.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from kb import outputs, runner
from kb.filecache import digest
from kb.paths import ROOT, rel

CACHE_DIR = ROOT / ".cache" / "kb" / "verified"
# kb's code that decides a verdict: how a snippet runs and how its output is compared
DECIDING_CODE = (
    "outputs.py",
    "plotdata.py",
    "runner.py",
    "worker.py",
    "paths.py",
)


def enabled() -> bool:
    return os.environ.get("KB_NO_CACHE", "") in ("", "0")


@lru_cache(maxsize=1)
def _environment() -> dict[str, str]:
    """What a verdict depends on besides the snippet: the same for every snippet of a run."""
    packages = sorted(
        f"{d.metadata['Name']}=={d.version}".lower()
        for d in metadata.distributions()
    )
    kb = b"".join((ROOT / "kb" / name).read_bytes() for name in DECIDING_CODE)
    return {
        "python": sys.version,
        "packages": digest("\n".join(packages).encode()),
        "kb": digest(kb),
        "cpu": digest(_cpu().encode()),
    }


def _cpu() -> str:
    """The CPU's model and instruction sets, which decide PyTorch's kernels; the platform elsewhere."""
    described = [platform.machine(), platform.system()]
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                name = line.partition(":")[0].strip()
                if name in ("model name", "flags", "Features", "CPU part"):
                    described.append(line.strip())
                if len(described) >= 5:
                    break
    except OSError:
        described.append(platform.processor())
    return "\n".join(described)


def _record(snippet: Path) -> str:
    folder = outputs.output_dir(snippet)
    files = (
        sorted(p for p in folder.iterdir() if p.is_file())
        if folder.is_dir()
        else []
    )
    return digest(b"".join(p.name.encode() + p.read_bytes() for p in files))


def _kernels(kernels: str) -> str:
    """The kernel setting: the named one and whatever the environment already pins."""
    pinned = {
        k: v
        for k, v in os.environ.items()
        if k.startswith(("MKL_", "ONEDNN_", "ATEN_", "OMP_", "DNNL_"))
    }
    pinned.update(runner.KERNELS[kernels])
    return json.dumps([kernels, sorted(pinned.items())])


def parts(snippet: Path, seed: int, kernels: str) -> dict[str, str]:
    """Everything that can change a verdict, each as a short hash or a value."""
    return {
        "code": digest(
            json.dumps(outputs.fingerprint(snippet), sort_keys=True).encode()
        ),
        "record": _record(snippet),
        **_environment(),
        "kernels": _kernels(kernels),
        "seed": str(seed),
    }


def _file(snippet: Path, seed: int, kernels: str) -> Path:
    name = rel(snippet).removesuffix(".py").replace("/", "__")
    return CACHE_DIR / f"{name}.seed{seed}.{kernels}.json"


WHY = {
    "code": "its code or a module it imports changed",
    "record": "its record changed",
    "kb": "kb's runner or comparison changed",
    "packages": "the installed packages changed",
    "python": "the Python version changed",
    "cpu": "another CPU",
    "kernels": "another kernel setting",
    "seed": "another seed",
}


def needs_run(
    snippet: Path, seed: int = 0, kernels: str = "native"
) -> str | None:
    """None when this run passed before with everything that decides it unchanged; else why not."""
    if not enabled():
        return "the cache is off (KB_NO_CACHE / --no-kb-cache)"
    path = _file(snippet, seed, kernels)
    try:
        before = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "not verified on this machine before"
    now = parts(snippet, seed, kernels)
    changed = [WHY[k] for k in now if before.get(k) != now[k]]
    return "; ".join(changed) if changed else None


def remember(snippet: Path, seed: int = 0, kernels: str = "native") -> None:
    """Remember a pass. Written to a new file and renamed: a reader never sees half a file."""
    if not enabled():
        return
    write_json(_file(snippet, seed, kernels), parts(snippet, seed, kernels))


def write_json(path: Path, data) -> None:
    """Written to a new file and renamed: a reader (another test worker) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(path)


def verify(snippet: Path, seed: int = 0, kernels: str = "native") -> str | None:
    """Check a snippet's run against its record unless it passed before with nothing changed.
    Returns why it ran (None: it did not need to); raises outputs.OutputError when it fails."""
    why = needs_run(snippet, seed, kernels)
    if why is None:
        return None
    outputs.check(outputs.run_snippet(snippet, seed, kernels))
    remember(snippet, seed, kernels)  # only a pass is remembered
    return why


# Checks of the built site (the browser tests) are remembered the same way, keyed on the site's
# files and on what loads them.
SITE_UNREAD = {
    "sitemap.xml",
    "sitemap.xml.gz",
}  # they carry the build's date; no page loads them


def site_digest(site: Path) -> str:
    """One hash of every file of a built site, by path and content."""
    files = sorted(
        p for p in site.rglob("*") if p.is_file() and p.name not in SITE_UNREAD
    )
    return digest(
        b"".join(
            p.relative_to(site).as_posix().encode() + p.read_bytes()
            for p in files
        )
    )


def check_needs_run(name: str, now: dict[str, str]) -> str | None:
    """None when the check `name` passed before with the same `now`; else why it must run."""
    if not enabled():
        return "the cache is off (KB_NO_CACHE / --no-kb-cache)"
    try:
        before = json.loads(
            (CACHE_DIR / f"check__{name}.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return "not verified on this machine before"
    changed = [k for k in now if before.get(k) != now[k]]
    return f"changed: {', '.join(changed)}" if changed else None


def remember_check(name: str, now: dict[str, str]) -> None:
    """Remember that the check `name` passed with `now` (a pass only, as for snippets)."""
    if not enabled():
        return
    write_json(CACHE_DIR / f"check__{name}.json", now)


def binary_stamp(program: str) -> str:
    """A program's real path, size and time: another build of it (an upgrade) changes the stamp."""
    binary = Path(program).resolve()
    stat = binary.stat()
    return f"{binary} {stat.st_size} {stat.st_mtime_ns}"


def browser_parts(site: Path, test_file: Path, chromium: str) -> dict[str, str]:
    """What a browser check's verdict depends on: the site, the test's code, the browser, packages."""
    return {
        "site": site_digest(site),
        "test": digest(test_file.read_bytes()),
        "chromium": binary_stamp(chromium),
        **_environment(),
    }


def download_parts(
    snippet: Path, download: bytes, test_file: Path
) -> dict[str, str]:
    """What a download's run outside the repository depends on: the download itself (a notebook or a
    zip, with every module it carries), the snippet's record, the test's code, the packages."""
    return {
        "download": digest(download),
        "record": _record(snippet),
        "test": digest(test_file.read_bytes()),
        **_environment(),
    }


def control_parts(snippet: Path, control: dict) -> dict[str, str]:
    """What a negative control's verdict depends on: the snippet's code, the control, the packages."""
    return {
        "code": digest(
            json.dumps(outputs.fingerprint(snippet), sort_keys=True).encode()
        ),
        "control": digest(json.dumps(control, sort_keys=True).encode()),
        **_environment(),
    }
