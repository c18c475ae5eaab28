"""Where things live in the repository."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
OUTPUTS = DOCS / "outputs"


def walk(folder: Path, enter=lambda path: not path.name.startswith("_")):
    """(folder, sorted file names) under `folder`, as os.walk, never entering a subfolder that
    `enter` refuses (by default a private _* one): a test's throw-away _test_* folder may be
    removed while this walks."""
    for here, subfolders, files in os.walk(folder):
        here = Path(here)
        subfolders[:] = sorted(d for d in subfolders if enter(here / d))
        yield here, sorted(files)


def rel(path: Path) -> str:
    """A path as shown in messages: relative to the repository root, with forward slashes."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
