"""The glossary: one definition per term, shown as a tooltip wherever the term appears on the site and
listed on the Glossary page.

The single source of truth is docs/tracking/glossary/glossary.yml, a list of entries:

    - term: IoU                 # exactly as the pages write it (case and hyphens count)
      definition: One or two plain sentences.
      see: localization.md#iou-from-scratch   # the section that explains it: page.md#heading-anchor

It lives in a folder of its own so that kb/tracking.py, which reads every docs/tracking/*.yml as a
topic, does not take it for one.

The tooltips are Material's abbreviations recipe: the `abbr` extension turns `*[term]: definition`
lines into `<abbr title="definition">`, pymdownx.snippets appends those lines to every page
(`auto_append` in mkdocs.yml) and the `content.tooltips` feature shows the title as a tooltip. The
lines are generated into ABBREVIATIONS by `python -m kb glossary`; the file is in docs/overrides/,
which is not published, is watched by `mkdocs serve` and travels with the theme. The Glossary page's
table is the `{{ glossary }}` directive (kb/directives.py).

Plain functions only, no MkDocs: another site generator reading mkdocs.yml and Python-Markdown
extensions gets the same tooltips from the generated file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown.extensions.toc import slugify, unique

from kb.paths import ROOT, rel

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
GLOSSARY = Path("docs/tracking/glossary/glossary.yml")
ABBREVIATIONS = Path("docs/overrides/glossary-abbreviations.md")
PAGE = "glossary.md"  # the page that lists the terms; a term must occur on another page too
FIX_COMMAND = "python -m kb glossary"
FIELDS = ("term", "definition", "see")

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
ATTR_ID = re.compile(r"\s*\{:?[^}]*#([\w-]+)[^}]*\}\s*$")
ATTR = re.compile(r"\s*\{:?[^}]*\}\s*$")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
MATH = re.compile(r"\$+([^$]+)\$+")


class GlossaryError(Exception):
    """The glossary is malformed. The message names the file, the entry and the fix."""


@dataclass(frozen=True)
class Entry:
    term: str
    definition: str
    see: str  # page.md#anchor, relative to docs/

    @property
    def page(self) -> str:
        return self.see.partition("#")[0]

    @property
    def anchor(self) -> str:
        return self.see.partition("#")[2]


def heading_anchors(markdown: str) -> dict[str, str]:
    """{anchor: heading text} of a page's Markdown headings, with the ids Python-Markdown's toc gives
    them (its slugify on the heading's text, `_1` for a repeat, or an attr_list `{#id}`)."""
    anchors: dict[str, str] = {}
    fence = None
    for line in markdown.splitlines():
        if m := FENCE.match(line):
            if fence is None:
                fence = m.group(1)[0]
            elif m.group(1)[0] == fence:
                fence = None
            continue
        if fence or not (m := HEADING.match(line)):
            continue
        raw = m.group(2)
        if explicit := ATTR_ID.search(raw):
            anchors[explicit.group(1)] = ATTR.sub("", raw)
            continue
        text = ATTR.sub("", raw)
        plain = MATH.sub(r"\1", INLINE_CODE.sub(r"\2", LINK.sub(r"\1", text)))
        plain = re.sub(r"[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}", "", plain)
        anchors[unique(slugify(plain, "-"), set(anchors))] = text
    return anchors


def _page_title(markdown: str, page: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return page


def _where(path: Path, index: int, data) -> str:
    term = data.get("term") if isinstance(data, dict) else None
    return f"{rel(path)}: entry {index + 1}" + (
        f" (term {term!r})" if term else ""
    )


def load(root: Path = ROOT) -> list[Entry]:
    """The glossary's entries, validated: every term has a definition and a `see` that leads to a
    heading of a page in docs/. Raises GlossaryError naming the file, the entry and the fix."""
    path = root / GLOSSARY
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except OSError:
        raise GlossaryError(
            f"{rel(path)} does not exist; create it (see CONTRIBUTING.md)."
        ) from None
    except yaml.YAMLError as error:
        raise GlossaryError(f"{rel(path)} is not valid YAML: {error}") from None
    if not isinstance(data, list) or not data:
        raise GlossaryError(
            f"{rel(path)} must be a list of entries, each with term, definition and see."
        )
    entries: list[Entry] = []
    problems: list[str] = []
    seen: set[str] = set()
    pages: dict[str, str | None] = {}
    for index, item in enumerate(data):
        where = _where(path, index, item)
        if not isinstance(item, dict):
            problems.append(
                f"{where}: must be a mapping with term, definition and see"
            )
            continue
        unknown = sorted(set(item) - set(FIELDS))
        if unknown:
            problems.append(
                f"{where}: unknown field {', '.join(unknown)} (a typo?); the fields are "
                + ", ".join(FIELDS)
            )
        values = {k: " ".join(str(item.get(k) or "").split()) for k in FIELDS}
        if not values["term"]:
            problems.append(
                f"{where}: `term` is missing or empty; add the term as the pages write it"
            )
        elif values["term"] in seen:
            problems.append(
                f"{where}: the term is already defined; keep one entry per term"
            )
        seen.add(values["term"])
        if not values["definition"]:
            problems.append(
                f"{where}: `definition` is missing or empty; write one or two plain sentences"
            )
        see = values["see"]
        if not see:
            problems.append(
                f"{where}: `see` is missing; add the section that explains the term, "
                "as page.md#heading-anchor"
            )
        elif problem := _see_problem(root, see, pages):
            problems.append(f"{where}: `see: {see}` {problem}")
        entries.append(Entry(**values))
    if problems:
        raise GlossaryError(
            "\n".join(
                [f"{rel(path)} is not a valid glossary:"]
                + [f"  - {p}" for p in problems]
                + [f"Fix the entry; then run: {FIX_COMMAND}"]
            )
        )
    return entries


def _see_problem(
    root: Path, see: str, pages: dict[str, str | None]
) -> str | None:
    page, _, anchor = see.partition("#")
    if not page.endswith(".md") or not anchor:
        return "must be page.md#heading-anchor, a page in docs/ and one of its headings"
    if page not in pages:
        file = root / "docs" / page
        pages[page] = (
            file.read_text(encoding="utf-8") if file.is_file() else None
        )
    if pages[page] is None:
        return f"links nowhere: docs/{page} does not exist"
    anchors = heading_anchors(pages[page])
    if anchor not in anchors:
        return (
            f"links nowhere: docs/{page} has no heading with the anchor #{anchor}; "
            f"its anchors are: {', '.join(anchors) or 'none'}"
        )
    return None


def abbreviations(entries: list[Entry]) -> str:
    """The `*[term]: definition` lines the abbr extension reads, for pymdownx.snippets' auto_append.

    Its first line is a link reference definition, which Markdown does not render: a note for a reader
    of the file that does not show up on every page the way an HTML comment would."""
    lines = [
        f'[//]: # "Generated from {GLOSSARY.as_posix()} by `{FIX_COMMAND}`: edit that file, '
        'not this one."',
        "",
    ]
    lines += [
        f"*[{e.term}]: {e.definition}" for e in sorted(entries, key=_order)
    ]
    return "\n".join(lines) + "\n"


def _order(entry: Entry) -> tuple[str, str]:
    return entry.term.casefold(), entry.term


def page_table(
    entries: list[Entry], root: Path = ROOT, prefix: str = ""
) -> str:
    """The Glossary page's table: each term linked to the section that explains it."""
    rows = ["| Term | Definition | Explained in |", "|---|---|---|"]
    for e in sorted(entries, key=_order):
        markdown = (root / "docs" / e.page).read_text(encoding="utf-8")
        section = heading_anchors(markdown)[e.anchor]
        link = f"{prefix}{e.see}"
        rows.append(
            f"| [{e.term}]({link}) | {e.definition.replace('|', chr(92) + '|')} | "
            f"[{_page_title(markdown, e.page)}: {section}]({link}) |"
        )
    return "\n".join(rows)


def sync_problem(entries: list[Entry], root: Path = ROOT) -> str | None:
    """Why the committed abbreviations file is not what the glossary generates, or None."""
    path = root / ABBREVIATIONS
    if not path.is_file():
        return f"{rel(path)} does not exist; generate it: {FIX_COMMAND}"
    if path.read_text(encoding="utf-8") != abbreviations(entries):
        return (
            f"{rel(path)} is out of date with {GLOSSARY.as_posix()}, so the tooltips would show old "
            f"definitions; regenerate it: {FIX_COMMAND}"
        )
    return None


def write(entries: list[Entry], root: Path = ROOT) -> bool:
    """Write the abbreviations file; True when it changed."""
    path = root / ABBREVIATIONS
    text = abbreviations(entries)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def prose(markdown: str) -> str:
    """A page's text as the abbr extension sees it: without code fences, inline code and math."""
    kept, fence = [], None
    for line in markdown.splitlines():
        if m := FENCE.match(line):
            if fence is None:
                fence = m.group(1)[0]
            elif m.group(1)[0] == fence:
                fence = None
            continue
        if fence is None:
            kept.append(line)
    text = "\n".join(kept)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    return MATH.sub(" ", INLINE_CODE.sub(" ", text))


def unused_terms(entries: list[Entry], root: Path = ROOT) -> list[str]:
    """Terms that no page but the glossary uses in its prose: their tooltip would show nowhere."""
    texts = [
        prose(p.read_text(encoding="utf-8"))
        for p in sorted((root / "docs").glob("*.md"))
        if p.name != PAGE
    ]
    return [
        e.term
        for e in entries
        if not any(re.search(rf"\b{re.escape(e.term)}\b", t) for t in texts)
    ]
