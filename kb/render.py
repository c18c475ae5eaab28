"""Markdown renderers for tracked data and recorded outputs. Pure functions: data in, Markdown out."""

from __future__ import annotations

import html
from collections import Counter

from kb.tracking import Question, ReadingItem, Topic

STATUS_ORDER = ("open", "partly answered", "answered")
NOTES_MARK = {
    "solved": "marked solved in the notes",
    "unsolved": "marked unsolved in the notes",
}


def _badge(text: str, kind: str) -> str:
    return f'<span class="kb-badge kb-badge--{kind.replace(" ", "-")}">{html.escape(text)}</span>'


def quote(text: str) -> str:
    """A Markdown blockquote of text kept exactly as written."""
    return "\n".join(
        f"> {line}".rstrip() for line in text.strip("\n").splitlines()
    )


def reading_item(item: ReadingItem) -> str:
    box = "[x]" if item.status == "read" else "[ ]"
    if item.slot:
        note = f": “{item.notes}”" if item.notes else ""
        return (
            f"- {box} *{item.title}* ({item.kind}): an empty slot in the notes{note} "
            f"{_badge('empty slot', 'slot')}"
        )
    authors = ", ".join(item.authors)
    parts = [
        f"- {box} [**{item.title}**]({item.link}), {authors} ({item.year}), {item.kind}"
    ]
    if item.arxiv:
        parts.append(
            f", arXiv [{item.arxiv}](https://arxiv.org/abs/{item.arxiv})"
        )
    if item.doi:
        parts.append(f", DOI [{item.doi}](https://doi.org/{item.doi})")
    parts.append(f" {_badge(item.status, item.status)}")
    if item.from_notes:
        parts.append(f" {_badge('from the notes', 'notes')}")
    line = "".join(parts)
    if item.notes:
        line += "\n\n    " + item.notes.strip().replace("\n", "\n    ")
    return line


def reading_list(topic: Topic) -> str:
    if not topic.reading:
        return "*No sources tracked for this topic yet.*"
    read, total = topic.read_count()
    # Blank lines between items: an item's indented notes would otherwise swallow the next item.
    return f"**{read} of {total} read.**\n\n" + "\n\n".join(
        reading_item(i) for i in topic.reading
    )


def _evidence(q: Question, repo_blob: str, outputs_on_page: set[str]) -> str:
    links = []
    for path in q.evidence.snippets:
        name = path.removeprefix("snippets/").removesuffix(".py")
        link = f"[`{path}`]({repo_blob}{path})"
        if name in outputs_on_page:
            link += f" ([its output on this page](#{output_anchor(name)}))"
        links.append(link)
    for c in q.evidence.citations:
        text = c.source + (f", {c.section}" if c.section else "")
        links.append(f"[{text}]({c.link})" if c.link else text)
    return "; ".join(links)


def question(
    q: Question, repo_blob: str, outputs_on_page: set[str] = frozenset()
) -> str:
    badges = [_badge(q.status, q.status)]
    if q.notes_status:
        mark = NOTES_MARK[q.notes_status]
        if q.notes_status == "unsolved" and q.status != "open":
            mark += f"; {q.status} here"
        badges.append(_badge(mark, "notes"))
    source = "verbatim from the notes" if q.notes_status else "our question"
    parts = [
        f'<div class="kb-question" id="{q.id}" markdown>',
        "",
        " ".join(badges),
        "",
        f"**Question** ({source}):",
        "",
        quote(q.question),
        "",
    ]
    if q.student_answer:
        parts += [
            "**The student's answer** (verbatim):",
            "",
            quote(q.student_answer),
            "",
        ]
    if q.answer:
        parts += ["**Our answer.** " + q.answer.strip(), ""]
    evidence = _evidence(q, repo_blob, outputs_on_page)
    if evidence:
        parts += [f"**Evidence:** {evidence}", ""]
    parts.append("</div>")
    return "\n".join(parts)


def questions(
    topic: Topic, repo_blob: str, outputs_on_page: set[str] = frozenset()
) -> str:
    if not topic.questions:
        return "*No questions tracked for this topic yet.*"
    return "\n\n".join(
        question(q, repo_blob, outputs_on_page) for q in topic.questions
    )


