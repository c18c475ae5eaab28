"""Negative controls (kb/controls.py): every declared control makes its claim's assert fail.

A control that passes means the assert cannot tell the effect from its absence. A control that
passed before with nothing changed (the snippet's code and modules, the control, the packages) is
remembered like a snippet run (kb/verified.py).
"""

import dataclasses
import re

import pytest

from kb import controls, exercises, outputs, render, verified
from kb.paths import ROOT, rel

SNIPPETS = outputs.all_snippets()
CONTROLLED = [s for s in SNIPPETS if (c := controls.of(s)) and not c.none]


@pytest.mark.parametrize("snippet", CONTROLLED, ids=rel)
def test_the_claim_fails_without_its_effect(request, snippet):
    control = controls.of(snippet)
    # an exercise's starter is made from comments too (its markers), which the code hash ignores
    starter = exercises.starter_source(snippet) if control.starter else ""
    key = verified.control_parts(
        snippet,
        dataclasses.asdict(control)
        | {"snippet": rel(snippet), "starter": starter},
    )
    name = "control__" + rel(snippet).removesuffix(".py").replace("/", "__")
    why = verified.check_needs_run(name, key)
    request.node.user_properties.append(("kb", why and f"ran: {why}"))
    if why is None:
        return
    try:
        failed = controls.run(snippet)
    except controls.ControlError as error:
        pytest.fail(str(error), pytrace=False)
    assert control.fails in failed
    verified.remember_check(name, key)


def test_the_readme_states_the_count_of_controls():
    controlled, reasoned, total = controls.count(SNIPPETS)
    stated = re.search(
        r"(\d+) of the (\d+) snippets that assert a claim have a negative control that fails;\s+"
        r"(\d+) says? in one line why (?:it has|they have) none",
        (ROOT / "README.md").read_text(encoding="utf-8"),
    )
    assert stated, (
        "README.md must state the count of negative controls (python -m kb controls)"
    )
    assert tuple(map(int, stated.groups())) == (controlled, total, reasoned), (
        f"README.md states {stated.group(0)!r}; the count is {controlled} of {total}, "
        f"{reasoned} with a reason. Update the sentence."
    )


def _snippet(tmp_path, code, toml):
    folder = tmp_path / "snippets" / "topic"
    folder.mkdir(parents=True)
    (folder / "claim.py").write_text(code)
    (folder / "controls.toml").write_text(toml)
    return folder / "claim.py"


CLAIM = "P = 0.5\ngap = P\nassert gap > 0, f'dropout narrows the gap ({gap})'\n"


def test_a_control_that_fails_its_assert_passes(tmp_path):
    snippet = _snippet(
        tmp_path,
        CLAIM,
        '[claim]\neffect = "dropout"\nreplace = ["P = 0.5", "P = 0.0"]\nfails = "narrows"\n',
    )
    assert (
        controls.run(snippet)
        == "assert gap > 0, f'dropout narrows the gap ({gap})' -> dropout narrows the gap (0.0)"
    )


@pytest.mark.parametrize(
    "toml, error",
    [
        (
            '[claim]\neffect = "dropout"\nreplace = ["P = 0.5", "P = 0.6"]\nfails = "narrows"\n',
            "still passes: its assert 'narrows' cannot tell the effect",
        ),
        (
            '[claim]\neffect = "dropout"\nreplace = ["P = 0.7", "P = 0.0"]\nfails = "narrows"\n',
            "no longer applies: 'P = 0.7' is not in",
        ),
        (
            '[claim]\neffect = "dropout"\nreplace = ["P = 0.5", "P = None"]\nfails = "narrows"\n',
            "should fail the assert 'narrows', but it stopped with",
        ),
        (
            '[claim]\neffect = "dropout"\nfails = "narrows"\n',
            "give `effect`, `replace` = \\[old, new\\] and `fails`, or only `none`",
        ),
        ('[other]\nnone = "no effect"\n', "there is no snippet .*other.py"),
    ],
)
def test_a_control_that_does_not_fail_as_declared_is_an_error(
    tmp_path, toml, error
):
    snippet = _snippet(tmp_path, CLAIM, toml)
    with pytest.raises(controls.ControlError, match=error):
        controls.run(snippet)


def test_every_controls_file_is_valid():
    for folder in sorted({s.parent for s in SNIPPETS}):
        controls.load(folder)  # raises ControlError naming the file and the fix


def test_a_quoted_effect_stays_inside_the_title_attribute():
    control = controls.Control(ROOT / "x.py", effect='the "tanh" units')
    cell = render.control_cell(control)
    assert (
        'title="The tests run this snippet without the &quot;tanh&quot; units'
        in cell
    )
    assert cell.count('"') == 4  # class="..." and title="..."
