"""Exercises whose solutions run as tests, and whose starters are made from the solutions.

An exercise's solution is a snippet like any other, in `snippets/<topic>/exercises/<name>.py`: the
tests run it and compare it with its record. The part a learner writes is marked, and the checks
below it are ordinary asserts:

    def prox_l1(w, t):
        # BEGIN SOLUTION (starter: return w.clone())
        return torch.sign(w) * (w.abs() - t).clamp(min=0)
        # END SOLUTION

    assert torch.equal(prox_l1(w, 0.5), expected), "prox_l1 matches the worked example"

The *starter* is the same file with each marked block replaced by the code after `starter:` (`pass`
when none is given) and a TODO line: a learner runs it and gets the verdict the tests give.
`python -m kb downloads` writes it as a script and a notebook beside the solution's downloads, so
there is never a second hand-kept copy. The starter is the solution's negative control
(kb/controls.py): the tests run it and require one of the checks to fail, so an empty answer never
passes. A predict-then-run exercise has no marked block: the page binds its answer to the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kb.paths import ROOT, rel

FOLDER = "exercises"
BEGIN = re.compile(
    r"^(?P<indent>[ \t]*)# BEGIN SOLUTION(?: \(starter: (?P<stub>.+)\))?[ \t]*$"
)
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
TODO = "# TODO: your answer here (see the exercise on the page)"


class ExerciseError(Exception):
    """An exercise's markers are malformed. The message names the file, the line and the fix."""


@dataclass(frozen=True)
class Block:
    begin: int  # line numbers (1-based) of the two marker lines
    end: int
    indent: str
    stub: str


def is_exercise(snippet: Path, root: Path = ROOT) -> bool:
    """A snippet in snippets/<topic>/exercises/ (of this repository or a copy of it)."""
    snippet = Path(snippet).resolve()
    return (
        snippet.parent.name == FOLDER and snippet.parents[2].name == "snippets"
    )


def blocks(source: str, where: str = "<source>") -> list[Block]:
    """The marked solution blocks of a source, in order."""
    found, begin = [], None
    for number, line in enumerate(source.splitlines(), 1):
        if m := BEGIN.match(line):
            if begin:
                raise ExerciseError(
                    f"{where} line {number}: a second `# BEGIN SOLUTION` before the "
                    f"`# END SOLUTION` of line {begin[0]}. Close the first block."
                )
            begin = (
                number,
                m.group("indent"),
                (m.group("stub") or "pass").strip(),
            )
        elif "# BEGIN SOLUTION" in line or (
            "# END SOLUTION" in line and not END.match(line)
        ):
            raise ExerciseError(
                f"{where} line {number}: write the marker on its own line, as "
                "`# BEGIN SOLUTION (starter: CODE)` or `# END SOLUTION`."
            )
        elif END.match(line):
            if not begin:
                raise ExerciseError(
                    f"{where} line {number}: `# END SOLUTION` without a `# BEGIN SOLUTION` above it."
                )
            if number == begin[0] + 1:
                raise ExerciseError(
                    f"{where} line {begin[0]}: the solution block is empty; put the solution "
                    "between the markers."
                )
            found.append(Block(begin[0], number, begin[1], begin[2]))
            begin = None
    if begin:
        raise ExerciseError(
            f"{where} line {begin[0]}: `# BEGIN SOLUTION` is never closed; add `# END SOLUTION` "
            "after the solution."
        )
    return found


def of(snippet: Path) -> list[Block]:
    """The solution blocks of a snippet file; [] for a predict-then-run exercise or any snippet."""
    return blocks(Path(snippet).read_text(encoding="utf-8"), rel(snippet))


def starter_source(snippet: Path) -> str:
    """The solution with each marked block replaced by its starter code and a TODO line."""
    return starter_source_of(
        Path(snippet).read_text(encoding="utf-8"), rel(snippet)
    )


def starter_source_of(source: str, where: str) -> str:
    found = blocks(source, where)
    if not found:
        raise ExerciseError(
            f"{where} has no `# BEGIN SOLUTION` block, so it has no starter."
        )
    lines = source.splitlines(keepends=True)
    for block in reversed(found):
        lines[block.begin - 1 : block.end] = [
            f"{block.indent}{TODO}\n",
            f"{block.indent}{block.stub}\n",
        ]
    return "".join(lines)


def starter_name(snippet: Path) -> str:
    """The starter's file name: prox_l1_starter.py for prox_l1.py."""
    return f"{Path(snippet).stem}_starter"
