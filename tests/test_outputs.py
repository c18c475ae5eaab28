"""Recorded outputs: noise in the last digits passes; a changed result, number or plot, a stale record
(the snippet or a module it imports changed) or a failing snippet fails with a message naming the
snippet and the fix."""

import dataclasses
import os
import argparse
import shutil
import uuid

import pytest

from kb import outputs
from kb.paths import ROOT, SNIPPETS, rel

SNIPPET = '''"""Prints a result and saves a plot."""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

from helper import SLOPE


def main() -> None:
    print("test accuracy: 0.973")
    print("exact zeros: 120")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, SLOPE])
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
    (folder / "helper.py").write_text(
        '"""A local module the snippet imports."""\nSLOPE = 1\n'
    )
    yield path
    shutil.rmtree(folder)
    shutil.rmtree(outputs.output_dir(path).parent, ignore_errors=True)


@pytest.mark.parametrize(
    "expected, actual",
    [
        (
            "test accuracy: 0.973",
            "test accuracy: 0.974",
        ),  # one unit in the last digit
        ("loss: 1.25e-03", "loss: 1.27e-03"),  # scientific notation
        (
            "test accuracy: 0.968 ±0.02",
            "test accuracy: 0.950 ±0.02",
        ),  # within a printed tolerance
        (
            "test accuracy: 0.968 ±0.02",
            "test accuracy: 0.988 ±0.02",
        ),  # at its edge
        (
            "test accuracy: 0.968 ±0.02",
            "test accuracy: 0.960",
        ),  # another machine's old output
        ("weights near 0: 440 ±30", "weights near 0: 436 ±30"),
    ],
)
def test_noise_in_the_last_digits_passes(expected, actual):
    assert outputs.compare_stdout(expected, actual) is None


@pytest.mark.parametrize(
    "expected, actual",
    [
        ("test accuracy: 0.973", "test accuracy: 0.968"),
        ("test accuracy: 0.973", "train accuracy: 0.973"),
        ("exact zeros: 120", "exact zeros: 12"),
        (
            "parameters: 138357544",
            "parameters: 138357545",
        ),  # a count off by one
        (
            "test accuracy: 0.968 ±0.02",
            "test accuracy: 0.947 ±0.02",
        ),  # outside its spread
        ("a: 1\nb: 2", "a: 1"),
    ],
)
def test_a_changed_result_fails(expected, actual):
    assert outputs.compare_stdout(expected, actual) is not None


def test_record_then_check_passes(snippet):
    run = outputs.run_snippet(snippet)
    assert run.plots.keys() == {"line.png"}
    folder = outputs.record(run)
    assert (
        folder / "stdout.txt"
    ).read_text() == "test accuracy: 0.973\nexact zeros: 120\n"
    outputs.check(outputs.run_snippet(snippet))
    assert outputs.value(snippet, "test accuracy") == "0.973"


def test_changed_result_names_snippet_and_refresh_command(snippet):
    outputs.record(outputs.run_snippet(snippet))
    text = outputs.output_dir(snippet) / "stdout.txt"
    text.write_text(text.read_text().replace("0.973", "0.950"))
    with pytest.raises(outputs.OutputError) as info:
        outputs.check(outputs.run_snippet(snippet))
    message = str(info.value)
    assert (
        f"{rel(snippet)} printed something other than its recorded output"
        in message
    )
    assert f"python -m kb refresh {rel(snippet)}" in message


def test_stale_record_fails(snippet):
    outputs.record(outputs.run_snippet(snippet))
    snippet.write_text(SNIPPET.replace("0.973", "0.975"))
    with pytest.raises(outputs.OutputError) as info:
        outputs.check(outputs.run_snippet(snippet))
    assert "its recorded output is stale" in str(info.value)
    assert f"python -m kb refresh {rel(snippet)}" in str(info.value)


def test_missing_record_fails(snippet):
    with pytest.raises(outputs.OutputError) as info:
        outputs.check(outputs.run_snippet(snippet))
    assert "has no recorded output" in str(
        info.value
    ) and "python -m kb refresh" in str(info.value)


def test_a_lost_plot_fails(snippet):
    outputs.record(outputs.run_snippet(snippet))
    snippet.write_text(SNIPPET.replace('fig.savefig("line.png")', "pass"))
    outputs.restamp(snippet)
    with pytest.raises(outputs.OutputError) as info:
        outputs.check(outputs.run_snippet(snippet))
    assert "saved plots [], the record has ['line.png']" in str(info.value)


def test_a_changed_plot_fails(snippet):
    outputs.record(outputs.run_snippet(snippet))
    # the line now goes down
    (snippet.parent / "helper.py").write_text("SLOPE = -1\n")
    outputs.restamp(snippet)
    with pytest.raises(outputs.OutputError) as info:
        outputs.check(outputs.run_snippet(snippet))
    assert (
        "plot line.png differs from its record by an RMS difference of"
        in str(info.value)
    )


def test_a_changed_imported_module_makes_the_record_stale(snippet):
    outputs.record(outputs.run_snippet(snippet))
    assert outputs.freshness_problem(snippet) is None
    (snippet.parent / "helper.py").write_text("SLOPE = 2\n")
    problem = outputs.freshness_problem(snippet)
    assert problem and f"{rel(snippet.parent / 'helper.py')} changed" in problem
    assert f"python -m kb refresh {rel(snippet)}" in problem


def test_a_comment_or_a_reformat_keeps_the_record_fresh(snippet):
    outputs.record(outputs.run_snippet(snippet))
    snippet.write_text(
        SNIPPET.replace(
            "def main() -> None:", "def main(\n) -> None:  # reformatted"
        )
    )
    assert outputs.freshness_problem(snippet) is None


def test_a_tolerance_narrower_than_the_seed_spread_is_reported():
    summary = {
        "seeds": [0, 1],
        "lines": [
            {
                "line": "acc: 0.90 ±0.01",
                "label": "acc",
                "tolerances": ["0.01"],
                "values": [[0.90], [0.93]],
            },
            {
                "line": "zeros: 440",
                "label": "zeros",
                "tolerances": [None],
                "values": [[440], [436]],
            },
            {
                "line": "params: 10",
                "label": "params",
                "tolerances": [None],
                "values": [[10], [10]],
            },
        ],
    }
    problems = outputs.seeds_problems(summary)
    assert len(problems) == 2
    assert "±0.01 is narrower than the spread over seeds" in problems[0]
    assert (
        "varies with the seed (436 to 440) but has no ± tolerance"
        in problems[1]
    )


def test_a_count_that_other_kernels_change_is_reported():
    """anchor_matching's count of positives flipped on another CPU: an IoU sat on the threshold."""
    summary = {
        "seeds": [0, 1],
        "other_kernels": [[0, "baseline"], [1, "baseline"]],
        "lines": [
            {
                "line": "positive / negative: 9 / 1197",
                "label": "positive / negative",
                "tolerances": [None, None],
                # seeds 0 and 1, then seed 0 and seed 1 on the baseline kernels
                "values": [[9, 1197], [11, 1190], [10, 1197], [11, 1190]],
            },
        ],
    }
    # not a result of training: varying with the seed is fine (random inputs), with the kernels not;
    # each run on other kernels is compared with the same seed's run
    problems = outputs.seeds_problems(summary, trained=False)
    assert (
        len(problems) == 1
        and "number 1 is 10 under other CPU kernels" in problems[0]
    )
    summary["lines"][0]["values"][2] = [9, 1197]
    assert outputs.seeds_problems(summary, trained=False) == []


def test_a_failing_snippet_names_the_file_and_its_error(snippet):
    snippet.write_text(
        '"""Claims too much."""\nassert 1 + 1 == 3, "the claim does not hold"\n'
    )
    with pytest.raises(outputs.OutputError) as info:
        outputs.run_snippet(snippet)
    message = str(info.value)
    assert f"{rel(snippet)} failed (exit code 1)" in message
    assert "AssertionError: the claim does not hold" in message


def test_a_missing_label_lists_the_labels(snippet):
    outputs.record(outputs.run_snippet(snippet))
    with pytest.raises(outputs.OutputError) as info:
        outputs.value(snippet, "accuracy")
    assert 'prints no line labelled "accuracy"' in str(
        info.value
    ) and "test accuracy" in str(info.value)


def test_a_value_holding_a_second_separator_is_refused(snippet):
    snippet.write_text(
        '"""Prints its label after a colon."""\n'
        'print("random images: kept by a 1-pixel shift: 0.34")\n'
    )
    outputs.record(outputs.run_snippet(snippet))
    with pytest.raises(outputs.OutputError) as info:
        outputs.value(snippet, "random images")
    assert 'two ": " on one line' in str(info.value)
    # spread would read the 1 of "1-pixel" as the value
    outputs.record_seeds(snippet, [outputs.run_snippet(snippet)])
    with pytest.raises(outputs.OutputError) as info:
        outputs.spread(snippet, "random images")
    assert 'two ": " on one line' in str(info.value)


def test_outputs_live_in_docs():
    assert (
        outputs.output_dir(SNIPPETS / "dropout" / "x.py")
        == ROOT / "docs" / "outputs" / "dropout" / "x"
    )


def test_spread_reads_the_value_not_a_number_in_its_label(
    tmp_path, monkeypatch
):
    summary = {
        "seeds": [0, 1, 2],
        "lines": [
            {
                "line": "150 labels, gain: 0.013 ±0.02",
                "label": "150 labels, gain",
                "tolerances": [None, "0.02"],
                # the last row: seed 0 on other kernels, which is not a seed of the spread
                "values": [
                    [150, 0.013],
                    [150, 0.023],
                    [150, 0.006],
                    [150, 0.9],
                ],
            }
        ],
    }
    monkeypatch.setattr(
        outputs, "load_seeds", lambda snippet, allow_stale=False: summary
    )
    assert outputs.spread(tmp_path / "x.py", "150 labels, gain").startswith(
        "0.0140 ± 0.0085 (mean ± std over 3 seeds"
    )
    # the sign count reads the same column: the kernels' row is not a seed
    assert (
        outputs.sign(tmp_path / "x.py", "150 labels, gain")
        == "positive in 3 of 3 seeds"
    )
    summary["lines"][0]["values"][1][1] = -0.01
    assert (
        outputs.sign(tmp_path / "x.py", "150 labels, gain")
        == "positive in 2 of 3 seeds"
    )


def test_refresh_warns_when_the_machine_is_busy(monkeypatch, capsys):
    """Times are recorded for the pages: taken beside other work, they would be too high."""
    from kb import __main__ as cli

    monkeypatch.setattr(cli, "_run_all", lambda snippets, action, workers: 0)
    monkeypatch.setattr(cli, "_snippets", lambda names: [])
    args = argparse.Namespace(snippets=[])
    monkeypatch.setattr(cli.os, "getloadavg", lambda: (3.0, 2.0, 1.0))
    cli.cmd_refresh(args)
    assert "busy (load average 3.0)" in capsys.readouterr().err
    monkeypatch.setattr(cli.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    cli.cmd_refresh(args)
    assert "busy" not in capsys.readouterr().err


def test_refresh_warns_when_the_record_would_fail_on_other_kernels(
    snippet, capsys
):
    """A record that only this CPU's kernels reproduce would fail every other contributor's pytest."""
    from kb import __main__ as cli

    outputs.record(outputs.run_snippet(snippet))
    cli.warn_if_other_kernels_fail(snippet)
    assert (
        "would fail on another CPU" not in capsys.readouterr().err
    )  # the control
    # a count that the kernels decide, as an IoU sitting on a threshold did
    snippet.write_text(
        SNIPPET.replace(
            'print("exact zeros: 120")',
            "import os; print(f\"exact zeros: {120 + ('MKL_ENABLE_INSTRUCTIONS' in os.environ)}\")",
        )
    )
    outputs.record(outputs.run_snippet(snippet))
    cli.warn_if_other_kernels_fail(snippet)
    err = capsys.readouterr().err
    assert (
        "would fail on another CPU (the baseline kernels)" in err
        and "exact zeros: 121" in err
    )


def test_difference_is_taken_seed_by_seed(tmp_path, monkeypatch):
    def line(label, values):
        return {
            "line": f"{label}: {values[0]} ±0.01",
            "label": label,
            "tolerances": ["0.01"],
            "values": [[v] for v in values],
        }

    summary = {
        "seeds": [0, 1, 2],
        # the last row of each: seed 0 on other kernels, not a seed
        "lines": [
            line("gap without", [0.068, 0.066, 0.071, 0.5]),
            line("gap with", [0.059, 0.068, 0.060, 0.0]),
        ],
    }
    monkeypatch.setattr(
        outputs, "load_seeds", lambda snippet, allow_stale=False: summary
    )
    # per seed: 0.009, -0.002, 0.011
    assert outputs.difference(tmp_path / "x.py", "gap without", "gap with") == (
        "0.006 ± 0.007 (mean ± std over 3 seeds, range -0.002 to 0.011; "
        "positive in 2 of 3: the range reaches zero, within seed noise)"
    )
    assert outputs.noise_verdict([0.1, 0.2]) == "the same sign in every seed"
    assert outputs.noise_verdict([-0.1, -0.2]) == "the same sign in every seed"
    assert (
        outputs.noise_verdict([0.1, 0.0])
        == "the range reaches zero, within seed noise"
    )


def test_a_value_with_a_tolerance_shows_its_range_over_seeds(snippet):
    # the band is the tests' allowance, not an error bar: the page shows seed 0 and the seeds' range
    snippet.write_text(
        '"""Prints one result per seed."""\nimport os\n'
        'seed = int(os.environ.get("KB_SEED", "0"))\n'
        'print(f"accuracy: {0.90 + seed / 100:.2f} ±0.05")\n'
        'print(f"zeros: {500 + seed} ±20 of 640")\n'
        'print(f"IoU, p=0.5: {0.8 - seed / 10:.1f} ±0.3, fitted {1.0:.2f} ±0.01")\n'
        'print(f"moved: {0.5 + seed / 100:.2f} ±0.1, none fitted, {0}")\n'
        'print(f"gain: {0.02 - seed / 100:+.2f} ±0.03 at epoch 8")\n'
    )
    runs = [outputs.run_snippet(snippet, seed) for seed in range(3)]
    outputs.record(runs[0])
    outputs.record_seeds(snippet, runs)
    assert (
        outputs.value(snippet, "accuracy")
        == "0.90 [seed 0; 0.90 to 0.92 over 3 seeds]"
    )
    assert (
        outputs.value(snippet, "zeros")
        == "500 of 640 [seed 0; 500 to 502 over 3 seeds]"
    )
    # the label's own number (0.5) is not taken for the value's
    assert outputs.value(snippet, "IoU, p=0.5") == (
        "0.8 [seed 0; 0.6 to 0.8 over 3 seeds], "
        "fitted 1.00 [seed 0; 1.00 in all 3 seeds]"
    )
    # a range at the end of a longer value would read as the last number's
    assert outputs.value(snippet, "moved") == (
        "0.50 [seed 0; 0.50 to 0.52 over 3 seeds], none fitted, 0"
    )
    # printed as printed: the sign, and no "-0.00"
    assert outputs.value(snippet, "gain") == (
        "+0.02 [seed 0; +0.00 to +0.02 over 3 seeds] at epoch 8"
    )


def test_a_value_whose_seeds_record_is_of_another_run_is_refused(snippet):
    # a refresh on another CPU rewrites the output within its band but keeps the seeds record:
    # seed 0's range would no longer hold seed 0's value
    snippet.write_text('"""A result."""\nprint("accuracy: 0.90 ±0.05")\n')
    run = outputs.run_snippet(snippet)
    outputs.record(run)
    outputs.record_seeds(snippet, [run, outputs.run_snippet(snippet, 1)])
    assert outputs.value(snippet, "accuracy").startswith("0.90 [seed 0;")
    # the same code, so record() keeps the seeds record
    outputs.record(dataclasses.replace(run, stdout="accuracy: 0.91 ±0.05\n"))
    with pytest.raises(outputs.OutputError) as info:
        outputs.value(snippet, "accuracy")
    assert "Record it again" in str(info.value)


def test_a_private_folder_vanishing_mid_scan_does_not_break_the_index(
    tmp_path, monkeypatch
):
    """Another xdist worker removes its _test_* folder while this one lists snippets/ (a CI run
    failed on it): private folders are not indexed, so their mtimes are not read."""
    (tmp_path / "topic").mkdir()
    (tmp_path / "topic" / "example.py").write_text("")
    (tmp_path / "_test_gone").mkdir()
    real_scandir = os.scandir

    class Vanished:
        def __init__(self, entry):
            self.name, self._entry = entry.name, entry

        def is_dir(self):
            return self._entry.is_dir()

        def stat(self):
            raise FileNotFoundError(self.name)

    class Scan:
        def __init__(self, path):
            self._scan = real_scandir(path)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._scan.close()

        def __iter__(self):
            return self

        def __next__(self):
            entry = next(self._scan)
            return Vanished(entry) if entry.name.startswith("_") else entry

    monkeypatch.setattr(outputs.os, "scandir", Scan)
    assert outputs._module_index(tmp_path) == {
        "example": [tmp_path / "topic" / "example.py"]
    }
