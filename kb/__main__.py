"""Command line: `python -m kb <command>`, run from the repository root.

python -m kb refresh [SNIPPET ...]   run snippets and record their outputs (all when none given)
python -m kb check [SNIPPET ...]     run snippets and compare them with their records
python -m kb check --kernels baseline [SNIPPET ...]
                                     the same on another CPU's kernels (baseline: no AVX; avx2)
python -m kb check --seeds N [--record] [SNIPPET ...]
                                     run each under seeds 0..N-1 and on other CPUs' kernels: every
                                     assert must hold for each, and each printed number's and each
                                     plot's spread is shown (and recorded)
python -m kb downloads               write every experiment's notebook and script to docs/downloads/
                                     (and the zips); runs nothing, for after a pull or an edit
python -m kb tracking                validate every docs/tracking/*.yml file
python -m kb glossary                validate docs/tracking/glossary/glossary.yml and regenerate the
                                     tooltips' abbreviations file from it
python -m kb diff [BASE] [TARGET]    what a change does to the recorded results (old -> new lines,
                 [--out FOLDER]      plots side by side, pages), as Markdown for a pull request
python -m kb spelling                codespell over our text, sparing the student's own words
python -m kb bench [--snippets-only] time every snippet, the test suite and a warm build
                 [--build-only]      (or only the builds: cold, warm and a rebuild in serve)
python -m kb new snippet TOPIC/NAME  create snippets/TOPIC/NAME.py from the template
python -m kb new page TOPIC "Title"  create docs/TOPIC.md and docs/tracking/TOPIC.yml
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kb import outputs, runner
from kb.paths import rel

BUSY_LOAD = 1.5  # a 1-minute load average this high: something else runs beside the refresh


def _snippets(names: list[str]) -> list[Path]:
    if not names:
        return outputs.all_snippets()
    paths = [
        Path(n) if Path(n).is_absolute() else (Path.cwd() / n) for n in names
    ]
    missing = [n for n, p in zip(names, paths) if not p.is_file()]
    if missing:
        sys.exit(f"no such snippet: {', '.join(missing)}")
    paths = [p.resolve() for p in paths]
    runner.preload_only(outputs.imported_packages(paths))
    return paths


def _run_all(
    snippets: list[Path], action, workers: int = 2, kernels: str = "native"
) -> int:
    """Run snippets `workers` at a time (one thread each), apply `action` to each run, report failures."""

    def one(snippet: Path) -> str | None:
        try:
            action(outputs.run_snippet(snippet, kernels=kernels))
        except outputs.OutputError as error:
            return str(error)
        return None

    with ThreadPoolExecutor(max_workers=workers) as pool:
        errors = [e for e in pool.map(one, snippets) if e]
    for error in errors:
        print(f"FAILED: {error}\n", file=sys.stderr)
    print(f"{len(snippets) - len(errors)} of {len(snippets)} snippets ok")
    return 1 if errors else 0


def cmd_refresh(args) -> int:
    def save(run: outputs.Run) -> None:
        folder = outputs.record(run)
        print(
            f"recorded {rel(run.snippet)} -> {rel(folder)}/ ({run.seconds:.1f} s)"
        )
        from kb import downloads

        if downloads.all_targets(run.snippet):
            for path in downloads.write(run.snippet):
                print(f"  wrote {rel(path)}")
        warn_if_other_kernels_fail(run.snippet)

    load = os.getloadavg()[0]
    if load >= BUSY_LOAD:
        print(
            f"warning: the machine is busy (load average {load:.1f}), so the recorded times, "
            "which the pages' Provenance tables show, will be too high. Record on a quiet machine.",
            file=sys.stderr,
        )
    # one at a time: recorded times are clean
    return _run_all(_snippets(args.snippets), save, workers=1)


def warn_if_other_kernels_fail(snippet: Path) -> None:
    """A new record must pass on other CPUs too: run it on the baseline kernels and say if it fails."""
    try:
        outputs.check(
            outputs.run_snippet(snippet, kernels="baseline"),
            plots=not outputs.trains(snippet),
        )
    except outputs.OutputError as error:
        print(
            f"warning: this record would fail on another CPU (the baseline kernels): {error}\n"
            "  A result of training needs its spread over seeds and kernels: "
            f"{outputs.seeds_command(snippet)}; anything else must not depend on float rounding.",
            file=sys.stderr,
        )


def cmd_check(args) -> int:
    if args.seeds <= 1:
        return _run_all(
            _snippets(args.snippets), outputs.check, kernels=args.kernels
        )
    failed = 0
    for snippet in _snippets(args.snippets):
        failed += not check_seeds(snippet, args.seeds, args.record)
    return 1 if failed else 0


def check_seeds(snippet: Path, count: int, record: bool) -> bool:
    """Run a snippet under seeds 0..count-1, print each number's spread; True when all is well."""
    try:
        # every run's asserts hold; the recorded one reproduces its record (its plots are compared
        # within the bands measured here), the others are measured
        runs = outputs.measuring_runs(snippet, count)
        outputs.check(runs[0], plots=False)
    except outputs.OutputError as error:
        print(f"FAILED: {error}\n", file=sys.stderr)
        return False
    summary = outputs.seeds_summary(runs)
    others = ", ".join(
        f"seed {s} on {k} kernels" for s, k in outputs.OTHER_KERNEL_RUNS
    )
    print(
        f"{rel(snippet)}: the asserts hold for seeds 0 to {count - 1} and {others}"
    )
    for entry in summary["lines"]:
        for i, tol in enumerate(entry["tolerances"]):
            column = [v[i] for v in entry["values"]]
            if len(set(column)) == 1 and tol is None:
                continue
            spread = (
                f"mean {statistics.fmean(column):.4g} ± {statistics.stdev(column):.2g}, "
                f"range {min(column):g} to {max(column):g}"
            )
            print(
                f"  {entry['line'][:60]:60}  [{i + 1}] {spread}"
                + (f"; printed ±{tol}" if tol else "")
            )
    problems = outputs.seeds_problems(summary, outputs.trains(snippet))
    for problem in problems:
        print(f"  PROBLEM: {problem}", file=sys.stderr)
    if record:
        print(f"  recorded {rel(outputs.record_seeds(snippet, runs))}")
    return not problems


