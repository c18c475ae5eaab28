"""What a change does to the site's results, for a reviewer who runs nothing: `python -m kb diff [BASE]`.

It compares the recorded outputs (docs/outputs/) of BASE (a git revision, `HEAD` by default) with
those of TARGET (another revision, or the working tree by default) and writes Markdown:

- each snippet added or removed;
- each changed printed line, old -> new, and whether the new value is within the band the tests allow
  (its ± tolerance, or the last printed digits);
- each changed plot: the old, the new and a difference image side by side, with their pixel RMS and,
  for a plot of training, what moved (kb/plotdata.py);
- each page that shows a changed output.

With `--out FOLDER` the Markdown goes to FOLDER/summary.md and the images beside it (CI appends the
summary to the job's summary page and uploads the folder).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kb import outputs, plotdata

OUTPUTS = "docs/outputs"


@dataclass
class Change:
    name: str  # topic/name
    lines: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # old, new, verdict
    plots: list[dict] = field(default_factory=list)
    status: str = "changed"  # or "added", "removed"


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, check=True
    ).stdout


def _files(root: Path, revision: str | None) -> dict[str, bytes]:
    """{path under docs/outputs/: bytes} at a revision, or in the working tree (None)."""
    if revision is None:
        base = root / OUTPUTS
        return {
            p.relative_to(base).as_posix(): p.read_bytes()
            for p in base.rglob("*")
            if p.is_file()
        }
    names = _git(root, "ls-tree", "-r", "--name-only", revision, OUTPUTS)
    return {
        name.removeprefix(OUTPUTS + "/"): _git(
            root, "show", f"{revision}:{name}"
        )
        for name in names.decode().splitlines()
    }


def _by_snippet(files: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    grouped: dict[str, dict[str, bytes]] = {}
    for path, data in files.items():
        folder, _, name = path.rpartition("/")
        grouped.setdefault(folder, {})[name] = data
    return grouped


def changes(root: Path, base: str, target: str | None = None) -> list[Change]:
    """Every snippet whose recorded output differs between the two revisions."""
    old, new = (
        _by_snippet(_files(root, base)),
        _by_snippet(_files(root, target)),
    )
    found = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            found.append(Change(name, status="removed"))
        elif name not in old:
            found.append(Change(name, status="added"))
        else:
            change = _compare(name, old[name], new[name])
            if change.lines or change.plots:
                found.append(change)
    return found


def _compare(name: str, old: dict[str, bytes], new: dict[str, bytes]) -> Change:
    change = Change(name)
    was = old.get("stdout.txt", b"").decode().splitlines()
    now = new.get("stdout.txt", b"").decode().splitlines()
    for i in range(max(len(was), len(now))):
        a = was[i] if i < len(was) else ""
        b = now[i] if i < len(now) else ""
        if a != b:
            verdict = (
                "new line"
                if not a
                else "removed line"
                if not b
                else "yes"
                if outputs.line_matches(a, b)
                else "**no**"
            )
            change.lines.append((a, b, verdict))
    for plot in sorted(p for p in set(old) | set(new) if p.endswith(".png")):
        if old.get(plot) != new.get(plot):
            change.plots.append(_plot(plot, old, new))
    return change


def _plot(plot: str, old: dict[str, bytes], new: dict[str, bytes]) -> dict:
    entry = {"name": plot, "old": old.get(plot), "new": new.get(plot)}
    if entry["old"] and entry["new"]:
        entry["rms"] = outputs.plot_rms(entry["old"], entry["new"])
        shown = outputs.plot_data_file(plot)
        if shown in old and shown in new:
            a, b = json.loads(old[shown]), json.loads(new[shown])
            entry["structure"] = plotdata.structure_difference(a, b)
            if not entry["structure"]:
                moved = plotdata.distances(a, b)
                entry["moved"] = max(
                    moved.items(), key=lambda kv: kv[1], default=None
                )
    return entry


def _difference_image(old: bytes, new: bytes, path: Path) -> bool:
    """|new - old| in grey levels, brighter where they differ; False when the sizes differ."""
    import io

    import numpy as np
    from matplotlib.image import imread, imsave

    a, b = (imread(io.BytesIO(x))[..., :3] for x in (old, new))
    if a.shape != b.shape:
        return False
    imsave(path, 1 - np.abs(a - b).max(axis=-1), cmap="gray", vmin=0, vmax=1)
    return True


def pages_showing(root: Path, names: list[str]) -> dict[str, list[str]]:
    """{page: [topic/name ...]} for pages with a directive or image that shows one of these outputs."""
    found: dict[str, list[str]] = {}
    for page in sorted((root / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        shown = [
            n
            for n in names
            if re.search(r"\{\{\s*\w+\s+" + re.escape(n) + r"\b", text)
            or f"outputs/{n}/" in text
        ]
        if shown:
            found[page.relative_to(root).as_posix()] = shown
    return found


def markdown(
    root: Path,
    found: list[Change],
    base: str,
    target: str | None,
    out: Path | None,
) -> str:
    what = target or "the working tree"
    if not found:
        return f"## Results: no recorded output changed between {base} and {what}\n"
    lines = [f"## Results changed between {base} and {what}", ""]
    for change in found:
        lines.append(f"### `{change.name}` ({change.status})")
        lines.append("")
        if change.lines:
            lines += ["| was | is now | within its band |", "|---|---|---|"]
            for a, b, verdict in change.lines:
                cell = lambda s: f"`{s}`" if s else "(none)"  # noqa: E731
                lines.append(f"| {cell(a)} | {cell(b)} | {verdict} |")
            lines.append("")
        for plot in change.plots:
            lines += _plot_markdown(change.name, plot, out)
    pages = pages_showing(root, [c.name for c in found])
    if pages:
        lines += ["### Pages whose shown output changed", ""]
        lines += [
            f"- `{page}`: {', '.join(names)}" for page, names in pages.items()
        ]
    return "\n".join(lines) + "\n"


def _plot_markdown(name: str, plot: dict, out: Path | None) -> list[str]:
    words = [f"Plot `{plot['name']}`:"]
    if not plot["old"] or not plot["new"]:
        words.append("added" if plot["new"] else "removed")
    else:
        words.append(f"pixel RMS {plot['rms']:.2f}")
        if plot.get("structure"):
            words.append(f"structure: {plot['structure']}")
        elif plot.get("moved"):
            key, distance = plot["moved"]
            words.append(f"largest move: {key} by {distance:.3g} of the axes")
    lines = [" ".join(words), ""]
    if out is not None:
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        stem = plot["name"].removesuffix(".png")
        cells = []
        for label in ("old", "new"):
            if plot[label]:
                (folder / f"{stem}.{label}.png").write_bytes(plot[label])
                cells.append(f"![{label}]({name}/{stem}.{label}.png)")
        if plot["old"] and plot["new"]:
            if _difference_image(
                plot["old"], plot["new"], folder / f"{stem}.diff.png"
            ):
                cells.append(f"![difference]({name}/{stem}.diff.png)")
        lines += [
            "| "
            + " | ".join(("was", "is now", "difference")[: len(cells)])
            + " |",
            "|" + "---|" * len(cells),
            "| " + " | ".join(cells) + " |",
            "",
        ]
    return lines


def run(
    root: Path,
    base: str = "HEAD",
    target: str | None = None,
    out: Path | None = None,
) -> str:
    text = markdown(root, changes(root, base, target), base, target, out)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.md").write_text(text, encoding="utf-8")
    return text
