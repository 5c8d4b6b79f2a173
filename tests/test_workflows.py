"""The CI workflows are valid and wired to the documented commands and variables, with the exit
codes README gives."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from invoke.context import Context
from invoke.exceptions import Exit

import tasks
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


def config_variables() -> set[str]:
    """The variables syndication/config.py reads: every name in it that looks like one (it
    reads nothing else, and most reach the environment through its helpers)."""
    config = ast.parse((ROOT / "syndication" / "config.py").read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(config)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", node.value)
    }


def readme_section(title: str) -> str:
    """One `## title` section of README.md, up to the next."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split(f"\n## {title}\n")[1].split("\n## ")[0]


def test_the_readme_gives_an_unusable_address_the_exit_code_it_has(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The platforms' addresses are checked with the records' settings before a command does
    anything (exit 2); the deploy's when a deploy starts (exit 1). README's blanket "a `*_URL`
    that is not an http(s) address ... exit 2" gave AWS_ENDPOINT_URL two exit codes, and
    DEPLOY_URL (never an http(s) address) a rule it does not have."""
    platform_urls = sorted(name for name in config_variables() if name.endswith("_URL"))
    for name in platform_urls:
        with monkeypatch.context() as env:
            env.setenv(name, "ftp://example.com")
            with pytest.raises(Exit) as stopped:
                tasks._platform_settings()
        assert stopped.value.code == 2 and name in str(stopped.value.message)
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "build.json").write_text("{}")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)  # tasks.deploy changes to ROOT; back after the test
    for name, value in (("DEPLOY_URL", "https://trail.ca"), ("AWS_ENDPOINT_URL", "ftp://minio")):
        with monkeypatch.context() as env:
            env.setenv("DEPLOY_URL", "s3://city-of-trail/www")
            env.setenv(name, value)
            with pytest.raises(Exit) as stopped:
                tasks.deploy(Context())
        assert stopped.value.code == 1 and name in str(stopped.value.message)

    variables = readme_section("Environment variables")
    assert "`*_URL`" not in variables
    (exit_2,) = [item for item in variables.split("\n- ") if "before it does anything" in item]
    assert sorted(set(re.findall(r"`(\w+_URL)`", exit_2))) == platform_urls
    deploying = " ".join(readme_section("Publishing: deploy and CI").split())
    (exit_1,) = [sentence for sentence in deploying.split(". ") if "exits 1" in sentence]
    assert "`DEPLOY_URL`" in exit_1 and "`AWS_ENDPOINT_URL`" in exit_1
