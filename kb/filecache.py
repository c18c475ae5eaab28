"""Results computed from files, remembered while the files' contents stay the same.

A build checks the freshness of every snippet on every page and zips the snippets of every topic;
`mkdocs serve` rebuilds the whole site on each edit. Parsing and zipping once per file version keeps
both cheap. A file's version is a hash of its bytes, not its mtime, which a rewrite within the file
system's clock tick keeps.

A process remembers in memory. The build also keeps that memory between runs (`load` at its start,
`save` at its end, in .cache/kb/), so a warm `mkdocs build` in a new process parses and zips only
what changed. The saved memory belongs to one version of kb's code and of Python: results depend on
both, so a change to either discards it.

Within one build, results that read several files (a snippet's fingerprint, its record) are also
remembered until the build ends (`begin_build`, `per_build`, `end_build`): the pages of one build
share a snippet, and read its files once.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path

from kb.paths import ROOT

CACHE_FILE = ROOT / ".cache" / "kb" / "filecache.pickle"

_memory: dict = {}
_durable: set = set()  # keys used since the last save: what the next save keeps
_this_build: dict | None = None  # None outside a build


def digest(data: bytes) -> str:
    """A hash of some bytes, to key a result computed from them."""
    return hashlib.blake2b(data).hexdigest()


def stamp(path: Path) -> tuple[str, str]:
    """A file's path and a hash of its bytes: reading is cheap, parsing and zipping are not."""
    return str(path), digest(Path(path).read_bytes())


def memo(key: tuple, compute, durable: bool = True):
    """compute(), remembered under key (which must name the versions of the files it reads).

    durable=False: remembered by this process only (a key made of mtimes, say, which another
    process cannot trust)."""
    if key not in _memory:
        _memory[key] = compute()
    if durable:
        _durable.add(key)
    return _memory[key]


def cached(kind: str, path: Path, compute):
    """compute(path), remembered while the file is unchanged."""
    return memo((kind, *stamp(path)), lambda: compute(Path(path)))


def begin_build() -> None:
    """Start a build: what per_build remembers lasts until end_build (or the next begin_build)."""
    global _this_build
    _this_build = {}


def end_build() -> None:
    global _this_build
    _this_build = None


def per_build(key: tuple, compute):
    """compute(), remembered until the build ends: files do not change within one build. Outside a
    build (tests, `kb check`), computed on every call."""
    if _this_build is None:
        return compute()
    if key not in _this_build:
        _this_build[key] = compute()
    return _this_build[key]


def code_version() -> str:
    """A hash of kb's code and the Python version: what every remembered result also depends on."""
    digest = hashlib.blake2b(sys.version.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + module.read_bytes())
    return digest.hexdigest()


def load(path: Path = CACHE_FILE) -> int:
    """Remember what an earlier process saved with the same code; the number of results taken.

    A missing, damaged or older file is ignored: everything is computed again."""
    try:
        with open(path, "rb") as file:
            version, entries = pickle.load(file)
    # any unreadable cache only costs the time to compute it again
    except Exception:
        return 0
    if version != code_version() or not isinstance(entries, dict):
        return 0
    for key, value in entries.items():
        _memory.setdefault(key, value)
    return len(entries)


def save(path: Path = CACHE_FILE) -> int:
    """Write the results used since the last save; the number written.

    Results nobody asked for since are dropped, so the file does not grow with every edit."""
    entries = {key: _memory[key] for key in _durable if key in _memory}
    _durable.clear()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    with open(partial, "wb") as file:
        pickle.dump((code_version(), entries), file, pickle.HIGHEST_PROTOCOL)
    # another build reading it sees the old file or the new, never half of one
    os.replace(partial, path)
    return len(entries)
