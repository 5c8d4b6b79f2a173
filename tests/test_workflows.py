"""The CI workflows are valid and wired to the documented commands and variables; README names
every module, rule file and environment variable, and the exit codes the code gives."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from invoke.context import Context
from invoke.exceptions import Exit

import tasks
from publishing.commit import PUBLISHED_BRANCH
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


def test_invoke_alert_pushes_to_the_branch_both_workflows_publish() -> None:
    """`invoke alert` refuses any other upstream: CI would take the alert off the site."""
    github = yaml.safe_load(WORKFLOW.read_text())[True]  # YAML reads the key `on` as true
    assert github["push"]["branches"] == [PUBLISHED_BRANCH]
    rules = [rule["if"] for rule in yaml.safe_load(GITLAB.read_text())["publish"]["rules"]]
    assert f'$CI_COMMIT_BRANCH == "{PUBLISHED_BRANCH}"' in rules


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
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    needed |= set(re.findall(r"^\t(npm|rsync|java) ", makefile, re.M))  # `make test` runs them
    assert "npm" in needed
    assert needed <= set(installs), needed - set(installs)
    assert installs["java"] == "default-jre-headless"


def test_ci_installs_what_make_test_needs_on_a_clean_debian_machine(tmp_path: Path) -> None:
    """Run `.ci/run` with every tool faked: npm, and Python's venv where Debian's Python lacks
    it, are installed before `make test`."""
    tools, calls = tmp_path / "bin", tmp_path / "calls.log"
    tools.mkdir()
    for real in ("bash", "dirname", "id"):
        (tools / real).symlink_to(shutil.which(real) or f"/usr/bin/{real}")
    logged = f'#!/bin/sh\necho "${{0##*/}} $*" >> {calls}\n'
    faked = dict.fromkeys(("chromium", "chromedriver", "java", "rsync", "apt-get", "make"), logged)
    faked["python3"] = f"{logged}exit 1\n"  # Debian's python3 without python3-venv: no ensurepip
    faked["sudo"] = '#!/bin/sh\n"$@"\n'  # when CI does not run as root
    for tool, script in faked.items():
        (tools / tool).write_text(script)
        (tools / tool).chmod(0o755)
    run = subprocess.run(
        [str(ROOT / ".ci" / "run")],
        env={"PATH": str(tools), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    logged_calls = calls.read_text().splitlines()
    (install,) = [c for c in logged_calls if c.startswith("apt-get install")]
    assert {"npm", "python3-venv"} <= set(install.split()), install
    assert logged_calls[-1] == "make test"


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


def layout_rows(folder: str) -> str:
    """README's Layout table: every row whose path cell names something in `folder`."""
    rows = readme_section("Layout").splitlines()
    return " ".join(row for row in rows if f"`{folder}" in row.split(" | ")[0])


# The project's folders of modules and rule files; the Layout table describes each (tests/
# as a whole: its modules are named for what they test).
DESCRIBED_FOLDERS = sorted(
    [p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"]
    + [p for p in (ROOT / "plugins").iterdir() if p.is_dir() and p.name != "__pycache__"]
    + [ROOT / "policy"]
)


@pytest.mark.parametrize(
    "folder", DESCRIBED_FOLDERS, ids=[str(f.relative_to(ROOT)) for f in DESCRIBED_FOLDERS]
)
def test_the_layout_table_names_every_file_of_each_folder(folder: Path) -> None:
    """The table the City's IT and records officer read to find a rule file or a module."""
    described = layout_rows(f"{folder.relative_to(ROOT).as_posix()}/")
    assert described, f"{folder.name}/ has no row in README's Layout table"
    files = sorted(
        p.name for p in folder.iterdir() if p.suffix in (".py", ".yml") and p.name != "__init__.py"
    )
    named = set(re.findall(r"[`/]([\w.-]+)`", described))  # `name` or `folder/name`
    assert [name for name in files if name not in named] == []


def test_pelicanconf_names_every_variable_it_reads() -> None:
    source = (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source)) or ""
    read = re.findall(r'os\.environ\.get\("([A-Z_]+)"', source)
    assert read and [name for name in read if name not in docstring] == []


def variables_read() -> set[str]:
    """Every environment variable the project's code reads: syndication/config.py's, and each
    `environ.get("NAME"` or `env.get("NAME"` elsewhere."""
    names = config_variables()
    code = [*ROOT.glob("*.py"), *(p for f in DESCRIBED_FOLDERS for p in f.rglob("*.py"))]
    for module in code:
        source = module.read_text(encoding="utf-8")
        names |= set(re.findall(r'\b(?:environ|env)\.get\("([A-Z][A-Z0-9_]*)"', source))
    return names


def test_the_readme_lists_every_environment_variable_the_code_reads() -> None:
    rows = [row for row in readme_section("Environment variables").splitlines() if row[:3] == "| `"]
    listed = {name for row in rows for name in re.findall(r"`([A-Z0-9_]+)`", row.split(" | ")[0])}
    read = variables_read()
    assert {"SITEURL", "RECORDS_DIR", "AWS_ENDPOINT_URL", "CI"} <= read  # each way of reading
    assert sorted(read - listed) == []


def test_deploy_refuses_an_unusable_deploy_url_with_the_exit_code_alert_and_publish_give(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """One check of where a deploy goes (check_target), one exit code: alert and publish stop
    on a DEPLOY_URL the deploy refuses with exit 2, so `invoke deploy` stops on it with 2 too,
    as on no DEPLOY_URL at all (1 is for a deploy that started and failed)."""
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "build.json").write_text("{}")  # a build to deploy
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)  # tasks.deploy changes to ROOT; back after the test
    with pytest.raises(Exit) as from_alert:
        tasks._deploy_target_usable("alert", "deploy@www.trail.ca")
    with pytest.raises(Exit) as from_deploy:
        tasks.deploy(Context(), url="deploy@www.trail.ca")
    assert from_deploy.value.code == from_alert.value.code == 2
    assert "DEPLOY_URL" in str(from_deploy.value.message)


def test_the_readme_gives_an_unusable_address_the_exit_code_it_has(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The platforms' addresses are checked with the records' settings before a command does
    anything (exit 2); the deploy's before it sends anything (exit 2 as well, as from alert and
    publish), not as an http(s) address. README's blanket "a `*_URL` that is not an http(s)
    address ... exit 2" gave DEPLOY_URL (never an http(s) address) a rule it does not have."""
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
        assert stopped.value.code == 2 and name in str(stopped.value.message)

    variables = readme_section("Environment variables")
    assert "`*_URL`" not in variables
    (exit_2,) = [item for item in variables.split("\n- ") if "before it does anything" in item]
    assert sorted(set(re.findall(r"`(\w+_URL)`", exit_2))) == platform_urls
    deploying = " ".join(readme_section("Publishing: deploy and CI").split())
    (refused,) = [s for s in deploying.split(". ") if "before anything is sent" in s]
    assert "exit 2" in refused
    assert "`DEPLOY_URL`" in refused and "`AWS_ENDPOINT_URL`" in refused
