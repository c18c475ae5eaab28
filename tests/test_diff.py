"""`python -m kb diff`: what a change does to the recorded results, in a throw-away git repository
with one snippet retrained between two commits."""

import io
import subprocess

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from kb import diff  # noqa: E402


def png(slope: float) -> bytes:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, slope])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def commit(root, files: dict[str, bytes | str]) -> None:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            target.unlink()
        elif isinstance(data, str):
            target.write_text(data)
        else:
            target.write_bytes(data)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "x",
        ],
        cwd=root,
        check=True,
    )


def test_a_retrained_snippet_shows_its_lines_its_plot_and_its_page(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    out = "docs/outputs/dropout/gap"
    commit(
        tmp_path,
        {
            f"{out}/stdout.txt": "parameters: 120\ntest accuracy: 0.968 ±0.02\n",
            f"{out}/curve.png": png(1.0),
            "docs/outputs/dropout/old_one/stdout.txt": "x: 1\n",
            "docs/dropout.md": "# Dropout\n\n{{ output dropout/gap }}\n",
            "docs/other.md": "# Other\n",
        },
    )
    commit(
        tmp_path,
        {
            f"{out}/stdout.txt": "parameters: 121\ntest accuracy: 0.975 ±0.02\n",
            f"{out}/curve.png": png(-1.0),
            "docs/outputs/dropout/old_one/stdout.txt": None,
            "docs/outputs/dropout/new_one/stdout.txt": "y: 2\n",
        },
    )
    text = diff.run(tmp_path, "HEAD~1", "HEAD", tmp_path / "diff")
    assert (
        "`parameters: 120` | `parameters: 121` | **no**" in text
    )  # a count off by one
    assert (
        "`test accuracy: 0.968 ±0.02` | `test accuracy: 0.975 ±0.02` | yes"
        in text
    )
    assert "Plot `curve.png`: pixel RMS" in text
    for image in ("curve.old.png", "curve.new.png", "curve.diff.png"):
        assert (tmp_path / "diff" / "dropout" / "gap" / image).is_file()
    assert (
        "`dropout/new_one` (added)" in text
        and "`dropout/old_one` (removed)" in text
    )
    assert "- `docs/dropout.md`: dropout/gap" in text and "other.md" not in text
    assert (tmp_path / "diff" / "summary.md").read_text() == text


def test_nothing_changed_says_so(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    commit(tmp_path, {"docs/outputs/a/b/stdout.txt": "x: 1\n"})
    assert "no recorded output changed" in diff.run(tmp_path, "HEAD")
