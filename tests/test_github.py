"""The GitHub files cannot run here: lint them against GitHub's workflow schema (offline, vendored by
check-jsonschema) and check they call the same commands as .ci/run."""

import re
import subprocess
import sys

import pytest
import yaml

from kb.paths import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_workflows_exist():
    assert {w.name for w in WORKFLOWS} >= {"ci.yml", "deploy.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_githubs_schema(workflow):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(workflow),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_runs_the_ci_script(workflow):
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    runs = [
        step.get("run", "")
        for job in jobs.values()
        for step in job.get("steps", [])
    ]
    assert "bash .ci/run" in runs, (
        f"{workflow.name} must run `bash .ci/run`, the same checks as CI"
    )


def test_ci_runs_on_pull_requests_and_weekly():
    # YAML `on:`
    triggers = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    )[True]
    assert "pull_request" in triggers and triggers["schedule"][0]["cron"]


def test_ci_script_runs_the_readme_test_command_and_the_strict_build():
    script = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "```bash\npytest\n```" in readme
    assert (
        re.search(r"^pytest\b", script, re.M)
        and "mkdocs build --strict" in script
    )
    assert "pip install -q -r requirements.txt" in script


def test_pull_request_template_has_the_checklist():
    template = (ROOT / ".github" / "pull_request_template.md").read_text()
    for item in (
        "pytest",
        "mkdocs build --strict",
        "python -m kb refresh",
        "python -m kb tracking",
    ):
        assert item in template


def test_ci_runs_on_x86_and_arm64():
    """Another CPU adds floats in another order: the suite must pass on both kinds of runner."""
    job = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    )["jobs"]["check"]
    runners = job["strategy"]["matrix"]["runner"]
    assert job["runs-on"] == "${{ matrix.runner }}"
    assert any("arm" in r for r in runners) and any(
        "arm" not in r for r in runners
    ), runners
