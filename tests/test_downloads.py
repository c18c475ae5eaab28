"""Run it yourself: every experiment's notebook and script, the Colab links and the zips.

Pure checks (fast): the downloads exist, are fresh (regenerating gives the same bytes) and inline
exactly the repository's code; the links are right; a stale download fails the strict build; the zips
hold what they should. Runs (slow): downloaded notebooks, scripts and zips run OUTSIDE the repository
(a temporary folder, no PYTHONPATH, KB_SEED unset, one thread) and print what the record says. A plain
`pytest` runs a sample (one notebook that inlines shapes.py, the deconvolution zip's scripts);
`KB_ALL_DOWNLOADS=1` runs every notebook, every zip's scripts and every script with inlined modules
(CI does, .ci/run).
"""

import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from conftest import build
from kb import directives, downloads, outputs, verified
from kb.paths import ROOT, rel

ALL = os.environ.get("KB_ALL_DOWNLOADS") == "1"
EXPERIMENTS = downloads.experiments()
SAMPLE_NOTEBOOK = "localization/classify_and_localize"  # trains on the inlined shapes data set
SAMPLE_ZIP = "deconvolution"
name = downloads.name_of


def recorded(snippet: Path) -> bool:
    return (outputs.output_dir(snippet) / "run.json").is_file()


def need_record(snippet: Path) -> None:
    if not recorded(snippet):
        pytest.skip(
            f"{rel(snippet)} has no record yet (tests/test_snippets.py fails on that)"
        )


# --- the committed downloads -----------------------------------------------------------------------


def test_experiments_are_the_snippets_that_train_or_plot():
    names = {name(s) for s in EXPERIMENTS}
    assert {
        "dropout/train_test_gap",
        "localization/classify_and_localize",
        "shapes/shapes",
    } <= names
    assert "dropout/inverted_dropout" not in names  # neither trains nor plots


@pytest.mark.parametrize("snippet", EXPERIMENTS, ids=name)
def test_downloads_exist_and_are_fresh(snippet):
    need_record(snippet)
    for path, text in zip(
        downloads.targets(snippet),
        (downloads.script_text(snippet), downloads.notebook_text(snippet)),
    ):
        assert path.is_file(), (
            f"{rel(path)} is missing. Make it with: {downloads.COMMAND}"
        )
        assert path.read_text(encoding="utf-8") == text, (
            f"{rel(path)} is not what {rel(snippet)} makes now. Make it again with: {downloads.COMMAND}"
        )


def test_no_download_without_its_experiment():
    wanted = {p for s in EXPERIMENTS for p in downloads.targets(s)}
    found = {
        p
        for p in (ROOT / "docs" / "downloads").glob("*/*")
        if p.suffix in (".py", ".ipynb")
    }
    assert not found - wanted, (
        f"not an experiment's download: {sorted(map(rel, found - wanted))}. Run {downloads.COMMAND}"
    )


def test_pytest_does_not_import_the_downloads():
    """pytest collects docs/, and pytest-markdown-docs imports every .py there: a download would run
    its inlined modules in each worker. docs/downloads/conftest.py keeps pytest out of the folder."""
    conftest = ROOT / "docs" / "downloads" / "conftest.py"
    namespace: dict = {}
    exec(conftest.read_text(encoding="utf-8"), namespace)
    assert namespace["collect_ignore_glob"] == ["*"]
    assert "/downloads/conftest.py" in (ROOT / "mkdocs.yml").read_text(
        encoding="utf-8"
    ), "the site must not serve it"


def inlined_in_script(text: str) -> dict[str, str]:
    found = {}
    for node in ast.parse(text).body:
        call = getattr(node, "value", None)
        if (
            isinstance(call, ast.Call)
            and getattr(call.func, "id", "") == "_add_module"
        ):
            found[ast.literal_eval(call.args[0])] = ast.literal_eval(
                call.args[1]
            )
    return found


