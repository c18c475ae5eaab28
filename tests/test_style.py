"""The house style, kept by tools: ruff (lint and format) and codespell, as pre-commit runs them.

A failure names the files and the command that fixes them. The spelling check spares exactly the
student's own words (kb/spelling.py): tested both ways below.
"""

import os
import shutil
import subprocess
import sys

import yaml

from kb import spelling
from kb.paths import ROOT

CODE = ["kb", "snippets", "tests"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *CODE],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_check_passes():
    result = ruff("check", "--no-cache")
    assert result.returncode == 0, (
        f"{result.stdout}\nFix these, some automatically with: "
        f"ruff check --fix {' '.join(CODE)}"
    )


def test_ruff_format_is_applied():
    result = ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, (
        f"{result.stdout}\nReformat with: ruff format {' '.join(CODE)}"
    )


def test_spelling_passes():
    code, report = spelling.check()
    assert code == 0, (
        f"{report}\nFix the spelling (python -m kb spelling shows the same)."
    )


def notes_site(tmp_path, page_text: str):
    """A folder with the original notes, the spelling settings and one page of ours."""
    shutil.copytree(
        ROOT / "docs" / "original-notes", tmp_path / "docs" / "original-notes"
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "docs" / "page.md").write_text(page_text)
    return tmp_path


TYPO = "absulute"  # codespell:ignore absulute  (the student's, in the notes)


def test_a_typo_in_our_prose_fails(tmp_path):
    page = f"# Page\n\nLarger {TYPO} weights make a steeper function.\n"
    code, report = spelling.check(notes_site(tmp_path, page))
    assert code != 0 and f"docs/page.md:3: {TYPO} ==> absolute" in report, (
        report
    )


def test_the_students_words_pass_verbatim(tmp_path):
    quoted = (  # the student's question, verbatim from the notes
        f"# Page\n\n> Why NN with higher {TYPO} weights have more complexitiy "  # codespell:ignore complexitiy
        f"than NN with lower {TYPO} weights?\n\nOur answer, spelled correctly.\n"
    )
    code, report = spelling.check(notes_site(tmp_path, quoted))
    assert code == 0, report


def test_pre_commit_runs_the_same_checks():
    hooks = [
        h
        for repo in yaml.safe_load(
            (ROOT / ".pre-commit-config.yaml").read_text()
        )["repos"]
        for h in repo["hooks"]
    ]
    entries = " | ".join(h["entry"] for h in hooks)
    for command in ("ruff check", "ruff format", "python -m kb spelling"):
        assert command in entries, (
            f"{command!r} is not a pre-commit hook: {entries}"
        )


def test_the_spelling_walk_never_enters_a_test_s_private_folder(
    tmp_path, monkeypatch
):
    """Another xdist worker removes its snippets/_test_* or docs/outputs/_test_* folder while the
    spelling check walks: listing such a folder must never be tried."""
    for folder in [
        "snippets/topic",
        "snippets/_test_gone",
        "docs/outputs/_test_gone",
    ]:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "example.py").write_text("")
    real_scandir = os.scandir

    def scandir(path="."):
        if "_test_gone" in str(path):
            raise FileNotFoundError(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert spelling.files(tmp_path) == [tmp_path / "snippets/topic/example.py"]
