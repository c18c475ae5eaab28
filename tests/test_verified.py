"""The memory of verified runs (kb/verified.py): nothing changed, nothing runs; a change to a snippet,
a module it imports, its record, kb's comparison or the packages runs it again; a failure is never
remembered; the cache can be turned off."""

import json
import shutil
import uuid

import pytest

from kb import outputs, verified
from kb.paths import SNIPPETS

SNIPPET = '''"""Prints a count from a shared module."""
from shared import COUNT


def main() -> None:
    print(f"count: {COUNT}")


if __name__ == "__main__":
    main()
'''


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """Two snippets importing one shared module, recorded; the verified cache in a temporary folder."""
    monkeypatch.setattr(verified, "CACHE_DIR", tmp_path / "verified")
    monkeypatch.delenv("KB_NO_CACHE", raising=False)
    folder = SNIPPETS / f"_test_{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    (folder / "shared.py").write_text(
        '"""A module both import."""\nCOUNT = 3\n'
    )
    snippets = []
    for name in ("first", "second"):
        (folder / f"{name}.py").write_text(SNIPPET)
        snippets.append(folder / f"{name}.py")
        outputs.record(outputs.run_snippet(folder / f"{name}.py"))
    yield snippets
    shutil.rmtree(folder)
    shutil.rmtree(outputs.output_dir(snippets[0]).parent, ignore_errors=True)


def test_a_second_run_with_nothing_changed_runs_nothing(recorded):
    first, second = recorded
    assert verified.verify(first) == "not verified on this machine before"
    assert verified.verify(first) is None  # remembered: not run again
    assert verified.needs_run(second) is not None  # its own entry
    assert (
        verified.needs_run(first, kernels="baseline") is not None
    )  # another kernel setting
    assert verified.needs_run(first, seed=1) is not None  # another seed


def test_an_edited_shared_module_reruns_its_dependents(recorded):
    first, second = recorded
    verified.verify(first), verified.verify(second)
    (first.parent / "shared.py").write_text(
        '"""A module both import."""\nCOUNT = 4\n'
    )
    for snippet in recorded:
        assert (
            verified.needs_run(snippet)
            == "its code or a module it imports changed"
        )
        with pytest.raises(
            outputs.OutputError
        ):  # and, run, each fails: its record is stale
            verified.verify(snippet)


def test_a_failed_result_runs_again_next_time(recorded):
    first, _ = recorded
    stdout = outputs.output_dir(first) / "stdout.txt"
    stdout.write_text("count: 5\n")  # a record the run does not reproduce
    for _ in range(2):
        with pytest.raises(outputs.OutputError):
            verified.verify(first)
        assert verified.needs_run(
            first
        ) == "its record changed" or verified.needs_run(first).startswith(
            "not verified"
        )


def test_a_changed_record_a_package_upgrade_or_kb_change_reruns(
    recorded, monkeypatch
):
    first, _ = recorded
    verified.verify(first)
    run_json = outputs.output_dir(first) / "run.json"
    meta = json.loads(run_json.read_text())
    run_json.write_text(json.dumps({**meta, "seconds": 9.9}))
    assert verified.needs_run(first) == "its record changed"
    verified.verify(first)
    environment = dict(verified._environment())
    monkeypatch.setattr(
        verified,
        "_environment",
        lambda: {**environment, "packages": "upgraded"},
    )
    assert verified.needs_run(first) == "the installed packages changed"
    monkeypatch.setattr(
        verified, "_environment", lambda: {**environment, "kb": "edited"}
    )
    assert verified.needs_run(first) == "kb's runner or comparison changed"


def test_the_cache_can_be_turned_off(recorded, monkeypatch):
    first, _ = recorded
    verified.verify(first)
    monkeypatch.setenv("KB_NO_CACHE", "1")
    assert "cache is off" in verified.needs_run(first)


def test_a_site_check_runs_again_when_a_page_changes(tmp_path, monkeypatch):
    """The browser check is remembered with the built site's files: an edited page runs it again,
    an unchanged site (but for the sitemap's date) does not."""
    monkeypatch.setattr(verified, "CACHE_DIR", tmp_path / "verified")
    # `pytest --no-kb-cache` sets it, and this test checks what the cache remembers
    monkeypatch.delenv("KB_NO_CACHE", raising=False)
    site = tmp_path / "site"
    (site / "dropout").mkdir(parents=True)
    (site / "dropout" / "index.html").write_text("<p>dropout</p>")
    (site / "sitemap.xml").write_text("<lastmod>2026-12-04</lastmod>")
    test_file = tmp_path / "test_browser.py"
    test_file.write_text("def test(): pass\n")
    chromium = shutil.which("python3") or shutil.which("sh")

    def parts():
        return verified.browser_parts(site, test_file, chromium)

    assert (
        verified.check_needs_run("pages", parts())
        == "not verified on this machine before"
    )
    verified.remember_check("pages", parts())
    assert verified.check_needs_run("pages", parts()) is None
    (site / "sitemap.xml").write_text("<lastmod>2026-12-05</lastmod>")
    assert verified.check_needs_run("pages", parts()) is None
    (site / "dropout" / "index.html").write_text("<p>dropout, edited</p>")
    assert verified.check_needs_run("pages", parts()) == "changed: site"
    test_file.write_text("def test(): assert False\n")
    assert verified.check_needs_run("pages", parts()) == "changed: site, test"


def test_a_download_run_again_when_the_download_or_the_record_changes(
    recorded, tmp_path
):
    """A download's run outside the repository (tests/test_downloads.py) is remembered with the
    download's bytes and the snippet's record: a change to either runs it again."""
    first, _ = recorded
    test_file = tmp_path / "test_downloads.py"
    test_file.write_text("def test(): pass\n")

    def parts(download: bytes):
        return verified.download_parts(first, download, test_file)

    verified.remember_check("zip", parts(b"zip v1"))
    assert verified.check_needs_run("zip", parts(b"zip v1")) is None
    assert (
        verified.check_needs_run("zip", parts(b"zip v2")) == "changed: download"
    )
    record = outputs.output_dir(first) / "stdout.txt"
    record.write_text(record.read_text() + "more\n")
    assert (
        verified.check_needs_run("zip", parts(b"zip v1")) == "changed: record"
    )
