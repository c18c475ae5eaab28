"""`python -m kb bench` judges its figures: a failed command is never "ok", a slow one is "over budget"."""

from kb.bench import Report


def test_a_failed_command_is_over_budget_even_when_fast(capsys):
    report = Report()
    report.line("pytest", 10.0, 150.0, failed=True)
    assert report.over == 1 and "FAILED" in capsys.readouterr().out


def test_a_slow_command_is_over_budget_and_a_fast_one_ok(capsys):
    report = Report()
    report.line("warm build", 3.5, 3.0)
    report.line("cold build", 9.0, 15.0)
    lines = capsys.readouterr().out.splitlines()
    assert report.over == 1
    assert "over budget" in lines[0] and " ok (budget 15 s)" in lines[1]


def test_a_figure_without_budget_is_not_judged(capsys):
    report = Report()
    report.line("all snippets, one after another", 160.0)
    assert report.over == 0 and "ok" not in capsys.readouterr().out
