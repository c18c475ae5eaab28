"""The tracking schema: the real files are valid, and each kind of bad entry fails with a clear message.

Check the data alone with `pytest tests/test_tracking.py` or `python -m kb tracking`.
"""

import copy

import pytest
import yaml

from kb import render, tracking

VALID = {
    "topic": "dropout",
    "title": "Dropout",
    "reading": [
        {
            "title": "Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
            "authors": ["Nitish Srivastava", "Geoffrey Hinton"],
            "year": 2014,
            "kind": "paper",
            "link": "https://jmlr.org/papers/v15/srivastava14a.html",
            "arxiv": None,
            "doi": None,
            "status": "unread",
            "from_notes": False,
            "notes": None,
        }
    ],
    "questions": [
        {
            "id": "dropout-at-test-time",
            "question": "how handle this (PyTorch)?",
            "status": "answered",
            "notes_status": "unsolved",
            "student_answer": None,
            "answer": "nn.Dropout is the identity in eval().",
            "evidence": {
                "snippets": ["snippets/dropout/example.py"],
                "citations": [
                    {
                        "source": "Srivastava et al. 2014",
                        "section": "Section 10",
                    }
                ],
            },
        }
    ],
}


def write_project(root, data=VALID, name="dropout"):
    (root / "docs" / "tracking").mkdir(parents=True, exist_ok=True)
    (root / "snippets" / "dropout").mkdir(parents=True, exist_ok=True)
    (root / "snippets" / "dropout" / "example.py").write_text(
        '"""Example."""\n'
    )
    (root / "docs" / f"{data.get('topic', name)}.md").write_text("# Page\n")
    path = root / "docs" / "tracking" / f"{name}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def broken(change):
    data = copy.deepcopy(VALID)
    change(data)
    return data


def error_for(tmp_path, data) -> str:
    write_project(tmp_path, data)
    with pytest.raises(tracking.TrackingError) as info:
        tracking.load_all(tmp_path)
    message = str(info.value)
    assert "docs/tracking/dropout.yml" in message or "dropout.yml" in message, (
        message
    )
    return message


def test_the_site_tracking_files_are_valid():
    topics = tracking.load_all()
    assert topics, "no docs/tracking/*.yml found"


def test_a_valid_file_loads(tmp_path):
    write_project(tmp_path)
    [topic] = tracking.load_all(tmp_path)
    assert topic.questions[0].id == "dropout-at-test-time"


def test_unknown_status(tmp_path):
    message = error_for(
        tmp_path, broken(lambda d: d["reading"][0].update(status="skimmed"))
    )
    assert (
        "reading[0]" in message
        and "status" in message
        and "'unread', 'reading' or 'read'" in message
    )


def test_missing_field(tmp_path):
    message = error_for(tmp_path, broken(lambda d: d["reading"][0].pop("kind")))
    assert (
        "reading[0] (title 'Dropout: A Simple" in message
        and "kind: missing; add it" in message
    )


def test_bad_year(tmp_path):
    message = error_for(
        tmp_path, broken(lambda d: d["reading"][0].update(year=214))
    )
    assert (
        "reading[0]" in message
        and "year" in message
        and "greater than or equal to 1900" in message
    )


def test_duplicate_question_id(tmp_path):
    write_project(tmp_path)
    other = broken(lambda d: d.update(topic="other", title="Other", reading=[]))
    write_project(tmp_path, other, name="other")
    with pytest.raises(tracking.TrackingError) as info:
        tracking.load_all(tmp_path)
    assert (
        "'dropout-at-test-time' is already used in docs/tracking/dropout.yml"
        in str(info.value)
    )
    assert "choose another id" in str(info.value)


def test_missing_evidence_path(tmp_path):
    data = broken(
        lambda d: d["questions"][0]["evidence"].update(
            snippets=["snippets/dropout/nope.py"]
        )
    )
    message = error_for(tmp_path, data)
    assert "questions[0] (id 'dropout-at-test-time')" in message
    assert "'snippets/dropout/nope.py' does not exist" in message


def test_answered_without_evidence(tmp_path):
    data = broken(
        lambda d: d["questions"][0].update(
            evidence={"snippets": [], "citations": []}
        )
    )
    message = error_for(tmp_path, data)
    assert "an answered question needs evidence" in message


def test_malformed_url(tmp_path):
    message = error_for(
        tmp_path,
        broken(lambda d: d["reading"][0].update(link="jmlr.org/papers")),
    )
    assert (
        "reading[0]" in message and "link" in message and "valid URL" in message
    )


def test_unknown_field_is_a_typo(tmp_path):
    typo = "auther"  # codespell:ignore auther
    message = error_for(
        tmp_path, broken(lambda d: d["reading"][0].update({typo: "X"}))
    )
    assert f"{typo}: unknown field (a typo?)" in message


def test_every_message_says_how_to_check(tmp_path):
    message = error_for(
        tmp_path, broken(lambda d: d["reading"][0].update(status="done"))
    )
    assert "CONTRIBUTING.md" in message and "python -m kb tracking" in message


def test_rendered_reading_list_shows_status_and_counts(tmp_path):
    write_project(tmp_path)
    [topic] = tracking.load_all(tmp_path)
    text = render.reading_list(topic)
    assert (
        "**0 of 1 read.**" in text
        and "- [ ] [**Dropout: A Simple" in text
        and "kb-badge--unread" in text
    )


def test_rendered_question_keeps_the_words_and_links_evidence(tmp_path):
    write_project(tmp_path)
    [topic] = tracking.load_all(tmp_path)
    text = render.questions(
        topic, "https://example.org/blob/main/", {"dropout/example"}
    )
    assert (
        'id="dropout-at-test-time"' in text
        and "> how handle this (PyTorch)?" in text
    )
    assert "marked unsolved in the notes; answered here" in text
    assert "(https://example.org/blob/main/snippets/dropout/example.py)" in text
    assert "#output-dropout-example" in text
