"""The strict build: the real site builds, and each kind of bad input fails it with a clear message.

Each broken case is built from the smallest site that shows it (`small_site`: the real config, hook,
snippets and records with two pages), in a temporary folder, so the real files are never touched.
"""

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from conftest import build
from kb.directives import malformed_directives, run_info


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fails_with(root: Path, *messages: str) -> str:
    result = build(root, root / "site")
    log = result.stdout + result.stderr
    assert result.returncode != 0, (
        f"the build passed but should have failed:\n{log[-3000:]}"
    )
    for message in messages:
        assert re.search(message, log), (
            f"{message!r} not in the build log:\n{log[-3000:]}"
        )
    return log


def test_the_site_builds_strict(built_site):
    assert (built_site / "dropout" / "index.html").is_file()
    assert (
        built_site / "notebooks" / "dropout_rate_sweep" / "index.html"
    ).is_file()


def test_the_small_site_builds(small_site):
    result = build(small_site, small_site / "site")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    html = (small_site / "site" / "example" / "index.html").read_text()
    assert (
        "Output of snippets/dropout/inverted_dropout.py" in html
        and "Provenance" in html
    )


def test_a_test_s_private_record_is_not_published(small_site):
    """docs/outputs/_test_*/ holds a test's throw-away record (its plots too): another xdist
    worker may remove it mid-build, and it is not the site's."""
    private = small_site / "docs" / "outputs" / "_test_0" / "example"
    private.mkdir(parents=True)
    (private / "plot.png").write_bytes(b"not a real plot")
    result = build(small_site, small_site / "site")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert not (small_site / "site" / "outputs" / "_test_0").exists()


def test_missing_snippet_file_fails(small_site):
    edit(
        small_site / "docs" / "example.md",
        "snippets/dropout/inverted_dropout.py:model",
        "snippets/dropout/no_such_file.py:model",
    )
    fails_with(small_site, r"snippets/dropout/no_such_file\.py")


def test_missing_snippet_section_fails(small_site):
    edit(
        small_site / "docs" / "example.md",
        "inverted_dropout.py:model",
        "inverted_dropout.py:no_such_section",
    )
    fails_with(small_site, "no_such_section")


def test_broken_internal_link_fails(small_site):
    typo = "exmaple"  # codespell:ignore exmaple
    edit(small_site / "docs" / "index.md", "(example.md)", f"({typo}.md)")
    fails_with(
        small_site,
        r"index\.md.*contains a link 'exmaple\.md', but the target is not found",
    )


def test_broken_anchor_fails(small_site):
    edit(
        small_site / "docs" / "index.md",
        "(example.md)",
        "(example.md#no-such-heading)",
    )
    fails_with(
        small_site,
        r"Doc file 'index\.md' contains a link 'example\.md#no-such-heading', but the doc "
        r"'example\.md' does not contain an anchor '#no-such-heading'",
    )


def test_malformed_tracking_entry_fails(small_site):
    edit(
        small_site / "docs" / "tracking" / "example.yml",
        "status: unread",
        "status: skimmed",
    )
    fails_with(
        small_site,
        r"docs/tracking/example\.yml is not a valid tracking file",
        r"reading\[\d+\] \(title .*\): status: Input should be 'unread', 'reading' or 'read'",
        "python -m kb tracking",
    )


def test_unknown_output_label_fails(small_site):
    edit(
        small_site / "docs" / "example.md",
        '"held-out mAP@0.5 with NMS"',
        '"no such label"',
    )
    fails_with(
        small_site,
        r"docs/example\.md: .*prints no line labelled \"no such label\"",
    )


def test_a_directive_that_does_not_parse_fails(small_site):
    # extra braces or a brace inside would otherwise publish the raw text
    edit(
        small_site / "docs" / "example.md",
        '{{ value detection/grid_detector "held-out mAP@0.5 with NMS" }}',
        '{{{{ value {S} "held-out mAP@0.5 with NMS" }}}}',
    )
    fails_with(
        small_site,
        r"docs/example\.md: line \d+: '\{\{\{\{ value \{S\}.*is not a directive",
    )


def test_only_text_naming_a_directive_is_flagged():
    math = r"$f = \max\big({w^{1}_{k}}^{\!\top} x\big)$ and $\frac{a}{b_{\text{in}}}$"
    ok = '{{ spread a/b "label" }} and {{ questions }}'
    assert malformed_directives(math + ok) == []
    assert (
        len(malformed_directives("{{ spread {S} x }} {{{ asserted a/b y }}}"))
        == 2
    )


def test_missing_recorded_output_fails(small_site):
    shutil.rmtree(
        small_site / "docs" / "outputs" / "dropout" / "inverted_dropout"
    )
    fails_with(
        small_site,
        r"snippets/dropout/inverted_dropout\.py has no recorded output",
        r"python -m kb refresh snippets/dropout/inverted_dropout\.py",
    )


def test_an_edited_snippet_fails_the_build_until_refreshed(small_site):
    snippet = small_site / "snippets" / "dropout" / "inverted_dropout.py"
    snippet.write_text(snippet.read_text() + "\nEDITED = True\n")
    fails_with(
        small_site,
        r"snippets/dropout/inverted_dropout\.py: its recorded output is stale "
        r"\(snippets/dropout/inverted_dropout\.py changed",
        r"python -m kb refresh snippets/dropout/inverted_dropout\.py",
    )


