"""Run it yourself: every experiment as a standalone script and notebook, and a zip per topic.

An experiment is a snippet that trains (`outputs.trains`) or whose record has plots. For each one,
`python -m kb downloads` (and `python -m kb refresh SNIPPET`) writes two committed files:

    docs/downloads/<topic>/<name>.py      runs on its own: the local modules it imports (shapes.py, ...)
                                          are inlined byte for byte and registered as modules
    docs/downloads/<topic>/<name>.ipynb   the same as a notebook: a %pip cell, a %%writefile cell per
                                          local module, the snippet, and its recorded outputs and plots

Both record the fingerprint of their sources and a hash of the recorded output; the strict build
fails when one is missing or stale (`download_problem`). Nothing here runs a snippet.

The zips (`docs/downloads/<topic>.zip` per folder of snippets/, `docs/downloads/cnn-kb-snippets.zip`
for the site) hold the snippets with their folders, the shared data module, a requirements.txt and a
README. They are made at build time (gitignored), with fixed timestamps, and only rewritten when
their bytes change, so `mkdocs serve` does not rebuild in a loop.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

from kb import exercises, filecache, outputs
from kb.paths import ROOT, rel

SITE_ZIP = "cnn-kb-snippets"
DATA_MODULE = "snippets/shapes/shapes.py"  # the shared data set: in every zip
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# import name -> name on PyPI, where they differ
PACKAGE_OF = {"sklearn": "scikit-learn", "PIL": "pillow"}
# installed with torch and matplotlib; pinned only if requirements.txt pins it
BUNDLED = {"numpy"}
# the line of a script that records what it was made from
MARK = "# kb-download: "
COMMAND = "python -m kb downloads"
# fixed: the same files give the same zip bytes
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class DownloadError(Exception):
    """A download cannot be made, or is missing or stale. The message names the fix."""


# --- what is an experiment, and where its downloads live -------------------------------------------


def name_of(snippet: Path, root: Path = ROOT) -> str:
    """TOPIC/NAME of snippets/TOPIC/NAME.py."""
    return (
        Path(snippet)
        .resolve()
        .relative_to(root / "snippets")
        .with_suffix("")
        .as_posix()
    )


def is_experiment(snippet: Path, root: Path = ROOT) -> bool:
    """A snippet that trains (`outputs.trains`) or plots (its record lists plots)."""
    run_json = (
        root / "docs" / "outputs" / f"{name_of(snippet, root)}" / "run.json"
    )
    plots = run_json.is_file() and json.loads(
        run_json.read_text(encoding="utf-8")
    ).get("plots")
    return bool(plots) or outputs.trains(snippet)


def experiments(root: Path = ROOT) -> list[Path]:
    return [s for s in outputs.all_snippets(root) if is_experiment(s, root)]


def targets(snippet: Path, root: Path = ROOT) -> tuple[Path, Path]:
    """docs/downloads/TOPIC/NAME.py and .ipynb."""
    base = root / "docs" / "downloads" / name_of(snippet, root)
    return base.with_suffix(".py"), base.with_suffix(".ipynb")


def starter_targets(snippet: Path, root: Path = ROOT) -> tuple[Path, Path]:
    """docs/downloads/TOPIC/exercises/NAME_starter.py and .ipynb: an exercise's starter."""
    script, notebook = targets(snippet, root)
    stem = exercises.starter_name(snippet)
    return script.with_name(stem + ".py"), notebook.with_name(stem + ".ipynb")


def has_starter(snippet: Path, root: Path = ROOT) -> bool:
    return exercises.is_exercise(snippet, root) and bool(exercises.of(snippet))


def all_targets(snippet: Path, root: Path = ROOT) -> list[tuple[Path, bool]]:
    """(download, is it the starter) of every download a snippet has."""
    made = (
        [(t, False) for t in targets(snippet, root)]
        if is_experiment(snippet, root)
        else []
    )
    if has_starter(snippet, root):
        made += [(t, True) for t in starter_targets(snippet, root)]
    return made


# --- sources and packages --------------------------------------------------------------------------