@pytest.mark.parametrize("snippet", EXPERIMENTS, ids=name)
def test_the_inlined_code_is_exactly_the_repositorys(snippet):
    need_record(snippet)
    script, notebook = downloads.targets(snippet)
    modules = {
        m.stem: m.read_text(encoding="utf-8")
        for m in downloads.modules_to_inline(snippet)
    }
    source = snippet.read_text(encoding="utf-8")

    text = script.read_text(encoding="utf-8")
    assert inlined_in_script(text) == modules, (
        f"{rel(script)} does not inline the modules of {rel(snippet)} as they are"
    )
    assert (
        text.partition(f"{downloads.SNIPPET_MARK}{rel(snippet)} ---\n")[2]
        == source
    ), f"{rel(script)}: the snippet's code differs from {rel(snippet)}"

    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    written = dict(
        c.partition("\n")[::2] for c in code if c.startswith("%%writefile ")
    )
    assert written == {f"%%writefile {k}.py": v for k, v in modules.items()}, (
        f"{rel(notebook)}: %%writefile cells"
    )
    start = next(
        i
        for i, c in enumerate(cells)
        if "".join(c["source"]).startswith("__file__ = ")
    )
    head, _, first = "".join(cells[start]["source"]).partition("\n")
    assert (
        head
        == f'__file__ = "{snippet.name}"  # the script\'s name, as when it runs as a file'
    )
    if "# %% [markdown]" not in source:
        assert first == source and start == len(cells) - 1, (
            f"{rel(notebook)}: the snippet cell differs from {rel(snippet)}"
        )
    else:  # a percent-format snippet keeps its own cells, as jupytext reads them
        import jupytext

        own = [
            (c.cell_type, c.source)
            for c in jupytext.read(snippet, fmt="py:percent").cells
        ]
        assert [
            (c["cell_type"], "".join(c["source"])) for c in cells[start + 1 :]
        ] == own
        assert all(s in source for kind, s in own if kind == "code")


@pytest.mark.parametrize(
    "source",
    [
        "plain\n",
        "a ''' quote\n",
        "ends with a backslash \\",
        "ends with '",
        "r'''\\n\\'''",
    ],
)
def test_any_source_is_quoted_exactly(source):
    assert ast.literal_eval(downloads.quoted(source)) == source


def test_the_notebook_shows_the_recorded_outputs_and_installs_pinned_packages():
    snippet = ROOT / "snippets" / f"{SAMPLE_NOTEBOOK}.py"
    need_record(snippet)
    nb = json.loads(downloads.targets(snippet)[1].read_text(encoding="utf-8"))
    record = outputs.load_record(snippet)
    pip = nb["cells"][1]
    assert pip["metadata"]["tags"] == ["skip-execution"] and "".join(
        pip["source"]
    ).startswith("%pip install torch==")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in "".join(
        pip["source"]
    )
    for requirement in "".join(pip["source"]).split()[2:]:
        if "==" in requirement:
            assert requirement in downloads.pins().values(), requirement
    last = [c for c in nb["cells"] if c["cell_type"] == "code"][-1]
    assert "".join(last["outputs"][0]["text"]) == record["stdout"]
    assert (
        len([o for o in last["outputs"] if "image/png" in o.get("data", {})])
        == len(record["plots"])
        > 0
    )
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


# --- links -----------------------------------------------------------------------------------------


def test_the_colab_link_has_the_right_shape():
    url = downloads.colab_url(
        "dropout/train_test_gap", "https://github.com/ORG/REPO"
    )
    assert url == (
        "https://colab.research.google.com/github/ORG/REPO/blob/main/docs/downloads/"
        "dropout/train_test_gap.ipynb"
    )
    assert downloads.colab_url("x/y", "https://gitlab.com/ORG/REPO") is None


def topic_pages() -> list[Path]:
    return sorted(
        p
        for p in (ROOT / "docs").glob("*.md")
        if (ROOT / "docs" / "tracking" / f"{p.stem}.yml").is_file()
    )


