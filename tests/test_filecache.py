"""Cached results follow a file's contents, even when an edit keeps its size and mtime."""

import os
import subprocess
import sys

from kb import filecache, outputs
from kb.paths import ROOT


def test_an_edit_that_keeps_size_and_mtime_is_seen(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("A = 1\n")
    before = outputs.code_hash(module)
    times = os.stat(module).st_atime_ns, os.stat(module).st_mtime_ns
    module.write_text("A = 2\n")  # same size
    os.utime(module, ns=times)  # same mtime, as within one clock tick
    assert outputs.code_hash(module) != before
    assert outputs.imported_names(module) == set()


def test_a_result_is_computed_once_per_version(tmp_path):
    path, calls = tmp_path / "f.txt", []
    path.write_text("one")

    def count(p):
        calls.append(p.read_text())
        return len(calls)

    assert filecache.cached("count", path, count) == 1
    assert filecache.cached("count", path, count) == 1
    path.write_text("two")
    assert filecache.cached("count", path, count) == 2


def test_a_module_added_in_another_folder_is_found_at_once(tmp_path):
    """The listing of snippets/ is cached by folder mtimes, but never for a folder changed just now."""
    snippets = tmp_path / "snippets"
    (snippets / "topic").mkdir(parents=True)
    snippet = snippets / "topic" / "s.py"
    snippet.write_text("import shared\n")
    assert outputs.local_imports(snippet, snippets) == []
    (snippets / "data").mkdir()
    (snippets / "data" / "shared.py").write_text("X = 1\n")
    assert outputs.local_imports(snippet, snippets) == [
        snippets / "data" / "shared.py"
    ]


def test_a_new_process_takes_what_an_earlier_one_saved(tmp_path):
    """What makes a warm `mkdocs build` cheap: the hook loads at its start and saves at its end."""
    module, cache = tmp_path / "m.py", tmp_path / "cache.pickle"
    module.write_text("import torch\n")
    script = (
        "import sys; from kb import filecache, outputs; "
        f"taken = filecache.load({str(cache)!r}); "
        f"outputs.code_hash({str(module)!r}); "
        f"print(taken, filecache.save({str(cache)!r}))"
    )

    def run() -> str:
        return subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()

    assert run() == ["0", "1"]  # nothing to take; its one result saved
    assert run() == ["1", "1"]
    module.write_text("import numpy\n")
    # the old result is taken, not used, and dropped: only what the build asked for is kept
    assert run() == ["1", "1"]


def test_a_result_computed_once_is_not_computed_again_after_loading(
    tmp_path, monkeypatch
):
    path, cache, calls = tmp_path / "f.txt", tmp_path / "cache.pickle", []
    path.write_text("one")
    filecache.cached("count", path, lambda p: calls.append(p) or len(calls))
    filecache.save(cache)
    monkeypatch.setattr(filecache, "_memory", {})  # as in a new process
    assert filecache.load(cache) >= 1
    assert filecache.cached("count", path, lambda p: 99) == 1
    assert len(calls) == 1


def test_results_of_other_code_or_a_damaged_file_are_not_taken(
    tmp_path, monkeypatch
):
    path, cache = tmp_path / "f.txt", tmp_path / "cache.pickle"
    path.write_text("one")
    filecache.cached("kind", path, lambda p: "old code's result")
    filecache.save(cache)
    monkeypatch.setattr(filecache, "_memory", {})
    monkeypatch.setattr(filecache, "code_version", lambda: "kb/ changed")
    assert filecache.load(cache) == 0
    assert filecache.cached("kind", path, lambda p: "new") == "new"
    cache.write_bytes(b"not a pickle")
    assert filecache.load(cache) == 0
    assert filecache.load(tmp_path / "missing.pickle") == 0


def test_the_code_version_follows_kb_code(tmp_path, monkeypatch):
    before = filecache.code_version()
    fake = tmp_path / "kb"
    fake.mkdir()
    (fake / "filecache.py").write_text("# another kb\n")
    monkeypatch.setattr(filecache, "__file__", str(fake / "filecache.py"))
    assert filecache.code_version() != before


def test_a_result_keyed_by_mtimes_is_not_saved(tmp_path):
    cache = tmp_path / "cache.pickle"
    filecache.memo(("mtimes", 1), lambda: "trusted here only", durable=False)
    filecache.save(cache)
    assert filecache._memory.pop(("mtimes", 1)) == "trusted here only"
    filecache.load(cache)
    assert ("mtimes", 1) not in filecache._memory


def test_a_build_reads_a_file_once_and_the_next_build_sees_its_edit(
    tmp_path,
):
    """mkdocs serve rebuilds in one process: each build starts afresh (the hook's on_config)."""
    snippets = tmp_path / "snippets"
    (snippets / "topic").mkdir(parents=True)
    snippet = snippets / "topic" / "s.py"
    snippet.write_text("A = 1\n")
    try:
        filecache.begin_build()
        first = outputs.fingerprint(snippet)
        snippet.write_text("A = 2\n")
        assert outputs.fingerprint(snippet) == first  # within one build
        filecache.begin_build()
        assert outputs.fingerprint(snippet) != first  # the next build
    finally:
        filecache.end_build()
    # outside a build (tests, kb check) every call reads the file
    outside = outputs.fingerprint(snippet)
    snippet.write_text("A = 3\n")
    assert outputs.fingerprint(snippet) != outside
