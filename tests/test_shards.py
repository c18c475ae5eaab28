"""The tests split over machines (pytest-split, as the CI matrix runs them): every snippet's tests in
exactly one of two shards, the shards balanced by recorded duration; and the job joining them."""

import json
import subprocess
import sys

import pytest

from kb.paths import ROOT

DURATIONS = ROOT / ".test_durations"


def collect(*options: str) -> list[str]:
    """The snippet tests' ids pytest would run with these options (collected, not run)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_snippets.py",
            "--collect-only",
            "-q",
        ]
        + ["-n", "0", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [
        line for line in result.stdout.splitlines() if line.startswith("tests/")
    ]


def shard(group: int) -> list[str]:
    return collect(
        "--splits",
        "2",
        "--group",
        str(group),
        "--splitting-algorithm",
        "least_duration",
    )


def test_two_shards_run_every_snippet_once_balanced_by_time():
    durations = json.loads(DURATIONS.read_text())
    first, second = shard(1), shard(2)
    assert first and second and not set(first) & set(second)
    assert sorted(first + second) == sorted(collect())
    times = [
        sum(durations.get(t, 0.0) for t in group) for group in (first, second)
    ]
    assert max(times) <= 1.2 * min(times), (
        f"shards of {times[0]:.0f} s and {times[1]:.0f} s"
    )


def test_every_snippet_test_has_a_recorded_duration():
    durations = json.loads(DURATIONS.read_text())
    missing = [t for t in collect() if t not in durations]
    assert not missing, (
        f"{len(missing)} tests have no duration in .test_durations, e.g. {missing[:3]}; record them "
        "with: pytest --no-kb-cache --store-durations"
    )


JUNIT = '<testsuites><testsuite tests="{tests}" failures="{failures}" errors="0" skipped="1"/></testsuites>'


@pytest.mark.parametrize(
    "files, expected, code",
    [
        ({"junit-tests-1.xml": (10, 0), "junit-tests-2.xml": (12, 0)}, 2, 0),
        ({"junit-tests-1.xml": (10, 0), "junit-tests-2.xml": (12, 1)}, 2, 1),
        ({"junit-tests-1.xml": (10, 0)}, 2, 1),  # a shard that never reported
    ],
    ids=["all passed", "one failed", "one missing"],
)
def test_the_join_fails_when_a_shard_failed_or_is_missing(
    tmp_path, files, expected, code
):
    for name, (tests, failures) in files.items():
        (tmp_path / name).write_text(
            JUNIT.format(tests=tests, failures=failures)
        )
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / ".ci" / "join.py"),
            str(tmp_path),
            str(expected),
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == code, result.stdout + result.stderr
