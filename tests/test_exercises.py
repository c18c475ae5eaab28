"""Exercises (kb/exercises.py): every topic page ends with 3 to 5 of graded difficulty, every code
exercise shows its solution hidden and offers a starter made from it.

That a starter fails its checks and a solution passes them is tested with the other snippets: the
solution is a snippet (tests/test_snippets.py) and its starter is its negative control
(tests/test_controls.py)."""

import json
import re

import pytest

from kb import controls, directives, downloads, exercises, outputs
from kb.paths import ROOT, rel
from kb.tracking import load_all

# shapes.md describes the data set (under About): not a topic page with exercises
TOPICS = [t for t in load_all() if t.topic != "shapes"]
EXERCISES = [s for s in outputs.all_snippets() if exercises.is_exercise(s)]
WITH_STARTER = [s for s in EXERCISES if exercises.of(s)]
SECTION = re.compile(r"^## Exercises\n(.*?)(?=^## )", re.M | re.S)
ITEM = re.compile(r"^\d+\. \*\*[^*]+\*\* \((easy|medium|hard)\)", re.M)
LEVELS = {"easy", "medium", "hard"}


def _page(topic) -> str:
    return (ROOT / "docs" / f"{topic.topic}.md").read_text(encoding="utf-8")


def _section(topic) -> str:
    m = SECTION.search(_page(topic))
    assert m, (
        f"docs/{topic.topic}.md has no `## Exercises` section before its reading list: add 3 to "
        "5 exercises (see CONTRIBUTING.md, Exercises)"
    )
    return m.group(1)


@pytest.mark.parametrize("topic", TOPICS, ids=[t.topic for t in TOPICS])
def test_every_topic_page_ends_with_graded_exercises(topic):
    section = _section(topic)
    levels = ITEM.findall(section)
    numbered = re.findall(r"^\d+\. ", section, re.M)
    assert len(levels) == len(numbered), (
        f"docs/{topic.topic}.md: start each exercise as `1. **Title** (easy|medium|hard).`"
    )
    assert 3 <= len(levels) <= 5, (
        f"docs/{topic.topic}.md has {len(levels)} exercises; give 3 to 5"
    )
    assert len(set(levels)) >= 2, (
        f"docs/{topic.topic}.md: grade the exercises (easy, medium, hard), not all {levels[0]}"
    )
    headings = re.findall(r"^## (.+)$", _page(topic), re.M)
    after = headings[headings.index("Exercises") + 1]
    assert after == "Reading list", (
        f"docs/{topic.topic}.md: put `## Exercises` last, just before `## Reading list`"
    )


@pytest.mark.parametrize("topic", TOPICS, ids=[t.topic for t in TOPICS])
def test_every_code_exercise_of_a_page_is_shown_with_its_solution(topic):
    shown = re.findall(r"\{\{\s*solution\s+(\S+)\s*\}\}", _section(topic))
    folder = downloads.page_folder(
        directives.snippets_on_page(_page(topic), None)
    )
    theirs = {
        downloads.name_of(s)
        for s in WITH_STARTER
        if folder and rel(s).startswith(f"snippets/{folder}/")
    }
    assert theirs <= set(shown), (
        f"docs/{topic.topic}.md does not show the exercises {sorted(theirs - set(shown))}: "
        "add `{{ solution TOPIC/exercises/NAME }}` under each one's text"
    )


def test_every_exercise_is_on_a_page():
    used = set()
    for topic in TOPICS:
        used |= set(directives.snippets_on_page(_page(topic), topic))
    missing = [rel(s) for s in EXERCISES if downloads.name_of(s) not in used]
    assert not missing, f"exercises on no page: {missing}"


