"""Command line: `python -m kb <command>`, run from the repository root.

    python -m kb refresh [SNIPPET ...]   run snippets and record their outputs (all when none given)
    python -m kb check [SNIPPET ...]     run snippets and compare them with their records
    python -m kb tracking                validate every docs/tracking/*.yml file
    python -m kb bench [--snippets-only] time every snippet, the test suite and a warm build
    python -m kb new snippet TOPIC/NAME  create snippets/TOPIC/NAME.py from the template
    python -m kb new page TOPIC "Title"  create docs/TOPIC.md and docs/tracking/TOPIC.yml
"""
from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kb import outputs
from kb.paths import rel


def _snippets(names: list[str]) -> list[Path]:
    if not names:
        return outputs.all_snippets()
    paths = [Path(n) if Path(n).is_absolute() else (Path.cwd() / n) for n in names]
    missing = [n for n, p in zip(names, paths) if not p.is_file()]
    if missing:
        sys.exit(f"no such snippet: {', '.join(missing)}")
    return [p.resolve() for p in paths]


def _run_all(snippets: list[Path], action, workers: int = 2) -> int:
    """Run snippets `workers` at a time (one thread each), apply `action` to each run, report failures."""
    def one(snippet: Path) -> str | None:
        try:
            action(outputs.run_snippet(snippet))
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
        print(f"recorded {rel(run.snippet)} -> {rel(folder)}/ ({run.seconds:.1f} s)")
    return _run_all(_snippets(args.snippets), save, workers=1)  # one at a time: recorded times are clean


def cmd_check(args) -> int:
    return _run_all(_snippets(args.snippets), outputs.check)


def cmd_tracking(args) -> int:
    from kb import tracking
    try:
        data = tracking.load_all()
    except tracking.TrackingError as error:
        print(error, file=sys.stderr)
        return 1
    reading = sum(len(t.reading) for t in data)
    questions = sum(len(t.questions) for t in data)
    print(f"{len(data)} tracking files ok: {reading} reading items, {questions} questions")
    return 0


def cmd_bench(args) -> int:
    from kb import bench
    return bench.main(snippets_only=args.snippets_only)


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
    parser = argparse.ArgumentParser(prog="python -m kb", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func in (("refresh", cmd_refresh), ("check", cmd_check)):
        p = sub.add_parser(name)
        p.add_argument("snippets", nargs="*")
        p.set_defaults(func=func)
    sub.add_parser("tracking").set_defaults(func=cmd_tracking)
    p = sub.add_parser("bench")
    p.add_argument("--snippets-only", action="store_true", help="skip the build and the test suite")
    p.set_defaults(func=cmd_bench)
    p = sub.add_parser("new")
    p.add_argument("kind", choices=["snippet", "page"])
    p.add_argument("name", help="TOPIC/NAME for a snippet, TOPIC for a page")
    p.add_argument("title", nargs="?", default=None, help="page title (pages only)")
    p.set_defaults(func=cmd_new)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
