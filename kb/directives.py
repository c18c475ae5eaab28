"""The `{{ ... }}` directives a page uses, expanded before Markdown is rendered.

    {{ output TOPIC/NAME }}            the recorded stdout of snippets/TOPIC/NAME.py, as a titled block
    {{ value TOPIC/NAME "LABEL" }}     the value printed on the line `LABEL: value` of that output
    {{ spread TOPIC/NAME "LABEL" }}    that value's mean ± std and range over seeds (its seeds.json)
    {{ sign TOPIC/NAME "LABEL" }}      'positive in K of N seeds': how often that value is above zero
    {{ difference TOPIC/NAME "A" "B" }} the value of A minus that of B, seed by seed: mean ± std,
                                       range and in how many seeds it is positive (an effect)
    {{ asserted TOPIC/NAME "MESSAGE" }} a mark saying the sentence's claim is asserted for every seed by
                                       the snippet's `assert` whose message contains MESSAGE (kb/claims.py)
    {{ reading_list }} {{ questions }} this page's tracked reading list and questions
    {{ reading_overview }} {{ questions_overview }} {{ tracking_counts }}   the aggregated views
    {{ run_info }}                     torch version and dates of the recorded runs
    {{ glossary }}                     the glossary's terms, definitions and links (kb/glossary.py)
    {{ include_markdown FILE }}        a Markdown file of the repository (CONTRIBUTING.md), as written
    {{ downloads TOPIC/NAME }}         "Run it yourself": the experiment's notebook, script and Colab link;
                                       inserted by itself under every `{{ output }}` of an experiment
    {{ solution TOPIC/exercises/NAME }} an exercise's starter downloads, then its solution and output in
                                       a collapsed block (kb/exercises.py)

Every topic page that shows snippets also gets a "Provenance" table appended: which snippets back it,
their CPU time and the torch version, read from their recorded runs; before it, a "Run it yourself"
section links the zip of the topic's snippets (kb/downloads.py).

A page whose snippets changed since their outputs were recorded fails the build, naming the snippet
and the refresh command; under `mkdocs serve` (`Site.serving`) it shows a warning at the top instead.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from kb import (
    claims,
    controls,
    downloads,
    exercises,
    filecache,
    glossary,
    outputs,
    render,
)
from kb.pages import INCLUDE_LINE
from kb.paths import ROOT, walk
from kb.tracking import Topic

DIRECTIVE = re.compile(
    r"\{\{\s*([a-z_]+)((?:\s+(?:\"[^\"]*\"|[^\s\"{}]+))*)\s*\}\}"
)
BLOCK = {
    "output",
    "reading_list",
    "questions",
    "reading_overview",
    "questions_overview",
    "include_markdown",
    "downloads",
    "glossary",
    "solution",
}
INLINE = (
    "value",
    "spread",
    "sign",
    "difference",
    "asserted",
    "tracking_counts",
    "run_info",
)
KNOWN = (*INLINE, *sorted(BLOCK))
# "{{" (or more braces) and a directive's name: meant as a directive, whether or not it parses
LOOKS_LIKE_DIRECTIVE = re.compile(r"\{\{[\s{]*(?:" + "|".join(KNOWN) + r")\b")
OUTPUT_LINE = re.compile(
    r"^([ \t]*)\{\{\s*output\s+([^\s\"{}]+)\s*\}\}[ \t]*$", re.M
)


log = logging.getLogger("mkdocs.plugins.kb")


class DirectiveError(Exception):
    """A directive cannot be expanded. The message names the page and the fix."""


@functools.cache  # every page is read by several passes; serve rebuilds them all on each edit
def directive_args(text: str) -> tuple[str, ...]:
    """A directive's arguments, split as a shell would: a quoted label stays one argument."""
    return tuple(shlex.split(text))


@dataclass
class Site:
    topics: list[Topic]
    repo_blob: str  # e.g. https://github.com/ORG/REPO/blob/main/
    root: Path = ROOT
    serving: bool = False  # mkdocs serve: show stale outputs with a warning instead of failing
    repo_url: str = ""  # https://github.com/ORG/REPO: the "Open in Colab" links
    by_topic: dict[str, Topic] = field(init=False)

    def __post_init__(self):
        self.by_topic = {t.topic: t for t in self.topics}


def snippet_path(name: str, root: Path = ROOT) -> Path:
    return root / "snippets" / f"{name}.py"


