"""`invoke publish` runs its steps in order and stops at the first failure."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from invoke.context import Context
from invoke.exceptions import Exit

import tasks


def test_publish_stops_at_the_first_failing_step(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ran: list[str] = []
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))  # held by the run

    def step(name: str, fails: bool = False):
        def run(c: Context) -> None:
            ran.append(name)
            if fails:
                raise Exit(f"{name} failed", code=1)

        return run

    monkeypatch.setattr(tasks, "verify_history", step("verify_history"))
    monkeypatch.setattr(tasks, "lint", step("lint", fails=True))
    monkeypatch.setattr(tasks, "build", step("build"))
    monkeypatch.setattr(tasks, "deploy", step("deploy"))
    monkeypatch.setattr(tasks, "syndicate", step("syndicate"))
    monkeypatch.setattr(tasks, "collect", step("collect"))
    monkeypatch.setattr(tasks, "moderate", step("moderate"))
    with pytest.raises(Exit):
        tasks.publish(Context())
    assert ran == ["verify_history", "lint"]


def test_publish_runs_every_step_in_order_when_all_pass(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ran: list[str] = []
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))  # held by the run
    for name in tasks.PUBLISH_STEPS:
        monkeypatch.setattr(tasks, name, lambda c, name=name: ran.append(name))
    tasks.publish(Context())
    # The README's order: comments are moderated in CI as soon as they are collected.
    assert ran == ["verify_history", "lint", "build", "deploy", "syndicate", "collect", "moderate"]


def test_publish_in_ci_without_a_records_remote_stops_before_any_step(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The runner's records die with it: in CI the ledger must come from RECORDS_REMOTE, or
    every announcement would be posted again and every record lost."""
    ran: list[str] = []
    for name in tasks.PUBLISH_STEPS:
        monkeypatch.setattr(tasks, name, lambda c, name=name: ran.append(name))
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    with pytest.raises(Exit, match="set the RECORDS_REMOTE secret") as stopped:
        tasks.publish(Context())
    assert stopped.value.code == 2 and ran == []
    records_remote = tmp_path / "records.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(records_remote)], check=True)
    monkeypatch.setenv("RECORDS_REMOTE", str(records_remote))
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))
    tasks.publish(Context())  # fetches the archive, runs every step, pushes the archive
    assert ran == list(tasks.PUBLISH_STEPS)
    assert (tmp_path / "records" / ".git").is_dir()


def test_publish_refuses_an_unusable_records_dir_before_building_and_deploying(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """README: a value that cannot be used "stops the command before it does anything" (exit
    2), and publish changes nothing public unless every check passed. A records folder in
    output/ would be replaced with output/ by the build, ledger and all, then deployed."""
    ran: list[str] = []
    for name in tasks.PUBLISH_STEPS:
        monkeypatch.setattr(tasks, name, lambda c, name=name: ran.append(name))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    monkeypatch.setenv("RECORDS_DIR", str(tasks.ROOT / "output" / "records"))
    with pytest.raises(Exit) as stopped:
        tasks.publish(Context())
    assert stopped.value.code == 2 and "RECORDS_DIR" in str(stopped.value.message)
    assert ran == [], "built (replacing output/, the records in it) and deployed first"


def test_publish_refuses_an_unusable_deploy_url_before_the_first_step(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A DEPLOY_URL the deploy would refuse stops publish before verify-history, lint and the
    build (exit 2), as README says of a variable that cannot be used."""
    ran: list[str] = []
    for name in tasks.PUBLISH_STEPS:
        monkeypatch.setattr(tasks, name, lambda c, name=name: ran.append(name))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))
    monkeypatch.setenv("DEPLOY_URL", "https://trail.ca")
    with pytest.raises(Exit) as stopped:
        tasks.publish(Context())
    assert stopped.value.code == 2 and "DEPLOY_URL" in str(stopped.value.message)
    assert ran == []


def test_publish_fetches_and_pushes_the_records_once_for_all_its_steps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each recording step shares the archive when run alone; inside publish, publish does."""
    calls: list[str] = []
    monkeypatch.setattr(tasks, "pull", lambda c: calls.append("pull"))
    monkeypatch.setattr(tasks, "push", lambda c: calls.append("push"))
    monkeypatch.setenv("RECORDS_REMOTE", "git@example.org:city/records.git")
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))  # held by the run

    def step(c: Context, name: str) -> None:
        with tasks._shared_records(c, name):
            calls.append(name)

    for name in tasks.PUBLISH_STEPS:
        monkeypatch.setattr(tasks, name, lambda c, name=name: step(c, name))
    tasks.publish(Context())
    assert calls == ["pull", *tasks.PUBLISH_STEPS, "push"]
    tasks.syndicate(Context())  # alone, it shares its own
    assert calls[-3:] == ["pull", "syndicate", "push"]


def test_publish_refuses_content_or_policy_not_committed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """verify-history vouches for commits only: a change left in the working copy would be
    built and posted with no authorized poster's signature on it."""
    ran: list[str] = []
    for name in tasks.PUBLISH_STEPS:
        monkeypatch.setattr(tasks, name, lambda c, name=name: ran.append(name))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))
    repo = tmp_path / "site"
    (repo / "content" / "announcements").mkdir(parents=True)
    (repo / "content" / "announcements" / "2026-11-20-flushing.md").write_text("Signed\n")
    (repo / "tasks.py").write_text("# tooling\n")
    git = ["git", "-C", str(repo), "-c", "user.name=CEC", "-c", "user.email=cec@trail.ca"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Announce flushing"], check=True)
    monkeypatch.setattr(tasks, "ROOT", repo)
    (repo / "tasks.py").write_text("# tooling, changed\n")  # not watched: no signature needed
    tasks.publish(Context())
    assert ran == list(tasks.PUBLISH_STEPS)

    ran.clear()
    (repo / "content" / "announcements" / "2026-11-20-flushing.md").write_text("Unsigned\n")
    (repo / "content" / "announcements" / "2026-11-21 fake.md").write_text("Unsigned\n")
    (repo / "policy").mkdir()
    (repo / "policy" / "posters.yml").write_text("posters: []\n")
    with pytest.raises(Exit) as stopped:
        tasks.publish(Context())
    assert stopped.value.code == 2 and ran == []
    message = str(stopped.value.message)
    for path in (
        "content/announcements/2026-11-20-flushing.md",
        "content/announcements/2026-11-21 fake.md",
        "policy/posters.yml",
    ):
        assert path in message
