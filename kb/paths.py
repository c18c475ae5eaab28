"""Where things live in the repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
OUTPUTS = DOCS / "outputs"


def rel(path: Path) -> str:
    """A path as shown in messages: relative to the repository root, with forward slashes."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