def test_a_warm_build_still_sees_an_edited_snippet(small_site):
    """The second build takes what the first one saved in .cache/kb/, and still sees the edit."""
    result = build(small_site, small_site / "site")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert (small_site / ".cache" / "kb" / "filecache.pickle").is_file()
    snippet = small_site / "snippets" / "dropout" / "inverted_dropout.py"
    snippet.write_text(snippet.read_text() + "\nEDITED = True\n")
    fails_with(
        small_site,
        r"snippets/dropout/inverted_dropout\.py: its recorded output is stale",
    )


def test_a_warm_build_writes_the_same_site_as_a_cold_one(
    small_site, monkeypatch
):
    """What the build keeps in .cache/ (kb's results, highlighted code, compiled templates) changes
    how fast it builds, never what it writes."""
    # one build date for both builds: the sitemap dates every page with it, and two builds on
    # either side of midnight differed there (CI of 2026-12-06)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time())))
    pages = {}
    for name in ("cold", "warm"):
        result = build(small_site, small_site / name)
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        pages[name] = {
            path.relative_to(small_site / name): path.read_bytes()
            for path in (small_site / name).rglob("*")
            if path.is_file()
        }
    assert any((small_site / ".cache" / "kb" / "templates").glob("*.cache"))
    assert pages["warm"] == pages["cold"]
    assert Path("example/index.html") in pages["cold"]


def test_an_edited_imported_module_fails_the_build(small_site):
    shapes = small_site / "snippets" / "shapes" / "shapes.py"
    shapes.write_text(shapes.read_text() + "\nEDITED = True\n")
    fails_with(
        small_site,
        r"snippets/detection/grid_detector\.py: its recorded output is stale "
        r"\(snippets/shapes/shapes\.py changed",
        r"python -m kb refresh snippets/detection/grid_detector\.py",
    )


def test_a_comment_does_not_make_a_record_stale(small_site):
    snippet = small_site / "snippets" / "dropout" / "inverted_dropout.py"
    snippet.write_text(
        snippet.read_text() + "\n# a comment changes no output\n"
    )
    result = build(small_site, small_site / "site")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_the_notebook_page_shows_the_recorded_run(built_site):
    """Notebook pages are not executed at build time: they show the snippet's recorded output."""
    from kb import outputs
    from kb.paths import ROOT

    html = (
        built_site / "notebooks" / "dropout_rate_sweep" / "index.html"
    ).read_text()
    recorded = outputs.load_record(
        ROOT / "snippets" / "dropout" / "dropout_rate_sweep.py"
    )["stdout"]
    first_line = recorded.splitlines()[0].split(":")[0]
    assert first_line in html and "data:image/png;base64," in html


def test_serve_rebuilds_on_a_snippet_edit_and_warns_that_the_output_is_stale(
    small_site,
):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "serve",
            "-a",
            f"127.0.0.1:{port}",
        ],
        cwd=small_site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # mkdocs serve serves under site_url's path (e.g. /cnn-knowledge-base/)
    site_url = re.search(
        r"^site_url:\s*(\S+)", (small_site / "mkdocs.yml").read_text(), re.M
    ).group(1)
    path = urllib.parse.urlparse(site_url).path.rstrip("/")
    url = f"http://127.0.0.1:{port}{path}/example/"
    try:
        assert "Stale output" not in fetch_when(
            url, lambda html: "Output of snippets" in html
        )
        snippet = small_site / "snippets" / "dropout" / "inverted_dropout.py"
        snippet.write_text(
            snippet.read_text().replace(
                "class InvertedDropout(", "class InvertedDropoutV2(", 1
            )
        )
        html = fetch_when(url, lambda html: "InvertedDropoutV2" in html)
        assert (
            "Stale output" in html
            and "python -m kb refresh snippets/dropout/inverted_dropout.py"
            in html
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch_when(url: str, ready, timeout: float = 120) -> str:
    """The page at url, once ready(html) holds; fails after timeout seconds."""
    deadline, html = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            html = urllib.request.urlopen(url, timeout=5).read().decode()
            if ready(html):
                return html
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(
        f"{url} did not become ready in {timeout} s; last page:\n{html[-2000:]}"
    )


def test_every_tracked_item_is_rendered(built_site):
    """Each reading item is a checklist entry on its topic page and on the Reading list page, and each
    question has its anchor on its page and a link on the Open questions page."""
    from kb.tracking import load_all

    topics = load_all()
    overview = (built_site / "reading-list" / "index.html").read_text()
    questions = (built_site / "questions" / "index.html").read_text()
    for t in topics:
        html = (built_site / t.topic / "index.html").read_text()
        assert html.count('class="task-list-item"') == len(t.reading), t.topic
        for q in t.questions:
            assert f'id="{q.id}"' in html and f"#{q.id}" in questions, q.id
    assert overview.count('class="task-list-item"') == sum(
        len(t.reading) for t in topics
    )


def test_run_info_counts_the_site_s_records_not_a_test_s_private_ones(tmp_path):
    """A test's throw-away record (docs/outputs/_test_*/) is neither counted nor read: another
    xdist worker may remove it mid-build."""
    record = '{"torch": "2.13.0", "date": "2026-12-01", "seconds": 2.0}'
    for folder in ["dropout/gap", "_test_0/example"]:
        (tmp_path / "docs" / "outputs" / folder).mkdir(parents=True)
        (tmp_path / "docs" / "outputs" / folder / "run.json").write_text(record)
    assert run_info(tmp_path).startswith(
        "1 snippets, recorded with PyTorch 2.13.0"
    )
