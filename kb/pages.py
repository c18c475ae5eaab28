"""Reading the pages as the tests see them: code fences (also inside admonitions and tabs) and includes.

Markdown parsers such as markdown-it (used by pytest-markdown-docs) read the 4-space-indented body of
an admonition (`!!! note`) or a content tab (`=== "Tab"`) as an indented code block, so the fences in
it are invisible to them. `flatten_blocks` dedents those bodies, line numbers unchanged, so every
fence is found.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from kb.paths import ROOT, rel

BLOCK_HEADER = re.compile(r"^(\s*)(?:!!!|\?\?\?\+?|===)\s")
INCLUDE_LINE = re.compile(r"""^\s*--8<--\s+(["'])(?P<target>[^"']+)\1\s*$""")
SECTION_MARK = "# --8<-- [start:{}]"
PYTHON = ("py", "python", "python3")


@dataclass
class Fence:
    page: Path
    line: int  # 1-based line of the opening fence
    info: str
    body: str

    @property
    def lang(self) -> str:
        info = self.info.strip()
        # SuperFences brace form: {.py .notest title="..."}
        if info.startswith("{"):
            classes = re.findall(r"\.([\w-]+)", info)
            return classes[0] if classes else ""
        return info.split()[0] if info else ""

    @property
    def includes(self) -> list[str]:
        return [
            m.group("target")
            for line in self.body.splitlines()
            if (m := INCLUDE_LINE.match(line))
        ]

    @property
    def is_include_only(self) -> bool:
        lines = [line for line in self.body.splitlines() if line.strip()]
        return bool(lines) and all(INCLUDE_LINE.match(line) for line in lines)

    def where(self) -> str:
        return f"{rel(self.page)}:{self.line}"


def flatten_blocks(text: str) -> str:
    """Dedent the bodies of admonitions and content tabs by one level, repeatedly, keeping line count."""
    lines = text.split("\n")
    changed = True
    while changed:
        changed = False
        for i, line in enumerate(lines):
            m = BLOCK_HEADER.match(line)
            if not m:
                continue
            indent = len(m.group(1).expandtabs(4))
            lines[i] = ""
            j = i + 1
            while j < len(lines) and (
                not lines[j].strip()
                or len(lines[j]) - len(lines[j].lstrip()) >= indent + 4
            ):
                if lines[j].strip():
                    lines[j] = lines[j][:indent] + lines[j][indent + 4 :]
                j += 1
            changed = True
            break
    return "\n".join(lines)


def fences(page: Path, text: str | None = None) -> list[Fence]:
    text = page.read_text(encoding="utf-8") if text is None else text
    tokens = MarkdownIt("commonmark").parse(flatten_blocks(text))
    return [
        Fence(page, t.map[0] + 1, t.info, t.content)
        for t in tokens
        if t.type == "fence" and t.map
    ]


GENERATED = {
    "outputs",
    "downloads",
}  # records and downloads: no pages, and tests write there


def pages(root: Path = ROOT) -> list[Path]:
    """Every Markdown page under docs/, outside the generated folders."""
    found = []
    for folder, subfolders, files in os.walk(root / "docs"):
        if Path(folder) == root / "docs":
            subfolders[:] = [s for s in subfolders if s not in GENERATED]
        found += [Path(folder) / f for f in files if f.endswith(".md")]
    return sorted(found)


def includes(root: Path = ROOT) -> list[tuple[Path, str]]:
    """(page, target) for every `--8<--` include on every page."""
    found = []
    for page in pages(root):
        for line in page.read_text(encoding="utf-8").splitlines():
            if m := INCLUDE_LINE.match(line):
                found.append((page, m.group("target")))
    return found


def include_problem(target: str, root: Path = ROOT) -> str | None:
    """Why an include target does not resolve, with the fix; None when it does."""
    path, _, section = target.partition(":")
    file = root / path
    if not file.is_file():
        return f'includes "{target}", but {path} does not exist: fix the path or create the file'
    if section and SECTION_MARK.format(section) not in file.read_text(
        encoding="utf-8"
    ):
        return (
            f'includes "{target}", but {path} has no section "{section}": add the lines '
            f'"# --8<-- [start:{section}]" and "# --8<-- [end:{section}]" around it, or fix the name'
        )
    return None


WARNING_HEADER = re.compile(r"^(\s*)(?:!!!|\?\?\?\+?)\s+warning\b")
EVIDENCE = ("{{ output ", "--8<--", "**Why not shown:**")


def pitfalls_without_evidence(page: Path, text: str | None = None) -> list[str]:
    """`page:line "title"` of each `!!! warning` whose body shows no evidence: an `{{ output ... }}` of
    a snippet, an included snippet (`--8<--`), or a `**Why not shown:**` paragraph with the reason."""
    lines = (page.read_text(encoding="utf-8") if text is None else text).split(
        "\n"
    )
    missing = []
    for i, line in enumerate(lines):
        m = WARNING_HEADER.match(line)
        if not m:
            continue
        indent, body = len(m.group(1)), []
        for following in lines[i + 1 :]:
            if (
                following.strip()
                and len(following) - len(following.lstrip()) <= indent
            ):
                break
            body.append(following)
        if not any(marker in "\n".join(body) for marker in EVIDENCE):
            missing.append(f"{rel(page)}:{i + 1} {line.strip()}")
    return missing
