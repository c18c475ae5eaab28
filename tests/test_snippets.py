"""Run every snippet and compare it with the output recorded for the pages, here and on another CPU.

One test id per snippet, and one more per snippet on the baseline kernels (runner.KERNELS: the
kernels every x86-64 CPU has, which add floats in another order than this CPU's). A snippet that
trains runs that second time under another seed too: its asserts must hold beyond the recorded seed,
its ± numbers stay within their tolerances and its plots within their bands. Any other snippet must
print the same as on the recording CPU. A failed assert (a claim of a page), a changed printed result
or plot, a changed source without a refreshed record: each fails here, naming the snippet and the
command that records its new output.
"""

import pytest

from kb import outputs
from kb.paths import rel

SNIPPETS = outputs.all_snippets()
OTHER_SEED = 1  # the recorded runs use seed 0
OTHER_KERNELS = "baseline"


@pytest.mark.parametrize("snippet", SNIPPETS, ids=rel)
def test_snippet_matches_its_recorded_output(snippet):
    try:
        outputs.check(outputs.run_snippet(snippet))
    except outputs.OutputError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=rel)
def test_snippet_holds_on_another_cpus_kernels(snippet):
    seed = OTHER_SEED if outputs.trains(snippet) else 0
    try:
        outputs.check(outputs.run_snippet(snippet, seed, kernels=OTHER_KERNELS))
    except outputs.OutputError as error:
        pytest.fail(str(error), pytrace=False)


def test_there_are_snippets():
    # a broken glob must not pass as "nothing to run"
    assert len(SNIPPETS) >= 10, SNIPPETS