def modules_to_inline(snippet: Path, root: Path = ROOT) -> list[Path]:
    """The local modules a snippet imports, recursively, each after the modules it imports itself."""
    order: list[Path] = []
    snippet = Path(snippet).resolve()
    index = outputs.module_index(root / "snippets")

    def visit(path: Path, seen: tuple[Path, ...]) -> None:
        for module in outputs.local_imports(path, root / "snippets", index):
            module = module.resolve()
            if module in seen or module in order or module == snippet:
                continue
            visit(module, seen + (module,))
            order.append(module)

    visit(snippet, (snippet,))
    return order


def _third_party(paths: list[Path], local: set[str]) -> set[str]:
    names = set().union(*(outputs.imported_names(path) for path in paths))
    return {
        n for n in names if n not in sys.stdlib_module_names and n not in local
    }


def pins(root: Path = ROOT) -> dict[str, str]:
    """{package: 'package==version'} of requirements.txt (none in a copy of the site without it)."""
    found, path = {}, root / "requirements.txt"
    for line in (
        path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    ):
        requirement = line.partition("#")[0].strip()
        if "==" in requirement:
            found[requirement.partition("==")[0].strip().lower()] = requirement
    return found


def requirements(paths: list[Path], root: Path = ROOT) -> list[str]:
    """The packages these files import, pinned as in requirements.txt."""
    # the index, not a glob: a test's throw-away _test_* folder may vanish mid-walk
    local = set(outputs.module_index(root / "snippets"))
    pinned, needed = pins(root), []
    for name in sorted(_third_party(paths, local)):
        package = PACKAGE_OF.get(name, name).lower()
        if package in pinned or name not in BUNDLED:
            # unpinned: tests/test_downloads.py fails on it
            needed.append(pinned.get(package, package))
    # torch first
    return sorted(needed, key=lambda r: (not r.startswith("torch=="), r))


def pip_command(reqs: list[str]) -> str:
    index = (
        f" --extra-index-url {CPU_INDEX}"
        if any(r.startswith("torch==") for r in reqs)
        else ""
    )
    return "pip install " + " ".join(reqs) + index


def repo_url(root: Path = ROOT) -> str:
    """repo_url of mkdocs.yml (read as text: the file has tags plain YAML cannot load)."""
    m = re.search(
        r"^repo_url:\s*(\S+)",
        (root / "mkdocs.yml").read_text(encoding="utf-8"),
        re.M,
    )
    return m.group(1).rstrip("/") if m else ""


def colab_url(name: str, url: str) -> str | None:
    """The "Open in Colab" address of docs/downloads/NAME.ipynb in a GitHub repository."""
    m = re.fullmatch(
        r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", url or ""
    )
    if not m:
        return None
    return (
        f"https://colab.research.google.com/github/{m.group(1)}/{m.group(2)}/blob/main/"
        f"docs/downloads/{name}.ipynb"
    )


def stamp(snippet: Path, root: Path = ROOT) -> dict:
    """What a download is made from: the code fingerprint of its record (`outputs.fingerprint`, equal
    to the code's while the record is fresh, which the build checks first) and a hash of the recorded
    output and plots."""
    folder = root / "docs" / "outputs" / name_of(snippet, root)
    meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((folder / "stdout.txt").read_bytes())
    for plot in meta.get("plots", []):
        image = folder / plot
        digest.update(
            plot.encode()
            + b"\0"
            + (image.read_bytes() if image.is_file() else b"(missing)")
        )
    return {"sources": meta.get("sources", {}), "record": digest.hexdigest()}


# --- the script ------------------------------------------------------------------------------------

ADD_MODULE = '''import sys
import types


def _add_module(name, source):
    """Make `import <name>` find this source, as if <name>.py lay beside the script."""
    module = types.ModuleType(name)
    module.__file__ = name + ".py"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)
'''
SNIPPET_MARK = "# --- the snippet, unchanged: "
STARTER_MARK = "# --- the exercise, with the solution removed: "


def quoted(source: str) -> str:
    """A Python literal of source: a raw triple-quoted string where that is exact, else repr()."""
    if "'''" not in source and not source.endswith(("\\", "'")):
        return "r'''" + source + "'''"
    return repr(source)


