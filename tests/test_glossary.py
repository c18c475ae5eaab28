"""The glossary (kb/glossary.py): the real one is valid, used and in sync with its generated tooltips,
and each kind of bad entry fails with a message naming the file, the entry and the fix.

Check the glossary alone with `pytest tests/test_glossary.py` or `python -m kb glossary`.
"""

import markdown
import pytest
import yaml

from kb import glossary

PAGE = """# Convolution

## The output size, checked against `nn.Conv2d`

```python
## not a heading: inside a code block
```

## Receptive field: the formula and a **backpropagated** gradient

## Why [smooth L1](other.md), and not $1 - \\mathrm{IoU}$

## Pitfalls

## Pitfalls

## Named by hand {#by-hand}
"""
VALID = {
    "term": "stride",
    "definition": "The step by which a convolution's window moves.",
    "see": "conv.md#the-output-size-checked-against-nnconv2d",
}


def site(tmp_path, entries, page=PAGE):
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "conv.md").write_text(page, encoding="utf-8")
    path = tmp_path / glossary.GLOSSARY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    return tmp_path


def load_error(tmp_path, **changes) -> str:
    entry = {k: v for k, v in {**VALID, **changes}.items() if v is not ...}
    with pytest.raises(glossary.GlossaryError) as error:
        glossary.load(site(tmp_path, [entry]))
    message = str(error.value)
    assert "docs/tracking/glossary/glossary.yml" in message, message
    assert "'stride'" in message or "term" in message, message
    assert glossary.FIX_COMMAND in message, message
    return message


def test_the_real_glossary_is_valid():
    entries = glossary.load()
    assert len(entries) >= 25, len(entries)


def test_every_term_occurs_on_a_page_other_than_the_glossary():
    unused = glossary.unused_terms(glossary.load())
    assert not unused, (
        f"no page but the glossary uses {unused} in its prose (outside code and math), so the "
        "tooltip shows nowhere: write the term as the pages do, or remove the entry"
    )


def test_the_committed_abbreviations_file_is_in_sync():
    problem = glossary.sync_problem(glossary.load())
    assert problem is None, problem


def test_an_out_of_date_abbreviations_file_names_the_fix(tmp_path):
    root = site(tmp_path, [VALID])
    entries = glossary.load(root)
    assert glossary.FIX_COMMAND in glossary.sync_problem(entries, root)
    assert glossary.write(entries, root) and not glossary.write(entries, root)
    assert glossary.sync_problem(entries, root) is None
    (root / glossary.ABBREVIATIONS).write_text("*[stride]: old words\n")
    assert "out of date" in glossary.sync_problem(entries, root)


@pytest.mark.parametrize("definition", [..., "", "   ", None])
def test_a_term_without_a_definition_fails(tmp_path, definition):
    message = load_error(tmp_path, definition=definition)
    assert (
        "entry 1 (term 'stride'): `definition` is missing or empty" in message
    ), message


def test_a_term_without_see_fails(tmp_path):
    message = load_error(tmp_path, see=...)
    assert (
        "`see` is missing" in message and "page.md#heading-anchor" in message
    ), message


def test_a_see_to_a_missing_page_links_nowhere(tmp_path):
    message = load_error(tmp_path, see="nowhere.md#the-math")
    assert "links nowhere: docs/nowhere.md does not exist" in message, message


def test_a_see_to_a_missing_heading_links_nowhere(tmp_path):
    message = load_error(tmp_path, see="conv.md#output-size")
    assert (
        "docs/conv.md has no heading with the anchor #output-size" in message
    ), message
    assert "the-output-size-checked-against-nnconv2d" in message, (
        "the message lists the page's anchors"
    )


@pytest.mark.parametrize("see", ["conv.md", "#pitfalls", "conv#pitfalls"])
def test_a_see_must_be_a_page_and_an_anchor(tmp_path, see):
    assert "must be page.md#heading-anchor" in load_error(tmp_path, see=see)


def test_a_repeated_term_and_an_unknown_field_fail(tmp_path):
    with pytest.raises(glossary.GlossaryError) as error:
        glossary.load(site(tmp_path, [VALID, {**VALID, "sea": "x"}]))
    message = str(error.value)
    assert "entry 2 (term 'stride'): the term is already defined" in message, (
        message
    )
    assert "unknown field sea (a typo?)" in message, message


def test_heading_anchors_are_the_ids_python_markdown_gives():
    """The `see` check computes anchors from the Markdown; they must be the ids the build makes."""
    html = markdown.markdown(
        PAGE,
        extensions=[
            "toc",
            "attr_list",
            "pymdownx.superfences",
            "pymdownx.arithmatex",
        ],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    built = [part.split('"', 1)[0] for part in html.split(' id="')[1:]]
    assert list(glossary.heading_anchors(PAGE)) == built


def test_the_tooltips_leave_code_and_anchors_alone(tmp_path):
    """The generated lines, appended to a page as the build does, wrap the term in prose and headings
    in <abbr title=definition> but not in code, and the heading keeps its anchor."""
    page = "## The stride\n\nA stride of 2.\n\n```python\nstride = 2\n```\n\nThe `stride` argument.\n"
    html = markdown.markdown(
        page + "\n" + glossary.abbreviations([glossary.Entry(**VALID)]),
        extensions=["abbr", "toc", "pymdownx.superfences"],
    )
    tag = f'<abbr title="{VALID["definition"]}">stride</abbr>'
    assert html.count(tag) == 2, html
    assert '<h2 id="the-stride">' in html and "<code>stride</code>" in html, (
        html
    )
    assert "Generated" not in html, (
        "the note at the top of the file must not show on pages"
    )


def test_the_glossary_page_links_every_term_to_its_section():
    entries = glossary.load()
    table = glossary.page_table(entries)
    for entry in entries:
        assert (
            f"| [{entry.term}]({entry.see}) | {entry.definition} |" in table
        ), entry
