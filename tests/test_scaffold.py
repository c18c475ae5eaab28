"""`python -m kb new`: what a newcomer creates passes the project's own rules, end to end."""

import ast
import subprocess
import sys

import pytest
import yaml

from conftest import build
from kb import scaffold, tracking


def kb(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kb", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_new_snippet_is_a_small_program_that_runs(tmp_path):
    [path] = scaffold.create("snippet", "dropout/my_idea", root=tmp_path)
    assert path == tmp_path / "snippets" / "dropout" / "my_idea.py"
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree) and "main" in {
        n.name for n in tree.body if isinstance(n, ast.FunctionDef)
    }
    text = path.read_text()
    assert (
        "torch.manual_seed(SEED)" in text
        and 'os.environ.get("KB_SEED", "0")' in text
        and '"cuda" if torch.cuda.is_available() else "cpu"' in text
    )
    assert "# --8<-- [start:model]" in text and "# --8<-- [end:model]" in text
    run = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0 and run.stdout == "output shape: (8, 2)\n", (
        run.stderr
    )


def test_new_snippet_refuses_bad_names_and_overwrites(tmp_path):
    with pytest.raises(scaffold.ScaffoldError, match="TOPIC/NAME"):
        scaffold.create("snippet", "Dropout-Idea", root=tmp_path)
    scaffold.create("snippet", "dropout/idea", root=tmp_path)
    with pytest.raises(scaffold.ScaffoldError, match="already exists"):
        scaffold.create("snippet", "dropout/idea", root=tmp_path)


def test_new_page_has_a_valid_tracking_file(tmp_path):
    page, data, snippet = scaffold.create(
        "page", "my-topic", "My topic", root=tmp_path
    )
    assert yaml.safe_load(data.read_text()) == {
        "topic": "my-topic",
        "title": "My topic",
        "reading": [],
        "questions": [],
    }
    assert [t.topic for t in tracking.load_all(tmp_path)] == ["my-topic"]
    assert '--8<-- "snippets/my_topic/example.py:model"' in page.read_text()
    assert snippet == tmp_path / "snippets" / "my_topic" / "example.py"


def test_a_newcomer_adds_a_page_with_a_question_and_the_build_passes(
    small_site,
):
    """README + CONTRIBUTING path: scaffold a page, record its snippet, add a question, build (in the
    smallest site: no nav, so the new page needs no nav line there)."""
    copy = small_site
    assert kb(copy, "new", "page", "my-topic", "My topic").returncode == 0
    assert kb(copy, "refresh", "snippets/my_topic/example.py").returncode == 0
    data = copy / "docs" / "tracking" / "my-topic.yml"
    data.write_text(
        data.read_text().replace(
            "questions: []",
            """questions:
  - id: my-topic-output-shape
    question: "What shape does the example model return?"
    status: answered
    answer: "(8, 2): eight inputs, two outputs each."
    evidence:
      snippets: [snippets/my_topic/example.py]
""",
        )
    )
    assert kb(copy, "tracking").returncode == 0
    result = build(copy, copy / "site")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    html = (copy / "site" / "my-topic" / "index.html").read_text()
    assert (
        'id="my-topic-output-shape"' in html
        and "output shape: (8, 2)" in html
        and "Provenance" in html
    )