def script_text(snippet: Path, root: Path = ROOT, starter: bool = False) -> str:
    name, modules = name_of(snippet, root), modules_to_inline(snippet, root)
    source = (
        exercises.starter_source(snippet)
        if starter
        else snippet.read_text(encoding="utf-8")
    )
    if re.search(r"^from __future__ import", source, re.M):
        raise DownloadError(
            f"{rel(snippet)}: a `from __future__` import cannot follow inlined modules."
        )
    reqs = requirements([snippet, *modules], root)
    url = repo_url(root)
    kind = "the starter of an exercise" if starter else "an experiment"
    lines = [
        f"# {snippet.name}: {kind} of the CNN Knowledge Base that runs on its own.",
        f"# Made by `{COMMAND}` from snippets/{name}.py"
        + (f" of {url}" if url else "")
        + ";",
        "# edit the snippet, not this file.",
        "#",
        "# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:",
        f"#     {pip_command(reqs)}",
        "# then:",
        f"#     python {exercises.starter_name(snippet) + '.py' if starter else snippet.name}",
        "#",
    ]
    if starter:
        lines += [
            "# Write your answer where it says TODO. The checks below it are the ones the site's",
            "# tests run on the solution: the script stops on a failed assert until your answer is",
            "# right.",
            "#",
        ]
    if modules:
        lines += [
            "# The local modules it imports are inlined below, byte for byte, and registered as",
            "# modules before the snippet's own code runs.",
        ]
    lines.append(MARK + json.dumps(stamp(snippet, root), sort_keys=True))
    parts = ["\n".join(lines) + "\n"]
    if modules:
        parts.append(ADD_MODULE)
        parts += [
            f"# {rel_to(module, root)}\n_add_module({module.stem!r}, "
            f"{quoted(module.read_text(encoding='utf-8'))})\n"
            for module in modules
        ]
    mark = STARTER_MARK if starter else SNIPPET_MARK
    parts.append(f"{mark}snippets/{name}.py ---\n{source}")
    return "\n\n".join(parts)


def rel_to(path: Path, root: Path) -> str:
    return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()


# --- the notebook ----------------------------------------------------------------------------------


def docstring_parts(snippet: Path) -> tuple[str, str]:
    """The first paragraph of a snippet's docstring on one line (the claim it checks), and the rest."""
    source = Path(snippet).read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source)) or ""
    # the claim may wrap over lines
    first, _, rest = doc.strip().partition("\n\n")
    return " ".join(first.split()), rest.strip()


def _snippet_cells(source: str) -> list[tuple[str, str]]:
    """(type, source) of the snippet's cells: its own percent-format cells, else one code cell."""
    if "# %% [markdown]" not in source:
        return [("code", source)]
    import jupytext

    return [
        (c.cell_type, c.source)
        for c in jupytext.reads(source, fmt="py:percent").cells
    ]


def notebook_text(
    snippet: Path, root: Path = ROOT, starter: bool = False
) -> str:
    """The snippet's notebook, with its recorded outputs (made again only when a file it reads
    changed: nbformat's validation is slow to start)."""
    snippet = Path(snippet).resolve()
    modules = modules_to_inline(snippet, root)
    record = root / "docs" / "outputs" / name_of(snippet, root)
    reads = [
        snippet,
        *modules,
        root / "requirements.txt",
        root / "mkdocs.yml",
        *sorted(record.glob("*")),
    ]
    key = (
        "notebook",
        starter,
        *(filecache.stamp(f) for f in reads if f.is_file()),
    )
    return filecache.memo(
        key, lambda: _notebook_text(snippet, modules, root, starter)
    )