@pytest.mark.parametrize("page", topic_pages(), ids=lambda p: p.name)
def test_every_experiment_on_a_page_links_its_downloads_and_colab(page):
    """Expanded as the hook does (serving: stale records only warn here, other tests fail on them)."""
    from kb.tracking import load_all

    site = directives.Site(
        topics=load_all(),
        repo_blob="",
        serving=True,
        repo_url=downloads.repo_url(),
    )
    markdown = page.read_text(encoding="utf-8")
    try:
        expanded = directives.expand(markdown, page.name, site)
    except directives.DirectiveError as error:
        pytest.skip(
            f"the page does not expand yet (tests/test_build.py fails on it): {error}"
        )
    shown = {m.group(2) for m in directives.OUTPUT_LINE.finditer(markdown)}
    for experiment in sorted(
        n for n in shown if n in {name(s) for s in EXPERIMENTS}
    ):
        line = next(
            (
                x
                for x in expanded.splitlines()
                if f"downloads/{experiment}.ipynb" in x
            ),
            None,
        )
        assert line and line.strip().startswith("Run it yourself:"), (
            f"docs/{page.name}: no links under {experiment}"
        )
        links = re.findall(r"\]\(([^)]+)\)", line)
        for link in links[:2]:  # relative to the page, which lies in docs/
            assert (ROOT / "docs" / link).is_file(), (
                f"docs/{page.name} links {link}, which does not exist"
            )
        colab = links[2]
        repo_path = colab.split("/blob/main/", 1)[1]
        assert (
            colab.startswith("https://colab.research.google.com/github/")
            and (ROOT / repo_path).is_file()
        ), colab
    if directives.snippets_on_page(markdown, site.by_topic.get(page.stem)):
        zips = re.findall(r"\]\((downloads/[^)]+\.zip)\)", expanded)
        assert len(zips) == 1, (
            f"docs/{page.name}: one zip link expected, found {zips}"
        )


def test_links_are_relative_to_the_page_depth():
    line = downloads.links_line(
        "dropout/train_test_gap", "../", "https://github.com/o/r"
    )
    assert (
        "](../downloads/dropout/train_test_gap.ipynb)" in line
        and "](../downloads/dropout/train_test_gap.py)" in line
    )


# --- the strict build ------------------------------------------------------------------------------


def small_site_with_an_experiment(
    root: Path, experiment: str = "dropout/train_test_gap"
) -> Path:
    """Show an experiment's output on the small site's page, with fresh records and downloads."""
    # as if recorded now: only the downloads are tested here
    for run_json in (root / "docs" / "outputs").rglob("run.json"):
        meta = json.loads(run_json.read_text())
        script = root / meta["snippet"]
        if script.is_file():
            meta["sources"] = outputs.fingerprint(script)
            run_json.write_text(json.dumps(meta))
    snippet = root / "snippets" / f"{experiment}.py"
    # its plots too
    shutil.copytree(
        outputs.output_dir(ROOT / "snippets" / f"{experiment}.py"),
        root / "docs" / "outputs" / experiment,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("run.json"),
    )
    page = root / "docs" / "example.md"
    page.write_text(page.read_text() + f"\n{{{{ output {experiment} }}}}\n")
    downloads.write(snippet, root)
    return snippet


def test_downloads_and_zip_are_linked_in_the_built_site_and_a_stale_one_fails_it(
    small_site,
):
    small_site_with_an_experiment(small_site)
    result = build(small_site, small_site / "site")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    html = (small_site / "site" / "example" / "index.html").read_text()
    for link in (
        "../downloads/dropout/train_test_gap.ipynb",
        "../downloads/dropout/train_test_gap.py",
        "https://colab.research.google.com/github/cnn-kb/cnn-knowledge-base/blob/main/docs/downloads/dropout/train_test_gap.ipynb",
        "../downloads/dropout.zip",
    ):
        assert f'href="{link}"' in html, link
    for path in (
        "downloads/dropout/train_test_gap.ipynb",
        "downloads/dropout.zip",
    ):
        assert (small_site / "site" / path).is_file(), path

    stdout = (
        small_site
        / "docs"
        / "outputs"
        / "dropout"
        / "train_test_gap"
        / "stdout.txt"
    )
    stdout.write_text(stdout.read_text() + "a line recorded since\n")
    result = build(small_site, small_site / "site")
    log = result.stdout + result.stderr
    assert result.returncode != 0, log[-3000:]
    assert re.search(
        r"docs/downloads/dropout/train_test_gap\.py is stale.*python -m kb downloads",
        log,
    ), log[-3000:]


def test_a_missing_download_is_named(small_site):
    snippet = small_site_with_an_experiment(small_site)
    assert downloads.download_problem(snippet, small_site) is None
    downloads.targets(snippet, small_site)[1].unlink()
    assert downloads.download_problem(snippet, small_site) == (
        "docs/downloads/dropout/train_test_gap.ipynb is missing. Make it with: python -m kb downloads"
    )


