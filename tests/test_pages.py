"""How the tests read pages: fences inside admonitions and tabs are found, and include-only fences
are recognised (they are covered by the snippet tests, never run as Python)."""

from pathlib import Path

from markdown_it import MarkdownIt

from conftest import _flatten_and_skip_includes
from kb import pages

PAGE = """# Page

!!! note "An admonition"

    ```py
    print("in an admonition")
    ```

=== "Tab one"

    ??? info "Nested"

        ```python
        print("in a tab, in a details block")
        ```

``` py title="snippets/dropout/inverted_dropout.py"
--8<-- "snippets/dropout/inverted_dropout.py:model"
```
"""


def test_fences_in_admonitions_and_tabs_are_found():
    found = pages.fences(Path("page.md"), PAGE)
    bodies = [f.body.strip() for f in found]
    assert bodies[:2] == [
        'print("in an admonition")',
        'print("in a tab, in a details block")',
    ]
    # line numbers survive the flattening
    assert [f.line for f in found] == [
        5,
        13,
        17,
    ]
    assert found[2].is_include_only and not found[0].is_include_only
    assert found[2].includes == ["snippets/dropout/inverted_dropout.py:model"]


def test_markdown_docs_parser_runs_nested_fences_and_skips_includes():
    md = MarkdownIt("commonmark")
    _flatten_and_skip_includes(md)
    fences = [t for t in md.parse(PAGE) if t.type == "fence"]
    assert [t.info.split()[0] for t in fences] == ["py", "python", "{.text"]


def test_brace_form_language():
    fence = pages.Fence(Path("p.md"), 1, '{.python .notest title="x"}', "")
    assert fence.lang == "python"


def test_include_problems_name_the_fix(tmp_path):
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "a.py").write_text(
        "# --8<-- [start:model]\nx = 1\n# --8<-- [end:model]\n"
    )
    assert pages.include_problem("snippets/a.py:model", tmp_path) is None
    assert "does not exist: fix the path" in pages.include_problem(
        "snippets/b.py", tmp_path
    )
    typo = "modle"  # codespell:ignore modle
    problem = pages.include_problem(f"snippets/a.py:{typo}", tmp_path)
    assert f'has no section "{typo}"' in problem