def _notebook_text(
    snippet: Path, modules: list[Path], root: Path, starter: bool = False
) -> str:
    import nbformat
    from nbformat import v4

    name = name_of(snippet, root)
    reqs = requirements([snippet, *modules], root)
    url = repo_url(root)
    title, rest = docstring_parts(snippet)
    where = (
        f"[`snippets/{name}.py`]({url}/blob/main/snippets/{name}.py)"
        if url
        else f"`snippets/{name}.py`"
    )
    inlined = ", ".join(f"`{m.name}`" for m in modules)
    intro = (
        [f"# {title}", ""]
        + ([rest, ""] if rest else [])
        + [
            f"*From {where} of the CNN Knowledge Base, made by `{COMMAND}`.*",
            "",
            "**Run it:** run all cells, on Colab or on a laptop CPU (Python 3.11). The first cell installs "
            "the pinned packages (the CPU build of torch); skip it where they are installed."
            + (
                f" The next cells write the local modules it imports ({inlined}) beside the notebook."
                if modules
                else ""
            )
            + (
                " The last cell is the exercise with its solution removed: write your answer where "
                "it says TODO and run it. Its checks are the ones the site's tests run on the "
                "solution; it stops on a failed assert until your answer is right."
                if starter
                else " The last cell is the snippet itself, unchanged; below it are the outputs and "
                "plots the repository recorded, so a fresh run can be compared with them (a number "
                "printed with ± may differ by up to that much on another CPU)."
            ),
        ]
    )
    cells = [
        v4.new_markdown_cell("\n".join(intro)),
        v4.new_code_cell(
            "%" + pip_command(reqs), metadata={"tags": ["skip-execution"]}
        ),
    ]
    for module in modules:
        cells.append(
            v4.new_code_cell(
                f"%%writefile {module.name}\n"
                + module.read_text(encoding="utf-8")
            )
        )
    own = _snippet_cells(
        exercises.starter_source(snippet)
        if starter
        else snippet.read_text(encoding="utf-8")
    )
    head = f'__file__ = "{snippet.name}"  # the script\'s name, as when it runs as a file'
    if len(own) == 1:
        cells.append(v4.new_code_cell(head + "\n" + own[0][1]))
    else:
        cells.append(v4.new_code_cell(head))
        cells += [
            v4.new_code_cell(s) if kind == "code" else v4.new_markdown_cell(s)
            for kind, s in own
        ]
    last = max(i for i, c in enumerate(cells) if c.cell_type == "code")
    if not starter:  # a starter's outputs would give the answer away
        cells[last].outputs = _recorded_outputs(snippet, root)
    for number, cell in enumerate(cells):
        cell.id = (
            f"cell-{number}"  # fixed ids: the same inputs give the same bytes
        )
    nb = v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3",
                "language": "python",
            },
            "language_info": {"name": "python"},
            "kb": {
                "snippet": f"snippets/{name}.py",
                **({"starter": True} if starter else {}),
                **stamp(snippet, root),
            },
        },
    )
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def _recorded_outputs(snippet: Path, root: Path) -> list:
    from nbformat import v4

    folder = root / "docs" / "outputs" / name_of(snippet, root)
    meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    shown = [
        v4.new_output(
            "stream",
            name="stdout",
            text=(folder / "stdout.txt").read_text(encoding="utf-8"),
        )
    ]
    for plot in meta.get("plots", []):
        data = base64.b64encode((folder / plot).read_bytes()).decode()
        shown.append(
            v4.new_output(
                "display_data",
                data={"image/png": data, "text/plain": f"<{plot}>"},
            )
        )
    return shown


# --- writing and checking --------------------------------------------------------------------------


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def write(snippet: Path, root: Path = ROOT) -> list[Path]:
    """Write a snippet's downloads (an exercise's starter too); the files that changed."""
    return [
        path
        for path, starter in all_targets(snippet, root)
        if _write_if_changed(
            path, _text(path, snippet, root, starter).encode("utf-8")
        )
    ]


def _text(path: Path, snippet: Path, root: Path, starter: bool) -> str:
    if path.suffix == ".py":
        return script_text(snippet, root, starter)
    return notebook_text(snippet, root, starter)