def test_a_stale_download_fails_the_page_and_only_warns_under_serve(
    monkeypatch, caplog
):
    # the records are not tested here
    monkeypatch.setattr(outputs, "freshness_problem", lambda snippet: None)
    monkeypatch.setattr(
        downloads,
        "download_problem",
        lambda snippet, root: f"{rel(snippet)}: STALE DOWNLOAD",
    )
    markdown = "# Page\n\n{{ output dropout/train_test_gap }}\n"
    with pytest.raises(
        directives.DirectiveError,
        match="docs/page.md: snippets/dropout/train_test_gap.py: STALE",
    ):
        directives.expand(markdown, "page.md", directives.Site([], ""))
    directives.expand(
        markdown, "page.md", directives.Site([], "", serving=True)
    )
    assert (
        "docs/page.md: snippets/dropout/train_test_gap.py: STALE DOWNLOAD"
        in caplog.text
    )


# --- zips ------------------------------------------------------------------------------------------


def zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            info.filename: archive.read(info) for info in archive.infolist()
        }


@pytest.mark.parametrize(
    "folder", ["deconvolution", "localization", "classic_architectures"]
)
def test_a_topic_zip_holds_its_snippets_the_data_module_pins_and_a_readme(
    folder,
):
    data = downloads.topic_zip_bytes(folder)
    assert data == downloads.topic_zip_bytes(folder), (
        "the zip is not deterministic"
    )
    entries = zip_entries(data)
    top = f"cnn-kb-{folder}/"
    snippets = [s for s in outputs.all_snippets() if s.parent.name == folder]
    for path in snippets + [ROOT / downloads.DATA_MODULE]:
        assert entries[top + rel(path)] == path.read_bytes(), rel(path)
    # every local import travels with it, in its folder
    for snippet in snippets:
        for module in downloads.modules_to_inline(snippet):
            assert top + rel(module) in entries, (
                f"{rel(module)}, imported by {rel(snippet)}"
            )
    reqs = entries[top + "requirements.txt"].decode().splitlines()
    packages = [r for r in reqs if r and not r.startswith(("#", "-"))]
    assert packages and set(packages) <= set(downloads.pins().values()), (
        f"{reqs}: each package the snippets import must be pinned in requirements.txt"
    )
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in reqs
    readme = entries[top + "README.md"].decode()
    assert (
        "pip install -r requirements.txt" in readme
        and f"python {rel(snippets[0])}" in readme
    )


def test_the_site_zip_holds_every_snippet():
    entries = zip_entries(downloads.site_zip_bytes())
    for snippet in outputs.all_snippets():
        assert (
            entries[f"{downloads.SITE_ZIP}/{rel(snippet)}"]
            == snippet.read_bytes()
        )
    assert {
        f"{downloads.SITE_ZIP}/requirements.txt",
        f"{downloads.SITE_ZIP}/README.md",
    } <= set(entries)


def test_home_page_links_the_site_zip():
    assert f"(downloads/{downloads.SITE_ZIP}.zip)" in (
        ROOT / "docs" / "index.md"
    ).read_text(encoding="utf-8")


# --- running them outside the repository -----------------------------------------------------------


def outside_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "KB_SEED")
    }
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


def check_printed(snippet: Path, printed: str, folder: Path) -> None:
    """What a run outside printed (and plotted) is what the record says; skipped for a stale record."""
    problem = outputs.freshness_problem(snippet)
    if problem:
        pytest.skip(f"it ran; not compared: {problem}")
    record = outputs.load_record(snippet)
    difference = outputs.compare_stdout(record["stdout"], printed)
    assert difference is None, (
        f"{rel(snippet)}, run outside the repository: {difference}"
    )
    missing = [p for p in record["plots"] if not (folder / p).is_file()]
    assert not missing, (
        f"{rel(snippet)}, run outside the repository, saved no {missing}"
    )


def verified_before(request, snippet: Path, download: bytes) -> dict | None:
    """None when this download of the snippet passed this test before with nothing changed (the
    download, the record, the test, the packages: kb/verified.py); else what to remember after a
    pass. Like a snippet run, a failure is never remembered."""
    now = verified.download_parts(snippet, download, Path(__file__))
    name = f"{request.node.originalname}__{rel(snippet).replace('/', '__')}"
    why = verified.check_needs_run(name, now)
    request.node.user_properties.append(("kb", why and f"ran: {why}"))
    return None if why is None else {"name": name, "now": now}


