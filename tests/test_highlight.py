"""kb's cached highlighter gives pymdownx.highlight's HTML, computed once per code block version."""

import markdown
import pymdownx.highlight

from conftest import reload_filecache

from kb import highlight

PAGE = """# Code

```python title="snippets/topic/name.py" hl_lines="2"
import torch
x = torch.ones(3)  # a comment
```

```text
loss: 0.25 ± 0.01
```

```python linenums="3"
def f(a):
    return a
```

Inline: `#!python print(1)`.
"""

SETTINGS = {"anchor_linenums": True}
OTHERS = ["pymdownx.superfences", "pymdownx.inlinehilite", "attr_list"]


def render(page: str, cached: bool, settings: dict = SETTINGS) -> str:
    first = (
        highlight.CachedHighlightExtension(**settings)
        if cached
        else pymdownx.highlight.HighlightExtension(**settings)
    )
    return markdown.Markdown(extensions=[first, *OTHERS]).convert(page)


def count_pygments(monkeypatch) -> list:
    calls = []
    real = pymdownx.highlight.highlight

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(pymdownx.highlight, "highlight", counted)
    return calls


def test_cached_html_is_pymdownx_html_and_pygments_runs_once(
    monkeypatch, tmp_path
):
    expected = render(PAGE, cached=False)
    assert 'class="filename">snippets/topic/name.py</span>' in expected
    calls = count_pygments(monkeypatch)
    assert render(PAGE, cached=True) == expected
    blocks = len(calls)
    assert blocks >= 3  # three blocks, and the inline code each time
    assert render(PAGE, cached=True) == expected
    assert len(calls) == blocks + 1  # only the inline code again
    reload_filecache(tmp_path, monkeypatch)
    assert render(PAGE, cached=True) == expected
    assert len(calls) == blocks + 2


def test_an_edited_block_is_highlighted_again():
    render(PAGE, cached=True)
    edited = PAGE.replace("torch.ones(3)", "torch.zeros(4)")
    html = render(edited, cached=True)
    assert "zeros" in html and "ones" not in html
    assert html == render(edited, cached=False)


def test_the_same_block_elsewhere_on_a_page_gets_its_own_line_anchors():
    twice = PAGE + "\n" + PAGE
    assert render(twice, cached=True) == render(twice, cached=False)


def test_other_settings_are_not_served_the_html_of_these():
    render(PAGE, cached=True)
    plain = {"anchor_linenums": False}
    html = render(PAGE, cached=True, settings=plain)
    assert "__codelineno" not in html
    assert html == render(PAGE, cached=False, settings=plain)


def test_the_hook_puts_it_in_place_of_pymdownx_highlight():
    extensions = ["toc", "pymdownx.highlight", "pymdownx.superfences"]
    highlight.use_cached_highlight(extensions, {"pymdownx.highlight": SETTINGS})
    assert extensions[0] == "toc" and extensions[2] == "pymdownx.superfences"
    assert isinstance(extensions[1], highlight.CachedHighlightExtension)
    assert extensions[1].getConfigs()["anchor_linenums"] is True
