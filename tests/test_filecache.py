"""Cached results follow a file's contents, even when an edit keeps its size and mtime."""

import os

from kb import filecache, outputs


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