def remember(pending: dict) -> None:
    verified.remember_check(pending["name"], pending["now"])


def notebook_stdout(nb) -> str:
    """What the snippet's cells printed (not the %pip and %%writefile cells)."""
    return "".join(
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code" and not c.source.startswith("%")
        for o in c.get("outputs", [])
        if o.get("name") == "stdout"
    )


def run_outside(
    args: list[str],
    cwd: Path | None = None,
    python: Path = Path(sys.executable),
    env: dict[str, str] | None = None,
    timeout: int = 600,
) -> str:
    result = subprocess.run(
        [str(python), *args],
        cwd=cwd,
        env=env or outside_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{' '.join(args)} failed outside the repository:\n{result.stderr[-3000:]}"
    )
    return result.stdout


def test_a_script_with_inlined_modules_runs_alone(tmp_path):
    """The _add_module mechanism on a tiny repository: a snippet importing a module beside it and one
    from another folder (through sys.path, as snippets import shapes.py)."""
    root = tmp_path / "repo"
    (root / "snippets" / "shapes").mkdir(parents=True)
    (root / "snippets" / "t").mkdir()
    (root / "snippets" / "shapes" / "shapes.py").write_text(
        '"""Data."""\nDATA = [1, 2, 3]  # \'\'\' quotes\n'
    )
    (root / "snippets" / "t" / "helper.py").write_text(
        "from shapes import DATA\n\n\ndef total():\n    return sum(DATA)\n"
    )
    (root / "snippets" / "t" / "exp.py").write_text(
        '"""Plots a total."""\nimport sys\nfrom pathlib import Path\n\n'
        'sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shapes"))\n'
        "from helper import total\nfrom shapes import DATA\n\n"
        'if __name__ == "__main__":\n    print(f"total: {total()} of {len(DATA)}")\n'
    )
    (root / "docs" / "outputs" / "t" / "exp").mkdir(parents=True)
    (root / "docs" / "outputs" / "t" / "exp" / "stdout.txt").write_text(
        "total: 6 of 3\n"
    )
    (root / "docs" / "outputs" / "t" / "exp" / "run.json").write_text(
        '{"plots": []}'
    )
    shutil.copy(ROOT / "requirements.txt", root / "requirements.txt")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    snippet = root / "snippets" / "t" / "exp.py"
    assert [m.name for m in downloads.modules_to_inline(snippet, root)] == [
        "shapes.py",
        "helper.py",
    ]
    script = tmp_path / "away" / "exp.py"
    script.parent.mkdir()
    script.write_text(downloads.script_text(snippet, root))
    assert run_outside([script.name], script.parent) == "total: 6 of 3\n"


NOTEBOOKS = (
    EXPERIMENTS if ALL else [ROOT / "snippets" / f"{SAMPLE_NOTEBOOK}.py"]
)


@pytest.mark.parametrize("snippet", NOTEBOOKS, ids=name)
def test_a_downloaded_notebook_runs_outside_the_repository(
    snippet, tmp_path, monkeypatch, request
):
    import nbformat
    from nbclient import NotebookClient

    need_record(snippet)
    notebook = downloads.targets(snippet)[1]
    pending = verified_before(request, snippet, notebook.read_bytes())
    if pending is None:
        return
    for key, value in outside_env().items():
        monkeypatch.setenv(key, value)
    for key in ("PYTHONPATH", "KB_SEED"):
        monkeypatch.delenv(key, raising=False)
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        skip_cells_with_tag="skip-execution",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    for module in downloads.modules_to_inline(snippet):
        assert (tmp_path / module.name).read_text(
            encoding="utf-8"
        ) == module.read_text(encoding="utf-8")
    printed = notebook_stdout(nb)
    check_printed(snippet, printed, tmp_path)
    remember(pending)


SCRIPTS = (
    [s for s in EXPERIMENTS if downloads.modules_to_inline(s)] if ALL else []
)


