"""Tests remembered (kb/testcache.py): a pass is not run again until a file, a package or a setting
changes; a failure always runs again. Each case runs pytest on a small git repository of its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kb.paths import ROOT

CONFTEST = """
from pathlib import Path
from kb import testcache

def pytest_configure(config):
    config.pluginmanager.register(testcache.Plugin(Path(__file__).parent), "kb-testcache")
"""

TESTS = """
from pathlib import Path

def test_reads_the_data():
    with open("runs.log", "a") as log:
        log.write("reads\\n")
    assert Path("data.txt").read_text() == "ok\\n"

def test_does_not_read_it():
    with open("runs.log", "a") as log:
        log.write("other\\n")
"""


@pytest.fixture
def repository(tmp_path) -> Path:
    (tmp_path / ".gitignore").write_text(".cache/\nruns.log\n__pycache__/\n")
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_sample.py").write_text(TESTS)
    (tmp_path / "data.txt").write_text("ok\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def pytest_run(folder: Path, **env: str) -> tuple[int, str, list[str]]:
    """Run pytest there: its exit code, its output, and which tests really ran."""
    log = folder / "runs.log"
    log.unlink(missing_ok=True)
    variables = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    variables.update(PYTHONPATH=str(ROOT), **env)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        env=variables,
    )
    ran = log.read_text().split() if log.exists() else []
    return done.returncode, done.stdout, ran


def test_a_pass_is_not_run_again_until_a_file_changes(repository):
    code, out, ran = pytest_run(repository)
    assert (code, sorted(ran)) == (0, ["other", "reads"]), out
    assert "2 ran" in out and "not verified on this machine before" in out

    code, out, ran = pytest_run(repository)
    assert (code, ran) == (0, []), out
    assert "2 passed" in out and "2 passed before with no file" in out, out

    (repository / "notes.md").write_text("a new file, not ignored\n")
    code, out, ran = pytest_run(repository)
    assert (code, sorted(ran)) == (0, ["other", "reads"]), out
    assert "files changed: notes.md" in out, out


def test_a_failure_runs_again_every_time(repository):
    pytest_run(repository)
    (repository / "data.txt").write_text("changed\n")
    for _ in range(2):
        code, out, ran = pytest_run(repository)
        assert code == 1 and "reads" in ran, out
    (repository / "data.txt").write_text("ok\n")
    code, out, ran = pytest_run(repository)
    # `reads` passed with these very files in the first run; `other` last passed beside "changed"
    assert (code, ran) == (0, ["other"]), out
    code, out, ran = pytest_run(repository)
    assert (code, ran) == (0, []), out


def test_a_setting_or_the_switch_runs_everything(repository):
    pytest_run(repository)
    code, out, ran = pytest_run(repository, KB_SOMETHING="1")
    assert len(ran) == 2 and "KB_*, CI or kernel variables changed" in out, out
    code, out, ran = pytest_run(repository, KB_NO_CACHE="1")
    assert len(ran) == 2 and "the cache is off" in out, out


def test_outside_a_git_checkout_nothing_is_remembered(repository):
    subprocess.run(["rm", "-rf", str(repository / ".git")], check=True)
    for _ in range(2):
        code, out, ran = pytest_run(repository)
        assert (code, len(ran)) == (0, 2), out
    assert "not a git checkout" in out
