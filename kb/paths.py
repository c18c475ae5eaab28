"""Where things live in the repository."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
OUTPUTS = DOCS / "outputs"


def walk_public(folder: Path):
    """(folder, sorted file names) under `folder`, as os.walk, never entering a private (_*)
    folder: a test's throw-away _test_* folder may be removed while this walks."""
    for here, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("_"))
        yield Path(here), sorted(files)


def rel(path: Path) -> str:
    """A path as shown in messages: relative to the repository root, with forward slashes."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