@pytest.mark.parametrize("snippet", SCRIPTS, ids=name)
def test_a_downloaded_script_with_inlined_modules_runs_outside_the_repository(
    snippet, tmp_path
):
    need_record(snippet)
    script = downloads.targets(snippet)[0]
    shutil.copy(script, tmp_path / script.name)
    check_printed(snippet, run_outside([script.name], tmp_path), tmp_path)


ZIPPED = [
    s
    for s in outputs.all_snippets()
    if ALL or downloads.zip_folder(s) == SAMPLE_ZIP
]


@pytest.mark.parametrize("snippet", ZIPPED, ids=rel)
def test_a_snippet_from_its_topic_zip_runs_outside_the_repository(
    snippet, tmp_path, request
):
    folder = downloads.zip_folder(snippet)
    zipped = downloads.topic_zip_bytes(folder)
    pending = verified_before(request, snippet, zipped)
    if pending is None:
        return
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        archive.extractall(tmp_path)
    unzipped = tmp_path / f"cnn-kb-{folder}"
    # as its README says: python snippets/<topic>/<name>.py
    printed = run_outside([rel(snippet)], unzipped)
    if not recorded(snippet):
        pytest.skip(f"it ran; {rel(snippet)} has no record to compare with")
    check_printed(snippet, printed, unzipped)
    remember(pending)


# --- on a fresh virtual environment (CI: KB_FRESH_VENV=1) -----------------------------------------

FRESH_VENV = os.environ.get("KB_FRESH_VENV") == "1"
EXECUTE_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
# every cell, as a reader runs it: the %pip cell too (nbclient skips cells tagged skip-execution)
NotebookClient(nb, timeout=600, kernel_name="python3", skip_cells_with_tag="-").execute()
nbformat.write(nb, sys.argv[2])
"""


def pip_env() -> dict[str, str]:
    # An index that cannot be reached (the CPU wheel index, on a machine that sees only PyPI) is
    # skipped at once instead of retried for minutes; what gets installed is the same.
    return {**outside_env(), "PIP_RETRIES": "0"}


def fresh_venv(folder: Path, *packages: str) -> Path:
    """A new virtual environment with only these packages; its python."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    if packages:
        pip_install(python, *packages)
    return python


def pip_install(python: Path, *args: str) -> None:
    run_outside(
        ["-m", "pip", "install", "-q", *args],
        python=python,
        env=pip_env(),
        timeout=900,
    )


@pytest.mark.skipif(
    not FRESH_VENV, reason="installs packages: KB_FRESH_VENV=1 (CI does)"
)
def test_a_topic_zip_runs_in_a_fresh_venv_as_its_readme_says(tmp_path):
    snippet = ROOT / "snippets" / f"{SAMPLE_NOTEBOOK}.py"
    folder = downloads.zip_folder(snippet)
    with zipfile.ZipFile(
        io.BytesIO(downloads.topic_zip_bytes(folder))
    ) as archive:
        archive.extractall(tmp_path)
    unzipped = tmp_path / f"cnn-kb-{folder}"
    python = fresh_venv(tmp_path / "venv")
    pip_install(python, "-r", str(unzipped / "requirements.txt"))
    printed = run_outside([rel(snippet)], unzipped, python=python)
    check_printed(snippet, printed, unzipped)


@pytest.mark.skipif(
    not FRESH_VENV, reason="installs packages: KB_FRESH_VENV=1 (CI does)"
)
def test_a_notebook_installs_what_it_needs_in_a_fresh_venv(tmp_path):
    """Only Jupyter's kernel and runner are installed; the notebook's own %pip cell does the rest."""
    import nbformat

    snippet = ROOT / "snippets" / f"{SAMPLE_NOTEBOOK}.py"
    jupyter = [f"{name}=={version(name)}" for name in ("ipykernel", "nbclient")]
    python = fresh_venv(tmp_path / "venv", *jupyter)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    executed = tmp_path / "executed.ipynb"
    notebook = str(downloads.targets(snippet)[1])
    run_outside(
        ["-c", EXECUTE_NOTEBOOK, notebook, str(executed)],
        run_dir,
        python=python,
        env=pip_env(),
        timeout=1200,
    )
    nb = nbformat.read(executed, as_version=4)
    printed = notebook_stdout(nb)
    check_printed(snippet, printed, run_dir)
