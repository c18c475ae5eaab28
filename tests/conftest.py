"""Shared test setup, and the pytest-markdown-docs parser that also sees fences in admonitions and tabs."""
import pytest
from markdown_it import MarkdownIt

from kb.pages import INCLUDE_LINE, flatten_blocks


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


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real site, built once per test run with `mkdocs build --strict` and shared by all workers.

    pytest-xdist runs a session fixture once per worker; a lock and a folder shared by the workers of
    this run make the first one build and the others reuse it.
    """
    import fcntl
    import os
    import subprocess
    import sys

    from kb.paths import ROOT

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's own folder
    site = shared / "built-site"
    with open(shared / "built-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (site / "index.html").is_file():
            result = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                cwd=ROOT, capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                pytest.fail("mkdocs build --strict failed:\n" + (result.stdout + result.stderr)[-5000:],
                            pytrace=False)
    return site
