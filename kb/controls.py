"""Negative controls: a claim's assert is shown to fail when its effect is removed.

An assert that cannot fail checks nothing. Each folder of snippets may declare, in `controls.toml`,
for each snippet either a control or the reason it has none:

    [train_test_gap]
    effect = "dropout (p = 0.5 -> 0)"          # what the control removes, as the page says it
    replace = ["P_DROP = 0.5", "P_DROP = 0.0"]  # the one change to the code that removes it
    fails = "gap_with < gap_without"            # the assert that must then fail: part of its code
                                                # or of its message

    [output_size]
    none = "asserts arithmetic identities only; there is no effect to remove"

An exercise's solution (kb/exercises.py) needs no declaration: its control is its starter, the file
with the solution removed, and one of its checks must fail there.

`run(snippet)` runs the changed code (the snippet file is never touched) and returns the assert
that failed, its code and its message; `ControlError` says what went wrong: the change no longer applies, the code
passed anyway, or another assert or error stopped it first.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kb import exercises, filecache, runner
from kb.paths import ROOT, rel

FILE = "controls.toml"
TIMEOUT_S = 300


class ControlError(Exception):
    """A control is malformed or did not fail as declared. The message names the file and the fix."""


@dataclass(frozen=True)
class Control:
    snippet: Path
    effect: str = ""
    replace: tuple[str, str] = ("", "")
    fails: str = ""
    none: str = ""  # the reason a snippet has no control
    starter: bool = (
        False  # an exercise: the control is its starter (kb/exercises.py)
    )

    @property
    def declared(self) -> str:
        return f"{rel(self.snippet.parent / FILE)} [{self.snippet.stem}]"


def load(folder: Path) -> dict[str, Control]:
    """The controls of one folder of snippets, by snippet name; {} when it declares none."""
    path = folder / FILE
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ControlError(f"{rel(path)}: not valid TOML: {error}") from None
    controls = {}
    for name, entry in table.items():
        snippet = folder / f"{name}.py"
        where = f"{rel(path)} [{name}]"
        if not snippet.is_file():
            raise ControlError(
                f"{where}: there is no snippet {rel(snippet)}; rename the table"
            )
        keys = set(entry)
        if keys == {"none"} and str(entry["none"]).strip():
            controls[name] = Control(snippet, none=entry["none"].strip())
            continue
        if keys != {"effect", "replace", "fails"}:
            raise ControlError(
                f"{where}: give `effect`, `replace` = [old, new] and `fails`, or only `none` = "
                f"a one-line reason; found {sorted(keys)}"
            )
        replace = entry["replace"]
        if not (
            isinstance(replace, list)
            and len(replace) == 2
            and replace[0] != replace[1]
        ):
            raise ControlError(
                f"{where}: `replace` must be [old, new], two different strings"
            )
        controls[name] = Control(
            snippet, entry["effect"], tuple(replace), entry["fails"]
        )
    return controls


def of(snippet: Path) -> Control | None:
    if exercises.is_exercise(snippet) and exercises.of(snippet):
        return Control(
            snippet, "the solution (the starter in its place)", starter=True
        )
    # a page's provenance table asks once per snippet: read each folder's file once per build
    folder = snippet.parent
    return filecache.per_build(
        ("controls", str(folder)), lambda: load(folder)
    ).get(snippet.stem)


def changed_source(control: Control) -> str:
    if control.starter:
        return exercises.starter_source(control.snippet)
    source = control.snippet.read_text(encoding="utf-8")
    old, new = control.replace
    if source.count(old) != 1:
        found = "is not in" if old not in source else "occurs more than once in"
        raise ControlError(
            f"{control.declared}: the control's change no longer applies: {old!r} {found} "
            f"{rel(control.snippet)}. Update `replace` to the code's one line that sets the effect."
        )
    return source.replace(old, new)


def run(snippet: Path) -> str:
    """Run the snippet with its effect removed; return the failing assert's message."""
    control = of(snippet)
    if control is None or control.none:
        raise ControlError(f"{rel(snippet)} has no control to run")
    source = changed_source(control)
    # the snippet's worker runs the changed code as its file: no Python start, no torch import
    code, stderr = runner.run_source(snippet, source, TIMEOUT_S)
    if code is None:
        raise ControlError(
            f"{control.declared}: the control of {rel(snippet)} did not finish within "
            f"{TIMEOUT_S} s (or its worker died); make the changed run as small as the snippet"
        )
    failed = _failed_assert(stderr, snippet, source)
    if code == 0 and control.starter:
        raise ControlError(
            f"{rel(snippet)}: its starter (the solution removed) passes the checks unchanged, so "
            "an empty answer would pass. Add a check that fails on the starter's placeholder."
        )
    if failed is None and control.starter:
        last = (stderr.strip().splitlines() or ["(no error output)"])[-1]
        raise ControlError(
            f"{rel(snippet)}: its starter should fail one of the checks (an assert), but it "
            f"stopped with: {last}. Give the block a starter that runs, `# BEGIN SOLUTION "
            "(starter: return torch.zeros(3))`, or check the answer's type with an assert first."
        )
    if code == 0:
        raise ControlError(
            f"{control.declared}: with {control.effect} removed, {rel(snippet)} still passes: its "
            f"assert {control.fails!r} cannot tell the effect from its absence. Make the assert "
            "test the effect itself."
        )
    if failed is None or control.fails not in failed:
        last = (stderr.strip().splitlines() or ["(no error output)"])[-1]
        raise ControlError(
            f"{control.declared}: with {control.effect} removed, {rel(snippet)} should fail "
            f"the assert {control.fails!r}, but it stopped with: {failed or last}"
        )
    return failed


def _failed_assert(stderr: str, snippet: Path, source: str) -> str | None:
    """'<the assert's line> -> <its message>' when the snippet stopped on a failed assert, else None.
    The line is the last of the snippet's own frames in the traceback."""
    lines = stderr.strip().splitlines()
    raised = [
        i for i, line in enumerate(lines) if line.startswith("AssertionError")
    ]
    if not raised:
        return None
    frame = re.compile(
        rf'File "{re.escape(str(snippet.resolve()))}", line (\d+)'
    )
    numbers = [
        int(m.group(1))
        for line in lines[: raised[-1]]
        if (m := frame.search(line))
    ]
    code = _statement(source, numbers[-1]) if numbers else "?"
    message = (
        " ".join(lines[raised[-1] :])
        .removeprefix("AssertionError")
        .removeprefix(": ")
    )
    return f"{code} -> {message}"


def _statement(source: str, line: int) -> str:
    """The whole statement (an assert over several lines too) of the code that ran, starting on
    `line`, on one line."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt) and node.lineno == line:
            return " ".join(ast.get_source_segment(source, node).split())
    return source.splitlines()[line - 1].strip()


def asserting(snippet: Path) -> bool:
    """Whether a snippet asserts anything: those need a control or a reason."""
    return "assert " in snippet.read_text(encoding="utf-8")


def count(snippets: list[Path]) -> tuple[int, int, int]:
    """(snippets with a control, with a reason for none, asserting snippets), as declared."""
    controlled = reasoned = total = 0
    for snippet in snippets:
        if not asserting(snippet):
            continue
        total += 1
        control = of(snippet)
        controlled += bool(control and not control.none)
        reasoned += bool(control and control.none)
    return controlled, reasoned, total


ROOT_SNIPPETS = ROOT / "snippets"
