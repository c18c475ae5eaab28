"""Spelling: codespell over our prose and code, sparing exactly the student's own words.

The student's words stay as written, misspellings included. The exclusion is narrow: the
original notes (docs/original-notes/), and any line elsewhere whose text, once quote markers, a YAML key
and quotes are taken off, appears verbatim in those notes (a quotation on a page, a question or an
answer in docs/tracking/). Such lines are blanked before codespell reads the files; everything else,
including our prose next to a quotation, is checked. Settings (skips, names codespell does not know)
live in pyproject.toml under [tool.codespell].

    python -m kb spelling       # what pytest and pre-commit run
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kb.paths import ROOT, walk

NOTES = "docs/original-notes"
CHECKED = [
    "README.md",
    "CONTRIBUTING.md",
    "docs",
    "kb",
    "snippets",
    "tests",
    ".github",
    ".ci",
]
SUFFIXES = {
    ".md",
    ".py",
    ".yml",
    ".yaml",
    ".txt",
    ".toml",
    ".html",
    ".css",
    ".js",
    "",
}
# snippets/_*: private folders that tests create and remove while this runs
SKIPPED = (
    "docs/assets/",
    "docs/outputs/",
    "tests/other_machine/",
    NOTES + "/",
    "snippets/_",
)
MIN_QUOTED = 12  # shorter fragments ("Solved!") are too common to prove a line is the student's
PREFIX = re.compile(r"""^\s*(?:>\s*)*(?:-\s+)?(?:[a-z_]+:\s*[|>]?\s*)?["']?""")


def _normal(text: str) -> str:
    return " ".join(text.replace("\\n", " ").split())


def notes_text(root: Path = ROOT) -> str:
    """The original notes as one line of words, quote markers removed."""
    lines = []
    for path in sorted((root / NOTES).glob("*.txt")):
        lines += [
            line.strip().lstrip(">")
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
    return _normal(" ".join(lines))


def is_students(line: str, notes: str) -> bool:
    text = _normal(PREFIX.sub("", line).rstrip().rstrip("\"'"))
    return len(text) >= MIN_QUOTED and text in notes


def files(root: Path = ROOT) -> list[Path]:
    found = []
    for name in CHECKED:
        path = root / name
        candidates = [path] if path.is_file() else _walk(path, root)
        for p in candidates:
            relative = p.relative_to(root).as_posix()
            if (
                p.is_file()
                and p.suffix in SUFFIXES
                and "__pycache__" not in relative
                and not relative.startswith(SKIPPED)
                and not relative.endswith(".min.js")
            ):
                found.append(p)
    return found


def _walk(folder: Path, root: Path) -> list[Path]:
    """The files under a folder, never entering a skipped one (snippets/_test_*,
    docs/outputs/_test_* among them)."""

    def checked(path: Path) -> bool:
        return not f"{path.relative_to(root).as_posix()}/".startswith(SKIPPED)

    return [
        here / name for here, names in walk(folder, checked) for name in names
    ]


def masked(path: Path, notes: str) -> str:
    """The file with the student's lines blanked (line numbers kept)."""
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    return "\n".join("" if is_students(line, notes) else line for line in lines)


def check(root: Path = ROOT) -> tuple[int, str]:
    """Run codespell over our files, the student's lines blanked; (exit code, its report)."""
    notes = notes_text(root)
    with tempfile.TemporaryDirectory() as tmp:
        for path in files(root):
            target = Path(tmp) / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(masked(path, notes), encoding="utf-8")
        shutil.copy(root / "pyproject.toml", Path(tmp) / "pyproject.toml")
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "codespell_lib",
                "--toml",
                "pyproject.toml",
                ".",
            ],
            cwd=tmp,
            capture_output=True,
            text=True,
        )
    report = (result.stdout + result.stderr).replace("./", "")
    return result.returncode, report


def main() -> int:
    code, report = check()
    if code:
        print(report.rstrip())
        print(
            "\nFix the spelling in our text. The student's own words are spared only where they are "
            f"verbatim from {NOTES}/; a name codespell does not know goes in pyproject.toml "
            "([tool.codespell] ignore-words-list).",
            file=sys.stderr,
        )
    else:
        print("spelling ok")
    return 1 if code else 0
