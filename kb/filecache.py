"""Results computed from files, remembered while the files' contents stay the same.

A build checks the freshness of every snippet on every page and zips the snippets of every topic;
`mkdocs serve` rebuilds the whole site on each edit. Parsing and zipping once per file version keeps
both cheap. A file's version is a hash of its bytes, not its mtime, which a rewrite within the file
system's clock tick keeps. Nothing is written to disk: the memory lasts as long as the process.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_memory: dict = {}


def stamp(path: Path) -> tuple[str, str]:
    """A file's path and a hash of its bytes: reading is cheap, parsing and zipping are not."""
    return str(path), hashlib.blake2b(Path(path).read_bytes()).hexdigest()


def memo(key: tuple, compute):
    """compute(), remembered under key (which must name the versions of the files it reads)."""
    if key not in _memory:
        _memory[key] = compute()
    return _memory[key]


def cached(kind: str, path: Path, compute):
    """compute(path), remembered while the file is unchanged."""
    return memo((kind, *stamp(path)), lambda: compute(Path(path)))
