"""The strict build: the real site builds, and each kind of bad input fails it with a clear message.

Each broken case is built from a temporary copy of the repository, so the real files are never touched.
"""
import re
import shutil
from pathlib import Path


from conftest import build


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fails_with(root: Path, *messages: str) -> str:
    result = build(root, root / "site")
    log = result.stdout + result.stderr
    assert result.returncode != 0, f"the build passed but should have failed:\n{log[-3000:]}"
    for message in messages:
        assert re.search(message, log), f"{message!r} not in the build log:\n{log[-3000:]}"
    return log


def test_the_site_builds_strict(built_site):
    assert (built_site / "dropout" / "index.html").is_file()
    assert (built_site / "notebooks" / "dropout_rate_sweep" / "index.html").is_file()


def test_missing_snippet_file_fails(copy):
    edit(copy / "docs" / "dropout.md", '--8<-- "snippets/dropout/inverted_dropout.py',
         '--8<-- "snippets/dropout/no_such_file.py')
    fails_with(copy, r"snippets/dropout/no_such_file\.py")


def test_missing_snippet_section_fails(copy):
    page = copy / "docs" / "dropout.md"
    include = re.search(r'--8<-- "(snippets/dropout/inverted_dropout\.py):(\w+)"', page.read_text())
    edit(page, include.group(0), f'--8<-- "{include.group(1)}:no_such_section"')
    fails_with(copy, "no_such_section")


def test_broken_internal_link_fails(copy):
    edit(copy / "docs" / "index.md", "(dropout.md)", "(dropuot.md)")
    fails_with(copy, r"index\.md.*contains a link 'dropuot\.md', but the target is not found")


def test_broken_anchor_fails(copy):
    edit(copy / "docs" / "index.md", "(dropout.md)", "(dropout.md#no-such-heading)")
    fails_with(copy, r"Doc file 'index\.md' contains a link 'dropout\.md#no-such-heading', but the doc "
               r"'dropout\.md' does not contain an anchor '#no-such-heading'")


def test_malformed_tracking_entry_fails(copy):
    edit(copy / "docs" / "tracking" / "dropout.yml", "status: unread", "status: skimmed")
    fails_with(copy, r"docs/tracking/dropout\.yml is not a valid tracking file",
               r"reading\[\d+\] \(title .*\): status: Input should be 'unread', 'reading' or 'read'",
               "python -m kb tracking")


def test_unknown_output_label_fails(copy):
    page = copy / "docs" / "dropout.md"
    value = re.search(r'\{\{ value (\S+) "([^"]+)" \}\}', page.read_text())
    edit(page, value.group(0), f'{{{{ value {value.group(1)} "no such label" }}}}')
    fails_with(copy, r"docs/dropout\.md: .*prints no line labelled \"no such label\"")


def test_missing_recorded_output_fails(copy):
    shutil.rmtree(copy / "docs" / "outputs" / "dropout" / "inverted_dropout")
    fails_with(copy, r"snippets/dropout/inverted_dropout\.py has no recorded output",
               r"python -m kb refresh snippets/dropout/inverted_dropout\.py")


def test_error_in_a_notebook_cell_fails(copy):
    script = copy / "snippets" / "dropout" / "dropout_rate_sweep.py"
    script.write_text(script.read_text() + '\n\n# %%\nraise RuntimeError("a cell that fails")\n')
    fails_with(copy, "a cell that fails")


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
    assert overview.count('class="task-list-item"') == sum(len(t.reading) for t in topics)