def snippets_on_page(markdown: str, topic: Topic | None) -> list[str]:
    """TOPIC/NAME of every snippet a page includes, shows the output of, quotes, or cites."""
    targets = [
        m.group("target").partition(":")[0]
        for line in markdown.splitlines()
        if (m := INCLUDE_LINE.match(line))
    ]
    names = [
        t.removeprefix("snippets/").removesuffix(".py")
        for t in targets
        if t.startswith("snippets/")
    ]
    for m in DIRECTIVE.finditer(markdown):
        if m.group(1) in (
            "output",
            "value",
            "spread",
            "sign",
            "difference",
            "asserted",
            "solution",
        ):
            names += directive_args(m.group(2))[:1]
    if topic:
        names += [
            p.removeprefix("snippets/").removesuffix(".py")
            for q in topic.questions
            for p in q.evidence.snippets
        ]
    return list(dict.fromkeys(names))


def _claim(path: Path) -> str:
    """The first paragraph of a snippet's docstring, on one line: the claim it checks."""
    return filecache.cached(
        "claim", path, lambda p: downloads.docstring_parts(p)[0]
    )


def provenance_section(names: list[str], site: Site) -> str:
    rows = []
    for name in names:
        meta = outputs.load_record(snippet_path(name, site.root))
        rows.append(
            {
                "snippet": f"snippets/{name}.py",
                "url": f"{site.repo_blob}snippets/{name}.py",
                "claim": _claim(snippet_path(name, site.root)).replace(
                    "|", "\\|"
                ),
                "control": render.control_cell(
                    controls.of(snippet_path(name, site.root))
                ).replace("|", "\\|"),
                "seconds": meta["seconds"],
                "torch": meta["torch"],
                "date": meta["date"],
            }
        )
    return (
        "\n\n## Provenance\n\nEvery code block, printed output and plot on this page comes from "
        "these snippets. The test suite runs each of them and compares it with the output shown "
        "here; it also runs each snippet's negative control, the snippet with its effect removed, "
        "and requires the claim's assert to fail there (Control). The times are single-threaded "
        "CPU runs.\n\n" + render.provenance(rows) + "\n"
    )


def run_info(root: Path = ROOT) -> str:
    # not a test's throw-away record (docs/outputs/_test_*): another worker may remove it
    metas = [
        json.loads((folder / "run.json").read_text())
        for folder, files in walk(root / "docs" / "outputs")
        if "run.json" in files
    ]
    if not metas:
        return "*No recorded runs yet.*"
    torches = ", ".join(sorted({m["torch"] for m in metas}))
    dates = sorted(m["date"] for m in metas)
    span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    total = sum(m["seconds"] for m in metas)
    return (
        f"{len(metas)} snippets, recorded with PyTorch {torches} on a CPU on {span} "
        f"({total:.0f} s of single-threaded CPU time in all)."
    )


def include_markdown(path: Path) -> str:
    """A repository Markdown file as written: its example `--8<--` lines escaped so they stay text."""
    if not path.is_file():
        raise DirectiveError(f"{path.name} does not exist")
    return re.sub(
        r"^(\s*)--8<--",
        r"\1;--8<--",
        path.read_text(encoding="utf-8"),
        flags=re.M,
    )


def malformed_directives(markdown: str) -> list[str]:
    """Text that names a directive in braces but does not parse as one: it would be published as
    raw braces. Each problem names the line and the form that parses."""
    parsed = {m.start() for m in DIRECTIVE.finditer(markdown)}
    problems = []
    for m in LOOKS_LIKE_DIRECTIVE.finditer(markdown):
        if m.start() not in parsed:
            line = markdown.count("\n", 0, m.start()) + 1
            text = markdown[m.start() :].split("\n", 1)[0][:80]
            problems.append(
                f"line {line}: {text!r} is not a directive. Write it as "
                '{{ name ARG "a quoted label" }}: two braces, no other braces inside.'
            )
    return problems


