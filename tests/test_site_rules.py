"""The rules that keep "tested code on the page" true, checked over every page and snippet."""

import ast
import re

import pytest

from kb import notebooks, outputs, pages
from kb.paths import ROOT, rel

SNIPPETS = outputs.all_snippets()
PAGES = pages.pages()
ids = lambda p: rel(p)  # noqa: E731


def test_every_include_resolves():
    problems = [
        f"{rel(page)} {problem}"
        for page, target in pages.includes()
        if (problem := pages.include_problem(target))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=ids)
def test_every_snippet_is_shown_on_a_page(snippet):
    shown = {target.partition(":")[0] for _, target in pages.includes()}
    # an exercise's solution, which {{ solution }} includes whole
    shown |= {f"snippets/{name}.py" for name in _solutions_shown()}
    # shown as its own notebook page
    is_notebook = snippet in notebooks.notebook_snippets()
    assert rel(snippet) in shown or is_notebook, (
        f"{rel(snippet)} is not included by any page: show it with "
        f'--8<-- "{rel(snippet)}:SECTION" in a fence on its topic page, or delete it '
        "(an exercise: {{ solution TOPIC/exercises/NAME }})"
    )


def _solutions_shown() -> set[str]:
    return {
        m.group(1)
        for page in pages.pages()
        for m in re.finditer(
            r"\{\{\s*solution\s+(\S+)\s*\}\}", page.read_text(encoding="utf-8")
        )
    }


@pytest.mark.parametrize("snippet", SNIPPETS, ids=ids)
def test_every_snippet_is_a_small_program(snippet):
    tree = ast.parse(snippet.read_text(encoding="utf-8"))
    fix = "see CONTRIBUTING.md or create it with `python -m kb new snippet TOPIC/NAME`"
    assert ast.get_docstring(tree), (
        f"{rel(snippet)} has no module docstring stating its claim; {fix}"
    )
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert "main" in functions, f"{rel(snippet)} has no main() function; {fix}"
    guards = [
        n
        for n in tree.body
        if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test)
    ]
    assert guards, (
        f'{rel(snippet)} has no `if __name__ == "__main__":` guard; {fix}'
    )


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_no_python_is_written_inline(page):
    inline = [
        f.where()
        for f in pages.fences(page)
        if f.lang in pages.PYTHON and not f.is_include_only
    ]
    assert not inline, (
        f"python written inline at {inline}: code on the site lives in snippets/; "
        'move it to a snippet and include it with --8<-- "snippets/TOPIC/NAME.py:SECTION"'
    )


@pytest.mark.parametrize(
    "page", PAGES + [ROOT / "README.md", ROOT / "CONTRIBUTING.md"], ids=ids
)
def test_no_plain_notest_info_string(page):
    if not page.exists():
        pytest.skip(f"{rel(page)} does not exist yet")
    plain = [
        f.where()
        for f in pages.fences(page)
        if not f.info.strip().startswith("{") and "notest" in f.info.split()[1:]
    ]
    assert not plain, (
        f"a plain `python notest` info string at {plain} breaks SuperFences rendering; "
        "use the brace form ```{.python .notest}"
    )


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_every_pitfall_shows_its_evidence(page):
    missing = pages.pitfalls_without_evidence(page)
    assert not missing, (
        "a pitfall without evidence: "
        + "; ".join(missing)
        + ". Inside the warning, "
        "show a snippet that demonstrates it ({{ output TOPIC/NAME }}, indented), or say "
        "why it cannot be shown in a paragraph starting **Why not shown:** with the source"
    )


def test_a_pitfall_without_evidence_is_found():
    text = (
        '!!! warning "Shown"\n\n    {{ output dropout/inverted_dropout }}\n\n'
        '!!! warning "Told only"\n\n    Prose.\n\nAfter.\n'
        '!!! warning "Cited"\n\n    **Why not shown:** needs ImageNet (He et al. 2016, 4.1).\n'
    )
    assert pages.pitfalls_without_evidence(ROOT / "docs" / "x.md", text) == [
        'docs/x.md:5 !!! warning "Told only"'
    ]


# a backslash escape read by Python in a LaTeX string: "\v" of \varepsilon, "\f" of \frac
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_characters(path) -> list[str]:
    """'file:line' of each line holding a control character (tabs and newlines allowed)."""
    return [
        f"{rel(path)}:{number}"
        # split on "\n" only: str.splitlines() breaks lines at \v and \f too
        for number, line in enumerate(path.read_text().split("\n"), start=1)
        if CONTROL.search(line)
    ]


@pytest.mark.parametrize(
    "source",
    sorted((ROOT / "docs").glob("*.md"))
    + sorted((ROOT / "docs").glob("tracking/*.yml")),
    ids=ids,
)
def test_no_control_characters_in_sources(source):
    found = control_characters(source)
    assert not found, (
        f"control characters at {found}: a LaTeX command lost its backslash to a string "
        r"escape (\v in \varepsilon, \f in \frac); write the text with a raw string"
    )


def test_a_lost_backslash_is_found(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("$\\varepsilon$ fine\n$\varepsilon$ broken\n")
    assert control_characters(page) == [f"{rel(page)}:2"]