def cmd_downloads(args) -> int:
    from kb import downloads

    try:
        changed, warnings = downloads.write_all()
        changed += downloads.write_zips()
    except downloads.DownloadError as error:
        print(error, file=sys.stderr)
        return 1
    for warning in warnings:
        print(warning, file=sys.stderr)
    for path in changed:
        print(f"{'wrote' if path.exists() else 'removed'} {rel(path)}")
    print(
        f"{len(downloads.experiments())} experiments: downloads up to date in docs/downloads/"
    )
    return 0


def cmd_controls(args) -> int:
    """Run the negative controls of the given snippets (all when none given) and print the count."""
    from kb import controls

    failed = 0
    for snippet in _snippets(args.paths):
        control = controls.of(snippet)
        if control is None or control.none:
            continue
        try:
            print(
                f"{rel(snippet)}: without {control.effect}, fails {controls.run(snippet)}"
            )
        except controls.ControlError as error:
            print(f"FAILED {error}", file=sys.stderr)
            failed += 1
    controlled, reasoned, total = controls.count(outputs.all_snippets())
    print(
        f"{controlled} of the {total} snippets that assert a claim have a negative control that "
        f"fails; {reasoned} "
        + (
            "says in one line why it has"
            if reasoned == 1
            else "say in one line why they have"
        )
        + " none"
    )
    return 1 if failed else 0


def cmd_tracking(args) -> int:
    from kb import tracking

    try:
        data = tracking.load_all()
    except tracking.TrackingError as error:
        print(error, file=sys.stderr)
        return 1
    reading = sum(len(t.reading) for t in data)
    questions = sum(len(t.questions) for t in data)
    print(
        f"{len(data)} tracking files ok: {reading} reading items, {questions} questions"
    )
    return 0