def expand(markdown: str, page: str, site: Site) -> str:
    """Expand every directive in the Markdown of `page` (a path relative to docs/)."""
    topic = site.by_topic.get(Path(page).with_suffix("").as_posix())
    prefix = "../" * page.count("/")
    outputs_on_page = {
        directive_args(m.group(2))[0]
        for m in DIRECTIVE.finditer(markdown)
        if m.group(1) == "output" and m.group(2).strip()
    }

    def replace(m: re.Match) -> str:
        name, args = m.group(1), directive_args(m.group(2))
        line_start = markdown.rfind("\n", 0, m.start()) + 1
        indent = markdown[line_start : m.start()]
        where = f"docs/{page}: {m.group(0)}"
        if name in BLOCK and indent.strip():
            raise DirectiveError(f"{where} must stand alone on its line.")
        try:
            expanded = _expand_one(
                name, args, indent, topic, prefix, outputs_on_page, site
            )
            if name == "questions":  # answers bind their numbers and claims too
                if malformed := malformed_directives(expanded):
                    raise DirectiveError("an answer: " + "\n".join(malformed))
                expanded = DIRECTIVE.sub(replace, expanded)
            return expanded
        except (outputs.OutputError, DirectiveError) as error:
            raise DirectiveError(f"{where}: {error}") from None

    malformed = malformed_directives(markdown)
    if malformed:
        raise DirectiveError(f"docs/{page}: " + "\n".join(malformed))
    problems = freshness_problems(markdown, topic, site)
    if problems and not site.serving:
        raise DirectiveError(f"docs/{page}: " + "\n".join(problems))
    markdown = with_download_links(markdown, site)
    stale_downloads = download_problems(markdown, site)
    if stale_downloads and not site.serving:
        raise DirectiveError(f"docs/{page}: " + "\n".join(stale_downloads))
    for problem in stale_downloads:
        log.warning(f"docs/{page}: {problem}")
    expanded = DIRECTIVE.sub(replace, markdown)
    if problems:
        expanded = stale_banner(problems) + expanded
    names = snippets_on_page(markdown, topic)
    if topic and names and (folder := downloads.page_folder(names)):
        shown = any(
            m.group(1) == "downloads" for m in DIRECTIVE.finditer(markdown)
        )
        expanded += downloads.zip_section(folder, prefix, shown)
    if topic and names:
        try:
            expanded += provenance_section(names, site)
        except (outputs.OutputError, controls.ControlError) as error:
            raise DirectiveError(f"docs/{page}: {error}") from None
    return expanded


def freshness_problems(
    markdown: str, topic: Topic | None, site: Site
) -> list[str]:
    """Missing or stale records behind a page: its snippets' outputs and its seeds records. Runs nothing."""
    problems = [
        p
        for name in snippets_on_page(markdown, topic)
        if (p := outputs.freshness_problem(snippet_path(name, site.root)))
    ]
    for m in DIRECTIVE.finditer(markdown):
        if m.group(1) in ("spread", "sign", "difference") and (
            args := directive_args(m.group(2))
        ):
            try:
                outputs.load_seeds(snippet_path(args[0], site.root))
            except outputs.OutputError as error:
                problems.append(str(error))
    return list(dict.fromkeys(problems))


def _experiment(name: str, site: Site) -> bool:
    path = snippet_path(name, site.root)
    return path.is_file() and downloads.is_experiment(path, site.root)


def with_download_links(markdown: str, site: Site) -> str:
    """Put `{{ downloads TOPIC/NAME }}` under each `{{ output TOPIC/NAME }}` of an experiment, unless
    the page places that experiment's links itself."""
    placed = {
        directive_args(m.group(2))[0]
        for m in DIRECTIVE.finditer(markdown)
        if m.group(1) == "downloads" and m.group(2).strip()
    }

    def add(m: re.Match) -> str:
        indent, name = m.group(1), m.group(2)
        if name in placed or not _experiment(name, site):
            return m.group(0)
        return f"{m.group(0)}\n\n{indent}{{{{ downloads {name} }}}}"

    return OUTPUT_LINE.sub(add, markdown)


def download_problems(markdown: str, site: Site) -> list[str]:
    """Missing or stale downloads of the experiments a page links. Compared with their records (a
    stale record is reported by `freshness_problems`), so no code is fingerprinted again."""
    problems = []
    for m in DIRECTIVE.finditer(markdown):
        if m.group(1) == "downloads" and (args := directive_args(m.group(2))):
            path = snippet_path(args[0], site.root)
            if (
                site.root / "docs" / "outputs" / args[0] / "run.json"
            ).is_file():
                problems.append(downloads.download_problem(path, site.root))
    return list(dict.fromkeys(p for p in problems if p))


def stale_banner(problems: list[str]) -> str:
    body = "\n".join(f"    - {p}" for p in problems)
    return (
        f'!!! danger "Stale output: this page shows code that changed since its output was recorded"'
        f"\n\n{body}\n\n    `mkdocs build --strict` fails until the outputs are recorded again.\n\n"
    )