def counts(topics: list[Topic]) -> dict[str, int]:
    read = sum(t.read_count()[0] for t in topics)
    total = sum(t.read_count()[1] for t in topics)
    by_status = Counter(q.status for t in topics for q in t.questions)
    return {
        "read": read,
        "sources": total,
        **{s: by_status.get(s, 0) for s in STATUS_ORDER},
    }


def counts_line(topics: list[Topic], prefix: str = "") -> str:
    c = counts(topics)
    return (
        f"**{c['read']} of {c['sources']}** sources read · "
        f"[questions]({prefix}questions.md): **{c['answered']}** answered, "
        f"**{c['partly answered']}** partly answered, **{c['open']}** open"
    )


def reading_overview(topics: list[Topic], prefix: str = "") -> str:
    c = counts(topics)
    lines = [f"**Overall: {c['read']} of {c['sources']} sources read.**", ""]
    for t in topics:
        if not t.reading:
            continue
        read, total = t.read_count()
        lines += [
            f"## {t.title}",
            "",
            f"[{t.title}]({prefix}{t.page}#reading-list): {read} of {total} read.",
            "",
            "\n\n".join(reading_item(item) for item in t.reading),
            "",
        ]
    return "\n".join(lines)


def questions_overview(topics: list[Topic], prefix: str = "") -> str:
    lines = [counts_line(topics, prefix), ""]
    for status in STATUS_ORDER:
        found = [
            (t, q) for t in topics for q in t.questions if q.status == status
        ]
        lines += [f"## {status.capitalize()} ({len(found)})", ""]
        if not found:
            lines += ["*None.*", ""]
        for t, q in found:
            mark = f" ({NOTES_MARK[q.notes_status]})" if q.notes_status else ""
            first = " ".join(q.question.split())
            lines.append(
                f"- [{t.title}]({prefix}{t.page}#{q.id}){mark}: “{first}”"
            )
        lines.append("")
    return "\n".join(lines)


def output_anchor(name: str) -> str:
    return "output-" + name.replace("/", "-").replace("_", "-")


def output_block(name: str, stdout: str, indent: str = "") -> str:
    """A recorded stdout as a titled text block, with an anchor the questions link to."""
    body = stdout.rstrip("\n").splitlines() or ["(the snippet printed nothing)"]
    lines = [
        f'<div class="kb-output" id="{output_anchor(name)}" markdown>',
        "",
        f'``` text title="Output of snippets/{name}.py"',
        *body,
        "```",
        "",
        "</div>",
    ]
    return "\n".join(indent + line if line else line for line in lines)


def solution_block(name: str, stdout: str, starter_links: str) -> str:
    """An exercise's solution: its starter's downloads, then the solution and its output, collapsed."""
    path = f"snippets/{name}.py"
    lines = [
        *([starter_links, ""] if starter_links else []),
        '??? success "Solution (the tests run it, and its starter must fail the checks)"',
        "",
        f'    ``` py title="{path}"',
        f'    --8<-- "{path}"',
        "    ```",
        "",
        output_block(name, stdout, "    "),
    ]
    return "\n".join(lines)


def control_cell(control) -> str:
    """What a page says of a snippet's negative control (kb/controls.py), which the tests run."""
    if control is None:
        return "not declared"
    if control.none:
        return f"none: {control.none}"
    # escaped quotes too: the effect goes into the title attribute
    effect = html.escape(control.effect)
    return (
        f'<span class="kb-control" title="The tests run this snippet without {effect} '
        f'and require its assert to fail">fails without {effect}</span>'
    )


def provenance(rows: list[dict]) -> str:
    """A table of the snippets behind a page, from their recorded runs."""
    lines = [
        "| Snippet | Shows | Control | CPU time | torch | Recorded |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| [`{r['snippet']}`]({r['url']}) | {r['claim']} | {r.get('control', '')} "
            f"| {r['seconds']:.1f} s | {r['torch']} | {r['date']} |"
        )
    return "\n".join(lines)
