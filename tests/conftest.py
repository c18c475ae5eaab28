"""Shared test setup: the built site, copies of the repository to break, and the pytest-markdown-docs
parser that also sees fences in admonitions and tabs."""
import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from kb.pages import INCLUDE_LINE, flatten_blocks
from kb.paths import ROOT

COPIED = ["mkdocs.yml", "CONTRIBUTING.md", "kb", "docs", "snippets", ".cache"]


def _flatten_and_skip_includes(md: MarkdownIt) -> None:
    """Dedent admonition / tab bodies before parsing, and mark include-only fences as covered.

    A fence whose body is only `--8<--` lines shows a file from snippets/; that file runs in
    tests/test_snippets.py, and tests/test_site_rules.py proves every include resolves to one.
    """
    def flatten(state):
        state.src = flatten_blocks(state.src)

    def skip_includes(state):
        for token in state.tokens:
            lines = [line for line in token.content.splitlines() if line.strip()]
            if token.type == "fence" and lines and all(INCLUDE_LINE.match(x) for x in lines):
                token.info = "{.text .notest}"

    md.core.ruler.before("block", "flatten_blocks", flatten)
    md.core.ruler.after("block", "skip_include_fences", skip_includes)


@pytest.hookimpl
def pytest_markdown_docs_markdown_it():
    md = MarkdownIt("commonmark")
    _flatten_and_skip_includes(md)
    return md


def build(root: Path, site: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the repository (or a copy of it) at root."""
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=root, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real site, built once per test run with `mkdocs build --strict` and shared by all workers.

    pytest-xdist runs a session fixture once per worker; a lock and a folder shared by the workers of
    this run make the first one build and the others reuse it.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's own folder
    site = shared / "built-site"
    with open(shared / "built-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (site / "index.html").is_file():
            result = build(ROOT, site)
            if result.returncode != 0:
                pytest.fail("mkdocs build --strict failed:\n" + (result.stdout + result.stderr)[-5000:],
                            pytrace=False)
    return site


@pytest.fixture
def copy(tmp_path, built_site) -> Path:
    """A copy of the site sources, taken after the real build (its notebook cache keeps builds fast)."""
    root = tmp_path / "repo"
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "notebooks"))
        elif source.is_file():
            root.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    return root