def _expand_one(
    name, args, indent, topic, prefix, outputs_on_page, site
) -> str:
    def need(count: int, usage: str) -> None:
        if len(args) != count:
            raise DirectiveError(f"expected {usage}")

    def this_topic() -> Topic:
        if topic is None:
            raise DirectiveError(
                "this page has no tracking file; create docs/tracking/<page>.yml "
                "or move the directive to a topic page"
            )
        return topic

    if name == "output":
        need(1, "{{ output TOPIC/NAME }}")
        record = outputs.load_record(snippet_path(args[0], site.root))
        return render.output_block(args[0], record["stdout"], indent)[
            len(indent) :
        ]
    if name == "value":
        need(2, '{{ value TOPIC/NAME "LABEL" }}')
        return outputs.value(
            snippet_path(args[0], site.root), args[1], allow_stale=site.serving
        )
    if name == "spread":
        need(2, '{{ spread TOPIC/NAME "LABEL" }}')
        return outputs.spread(
            snippet_path(args[0], site.root), args[1], allow_stale=site.serving
        )
    if name == "sign":
        need(2, '{{ sign TOPIC/NAME "LABEL" }}')
        return outputs.sign(
            snippet_path(args[0], site.root), args[1], allow_stale=site.serving
        )
    if name == "difference":
        need(3, '{{ difference TOPIC/NAME "A" "B" }}')
        return outputs.difference(
            snippet_path(args[0], site.root),
            args[1],
            args[2],
            allow_stale=site.serving,
        )
    if name == "asserted":
        need(2, '{{ asserted TOPIC/NAME "MESSAGE" }}')
        try:
            return claims.asserted(snippet_path(args[0], site.root), args[1])
        except ValueError as error:
            raise DirectiveError(str(error)) from None
    if name == "reading_list":
        need(0, "{{ reading_list }}")
        return _indented(render.reading_list(this_topic()), indent)
    if name == "questions":
        need(0, "{{ questions }}")
        return _indented(
            render.questions(this_topic(), site.repo_blob, outputs_on_page),
            indent,
        )
    if name == "reading_overview":
        return _indented(render.reading_overview(site.topics, prefix), indent)
    if name == "questions_overview":
        return _indented(render.questions_overview(site.topics, prefix), indent)
    if name == "tracking_counts":
        return render.counts_line(site.topics, prefix)
    if name == "run_info":
        return run_info(site.root)
    if name == "include_markdown":
        need(1, "{{ include_markdown FILE }}")
        return include_markdown(site.root / args[0])
    if name == "downloads":
        need(1, "{{ downloads TOPIC/NAME }}")
        return _indented(
            downloads.links_line(args[0], prefix, site.repo_url), indent
        )
    if name == "solution":
        need(1, "{{ solution TOPIC/exercises/NAME }}")
        return _indented(solution(args[0], prefix, site), indent)
    if name == "glossary":
        need(0, "{{ glossary }}")
        return _indented(glossary_table(site, prefix), indent)
    raise DirectiveError(
        f"unknown directive {name!r}; known: {', '.join(KNOWN)}"
    )


def solution(name: str, prefix: str, site: Site) -> str:
    """An exercise's starter links and its collapsed solution; a missing or stale starter download
    fails the build (a warning under `mkdocs serve`)."""
    path = snippet_path(name, site.root)
    if not (path.is_file() and exercises.is_exercise(path, site.root)):
        raise DirectiveError(
            f"there is no exercise snippets/{name}.py; exercises live in "
            "snippets/<topic>/exercises/<name>.py"
        )
    try:
        has_starter = bool(exercises.of(path))
    except exercises.ExerciseError as error:
        raise DirectiveError(str(error)) from None
    record = outputs.load_record(path)
    if has_starter and (problem := downloads.download_problem(path, site.root)):
        if not site.serving:
            raise DirectiveError(problem)
        log.warning(problem)
    links = downloads.starter_line(name, prefix) if has_starter else ""
    return render.solution_block(name, record["stdout"], links)


def glossary_table(site: Site, prefix: str) -> str:
    """The glossary page's table. Stale tooltips (the generated abbreviations file out of date) fail
    the build; under `mkdocs serve` they are a warning."""
    try:
        entries = glossary.load(site.root)
    except glossary.GlossaryError as error:
        raise DirectiveError(str(error)) from None
    if problem := glossary.sync_problem(entries, site.root):
        if not site.serving:
            raise DirectiveError(problem)
        log.warning(problem)
    return glossary.page_table(entries, site.root, prefix)


def _indented(text: str, indent: str) -> str:
    lines = text.splitlines()
    return "\n".join(
        [lines[0]] + [indent + line if line else line for line in lines[1:]]
    )