def write_all(root: Path = ROOT) -> tuple[list[Path], list[str]]:
    """Write every experiment's downloads and remove those of snippets that are no longer ones.
    Returns (files written or removed, warnings)."""
    changed, warnings, keep = [], [], set()
    for snippet in [
        s
        for s in outputs.all_snippets(root)
        if is_experiment(s, root) or has_starter(s, root)
    ]:
        problem = outputs.freshness_problem(snippet)
        if problem and "no recorded output" in problem:
            warnings.append(f"skipped: {problem}")
            continue
        if problem:
            warnings.append(f"made from a stale record: {problem}")
        keep |= {path for path, _ in all_targets(snippet, root)}
        changed += write(snippet, root)
    folder = root / "docs" / "downloads"
    made = [*folder.glob("*/*"), *folder.glob(f"*/{exercises.FOLDER}/*")]
    for path in sorted(made) if folder.is_dir() else []:
        if (
            path.suffix in (".py", ".ipynb")
            and path not in keep
            and not _has_snippet_without_record(path, root)
        ):
            path.unlink()
            changed.append(path)
    return changed, warnings


def _has_snippet_without_record(path: Path, root: Path) -> bool:
    """A download of an experiment whose record is missing for now: keep it until it is recorded."""
    snippet = (
        root
        / "snippets"
        / path.relative_to(root / "docs" / "downloads").with_suffix(".py")
    )
    return (
        snippet.is_file()
        and not (
            root / "docs" / "outputs" / name_of(snippet, root) / "run.json"
        ).is_file()
    )


def recorded_stamp(path: Path) -> dict | None:
    """What a committed download says it was made from; None if it says nothing readable."""
    try:
        if path.suffix == ".ipynb":
            kb = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kb"]
            return {"sources": kb["sources"], "record": kb["record"]}
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(MARK):
                return json.loads(line[len(MARK) :])
    except (OSError, ValueError, KeyError):
        return None
    return None


def download_problem(snippet: Path, root: Path = ROOT) -> str | None:
    """Why an experiment's committed downloads are missing or stale (made from another record than
    the snippet's); None when they are fresh. A hash check of the record: nothing runs."""
    now = stamp(snippet, root)
    for path, _ in all_targets(snippet, root):
        if not path.is_file():
            return f"{rel_to(path, root)} is missing. Make it with: {COMMAND}"
        if recorded_stamp(path) != now:
            return (
                f"{rel_to(path, root)} is stale (its snippet's code or recorded output changed since "
                f"it was made). Make it again with: {COMMAND}"
            )
    return None


# --- links -----------------------------------------------------------------------------------------


def links_line(name: str, prefix: str, url: str) -> str:
    """The "Run it yourself" line under an experiment's output, for a page `prefix` deep."""
    stem = name.rpartition("/")[2]
    parts = [
        f'[notebook]({prefix}downloads/{name}.ipynb){{ download="{stem}.ipynb" }}',
        f'[script]({prefix}downloads/{name}.py){{ download="{stem}.py" }}',
    ]
    colab = colab_url(name, url)
    if colab:
        parts.append(f"[Open in Colab]({colab})")
    return "Run it yourself: " + " · ".join(parts) + "\n{ .kb-downloads }"


def starter_line(name: str, prefix: str) -> str:
    """The "Try it first" line of an exercise: its starter as a script and a notebook."""
    stem = name.rpartition("/")[2] + "_starter"
    base = f"{prefix}downloads/{name.rpartition('/')[0]}/{stem}"
    return (
        f'Try it first: [notebook]({base}.ipynb){{ download="{stem}.ipynb" }} · '
        f'[script]({base}.py){{ download="{stem}.py" }}, the solution removed and its checks kept; '
        "it stops on a failed check until your answer is right.\n{ .kb-downloads }"
    )


def page_folder(names: list[str]) -> str | None:
    """The snippets/ folder a topic page mostly shows (its zip); None when it shows none."""
    folders = Counter(n.partition("/")[0] for n in names if "/" in n)
    return folders.most_common(1)[0][0] if folders else None


def zip_section(folder: str, prefix: str, experiments_shown: bool) -> str:
    each = (
        "Each experiment above offers its notebook, its script and Colab under its output. "
        if experiments_shown
        else ""
    )
    return (
        "\n\n## Run it yourself\n\n"
        + each
        + f"[Download all snippets of this topic (.zip)]({prefix}downloads/{folder}.zip): "
        f"`snippets/{folder}/` with the shared data module, a `requirements.txt` and a README on "
        "how to run them.\n"
    )


