"""Run every snippet and compare it with the output recorded for the pages, here and on another CPU.

One test id per snippet, and one more per snippet on the baseline kernels (runner.KERNELS: the
kernels every x86-64 CPU has, which add floats in another order than this CPU's). A snippet that
trains runs that second time under another seed too: its asserts must hold beyond the recorded seed,
its ± numbers stay within their tolerances and its plots within their bands. Any other snippet must
print the same as on the recording CPU. A failed assert (a claim of a page), a changed printed result
or plot, a changed source without a refreshed record: each fails here, naming the snippet and the
command that records its new output.

A run that passed is remembered (kb/verified.py) with everything that decides it; it runs again only
when one of those changed, and the summary at the end says which. `pytest --no-kb-cache` runs all.
"""

import pytest

from kb import outputs, verified
from kb.paths import rel

SNIPPETS = outputs.all_snippets()
OTHER_SEED = 1  # the recorded runs use seed 0
OTHER_KERNELS = "baseline"


def verify(request, snippet, seed: int = 0, kernels: str = "native") -> None:
    """Run the snippet and compare it with its record, unless this very run passed before."""
    try:
        why = verified.verify(snippet, seed, kernels)
    except outputs.OutputError as error:
        request.node.user_properties.append(("kb", "ran: failed"))
        pytest.fail(str(error), pytrace=False)
    request.node.user_properties.append(("kb", why and f"ran: {why}"))


@pytest.mark.parametrize("snippet", SNIPPETS, ids=rel)
def test_snippet_matches_its_recorded_output(request, snippet):
    verify(request, snippet)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=rel)
def test_snippet_holds_on_another_cpus_kernels(request, snippet):
    seed = OTHER_SEED if outputs.trains(snippet) else 0
    verify(request, snippet, seed, OTHER_KERNELS)


def test_there_are_snippets():
    # a broken glob must not pass as "nothing to run"
    assert len(SNIPPETS) >= 10, SNIPPETS
