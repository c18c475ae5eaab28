"""Recorded outputs: noise in the last digits passes, a changed result, a stale record or a failing
snippet fails with a message naming the snippet and the fix."""
import shutil
import uuid

import pytest

from kb import outputs
from kb.paths import ROOT, SNIPPETS, rel

SNIPPET = '''"""Prints a result and saves a plot."""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main() -> None:
    print("test accuracy: 0.973")
    print("exact zeros: 120")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    fig.savefig("line.png")


if __name__ == "__main__":
    main()
'''


@pytest.fixture
def snippet():
    """A throw-away snippet inside snippets/ (a private folder, unique per test), its record removed after."""
    folder = SNIPPETS / f"_test_{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    path = folder / "example.py"
    path.write_text(SNIPPET)
    yield path
    shutil.rmtree(folder)
    shutil.rmtree(outputs.output_dir(path).parent, ignore_errors=True)


@pytest.mark.parametrize("expected, actual", [
    ("test accuracy: 0.973", "test accuracy: 0.974"),   # one unit in the last digit
    ("loss: 1.25e-03", "loss: 1.27e-03"),               # scientific notation
    ("exact zeros: 120", "exact zeros: 121"),
])
def test_noise_in_the_last_digits_passes(expected, actual):
    assert outputs.compare_stdout(expected, actual) is None


@pytest.mark.parametrize("expected, actual", [
    ("test accuracy: 0.973", "test accuracy: 0.968"),
    ("test accuracy: 0.973", "train accuracy: 0.973"),
    ("exact zeros: 120", "exact zeros: 12"),
    ("a: 1\nb: 2", "a: 1"),
])
def test_a_changed_result_fails(expected, actual):
    assert outputs.compare_stdout(expected, actual) is not None


def test_record_then_check_passes(snippet):
    run = outputs.run_snippet(snippet)
    assert run.plots.keys() == {"line.png"}
    folder = outputs.record(run)
    assert (folder / "stdout.txt").read_text() == "test accuracy: 0.973\nexact zeros: 120\n"
    outputs.check(outputs.run_snippet(snippet))
    assert outputs.value(snippet, "test accuracy") == "0.973"


def test_changed_result_names_snippet_and_refresh_command(snippet):
    outputs.record(outputs.run_snippet(snippet))
    text = outputs.output_dir(snippet) / "stdout.txt"
    text.write_text(text.read_text().replace("0.973", "0.950"))
    with pytest.raises(outputs.OutputError) as info:
        outputs.check(outputs.run_snippet(snippet))
    message = str(info.value)
    assert f"{rel(snippet)} printed something other than its recorded output" in message
    assert f"python -m kb refresh {rel(snippet)}" in message


def test_stale_record_fails(snippet):
    outputs.record(outputs.run_snippet(snippet))
    snippet.write_text(SNIPPET.replace("0.973", "0.973  # edited"))
    with pytest.raises(outputs.OutputError) as info:
        outputs.check(outputs.run_snippet(snippet))
    assert "changed since its output was recorded" in str(info.value)
    assert f"python -m kb refresh {rel(snippet)}" in str(info.value)


def test_missing_record_fails(snippet):
    with pytest.raises(outputs.OutputError) as info:
        outputs.check(outputs.run_snippet(snippet))
    assert "has no recorded output" in str(info.value) and "python -m kb refresh" in str(info.value)


def test_a_lost_plot_fails(snippet):
    outputs.record(outputs.run_snippet(snippet))
    snippet.write_text(SNIPPET.replace('fig.savefig("line.png")', "pass"))
    meta = outputs.output_dir(snippet) / "run.json"
    meta.write_text(meta.read_text().replace(outputs.load_record(snippet)["source_sha256"],
                                             outputs.source_hash(snippet)))
    with pytest.raises(outputs.OutputError) as info:
        outputs.check(outputs.run_snippet(snippet))
    assert "saved plots [] , the record has ['line.png']".replace(" ,", ",") in str(info.value)


def test_a_failing_snippet_names_the_file_and_its_error(snippet):
    snippet.write_text('"""Claims too much."""\nassert 1 + 1 == 3, "the claim does not hold"\n')
    with pytest.raises(outputs.OutputError) as info:
        outputs.run_snippet(snippet)
    message = str(info.value)
    assert f"{rel(snippet)} failed (exit code 1)" in message
    assert "AssertionError: the claim does not hold" in message


def test_a_missing_label_lists_the_labels(snippet):
    outputs.record(outputs.run_snippet(snippet))
    with pytest.raises(outputs.OutputError) as info:
        outputs.value(snippet, "accuracy")
    assert "prints no line labelled \"accuracy\"" in str(info.value) and "test accuracy" in str(info.value)


def test_outputs_live_in_docs():
    assert outputs.output_dir(SNIPPETS / "dropout" / "x.py") == ROOT / "docs" / "outputs" / "dropout" / "x"