# --- zips ------------------------------------------------------------------------------------------


def zip_folder(snippet: Path, root: Path = ROOT) -> str:
    """The topic zip a snippet ships in: snippets/<topic>/exercises/<name>.py is in <topic>'s."""
    return snippet.relative_to(root / "snippets").parts[0]


def zip_folders(root: Path = ROOT) -> list[str]:
    return sorted({zip_folder(s, root) for s in outputs.all_snippets(root)})


def zip_files(folders: list[str], root: Path = ROOT) -> list[Path]:
    """The snippets of these folders, every local module they import, and the data module."""
    chosen = [
        s for s in outputs.all_snippets(root) if zip_folder(s, root) in folders
    ]
    files = set(chosen)
    for s in chosen:
        files |= set(modules_to_inline(s, root))
    if (root / DATA_MODULE).is_file():
        files.add((root / DATA_MODULE).resolve())
    return sorted({Path(f).resolve() for f in files})


def readme(title: str, files: list[str], reqs: list[str]) -> str:
    scripts = "\n".join(f"    python {f}" for f in files)
    return (
        f"# {title}\n\nSnippets of the CNN Knowledge Base, as in its repository: each one is a "
        "runnable file that prints what its page shows and saves its plots (PNG) in the current "
        "folder. Everything runs on a laptop CPU in seconds to a minute; nothing is downloaded.\n\n"
        "## Run them\n\nIn this folder, with Python 3.11, in a fresh virtual environment:\n\n"
        "    python3 -m venv .venv && . .venv/bin/activate\n"
        "    pip install -r requirements.txt    # torch is the CPU build\n\n"
        f"then run any snippet from this folder (`snippets/shapes/` is the shared data set that "
        f"some of them import):\n\n{scripts}\n\nPackages: {', '.join(reqs)}. Set `KB_SEED` to "
        "run under another seed; a number printed with ± may move by up to that much.\n"
    )


def zip_bytes(
    folders: list[str], top: str, title: str, root: Path = ROOT
) -> bytes:
    files = zip_files(folders, root)
    reqs = requirements(files, root)
    names = [rel_to(f, root) for f in files]
    shown = [n for n in names if n.split("/")[1] in folders]
    entries = {n: f.read_bytes() for n, f in zip(names, files)}
    entries["requirements.txt"] = (
        f"# The packages these snippets import, pinned as in the repository.\n"
        f"--extra-index-url {CPU_INDEX}\n" + "\n".join(reqs) + "\n"
    ).encode()
    entries["README.md"] = readme(title, shown, reqs).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def topic_zip_bytes(folder: str, root: Path = ROOT) -> bytes:
    return zip_bytes(
        [folder],
        f"cnn-kb-{folder}",
        f"CNN Knowledge Base: snippets/{folder}",
        root,
    )


def site_zip_bytes(root: Path = ROOT) -> bytes:
    return zip_bytes(
        zip_folders(root), SITE_ZIP, "CNN Knowledge Base: every snippet", root
    )


def all_zips(root: Path = ROOT) -> dict[str, bytes]:
    """{file name: bytes} of every topic's zip and the site's."""
    zips = {
        f"{name}.zip": topic_zip_bytes(name, root) for name in zip_folders(root)
    }
    zips[f"{SITE_ZIP}.zip"] = site_zip_bytes(root)
    return zips


def write_zips(root: Path = ROOT) -> list[Path]:
    """docs/downloads/<folder>.zip and cnn-kb-snippets.zip; only changed ones are rewritten."""
    folder = root / "docs" / "downloads"
    # every file a zip holds is a snippet (or requirements.txt): all unchanged, zip nothing
    sources = [*outputs.all_snippets(root), root / "requirements.txt"]
    stamps = tuple(filecache.stamp(f) for f in sources if f.exists())
    zips = filecache.memo(("zips", str(root), stamps), lambda: all_zips(root))
    changed = [
        folder / name
        for name, data in zips.items()
        if _write_if_changed(folder / name, data)
    ]
    for old in set(folder.glob("*.zip")) - {folder / name for name in zips}:
        old.unlink()
    return changed