def cmd_glossary(args) -> int:
    from kb import glossary

    try:
        entries = glossary.load()
    except glossary.GlossaryError as error:
        print(error, file=sys.stderr)
        return 1
    if unused := glossary.unused_terms(entries):
        print(
            f"{glossary.GLOSSARY.as_posix()}: no page uses {', '.join(map(repr, unused))}, so its "
            "tooltip shows nowhere; write the term as the pages do, or remove the entry",
            file=sys.stderr,
        )
        return 1
    changed = glossary.write(entries)
    state = "wrote" if changed else "up to date:"
    print(
        f"{len(entries)} glossary terms ok; {state} {glossary.ABBREVIATIONS.as_posix()}"
    )
    return 0


def cmd_spelling(args) -> int:
    from kb import spelling

    return spelling.main()


def cmd_diff(args) -> int:
    from kb import diff
    from kb.paths import ROOT

    out = Path(args.out) if args.out else None
    print(diff.run(ROOT, args.base, args.target, out), end="")
    return 0


def cmd_bench(args) -> int:
    from kb import bench

    return bench.main(
        snippets_only=args.snippets_only, build_only=args.build_only
    )


def cmd_new(args) -> int:
    from kb import scaffold

    try:
        created = scaffold.create(args.kind, args.name, args.title)
    except scaffold.ScaffoldError as error:
        print(error, file=sys.stderr)
        return 1
    for path in created:
        print(f"created {rel(path)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kb",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("refresh", help="run snippets and record their outputs")
    p.add_argument("snippets", nargs="*")
    p.set_defaults(func=cmd_refresh)
    p = sub.add_parser(
        "check", help="run snippets and compare them with their records"
    )
    p.add_argument("snippets", nargs="*")
    p.add_argument(
        "--seeds",
        type=int,
        default=1,
        metavar="N",
        help="run each snippet under seeds 0..N-1 and report each number's spread",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="with --seeds: write the spread to docs/outputs/<topic>/<name>/seeds.json",
    )
    p.add_argument(
        "--kernels",
        choices=sorted(runner.KERNELS),
        default="native",
        help="run on the CPU kernels of another kind of CPU (baseline: no AVX; avx2: no AVX-512)",
    )
    p.set_defaults(func=cmd_check)
    sub.add_parser(
        "downloads", help="write every experiment's notebook, script and zip"
    ).set_defaults(func=cmd_downloads)
    sub.add_parser("tracking").set_defaults(func=cmd_tracking)
    sub.add_parser(
        "glossary", help="validate the glossary and regenerate its tooltips"
    ).set_defaults(func=cmd_glossary)
    p = sub.add_parser(
        "controls",
        help="run the negative controls (kb/controls.py) and print their count",
    )
    p.add_argument("paths", nargs="*")
    p.set_defaults(func=cmd_controls)
    p = sub.add_parser(
        "diff", help="what a change does to the recorded results, as Markdown"
    )
    p.add_argument(
        "base", nargs="?", default="HEAD", help="a git revision (default HEAD)"
    )
    p.add_argument(
        "target", nargs="?", help="a git revision (default: the working tree)"
    )
    p.add_argument(
        "--out", help="write FOLDER/summary.md and the plots' images there"
    )
    p.set_defaults(func=cmd_diff)
    sub.add_parser("spelling").set_defaults(func=cmd_spelling)
    p = sub.add_parser("bench")
    p.add_argument(
        "--snippets-only",
        action="store_true",
        help="skip the build and the test suite",
    )
    p.add_argument(
        "--build-only",
        action="store_true",
        help="only the cold and warm builds and a rebuild in mkdocs serve (a minute)",
    )
    p.set_defaults(func=cmd_bench)
    p = sub.add_parser("new")
    p.add_argument("kind", choices=["snippet", "page"])
    p.add_argument("name", help="TOPIC/NAME for a snippet, TOPIC for a page")
    p.add_argument(
        "title", nargs="?", default=None, help="page title (pages only)"
    )
    p.set_defaults(func=cmd_new)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
