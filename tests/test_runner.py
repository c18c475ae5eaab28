"""The runner: a forked child per snippet is as isolated as a fresh interpreter, gets its seed, and
cannot reach the network."""

import shutil
import uuid

import pytest

from kb import runner
from kb.paths import SNIPPETS, rel

CHANGES_GLOBAL_STATE = '''"""Changes every kind of process-wide state a snippet could leak into the next one."""
import os
import sys

import matplotlib
import torch


def main() -> None:
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(123)
    torch.set_num_threads(2)
    matplotlib.rcParams["lines.linewidth"] = 9.0
    os.environ["KB_LEAK"] = "leaked"
    sys.modules["kb_leak"] = sys
    torch.kb_leak = True
    import matplotlib.pyplot as plt
    plt.figure()
    print("changed")


if __name__ == "__main__":
    main()
'''

READS_GLOBAL_STATE = '''"""Prints the process-wide state that CHANGES_GLOBAL_STATE changes."""
import os
import sys

import matplotlib
import matplotlib.pyplot as plt
import torch


def main() -> None:
    print("default dtype:", torch.get_default_dtype())
    print("seeded by the previous snippet:", torch.initial_seed() == 123)
    print("threads:", torch.get_num_threads())
    print("linewidth:", matplotlib.rcParams["lines.linewidth"])
    print("env:", os.environ.get("KB_LEAK"), "seed:", os.environ.get("KB_SEED"))
    print("modules:", "kb_leak" in sys.modules, hasattr(torch, "kb_leak"))
    print("open figures:", plt.get_fignums())
    print("cwd is empty:", sorted(os.listdir(".")) == [".kb-stderr.txt", ".kb-stdout.txt"])


if __name__ == "__main__":
    main()
'''


@pytest.fixture
def folder():
    """A private folder under snippets/ (ignored by discovery), removed after the test."""
    path = SNIPPETS / f"_test_{uuid.uuid4().hex[:8]}"
    path.mkdir()
    yield path
    shutil.rmtree(path)


def write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def test_no_state_leaks_from_one_snippet_to_the_next(folder):
    changes = write(folder, "changes.py", CHANGES_GLOBAL_STATE)
    reads = write(folder, "reads.py", READS_GLOBAL_STATE)
    worker = runner.Worker(fork=True)
    try:
        before = worker.run(reads).stdout
        assert worker.run(changes).stdout == "changed\n"
        after = worker.run(reads).stdout
    finally:
        worker.close()
    # a fresh interpreter, the reference
    fresh = runner.Worker(fork=False).run(reads).stdout
    assert after == before == fresh, (
        f"forked:\n{after}\nfresh interpreter:\n{fresh}"
    )
    assert "default dtype: torch.float32" in after and "threads: 1" in after
    assert "env: None seed: 0" in after and "modules: False False" in after


LISTS_IMPORTS = '''"""Says which heavy packages were imported before it ran, then uses one more."""
import sys

print("before:", "torch" in sys.modules, "sklearn" in sys.modules)
import sklearn.datasets

print("digits:", len(sklearn.datasets.load_digits().target))
'''


def test_a_worker_for_a_few_snippets_imports_only_what_they_use(folder):
    """`kb check SNIPPET` preloads only the snippet's packages; others still import when asked."""
    lists = write(folder, "lists.py", LISTS_IMPORTS)

    def printed(preload):
        with runner.Worker(preload=preload) as worker:
            return worker.run(lists).stdout

    assert printed({"torch"}) == "before: True False\ndigits: 1797\n"
    assert printed({"sys"}).startswith("before: False False")


def test_the_seed_reaches_the_snippet(folder):
    reads = write(folder, "reads.py", READS_GLOBAL_STATE)
    assert "seed: 3" in runner.run(reads, seed=3).stdout


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "fresh"])
def test_a_snippet_that_downloads_fails_with_its_name(folder, fork):
    snippet = write(
        folder,
        "downloads.py",
        '''"""Tries to download."""
import urllib.request

try:  # even a snippet that swallows the error fails: the runner saw the attempt
    urllib.request.urlopen("http://example.com/data.csv", timeout=5)
except OSError:
    pass
print("downloaded")
''',
    )
    with pytest.raises(runner.SnippetFailed) as info:
        runner.Worker(fork=fork).run(snippet)
    message = str(info.value)
    assert f"{rel(snippet)} tried to open a network connection" in message
    assert "Nothing may download" in message


def test_a_snippet_that_hangs_is_stopped(folder):
    snippet = write(
        folder, "hangs.py", '"""Sleeps."""\nimport time\ntime.sleep(30)\n'
    )
    with pytest.raises(
        runner.SnippetFailed, match=r"still running after 1 s and was stopped"
    ):
        runner.run(snippet, timeout=1)


def test_a_failing_snippet_reports_its_traceback(folder):
    snippet = write(
        folder,
        "fails.py",
        '"""Claims too much."""\nassert 1 + 1 == 3, "the claim does not hold"\n',
    )
    with pytest.raises(runner.SnippetFailed) as info:
        runner.run(snippet)
    assert f"{rel(snippet)} failed (exit code 1)" in str(info.value)
    assert "AssertionError: the claim does not hold" in str(info.value)


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "fresh"])
def test_changed_code_runs_as_the_snippets_file(folder, fork):
    """A negative control runs a changed copy in the worker: the snippet's folder is importable,
    its traceback names the snippet's file, and the file itself is untouched."""
    write(folder, "helper.py", "LIMIT = 2\n")
    snippet = write(
        folder,
        "claims.py",
        '"""Claims."""\nfrom helper import LIMIT\nassert LIMIT == 2\n',
    )
    changed = snippet.read_text().replace("== 2", "== 3, 'no longer holds'")
    with runner.Worker(fork=fork) as worker:
        assert worker.run_source(snippet, snippet.read_text()) == (0, "")
        code, stderr = worker.run_source(snippet, changed)
    assert code == 1
    assert f'File "{snippet.resolve()}", line 3' in stderr
    assert stderr.strip().endswith("AssertionError: no longer holds")
    assert "== 3" not in snippet.read_text()