@pytest.mark.parametrize("snippet", WITH_STARTER, ids=rel)
def test_the_starter_downloads_are_made_from_the_solution(snippet):
    if not (outputs.output_dir(snippet) / "run.json").is_file():
        pytest.skip(
            f"{rel(snippet)} has no record yet (tests/test_snippets.py fails on that)"
        )
    script, notebook = downloads.starter_targets(snippet)
    starter = exercises.starter_source(snippet)
    assert script.is_file() and notebook.is_file(), (
        f"{rel(snippet)}: its starter is missing. Make it with: {downloads.COMMAND}"
    )
    assert script.read_text(encoding="utf-8") == downloads.script_text(
        snippet, starter=True
    ), f"{rel(script)} is stale. Make it again with: {downloads.COMMAND}"
    assert script.read_text(encoding="utf-8").endswith(starter)
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    assert not any(c.get("outputs") for c in cells), (
        "a starter notebook shows no outputs: they would give the answer away"
    )
    assert "".join(cells[-1]["source"]).rstrip().endswith(starter.rstrip())
    solution = snippet.read_text(encoding="utf-8")
    for block in exercises.of(snippet):
        answer = solution.splitlines()[block.begin : block.end - 1]
        assert not any(
            line.strip() and line in starter for line in answer[:1]
        ), f"{rel(snippet)}: the starter still holds the solution's first line"


@pytest.mark.parametrize("snippet", WITH_STARTER, ids=rel)
def test_an_exercise_with_a_solution_is_controlled_by_its_starter(snippet):
    control = controls.of(snippet)
    assert control is not None and control.starter


# --- the markers -----------------------------------------------------------------------------------

SOLVED = """\
def square(x):
    # BEGIN SOLUTION (starter: return 0)
    y = x * x
    return y
    # END SOLUTION


assert square(3) == 9, "the square of 3 is 9"
"""


def test_the_starter_replaces_each_block_and_keeps_the_checks():
    starter = exercises.starter_source_of(SOLVED, "ex.py")
    assert "x * x" not in starter
    assert f"    {exercises.TODO}\n    return 0\n" in starter
    assert 'assert square(3) == 9, "the square of 3 is 9"' in starter
    namespace: dict = {}
    with pytest.raises(AssertionError, match="the square of 3"):
        exec(starter, namespace)
    exec(SOLVED, {})


def test_a_block_without_a_starter_becomes_pass():
    source = SOLVED.replace(" (starter: return 0)", "")
    assert "    pass\n" in exercises.starter_source_of(source, "ex.py")


@pytest.mark.parametrize(
    "source, says",
    [
        (SOLVED.replace("    # END SOLUTION\n", ""), "is never closed"),
        (
            SOLVED.replace("    # BEGIN SOLUTION (starter: return 0)\n", ""),
            "without a `# BEGIN",
        ),
        (SOLVED.replace("    y = x * x\n    return y\n", ""), "block is empty"),
        (
            SOLVED.replace("    y = x * x\n", "    # BEGIN SOLUTION\n"),
            "a second `# BEGIN",
        ),
        (
            SOLVED.replace("# BEGIN SOLUTION (", "# BEGIN SOLUTION: ("),
            "own line",
        ),
    ],
)
def test_malformed_markers_name_the_file_and_the_fix(source, says):
    with pytest.raises(exercises.ExerciseError, match=re.escape(says)) as error:
        exercises.blocks(source, "snippets/t/exercises/ex.py")
    assert "snippets/t/exercises/ex.py line " in str(error.value)


def test_a_solution_directive_needs_an_exercise(tmp_path):
    site = directives.Site(topics=[], repo_blob="", root=ROOT)
    with pytest.raises(directives.DirectiveError, match="exercises live in"):
        directives.expand(
            "{{ solution dropout/train_test_gap }}\n", "x.md", site
        )


@pytest.mark.skipif(not WITH_STARTER, reason="no exercise yet")
def test_the_solution_directive_hides_the_solution_under_the_starter_links():
    name = downloads.name_of(WITH_STARTER[0])
    site = directives.Site(topics=[], repo_blob="", root=ROOT)
    text = directives.solution(name, "../", site)
    links, _, hidden = text.partition('??? success "Solution')
    assert f"../downloads/{name}_starter.ipynb" in links
    assert f'    --8<-- "snippets/{name}.py"' in hidden
    assert f"Output of snippets/{name}.py" in hidden
