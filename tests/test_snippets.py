"""Run every snippet as a script and compare it with the output recorded for the pages.

One test id per snippet. A failed assert in a snippet (a claim of a page), a changed printed result,
a changed source without a refreshed record, or a plot no longer made: each fails here, naming the
snippet and the command that records its new output.
"""
import pytest

from kb import outputs
from kb.paths import ROOT

SNIPPETS = outputs.all_snippets()


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_snippet_matches_its_recorded_output(snippet):
    try:
        outputs.check(outputs.run_snippet(snippet))
    except outputs.OutputError as error:
        pytest.fail(str(error), pytrace=False)


def test_there_are_snippets():
    assert len(SNIPPETS) >= 10, SNIPPETS  # a broken glob must not pass as "nothing to run"
