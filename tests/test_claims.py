"""Every sentence about a run is bound to the run: its numbers come from the record, or its claim is
asserted by the snippet for every seed (kb/claims.py)."""

import pytest

from kb import claims
from kb.paths import ROOT
from kb.tracking import load_all

TOPICS = load_all()


def _texts(topic):
    """A topic page's Markdown and its questions' answers, which render on it."""
    yield (
        f"docs/{topic.topic}.md",
        (ROOT / "docs" / f"{topic.topic}.md").read_text(encoding="utf-8"),
    )
    for question in topic.questions:
        if question.answer:
            yield (
                f"docs/tracking/{topic.topic}.yml ({question.id})",
                question.answer,
            )


@pytest.mark.parametrize("topic", TOPICS, ids=[t.topic for t in TOPICS])
def test_every_sentence_about_a_run_is_bound(topic):
    problems = [
        f"{where} {problem}"
        for where, text in _texts(topic)
        for problem in claims.unbound(text)
    ]
    assert not problems, (
        "These sentences state a result of a run typed by hand. Take the number from the record "
        '({{ value TOPIC/NAME "LABEL" }}, {{ spread ... }}), or assert the claim in the snippet '
        'and add {{ asserted TOPIC/NAME "MESSAGE" }} to the sentence:\n'
        + "\n".join(problems)
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "After 8 epochs the network reaches a test accuracy of 0.93.",
        "Three of five seeds leave chance level.",
        "Most seeds leave chance level within six epochs.",
        "The snippet asserts that the gap narrows.",
        "Training is six passes over the images.",
        "The loss is about 14x larger than the cross-entropy's.",
        "Over the seeds the map puts its mass inside the box, two to three times chance.",
        "The trained map scores several times chance on the test images.",
        "The loss is hundreds of times larger than the cross-entropy's.",
    ],
)
def test_a_planted_unbound_sentence_is_found(sentence):
    page = f"# A page\n\nSome words first.\n\n{sentence}\n"
    assert [u.sentence for u in claims.unbound(page)] == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        'After {{ value nin/x "epochs" }} epochs the network reaches {{ value nin/x "accuracy" }}.',
        'The gap narrows {{ asserted dropout/train_test_gap "gap" }} on every seed.',
        "Ioffe & Szegedy (2015, Section 4.2.1) report 4.9% top-5 error after training.",
        "A repeat on the digits is below; the kernels were split (sections 3.2 and 3.5).",
        "The network is trained with learning rate 0.1 and momentum 0.9.",
        "The run uses a weight decay ten times AlexNet's to make the effect visible.",
        "The model is trained several times with different settings.",
    ],
)
def test_a_bound_or_cited_sentence_passes(sentence):
    assert claims.unbound(f"Intro.\n\n{sentence}\n") == []


def test_a_typed_verdict_on_noise_is_found_next_to_a_difference():
    page = 'Intro.\n\nSeed by seed the gain is {{ difference a/b "x" "y" }}: within seed noise.\n'
    assert [u.what for u in claims.unbound(page)] == [
        "a verdict on seed noise (`{{ difference }}` prints it)"
    ]


def test_code_math_and_quotations_are_not_prose():
    page = (
        "```py\nprint('accuracy after 10 epochs: 0.93')\n```\n\n"
        "> The student wrote: after 10 epochs the loss is 0.5.\n\n"
        "$$\n\\text{loss} = 0.5\n$$\n"
    )
    assert claims.unbound(page) == []


def test_asserted_names_an_existing_assert(tmp_path):
    snippet = tmp_path / "snippets" / "topic" / "claim.py"
    snippet.parent.mkdir(parents=True)
    snippet.write_text(
        'gap = 0.1\nassert gap > 0, f"dropout narrows the gap ({gap})"\nassert gap < 1\n'
    )
    mark = claims.asserted(snippet, "dropout narrows the gap")
    assert 'class="kb-asserted"' in mark and "snippets/topic/claim.py" in mark
    with pytest.raises(
        ValueError, match="no assert in .*claim.py has a message containing"
    ):
        claims.asserted(snippet, "skips help")
    with pytest.raises(ValueError, match="does not exist"):
        claims.asserted(tmp_path / "missing.py", "anything")


def test_asserted_sees_an_edited_message(tmp_path):
    # `mkdocs serve` rebuilds in one process: the parsed messages must follow the file's edits
    snippet = tmp_path / "claim.py"
    snippet.write_text('assert True, "skips help"\n')
    claims.asserted(snippet, "skips help")
    snippet.write_text('assert True, "skips help the small model"\n')
    claims.asserted(snippet, "the small model")
    snippet.write_text('assert True, "dropout narrows the gap"\n')
    with pytest.raises(ValueError, match="no assert"):
        claims.asserted(snippet, "skips help")


@pytest.mark.parametrize(
    "sentence",
    [
        "Over five seeds the map puts most of its mass inside the box.",
        'Over 5 seeds it points inside the box {{ asserted a/b "points inside" }}.',
        "The gain holds over 10 random seeds.",
        "Over seeds 0 to 4 the curves overlap.",
        "A five-seed mean is shown.",
        'It stays below 0.05 for every seed from 0 to 4 {{ asserted a/b "below" }}.',
        "Over seeds 0 through 4 the curves overlap.",
    ],
)
def test_a_typed_number_of_seeds_is_found(sentence):
    # asserted or not: the number goes wrong as soon as the seeds are recorded again
    found = claims.unbound(f"Intro.\n\n{sentence}\n")
    assert [u.what for u in found] == [claims.TYPED_SEEDS_WHAT]


@pytest.mark.parametrize(
    "sentence",
    [
        "Srivastava et al. (2014) average over 5 seeds.",
        "Its distance from seed 0 over seeds and CPU kernels is too wide.",
    ],
)
def test_a_cited_or_untyped_number_of_seeds_passes(sentence):
    assert claims.unbound(f"Intro.\n\n{sentence}\n") == []
