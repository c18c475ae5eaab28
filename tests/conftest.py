"""Shared test setup: the built site, the smallest site to break, the pytest-markdown-docs parser that
also sees fences in admonitions and tabs, and the order tests start in."""

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from kb import filecache, outputs, testcache
from kb.pages import INCLUDE_LINE, flatten_blocks
from kb.paths import ROOT


def _flatten_and_skip_includes(md: MarkdownIt) -> None:
    """Dedent admonition / tab bodies before parsing, and mark include-only fences as covered.

    A fence whose body is only `--8<--` lines shows a file from snippets/; that file runs in
    tests/test_snippets.py, and tests/test_site_rules.py proves every include resolves to one.
    """

    def flatten(state):
        state.src = flatten_blocks(state.src)

    def skip_includes(state):
        for token in state.tokens:
            lines = [
                line for line in token.content.splitlines() if line.strip()
            ]
            if (
                token.type == "fence"
                and lines
                and all(INCLUDE_LINE.match(x) for x in lines)
            ):
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
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--site-dir",
            str(site),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real site, built once per test run with `mkdocs build --strict` and shared by all workers.

    pytest-xdist runs a session fixture once per worker; a lock and a folder shared by the workers of
    this run make the first one build and the others reuse it.
    """
    base = tmp_path_factory.getbasetemp()
    # this run's own folder
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    site = shared / "built-site"
    with open(shared / "built-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (site / "index.html").is_file():
            result = build(ROOT, site)
            if result.returncode != 0:
                pytest.fail(
                    "mkdocs build --strict failed:\n"
                    + (result.stdout + result.stderr)[-5000:],
                    pytrace=False,
                )
    return site


EXAMPLE_PAGE = """# Example

A page of the smallest site the build tests need; back to [the home page](index.md).

``` py title="snippets/dropout/inverted_dropout.py"
--8<-- "snippets/dropout/inverted_dropout.py:model"
```

{{ output dropout/inverted_dropout }}

The grid detector's mAP: {{ value detection/grid_detector "held-out mAP@0.5 with NMS" }}.

## Reading list

{{ reading_list }}

## Questions

{{ questions }}
"""


@pytest.fixture
def small_site(tmp_path) -> Path:
    """The smallest site that shows a failure: the real config, hook, snippets and records, with two
    pages (docs/index.md, docs/example.md with an include, an output, a value and tracking) and no nav."""
    root = tmp_path / "repo"
    for name in (
        "kb",
        "snippets",
        "docs/overrides",
        "docs/javascripts",
        "docs/stylesheets",
        "docs/outputs",
    ):
        shutil.copytree(
            ROOT / name,
            root / name,
            # _test_*: another xdist worker's throw-away snippet and record
            # (test_outputs, test_plots), which it may delete mid-copy
            ignore=shutil.ignore_patterns("__pycache__", "_test_*"),
        )
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        config[: config.index("\nnav:")] + "\n", encoding="utf-8"
    )
    (root / "docs" / "index.md").write_text(
        "# Home\n\nSee [the example](example.md).\n"
    )
    (root / "docs" / "example.md").write_text(EXAMPLE_PAGE)
    (root / "docs" / "tracking").mkdir()
    tracking = (ROOT / "docs" / "tracking" / "dropout.yml").read_text(
        encoding="utf-8"
    )
    (root / "docs" / "tracking" / "example.yml").write_text(
        tracking.replace("topic: dropout", "topic: example", 1),
        encoding="utf-8",
    )
    return root


def _expected_seconds(item) -> float:
    """A rough cost, so the longest tests start first and `-n auto` workers finish together."""
    if "fresh_venv" in item.name:
        return 120.0  # installs torch and friends into a new venv (CI only)
    if item.get_closest_marker("browser") or "built_site" in getattr(
        item, "fixturenames", ()
    ):
        return 30.0
    snippet = getattr(item, "callspec", None) and item.callspec.params.get(
        "snippet"
    )
    module = getattr(item, "module", None)  # None for a Markdown fence
    module = module and module.__name__
    runs_it = module in ("test_snippets", "test_controls") or (
        # a downloaded notebook, script or zip run outside the repository
        module == "test_downloads" and "_runs_" in item.name
    )
    if snippet is not None and runs_it:
        try:
            return float(
                json.loads(
                    (outputs.output_dir(snippet) / "run.json").read_text()
                )["seconds"]
            )
        except (OSError, ValueError, KeyError, TypeError):
            return 5.0  # not recorded yet, or an empty parameter list (NOTSET)
    return 0.0


def pytest_addoption(parser):
    parser.addoption(
        "--no-kb-cache",
        action="store_true",
        help="run every test and snippet, even those that passed before with nothing changed (kb/verified.py, kb/testcache.py)",
    )


def pytest_configure(config):
    if config.getoption("--no-kb-cache"):
        os.environ["KB_NO_CACHE"] = (
            "1"  # inherited by xdist's workers' snippet runs alike
        )
    # registered as a plugin, not as conftest hooks, so it covers docs/ and README fences too
    config.pluginmanager.register(testcache.Plugin(ROOT), "kb-testcache")


def pytest_terminal_summary(terminalreporter):
    """How many snippet runs the cache spared, and why each of the others ran."""
    reports = [
        r
        for r in terminalreporter.stats.get("passed", [])
        + terminalreporter.stats.get("failed", [])
        if r.when == "call" and any(k == "kb" for k, _ in r.user_properties)
    ]
    if not reports:
        return
    ran = [(r.nodeid, dict(r.user_properties)["kb"]) for r in reports]
    ran = [(nodeid, why) for nodeid, why in ran if why]
    terminalreporter.section("kb: snippet runs and site checks")
    terminalreporter.write_line(
        f"{len(reports) - len(ran)} verified before with nothing changed (not run again), "
        f"{len(ran)} ran; `pytest --no-kb-cache` runs all"
    )
    reasons: dict[str, list[str]] = {}
    for nodeid, why in sorted(ran):
        reasons.setdefault(why.removeprefix("ran: "), []).append(
            nodeid.partition("::")[2]
        )
    for why, tests in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        terminalreporter.write_line(f"  {len(tests)} because {why}:")
        for test in tests[:10]:
            terminalreporter.write_line(f"    {test}")
        if len(tests) > 10:
            terminalreporter.write_line(f"    ... and {len(tests) - 10} more")


def pytest_collection_modifyitems(items):
    # longest first; with --maxschedchunk=1 (pyproject.toml) each xdist worker takes the next test
    # when it is free, so the workers finish together. xdist's default hands each worker a quarter
    # of its share up front, consecutive: the first worker got every long test and ran 4.5 minutes
    # after the other had finished (a cold run of 2026-12-05).
    items.sort(key=_expected_seconds, reverse=True)


def reload_filecache(tmp_path: Path, monkeypatch) -> None:
    """As a new process would: kb's file cache saved, forgotten, and loaded from the saved file."""
    cache = tmp_path / "cache.pickle"
    filecache.save(cache)
    monkeypatch.setattr(filecache, "_memory", {})
    filecache.load(cache)
