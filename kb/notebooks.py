"""Jupytext percent-format snippets become notebook pages.

A snippet with `# %% [markdown]` cells is also a notebook page: docs/notebooks/<name>.ipynb
(gitignored, rewritten when it changes) is the snippet's downloadable notebook (kb/downloads.py), which
carries the outputs and plots of the snippet's recorded run. mkdocs-jupyter renders it without running
it, like every other output on the site: the tests run the snippet and compare it with that record.
"""

from __future__ import annotations

from pathlib import Path

from kb import downloads
from kb.outputs import all_snippets
from kb.paths import ROOT, rel

MARKER = "# %% [markdown]"


class NotebookError(Exception):
    pass


def notebook_snippets(root: Path = ROOT) -> list[Path]:
    return [
        p for p in all_snippets(root) if MARKER in p.read_text(encoding="utf-8")
    ]


def source_of(page_uri: str, root: Path = ROOT) -> str | None:
    """The snippet a notebook page (docs-relative, e.g. notebooks/x.ipynb) was made from, if it is one."""
    for script in notebook_snippets(root):
        if page_uri == f"notebooks/{script.stem}.ipynb":
            return script.relative_to(root).as_posix()
    return None


def build(root: Path = ROOT) -> list[Path]:
    """Write docs/notebooks/<name>.ipynb for every notebook snippet; skip unchanged ones."""
    out_dir = root / "docs" / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    written, seen = [], {}
    for script in notebook_snippets(root):
        target = out_dir / f"{script.stem}.ipynb"
        if target in seen:
            raise NotebookError(
                f"{rel(script)} and {rel(seen[target])} would both become "
                f"{rel(target)}; rename one of them."
            )
        seen[target] = script
        # with the recorded outputs
        text = downloads.notebook_text(script, root)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            # unchanged files stay untouched: no reload loop
            target.write_text(text, encoding="utf-8")
        written.append(target)
    for stale in set(out_dir.glob("*.ipynb")) - set(written):
        stale.unlink()
    return written
