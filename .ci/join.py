"""Join the shards' results: one table of every shard's tests, failing when any shard failed or is missing.

    python .ci/join.py FOLDER EXPECTED

FOLDER holds the shards' JUnit files (junit-*.xml, as .ci/run writes them with KB_SPLITS set);
EXPECTED is how many there must be. The table goes to $GITHUB_STEP_SUMMARY when set, else stdout.
"""

import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def totals(path: Path) -> dict[str, int]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    keys = ("tests", "failures", "errors", "skipped")
    return {k: sum(int(s.get(k, 0)) for s in suites) for k in keys}


def main(folder: str, expected: int) -> int:
    files = sorted(Path(folder).rglob("junit-*.xml"))
    rows = [
        "| shard file | tests | failed | errors | skipped |",
        "|---|---|---|---|---|",
    ]
    bad = 0
    for path in files:
        t = totals(path)
        bad += t["failures"] + t["errors"]
        rows.append(
            f"| {path.relative_to(folder)} | {t['tests']} | {t['failures']} | {t['errors']} | {t['skipped']} |"
        )
    verdict = (
        "all shards passed"
        if not bad and len(files) >= expected
        else (
            f"{bad} failed"
            if bad
            else f"only {len(files)} of {expected} shard results arrived"
        )
    )
    text = "\n".join([f"## Tests, joined: {verdict}", "", *rows, ""])
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(text + "\n")
    print(text)
    return 0 if verdict == "all shards passed" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
