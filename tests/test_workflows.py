"""The CI workflows are valid and wired to the documented commands and variables."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from syndication.config import REQUIRED
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
GITLAB = ROOT / ".gitlab-ci.yml.example"


def fetch_command(workflow: Path) -> str:
    """The shell command each workflow runs to fetch the records archive."""
    if workflow == WORKFLOW:
        steps = yaml.safe_load(workflow.read_text())["jobs"]["publish"]["steps"]
        (fetch,) = [step["run"] for step in steps if "invoke records pull" in step.get("run", "")]
        return str(fetch)
    (line,) = [
        line
        for line in yaml.safe_load(workflow.read_text())["publish"]["before_script"]
        if "invoke records pull" in line
    ]
    return str(line)


def test_the_github_workflow_passes_the_schema_check() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_workflow_publishes_on_push_and_every_15_minutes_one_at_a_time() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["schedule"] == [{"cron": "*/15 * * * *"}]
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert workflow["permissions"]["contents"] == "write"  # DEPLOY_URL=gh-pages pushes with it
    job = workflow["jobs"]["publish"]
    for names in REQUIRED.values():
        for name in names:
            assert name in job["env"], name
    for name in ("DEPLOY_URL", "SITEURL", "RECORDS_DIR", "RECORDS_REMOTE"):
        assert name in job["env"]
    commands = " ".join(step.get("run", "") for step in job["steps"])
    assert ".venv/bin/invoke publish" in commands
    # The archive is fetched before publishing, with no fallback to an empty one (which would
    # post everything again), and pushed after it, even when a step failed.
    runs = [step.get("run", "") for step in job["steps"]]
    pull = next(n for n, run in enumerate(runs) if "invoke records pull" in run)
    push = next(n for n, run in enumerate(runs) if "invoke records push" in run)
    assert "mkdir" not in runs[pull] and job["steps"][push]["if"] == "always()"
    (cache,) = [step for step in job["steps"] if step.get("uses", "").startswith("actions/cache")]
    assert cache["with"]["path"].split() == ["output", ".output.cache"]
    publish = next(
        n for n, step in enumerate(job["steps"]) if "invoke publish" in step.get("run", "")
    )
    assert job["steps"].index(cache) < publish


def test_the_gitlab_example_runs_the_same_pipeline() -> None:
    example = yaml.safe_load((ROOT / ".gitlab-ci.yml.example").read_text())
    job = example["publish"]
    assert job["resource_group"] == "publish-main"
    script = " ".join(job["script"])
    assert ".venv/bin/invoke publish" in script and "invoke records push" in script
    assert "after_script" not in job  # its failures would not fail the job
    (pull,) = [line for line in job["before_script"] if "records pull" in line]
    assert "mkdir" not in pull
    assert job["cache"]["paths"] == ["output/", ".output.cache/"]


@pytest.mark.parametrize("workflow", [WORKFLOW, GITLAB], ids=["github", "gitlab"])
def test_the_workflow_stops_when_there_is_no_records_remote(workflow: Path, tmp_path: Path) -> None:
    """A missing secret must not look like a first run: from an empty ledger every post would
    be made again, and the run's records would be lost with the runner."""
    records = tmp_path / "records"
    env = {**os.environ, "CI": "true", "RECORDS_REMOTE": "", "RECORDS_DIR": str(records)}
    run = subprocess.run(
        ["bash", "-e", "-c", fetch_command(workflow)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "set the RECORDS_REMOTE secret" in run.stderr
    assert not records.exists()


def test_ci_installs_every_tool_a_test_would_otherwise_skip_without() -> None:
    """A test that skips for want of a tool proves nothing in CI: `.ci/run` installs each."""
    installs = dict(re.findall(r"\[(\w+)\]=([\w-]+)", (ROOT / ".ci" / "run").read_text()))
    needed = set()
    for test in (ROOT / "tests").glob("test_*.py"):
        needed |= set(re.findall(r"shutil\.which\(\"(\w+)\"\)", test.read_text()))
    needed |= {"chromium", "chromedriver"}  # checks.browser.browser_missing looks for both
    assert needed <= set(installs), needed - set(installs)
    assert installs["java"] == "default-jre-headless"
