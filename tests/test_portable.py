"""Portable trust: another CPU's outputs pass, and every tolerance is backed by a spread over seeds.

tests/other_machine/ holds what each snippet printed on another CPU (Intel Xeon with AVX-512) at
commit 4eca6a0. For every snippet whose record still says what it said then (its ± tolerances aside),
that machine's output must pass the comparison the tests make here.
"""

import hashlib
import json

import pytest

from kb import outputs
from kb.paths import ROOT, rel

OTHER = ROOT / "tests" / "other_machine"
RECORDED_THEN = json.loads((OTHER / "recorded_at_4eca6a0.json").read_text())
SNIPPETS = outputs.all_snippets()


def without_tolerances(text: str) -> str:
    return outputs.TOLERANCE.sub("", text)


def still_as_then(snippet: str) -> bool:
    stdout = outputs.load_record(ROOT / snippet)["stdout"]
    return (
        hashlib.sha256(without_tolerances(stdout).encode()).hexdigest()
        == RECORDED_THEN[snippet]
    )


@pytest.mark.parametrize("snippet", sorted(RECORDED_THEN))
def test_the_other_machines_output_passes(snippet):
    if not still_as_then(snippet):
        pytest.skip(
            f"{snippet} prints something else than at 4eca6a0; that machine's output is old"
        )
    record = outputs.load_record(ROOT / snippet)["stdout"]
    other = (
        (OTHER / snippet.removeprefix("snippets/"))
        .with_suffix(".txt")
        .read_text()
    )
    difference = outputs.compare_stdout(record, other)
    assert difference is None, (
        f"{snippet}: the other machine's output fails against the record: {difference}\n"
        f"A result of training needs a ± tolerance covering its spread: {outputs.seeds_command(ROOT / snippet)}"
    )


def test_most_snippets_are_still_compared_with_the_other_machine():
    kept = [
        s for s in RECORDED_THEN if (ROOT / s).exists() and still_as_then(s)
    ]
    assert len(kept) >= 30, (
        f"only {len(kept)} of {len(RECORDED_THEN)} snippets still compare: {kept}"
    )


@pytest.mark.parametrize("snippet", SNIPPETS, ids=rel)
def test_tolerances_are_backed_by_seeds(snippet):
    """A snippet that trains, or prints a ±, has a fresh seeds record; no number varies with the seed
    without a ±, and no ± is narrower than the spread."""
    has_tolerance = outputs.TOLERANCE.search(
        outputs.load_record(snippet)["stdout"]
    )
    if not (outputs.trains(snippet) or has_tolerance):
        pytest.skip("deterministic: no training, no tolerance")
    try:
        summary = outputs.load_seeds(snippet)
    except outputs.OutputError as error:
        pytest.fail(str(error), pytrace=False)
    assert len(summary["seeds"]) >= 5, (
        f"{rel(snippet)}: measure at least 5 seeds: {outputs.seeds_command(snippet)}"
    )
    problems = outputs.seeds_problems(summary, outputs.trains(snippet))
    assert not problems, f"{rel(snippet)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=rel)
def test_no_tolerance_is_half_its_value(snippet):
    """A ± of half the value or more lets almost any result pass: it checks nothing."""
    wide = outputs.wide_tolerances(outputs.load_record(snippet)["stdout"])
    assert not wide, (
        f"{rel(snippet)} prints tolerances of half the value or more; show a stable figure "
        "instead (a mean over repeats, more data, or a relation the snippet asserts):\n  "
        + "\n  ".join(wide)
    )
