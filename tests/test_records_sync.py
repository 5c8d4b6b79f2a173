"""The records archive between CI runs: fetched before a run, pushed after it (even a failed
one), and joined with whatever reached the remote meanwhile. Losing a ledger line means
posting again; so a run that cannot fetch the archive stops, and nothing is ever dropped."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from archive import chain as chain_module
from archive import git as archive_git
from archive.chain import ChainFile
from archive.collect import _note_stopped_at, _stopped_at
from archive.git import (
    ArchiveSyncError,
    commit_archive,
    is_an_archive,
    pull_archive,
    push_archive,
    removed_records,
    without_credentials,
)
from archive.index import FILES, chains, reindex
from moderation.log import ModerationLog
from publishing.status import waiting
from sandboxes import Sandboxes, start_all
from syndication.config import Settings, load_settings
from syndication.ledger import Ledger
from syndication.runner import syndicate
from syndication.syndicate import Report
from tests.conftest import NOW, ROOT, Site


def remote(tmp_path: Path, name: str = "records") -> str:
    bare = tmp_path / f"{name}.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    return str(bare)


def lines(records: Path, kind: str) -> list[dict]:
    return list(ChainFile(records / FILES[kind]).events())


def note(records: Path, kind: str, what: str) -> None:
    ChainFile(records / FILES[kind]).append(
        {"kind": "decision", "platform": "facebook", "comment_id": what, "what": what}
        if kind == "moderation"
        else {"phase": "done", "op": what, "announcement": what}
        | {"platform": "facebook", "action": "update"}
    )


def facebook_only(sandboxes: Sandboxes, records: Path) -> Settings:
    """Settings for the Facebook sandbox alone, keeping `records`."""
    env = {k: v for k, v in sandboxes.env.items() if not k.startswith(("TWITTER", "YOUTUBE"))}
    return load_settings({**env, "RECORDS_DIR": str(records)})


def on_facebook(sandboxes: Sandboxes, records: Path, site: Site, output: Path) -> Report:
    """Syndicate the build in `output` to the Facebook sandbox alone, keeping `records`."""
    settings = facebook_only(sandboxes, records)
    return syndicate(output / "syndication.json", site.content, settings, say=lambda _: None)


WITHDRAWN = {"status": "withdrawn", "withdrawn_reason": "In error.", "modified": "2026-11-22 10:00"}


def two_copies(tmp_path: Path) -> tuple[str, Path, Path]:
    """A shared archive holding one line (c0), and two copies of it: CI's and a reviewer's."""
    url = remote(tmp_path)
    ci, reviewer = tmp_path / "ci", tmp_path / "reviewer"
    pull_archive(ci, url)
    note(ci, "moderation", "c0")
    push_archive(ci, url)
    pull_archive(reviewer, url)
    return url, ci, reviewer


def test_a_run_that_cannot_fetch_the_archive_stops_before_anything(tmp_path: Path) -> None:
    records = tmp_path / "records"
    with pytest.raises(ArchiveSyncError) as failure:
        pull_archive(records, "https://ci:s3cret-token@git.invalid/records.git")
    assert "cannot clone the records archive" in str(failure.value)
    assert "s3cret-token" not in str(failure.value)
    assert not records.exists()
    records.mkdir()  # an empty folder made for it is fine, and stays as it was
    with pytest.raises(ArchiveSyncError):
        pull_archive(records, str(tmp_path / "nowhere.git"))
    assert records.is_dir() and not any(records.iterdir())


def test_a_remotes_credentials_never_reach_a_message() -> None:
    said = "fatal: unable to access 'https://ci:s3cret-token@git.example/records.git/': 403"
    assert (
        without_credentials(said)
        == "fatal: unable to access 'https://***@git.example/records.git/': 403"
    )


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        # A URL mistyped without its "://" is still one git prints whole.
        (
            "fatal: 'https//ci:s3cret-token@127.0.0.1/records.git' does not appear to be a git",
            "fatal: 'https//***@127.0.0.1/records.git' does not appear to be a git",
        ),
        (
            "deploy to gh-pages:https//deploy:s3cret-token@git.example/site.git failed",
            "deploy to gh-pages:https//***@git.example/site.git failed",
        ),
        (
            "rsync to deploy:s3cret-token@www.example:/srv/www failed",
            "rsync to ***@www.example:/srv/www failed",
        ),
        # A password may hold an "@": all of it goes, up to the host's.
        ("'https://user:P@ssw0rd@trail.ca/x'", "'https://***@trail.ca/x'"),
        ("rsync to deploy:p@ss@www.example:/srv/www", "rsync to ***@www.example:/srv/www"),
        # In a query, what stands before an "@" is masked, the query's "?" and name kept.
        ("'https://trail.ca/?next=a:b@c.com'", "'https://trail.ca/?next=***@c.com'"),
    ],
)
def test_credentials_in_a_mistyped_address_never_reach_a_message(said: str, shown: str) -> None:
    assert without_credentials(said) == shown


def test_runs_push_one_after_another_and_start_from_each_others_records(tmp_path: Path) -> None:
    url = remote(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    assert pull_archive(first, url) == "the remote is empty: a new archive"
    note(first, "post", "a")
    assert push_archive(first, url)  # committed and pushed
    pull_archive(second, url)
    assert [e["op"] for e in lines(second, "post")] == ["a"]
    note(second, "post", "b")
    push_archive(second, url)
    assert pull_archive(first, url) == "up to date"
    assert [e["op"] for e in lines(first, "post")] == ["a", "b"]


def test_records_pushed_after_the_remote_moved_keep_every_line_of_both(tmp_path: Path) -> None:
    url, ci, reviewer = two_copies(tmp_path)
    # CI posts and classifies; meanwhile a reviewer's decision reaches the remote.
    note(ci, "post", "p1")
    note(ci, "moderation", "c1")
    commit_archive(ci, "CI run")
    note(reviewer, "moderation", "r1")
    push_archive(reviewer, url)
    push_archive(ci, url)  # rejected at first: joined after the reviewer's, then pushed

    check = tmp_path / "check"
    pull_archive(check, url)
    assert [e["what"] for e in lines(check, "moderation")] == ["c0", "r1", "c1"]
    assert [e["op"] for e in lines(check, "post")] == ["p1"]
    assert all(chain.verify() == [] for chain in chains(check).values())
    assert [e["seq"] for e in lines(check, "moderation")] == [1, 2, 3]
    # And the reviewer's copy takes CI's run after its own.
    pull_archive(reviewer, url)
    assert [e["what"] for e in lines(reviewer, "moderation")] == ["c0", "r1", "c1"]
    # A join only appends: no copy's history shows records removed.
    for copy in (check, ci, reviewer):
        assert removed_records(copy, FILES.values()) == []


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_record_holding_a_unicode_line_separator_joins_as_one_line(
    tmp_path: Path, separator: str
) -> None:
    """JSON leaves U+2028, U+2029 and NEL as they are in a line (a comment pasted from a word
    processor holds them); only a line feed ends a record."""
    url, ci, reviewer = two_copies(tmp_path)
    note(reviewer, "moderation", "r1")
    push_archive(reviewer, url)
    note(ci, "moderation", f"first{separator}second")
    push_archive(ci, url)  # joined after the reviewer's line

    check = tmp_path / "check"
    pull_archive(check, url)
    assert [e["what"] for e in lines(check, "moderation")] == [
        "c0",
        "r1",
        f"first{separator}second",
    ]
    assert all(chain.verify() == [] for chain in chains(check).values())


def test_where_collect_stopped_is_forgotten_on_the_shared_archive_once_a_run_went_round(
    tmp_path: Path,
) -> None:
    """A paused run's note, then a run that went round on a copy whose push is joined after
    another's: the shared archive must not keep the note (the next run would start there)."""
    url, ci, reviewer = two_copies(tmp_path)
    _note_stopped_at(ci, {"twitter": "1001"})
    push_archive(ci, url)
    pull_archive(reviewer, url)
    note(ci, "moderation", "c1")
    push_archive(ci, url)
    _note_stopped_at(reviewer, {})  # went round every post
    push_archive(reviewer, url)  # joined after CI's line

    check = tmp_path / "check"
    pull_archive(check, url)
    assert _stopped_at(check) == {}


def test_a_rewritten_archive_is_refused_rather_than_joined(tmp_path: Path) -> None:
    url = remote(tmp_path)
    ci, other = tmp_path / "ci", tmp_path / "other"
    pull_archive(ci, url)
    note(ci, "post", "a")
    push_archive(ci, url)
    pull_archive(other, url)
    ledger = other / FILES["post"]
    ledger.write_text("")  # someone emptied it
    note(other, "post", "x")
    _git(other, "commit", "-q", "-a", "-m", "Emptied")  # and pushed it by hand: runs refuse it
    _git(other, "push", "-q", url, "HEAD:main")
    note(ci, "post", "b")
    with pytest.raises(ArchiveSyncError) as failure:
        push_archive(ci, url)
    assert "syndication/ledger.jsonl was rewritten, not appended to" in str(failure.value)
    assert [e["op"] for e in lines(ci, "post")] == ["a", "b"]  # this copy keeps its records


WHAT_TO_DO = (
    "; nothing was committed, so that a damaged file does not reach the archive's history, nor "
    "the shared archive, where every run would stop on it. Delete a last line cut short by a "
    "power cut (a record never finished), or put back only what was changed or removed, as "
    "`git -C {records} diff` shows it, keeping every line added after it: they are this run's "
    "records (a post just made, say), and restoring the whole file as last committed would lose "
    "them. Then run it again."
)


@pytest.mark.parametrize("ci_ran_meanwhile", [False, True])
def test_a_line_cut_short_by_a_power_cut_is_not_pushed_to_the_shared_archive(
    tmp_path: Path, ci_ran_meanwhile: bool
) -> None:
    url, ci, reviewer = two_copies(tmp_path)
    note(reviewer, "moderation", "c1")
    moderation = reviewer / FILES["moderation"]
    with moderation.open("a") as file:  # the laptop's battery died here
        file.write('{"kind": "decision", "platform": "facebook", "comm')
    if ci_ran_meanwhile:
        note(ci, "moderation", "c2")
        push_archive(ci, url)
    shared = _git(Path(url), "rev-parse", "main")
    with pytest.raises(ArchiveSyncError) as refused:
        push_archive(reviewer, url)
    assert str(refused.value) == (
        f"{moderation}:3: not valid JSON (Unterminated string starting at)"
        + WHAT_TO_DO.format(records=reviewer)
    )
    assert _git(Path(url), "rev-parse", "main") == shared  # nothing pushed
    assert _git(reviewer, "status", "--porcelain") == f"M {FILES['moderation']}"  # nor committed
    pulled = tmp_path / "next-ci-run"
    pull_archive(pulled, url)
    assert list(ChainFile(pulled / FILES["moderation"]).events())  # CI can still read it


def test_a_pull_does_not_commit_records_removed_from_a_file(tmp_path: Path) -> None:
    url, _, reviewer = two_copies(tmp_path)
    note(reviewer, "moderation", "r1")
    push_archive(reviewer, url)
    moderation = reviewer / FILES["moderation"]
    moderation.write_text(moderation.read_text().splitlines(keepends=True)[0])  # r1 cut off
    head = _git(reviewer, "rev-parse", "HEAD")
    with pytest.raises(ArchiveSyncError) as refused:
        pull_archive(reviewer, url)
    assert str(refused.value) == (
        f"{moderation}: 1 line(s) committed at {head[:10]} are missing from its end: lines 2 "
        "to 2, seq 2 to 2" + WHAT_TO_DO.format(records=reviewer)
    )
    assert _git(reviewer, "rev-parse", "HEAD") == head  # not committed, so never pushed
    _git(reviewer, "checkout", "--", str(FILES["moderation"]))  # as the message says
    assert pull_archive(reviewer, url) == "up to date"
    assert [e["what"] for e in lines(reviewer, "moderation")] == ["c0", "r1"]


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=x", "-c", "user.email=x@x", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_a_force_pushed_history_is_refused_not_joined_twice(tmp_path: Path) -> None:
    url = remote(tmp_path)
    ci, officer = tmp_path / "ci", tmp_path / "officer"
    pull_archive(ci, url)
    note(ci, "post", "a")
    push_archive(ci, url)
    pull_archive(officer, url)
    # The remote's history is rewritten (the same files, in a new history) and force-pushed.
    _git(officer, "checkout", "-q", "--orphan", "rewritten")
    _git(officer, "commit", "-q", "-m", "history rewritten")
    _git(officer, "push", "-q", "--force", url, "rewritten:main")
    rewritten = _git(officer, "rev-parse", "HEAD")
    note(ci, "post", "b")
    with pytest.raises(ArchiveSyncError) as failure:
        push_archive(ci, url)
    assert "the records archive's history on the remote was rewritten" in str(failure.value)
    assert "join the copies by hand" in str(failure.value)
    assert _git(Path(url), "rev-parse", "main") == rewritten  # nothing pushed
    assert [e["op"] for e in lines(ci, "post")] == ["a", "b"]  # this copy keeps its records
    with pytest.raises(ArchiveSyncError, match="history on the remote was rewritten"):
        pull_archive(ci, url)


def test_two_copies_started_from_an_empty_remote_are_not_said_to_be_rewritten(
    tmp_path: Path,
) -> None:
    """Two runs both found the remote empty and started an archive: the second's push is
    refused as a second archive, not reported as a remote whose history was rewritten."""
    url = remote(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    for copy, op in ((first, "a"), (second, "b")):
        assert pull_archive(copy, url) == "the remote is empty: a new archive"
        note(copy, "post", op)
    push_archive(first, url)
    with pytest.raises(ArchiveSyncError) as failure:
        push_archive(second, url)
    assert "rewritten" not in str(failure.value)
    assert str(failure.value).startswith(
        "another run pushed its own new records archive to the remote first"
    )
    assert "join the copies by hand" in str(failure.value)
    assert [e["op"] for e in lines(second, "post")] == ["b"]  # this copy keeps its records


def test_a_remote_reset_to_an_earlier_commit_is_refused_not_joined(tmp_path: Path) -> None:
    url, ci, officer = two_copies(tmp_path)
    note(ci, "moderation", "c1")
    push_archive(ci, url)
    pull_archive(officer, url)
    # c1 is taken out of the remote's history, and another line pushed in its place.
    _git(officer, "reset", "-q", "--hard", "HEAD~1")
    note(officer, "moderation", "o1")
    commit_archive(officer, "instead")
    _git(officer, "push", "-q", "--force", url, "HEAD:main")
    note(ci, "moderation", "c2")
    with pytest.raises(ArchiveSyncError, match="history on the remote was rewritten"):
        push_archive(ci, url)
    check = tmp_path / "check"
    pull_archive(check, url)
    assert [e["what"] for e in lines(check, "moderation")] == ["c0", "o1"]  # c1 not back


def test_records_push_does_not_report_success_when_the_archive_cannot_be_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed while git wrote the archive's index leaves .git/index.lock, and every
    `git add` fails from then on. Unseen, `records push` reported the old commit as pushed:
    the ledger's new lines never reached RECORDS_REMOTE, and CI would post them again."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    url, records = remote(tmp_path), tmp_path / "records"
    pull_archive(records, url)
    note(records, "post", "a")
    pushed = push_archive(records, url)
    (records / ".git" / "index.lock").write_text("")  # left by a killed git
    note(records, "post", "b")
    with pytest.raises(ArchiveSyncError) as failure:
        push_archive(records, url)
    assert str(failure.value).startswith(
        f"{records}: git add failed: fatal: Unable to create '{records}/.git/index.lock': "
        "File exists."
    )
    monkeypatch.setenv("RECORDS_DIR", str(records))
    monkeypatch.setenv("RECORDS_REMOTE", url)
    with pytest.raises(Exit) as stopped:
        tasks.push(Context())
    assert stopped.value.code == 1
    assert str(stopped.value.message).startswith(f"records push: {records}: git add failed: ")
    monkeypatch.delenv("RECORDS_REMOTE")  # a command that commits says so too, no traceback
    with pytest.raises(Exit) as stopped:
        tasks.collect(Context())
    assert stopped.value.code == 1
    assert str(stopped.value.message).startswith(f"collect: {records}: git add failed: ")
    remote_main = subprocess.run(
        ["git", "-C", url, "rev-parse", "main"], capture_output=True, text=True, check=True
    )
    assert remote_main.stdout.strip() == pushed  # nothing claimed that was not pushed
    (records / ".git" / "index.lock").unlink()  # once the lock is gone, the line goes too
    push_archive(records, url)
    check = tmp_path / "check"
    pull_archive(check, url)
    assert [e["op"] for e in lines(check, "post")] == ["a", "b"]


def test_a_syndication_that_fails_still_commits_what_it_posted(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    site.add("2026-11-20-flushing")
    site.build()
    records = site.root / "records"
    sandboxes.twitter.inject("server_error", method="POST", status=503, times=20)
    env = {**os.environ, **sandboxes.env, "RECORDS_DIR": str(records)}
    env.pop("YOUTUBE_CLIENT_ID", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "syndicate",
            "--manifest",
            str(site.output / "syndication.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert len(sandboxes.facebook.posts) == 1
    committed = subprocess.run(
        ["git", "-C", str(records), "show", "HEAD:syndication/ledger.jsonl"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '"action": "create", "announcement": "2026-11-20-flushing"' in committed
    assert '"platform": "facebook"' in committed


def test_a_reviewers_decision_reaches_the_shared_archive(
    site: Site, sandboxes: Sandboxes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decided on a reviewer's machine, it is where CI and the records officer look."""
    from invoke.context import Context

    import tasks
    from archive.collect import collect
    from moderation.classifier import ModerationPolicy
    from moderation.run import moderate_collected

    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    comment = sandboxes.facebook.add_comment(post, "Vote for Singh for council!", "Sam")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(
        settings, site.content, ModerationPolicy.load(ROOT / "policy"), say=lambda _: None
    )
    url = remote(tmp_path)
    push_archive(settings.records_dir, url)  # CI's copy
    reviewer = tmp_path / "reviewer-records"
    for name, value in {
        **sandboxes.env,
        "RECORDS_DIR": str(reviewer),
        "RECORDS_REMOTE": url,
    }.items():
        monkeypatch.setenv(name, value)
    tasks.decide(Context(), f"facebook:{comment}", "hide", reason="Campaigning", who="Reviewer")
    check = tmp_path / "check"
    pull_archive(check, url)
    (decision,) = [e for e in lines(check, "moderation") if e.get("kind") == "decision"]
    assert (decision["comment_id"], decision["who"], decision["result"]) == (
        comment,
        "Reviewer",
        "applied",
    )


def test_lines_not_yet_committed_survive_a_pull(tmp_path: Path) -> None:
    url = remote(tmp_path)
    here, there = tmp_path / "here", tmp_path / "there"
    pull_archive(here, url)
    note(here, "moderation", "m0")
    push_archive(here, url)
    pull_archive(there, url)
    note(there, "moderation", "m1")
    push_archive(there, url)
    note(here, "moderation", "uncommitted")  # written, not committed, when the pull comes
    pull_archive(here, url)
    assert [e["what"] for e in lines(here, "moderation")] == ["m0", "m1", "uncommitted"]
    assert chains(here)["moderation"].verify() == []


def test_a_join_stopped_part_way_leaves_the_archive_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ci, reviewer = two_copies(tmp_path)
    note(reviewer, "moderation", "r1")
    push_archive(reviewer, url)
    note(ci, "moderation", "c1")
    commit_archive(ci, "CI run")
    real = archive_git._git

    def killed_at_the_commit(records_dir: Path, *args: str, **kwargs: object):
        if "commit-tree" in args:
            raise KeyboardInterrupt("the runner was stopped")
        return real(records_dir, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(archive_git, "_git", killed_at_the_commit)
    with pytest.raises(KeyboardInterrupt):
        push_archive(ci, url)
    monkeypatch.setattr(archive_git, "_git", real)
    assert [e["what"] for e in lines(ci, "moderation")] == ["c0", "c1"]  # as it was
    push_archive(ci, url)  # the next try
    check = tmp_path / "check"
    pull_archive(check, url)
    assert [e["what"] for e in lines(check, "moderation")] == ["c0", "r1", "c1"]
    assert all(chain.verify() == [] for chain in chains(check).values())


def test_the_remotes_main_is_fetched_whatever_branch_its_head_names(tmp_path: Path) -> None:
    bare = tmp_path / "records.git"
    init = ["git", "-c", "init.defaultBranch=master", "init", "-q", "--bare", str(bare)]
    subprocess.run(init, check=True)  # HEAD names master; the archive is pushed to main
    first, second = tmp_path / "first", tmp_path / "second"
    pull_archive(first, str(bare))
    note(first, "post", "a")
    push_archive(first, str(bare))
    assert pull_archive(second, str(bare)) == "cloned"
    assert [e["op"] for e in lines(second, "post")] == ["a"]


def test_a_records_remote_with_branches_but_no_main_is_refused_not_taken_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records on another branch of RECORDS_REMOTE (pushed there by hand, say) were not seen:
    the remote was taken for an empty archive, so a run would post every announcement again,
    and its push start a second archive on main beside them. A remote with no branch at all
    is still a new archive."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    url, elsewhere = remote(tmp_path), tmp_path / "elsewhere"
    note(elsewhere, "post", "a")
    commit_archive(elsewhere, "Posted")
    _git(elsewhere, "push", "-q", url, "HEAD:records")
    monkeypatch.setenv("RECORDS_REMOTE", url)
    fresh, kept = tmp_path / "fresh", tmp_path / "kept"
    note(kept, "post", "b")
    commit_archive(kept, "Posted")
    for records in (fresh, kept):
        monkeypatch.setenv("RECORDS_DIR", str(records))
        with pytest.raises(Exit) as refused:
            tasks.pull(Context())
        assert refused.value.code == 2
        assert str(refused.value.message).startswith(
            f"records pull: RECORDS_REMOTE: {url} has no main branch, where the records "
            "archive is kept, but has others: records;"
        )
    assert not fresh.exists()
    assert [e["op"] for e in lines(kept, "post")] == ["b"]
    assert _git(Path(url), "branch", "--list") == "records"  # nothing pushed


def holding(tmp_path: Path, files: dict[str, str]) -> str:
    """A remote repository whose main holds `files` (path: text), in one commit."""
    url, work = remote(tmp_path), tmp_path / "work"
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git = ["git", "-C", str(work), "-c", "user.name=CEC", "-c", "user.email=cec@trail.ca"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "-c", "commit.gpgsign=false", "commit", "-qm", "First"], check=True)
    subprocess.run([*git, "push", "-q", url, "main"], check=True)
    return url


def test_a_records_remote_that_is_not_a_records_archive_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site's own repository given as RECORDS_REMOTE by mistake was cloned as the
    archive, and the next run pushed the ledger (every commenter's name and comment) onto the
    public site's main. A copy already here is left as it was too."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    site_repo = holding(
        tmp_path,
        {"content/announcements/2026-11-20-a.md": "---\ntitle: A\n---\n", "tasks.py": ""},
    )
    monkeypatch.setenv("RECORDS_REMOTE", site_repo)
    fresh, kept = tmp_path / "fresh", tmp_path / "kept"
    note(kept, "post", "a")
    commit_archive(kept, "Posted")
    for records in (fresh, kept):
        monkeypatch.setenv("RECORDS_DIR", str(records))
        with pytest.raises(Exit) as refused:
            tasks.pull(Context())
        assert refused.value.code == 2
        assert str(refused.value.message).startswith(
            f"records pull: RECORDS_REMOTE: {site_repo} is not a records archive: it holds "
            "content, tasks.py"
        )
    with pytest.raises(Exit) as refused:
        tasks.push(Context())  # refused by the site's main, which it would then have joined
    assert refused.value.code == 2 and "is not a records archive" in str(refused.value.message)
    assert not (fresh / ".git").exists()
    assert [e["op"] for e in lines(kept, "post")] == ["a"]
    logged = ["git", "-C", str(kept), "log", "--format=%s"]
    assert subprocess.run(logged, capture_output=True, text=True).stdout.split("\n")[0] == "Posted"


def test_a_new_records_repository_holding_a_readme_is_taken_as_an_archive(
    tmp_path: Path,
) -> None:
    """A git host offers to start a repository with a README: still the archive's."""
    url = holding(tmp_path, {"README.md": "# City of Trail records\n"})
    records = tmp_path / "records"
    assert pull_archive(records, url) == "cloned"
    note(records, "post", "a")
    assert push_archive(records, url)


def test_a_file_left_beside_the_records_is_not_pushed_to_stop_every_pull(
    tmp_path: Path,
) -> None:
    """A Mac's Finder leaves .DS_Store in a folder it opens; an FOI package may be written
    into RECORDS_DIR. Committed and pushed, it made the shared archive one that every `records
    pull` (CI's first step) refused as not a records archive, and put the package's
    unsevered names in its history."""
    url = remote(tmp_path)
    officer, ci = tmp_path / "officer", tmp_path / "ci"
    pull_archive(officer, url)
    note(officer, "moderation", "o1")
    (officer / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (officer / "foi" / "FOI-2026-014").mkdir(parents=True)
    (officer / "foi" / "FOI-2026-014" / "records.json").write_text('{"author": "Riley Cole"}')
    push_archive(officer, url)
    assert pull_archive(ci, url) == "cloned"
    assert [e["what"] for e in lines(ci, "moderation")] == ["o1"]
    assert not (ci / ".DS_Store").exists() and not (ci / "foi").exists()
    assert pull_archive(officer, url) == "up to date"
    assert (officer / "foi" / "FOI-2026-014" / "records.json").exists()  # left as it was


def test_a_new_archive_clone_with_a_file_left_beside_it_is_still_an_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clone of an archive that holds no records yet (only the .gitignore its first push
    committed) is the archive once Finder leaves a .DS_Store in it: its .gitignore keeps
    everything but the archive's own files out of it. The reading commands refused it as
    no archive at RECORDS_DIR."""
    from invoke.context import Context

    import tasks

    url = remote(tmp_path)
    first, records = tmp_path / "first", tmp_path / "records"
    pull_archive(first, url)
    assert push_archive(first, url)  # nothing recorded: its .gitignore alone
    assert pull_archive(records, url) == "cloned"
    (records / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    assert is_an_archive(records)
    monkeypatch.setenv("RECORDS_DIR", str(records))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    tasks.search(Context(), "")
    assert capsys.readouterr().out == "records search: 0 record(s).\n"
    # Nor only once its first push: a new archive from an empty remote, a file beside it.
    fresh = tmp_path / "fresh"
    assert pull_archive(fresh, remote(tmp_path, "empty")) == "the remote is empty: a new archive"
    (fresh / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    assert is_an_archive(fresh)
    # Another repository with a file left in it (the project's own) is still none.
    project = tmp_path / "project"
    subprocess.run(["git", "init", "-q", "-b", "main", str(project)], check=True)
    (project / ".gitignore").write_text("output/\n")
    (project / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    assert not is_an_archive(project)


def test_the_search_index_is_never_shared(tmp_path: Path) -> None:
    """It is rebuilt from the files, and a binary file cannot be joined line by line."""
    url = remote(tmp_path)
    officer, ci = tmp_path / "officer", tmp_path / "ci"
    pull_archive(officer, url)
    note(officer, "moderation", "o1")
    push_archive(officer, url)
    pull_archive(ci, url)
    reindex(officer)  # `invoke records search` on the records officer's machine
    note(officer, "moderation", "o2")
    push_archive(officer, url)
    note(ci, "moderation", "c1")
    push_archive(ci, url)
    assert [e["what"] for e in lines(ci, "moderation")] == ["o1", "o2", "c1"]
    tracked = subprocess.run(
        ["git", "-C", str(ci), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "index.sqlite" not in tracked and ".gitignore" in tracked


def test_decisions_count_in_the_order_they_were_taken_across_joined_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI retries a classifier's hide at 18:00; a reviewer keeps the comment at 18:05 and
    pushes first; CI's push follows, its lines after the reviewer's in the file."""
    url = remote(tmp_path)
    ci, reviewer = tmp_path / "ci", tmp_path / "reviewer"

    def at(when: str) -> None:
        monkeypatch.setattr(chain_module, "now", lambda: f"2026-11-24T{when}:00+00:00")

    pull_archive(ci, url)
    at("17:00")
    ChainFile(ci / FILES["moderation"]).append(
        {
            "kind": "classification",
            "platform": "facebook",
            "comment_id": "X",
            "version": 1,
            "action": "hide",
            "categories": ["spam"],
            "evidence": {},
        }
    )
    push_archive(ci, url)
    pull_archive(reviewer, url)
    at("18:00")
    ModerationLog(ci).decided("facebook", "X", "hide", "classifier", "spam", "spam", "applied")
    commit_archive(ci, "CI run")
    at("18:05")
    ModerationLog(reviewer).decided("facebook", "X", "keep", "Reviewer", "fine", None, "applied")
    push_archive(reviewer, url)
    push_archive(ci, url)
    status = ModerationLog(ci).statuses()[("facebook", "X")]
    assert (status.decision, status.decided_by) == ("keep", "Reviewer")


def test_status_shows_failures_recorded_where_ci_keeps_the_archive(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`invoke status` on the CEC's machine fetches the archive CI pushed: a post that failed
    in CI is listed there, not "0 failed" from the machine's own stale or empty copy."""
    from invoke.context import Context

    import tasks

    url = remote(tmp_path)
    ci = tmp_path / "ci-records"  # CI's run: a post failed, recorded and pushed
    pull_archive(ci, url)
    ledger = Ledger.in_records(ci)
    op = ledger.intend("2026-11-20-a", "twitter", "create")
    ledger.outcome(op, "2026-11-20-a", "twitter", "create", "failed", error="HTTP 403")
    push_archive(ci, url)
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.setenv("RECORDS_REMOTE", url)
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "cec-records"))
    tasks.status(Context())
    out = capsys.readouterr().out
    assert "Failed syndication: 1" in out and "  twitter: 2026-11-20-a create: HTTP 403" in out
    assert "local copy" not in out


def test_status_that_cannot_fetch_the_archive_says_its_figures_are_the_local_copys(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from invoke.context import Context

    import tasks

    records = tmp_path / "cec-records"
    ledger = Ledger.in_records(records)
    op = ledger.intend("2026-11-20-a", "twitter", "create")
    ledger.outcome(op, "2026-11-20-a", "twitter", "create", "failed", error="HTTP 403")
    commit_archive(records, "Fetched from CI yesterday")
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.setenv("RECORDS_REMOTE", "https://ci:s3cret-token@git.invalid/records.git")
    monkeypatch.setenv("RECORDS_DIR", str(records))
    tasks.status(Context())  # still shows what it has
    out = capsys.readouterr().out
    first, *figures = out.splitlines()
    assert first.startswith(
        f"status: from the local copy of the records only ({records}), which may be missing "
        "what CI recorded since: records pull: cannot fetch the records archive:"
    ), first
    assert "Failed syndication: 1" in figures and "s3cret-token" not in out


def _read_records(command: str, tmp_path: Path) -> None:
    """Run one of the commands that read the records, as the records officer would."""
    from invoke.context import Context

    import tasks

    reads = {
        "status": lambda: tasks.status(Context()),
        "records search": lambda: tasks.search(Context(), "Laurel"),
        "records export": lambda: tasks.export(
            Context(), "Laurel", request="FOI-1", out=str(tmp_path / "foi")
        ),
    }
    reads[command]()


@pytest.mark.parametrize("command", ["status", "records search", "records export"])
def test_a_read_that_cannot_fetch_the_archive_with_no_copy_here_stops_leaving_nothing(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """The records officer's new machine, RECORDS_REMOTE mistyped (or offline): the lock's
    folder, made for the fetch, was read as an intact archive of no records ("Failed
    syndication: 0", "0 record(s)"), and the search index left in it made every later pull
    refuse the folder ("holds files but is not the records repository")."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    records = tmp_path / "officer-records"
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.setenv("RECORDS_DIR", str(records))
    monkeypatch.setenv("RECORDS_REMOTE", str(tmp_path / "mistyped.git"))
    with pytest.raises(Exit) as stopped:
        _read_records(command, tmp_path)
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith(
        f"{command}: RECORDS_REMOTE: no records archive could be fetched, and there is no copy "
        f"of it at {records}: records pull: cannot clone the records archive: "
    )
    assert not records.exists()  # as it was
    monkeypatch.setenv("RECORDS_REMOTE", remote(tmp_path))  # the address put right
    tasks.pull(Context())
    assert (records / ".git").is_dir()


@pytest.mark.parametrize("command", ["status", "records search", "records export"])
def test_a_read_with_a_setting_that_cannot_be_used_stops_naming_it_before_fetching(
    site: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """README: a variable that cannot be used stops each records command (exit 2). The export
    took the setting for a failed fetch: exit 1, blaming a stale local copy."""
    from invoke.exceptions import Exit

    import tasks

    records = tmp_path / "officer-records"
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.setenv("RECORDS_DIR", str(records))
    monkeypatch.setenv("RECORDS_REMOTE", remote(tmp_path))
    monkeypatch.setenv("FACEBOOK_GRAPH_URL", "graph.facebook.com")
    with pytest.raises(Exit) as stopped:
        _read_records(command, tmp_path)
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith("FACEBOOK_GRAPH_URL: 'graph.facebook.com'")
    said = capsys.readouterr()
    assert "local copy" not in said.out + said.err + str(stopped.value.message)
    assert not records.exists()  # nothing fetched


def test_the_records_officer_searches_and_exports_what_ci_recorded(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An FOI answer from the officer's own stale copy would leave out what the City holds."""
    from invoke.context import Context

    import tasks
    from tests.test_records import _add_comment

    url = remote(tmp_path)
    ci = tmp_path / "ci-records"  # CI's run collected a comment and pushed it
    pull_archive(ci, url)
    _add_comment(ci, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00")
    push_archive(ci, url)
    shutil.copytree(ROOT / "policy", site.root / "policy")  # the export reads the City's contacts
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.setenv("RECORDS_REMOTE", url)
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "officer-records"))
    tasks.search(Context(), "Laurel")
    assert "records search: 1 record(s)." in capsys.readouterr().out
    tasks.export(Context(), "Laurel", request="FOI-1", out=str(tmp_path / "foi"))
    assert "records export: 1 records" in capsys.readouterr().out


def test_an_export_that_cannot_fetch_the_archive_writes_no_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks
    from tests.test_records import _add_comment

    records = tmp_path / "officer-records"
    _add_comment(records, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00")
    commit_archive(records, "Fetched last week")
    monkeypatch.setenv("RECORDS_REMOTE", "https://ci:s3cret-token@git.invalid/records.git")
    monkeypatch.setenv("RECORDS_DIR", str(records))
    tasks.search(Context(), "Laurel")  # a search still shows what this copy has, said as such
    searched = capsys.readouterr()
    assert "records search: 1 record(s)." in searched.out
    assert searched.err.startswith(
        f"records search: from the local copy of the records only ({records}), which may be "
        "missing what CI recorded since: records pull: "
    )
    with pytest.raises(Exit) as stopped:
        tasks.export(Context(), "Laurel", request="FOI-1", out=str(tmp_path / "foi"))
    assert stopped.value.code == 1 and "no package was written" in str(stopped.value.message)
    assert "s3cret-token" not in str(stopped.value.message) + searched.err
    assert not (tmp_path / "foi").exists()


def test_syndicate_on_a_city_machine_knows_what_ci_posted_and_tells_ci_what_it_posted(
    tmp_path: Path, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With RECORDS_REMOTE set, `invoke syndicate` fetches the archive first (a stale ledger
    would post again what CI posted) and pushes after (or CI would post it again)."""
    from invoke.context import Context

    import tasks
    from syndication.config import load_settings
    from syndication.runner import syndicate

    site = Site(tmp_path / "site")
    site.add("2026-11-20-flushing")
    site.build()
    manifest = site.output / "syndication.json"
    url = remote(tmp_path)
    ci, cec = tmp_path / "ci-records", tmp_path / "cec-records"
    pull_archive(ci, url)
    facebook = {k: v for k, v in sandboxes.env.items() if not k.startswith(("TWITTER", "YOUTUBE"))}
    syndicate(manifest, site.content, load_settings({**facebook, "RECORDS_DIR": str(ci)}))
    push_archive(ci, url)  # CI posted it
    for name in ("TWITTER_API_KEY", "YOUTUBE_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**facebook, "RECORDS_DIR": str(cec), "RECORDS_REMOTE": url}.items():
        monkeypatch.setenv(name, value)
    site.add("2026-11-21-paving", title="Paving on Bay Avenue")
    site.build()
    tasks.syndicate(Context(), manifest=str(manifest))
    assert len(sandboxes.facebook.posts) == 2  # the new one only: the first is not posted again
    pull_archive(ci, url)  # CI's next run knows of this machine's post
    assert set(Ledger.in_records(ci).records()) == {
        ("2026-11-20-flushing", "facebook"),
        ("2026-11-21-paving", "facebook"),
    }


def test_a_run_with_an_older_build_does_not_post_again_what_ci_withdrew(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The CEC's output/ was built before CI's run withdrew the announcement: `invoke syndicate`
    there fetches CI's records, and the build, older than the withdrawal they record, is not
    acted on (it would post the announcement again); the run fails saying to rebuild."""
    site.add("2026-11-20-flushing")
    site.build(output=site.root / "cec-output")  # the CEC's build, from before the withdrawal
    url, ci, cec = remote(site.root), site.root / "ci", site.root / "cec"
    pull_archive(ci, url)
    site.build()
    on_facebook(sandboxes, ci, site, site.output)
    site.add("2026-11-20-flushing", **WITHDRAWN)
    site.build()
    on_facebook(sandboxes, ci, site, site.output)  # CI takes the post down
    push_archive(ci, url)
    pull_archive(cec, url)  # the CEC's `invoke syndicate` fetches what CI recorded
    report = on_facebook(sandboxes, cec, site, site.root / "cec-output")
    assert sandboxes.facebook.posts == {}, "the withdrawn announcement was posted again"
    (refused,) = report.results
    assert refused.outcome == "failed" and "older than what was posted" in (refused.error or "")
    site.build(output=site.root / "cec-output")  # rebuilt: in step with what CI did
    assert on_facebook(sandboxes, cec, site, site.root / "cec-output").results == []


def test_a_withdrawal_that_keeps_the_last_changes_modified_is_refused_until_it_is_given(
    site: Site, sandboxes: Sandboxes
) -> None:
    """`modified` dates a withdrawal: left at the correction's time, a build from before the
    withdrawal (the CEC's output/) and one after it say the same time, so a run cannot tell
    which is newer: acting on either could undo the other (post again what was withdrawn).
    Neither is acted on; the run fails naming `modified`, and once it is given, the post goes."""
    corrected = {"modified": "2026-11-22 10:00", "correction": "Moved a day."}
    site.add("2026-11-20-flushing", **corrected)
    site.build(output=site.root / "before")  # built before the withdrawal
    records = site.root / "records"
    on_facebook(sandboxes, records, site, site.root / "before")
    site.add("2026-11-20-flushing", **{**corrected, "status": "withdrawn",
             "withdrawn_reason": "In error."})  # fmt: skip
    site.build()
    report = on_facebook(sandboxes, records, site, site.output)
    (refused,) = report.results
    assert refused.outcome == "failed" and len(sandboxes.facebook.posts) == 1
    assert "`modified`" in (refused.error or "") and "2026-11-22" in (refused.error or "")
    site.add("2026-11-20-flushing", **{**corrected, **WITHDRAWN, "modified": "2026-11-23 09:00"})
    site.build()
    (withdrawn,) = on_facebook(sandboxes, records, site, site.output).results
    assert withdrawn.outcome == "withdrawn" and sandboxes.facebook.posts == {}
    # The build from before it, run again, is older than the withdrawal: not posted again.
    assert on_facebook(sandboxes, records, site, site.root / "before").failed
    assert sandboxes.facebook.posts == {}


def test_a_run_with_an_older_build_does_not_undo_a_correction_ci_posted(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-20-flushing")
    site.build(output=site.root / "cec-output")  # the CEC's build, from before the correction
    url, ci, cec = remote(site.root), site.root / "ci", site.root / "cec"
    pull_archive(ci, url)
    site.build()
    on_facebook(sandboxes, ci, site, site.output)
    site.add("2026-11-20-flushing", modified="2026-11-22 10:00", correction="Moved a day.")
    site.build()
    on_facebook(sandboxes, ci, site, site.output)  # CI tells the correction
    push_archive(ci, url)
    pull_archive(cec, url)
    assert on_facebook(sandboxes, cec, site, site.root / "cec-output").failed
    (post,) = sandboxes.facebook.posts.values()
    assert "Moved a day." in post["message"], "the correction was undone"


def test_a_run_with_a_build_from_before_an_alert_expired_does_not_mark_it_urgent_again(
    site: Site, sandboxes: Sandboxes
) -> None:
    """CI's first run once an urgent alert expired takes "URGENT:" off its post: a change of
    its own, at the expiry. The CEC's output/, built while the alert was in effect, is older
    than that change, and is not acted on (it would put "URGENT:" back on a lifted advisory)."""
    site.add(
        "2026-11-24-boil-water",
        title="Boil water advisory for Sunningdale",
        category="alert",
        date="2026-11-24 08:00",
        urgent="true",
        expires="2026-11-30 12:00",
        summary="Do not drink the tap water.",
    )
    site.build(output=site.root / "cec-output")  # the CEC's build, while it is in effect
    url, ci, cec = remote(site.root), site.root / "ci", site.root / "cec"
    pull_archive(ci, url)
    on_facebook(sandboxes, ci, site, site.root / "cec-output")
    site.build(now="2026-12-01T12:00:00-08:00")  # CI's, once it expired
    on_facebook(sandboxes, ci, site, site.output)
    (post,) = sandboxes.facebook.posts.values()
    assert not post["message"].startswith("URGENT")
    push_archive(ci, url)
    pull_archive(cec, url)  # the CEC's `invoke syndicate` fetches what CI recorded
    report = on_facebook(sandboxes, cec, site, site.root / "cec-output")
    (post,) = sandboxes.facebook.posts.values()
    assert not post["message"].startswith("URGENT"), "the lifted alert was made urgent again"
    (refused,) = report.results
    assert refused.outcome == "failed" and "older than what was posted" in (refused.error or "")


def test_a_run_with_a_build_from_before_an_announcement_was_posted_does_not_ask_to_withdraw_it(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The CEC's output/ was built before the rink announcement was committed; CI built the
    current content and posted it. The CEC's run, on that older build, does not have the
    announcement, which is on the site and in the content: it says the build is older and to
    rebuild, never that the announcement left the site and is to be put back as withdrawn."""
    site.add("2026-11-20-flushing")
    site.build(output=site.root / "cec-output")  # the CEC's build, before the rink's
    url, ci, cec = remote(site.root), site.root / "ci", site.root / "cec"
    pull_archive(ci, url)
    site.add("2026-11-23-rink", title="Rink opens", date="2026-11-23 09:00", summary="Skate!")
    site.build()
    on_facebook(sandboxes, ci, site, site.output)  # CI posts both
    push_archive(ci, url)
    pull_archive(cec, url)
    report = on_facebook(sandboxes, cec, site, site.root / "cec-output")
    assert len(sandboxes.facebook.posts) == 2  # nothing taken down, nothing posted again
    (refused,) = report.results
    assert (refused.announcement, refused.outcome) == ("2026-11-23-rink", "failed")
    assert "older than what was posted" in (refused.error or "")
    assert "rebuild" in (refused.error or "") and "withdrawn" not in (refused.error or "")
    site.build(output=site.root / "cec-output")  # rebuilt: in step with what CI did
    assert on_facebook(sandboxes, cec, site, site.root / "cec-output").results == []


def posted_on_two_copies(site: Site, sandboxes: Sandboxes) -> tuple[str, Path, Path]:
    """The announcement posted on Facebook by CI and by a City machine (the CEC's), whose copy
    of the records was fetched before CI's run pushed: (the remote, CI's copy, the CEC's),
    neither pushed yet."""
    site.add("2026-11-20-flushing")
    site.build()
    url, ci, cec = remote(site.root), site.root / "ci", site.root / "cec"
    pull_archive(ci, url)
    commit_archive(ci, "An archive already in use")
    push_archive(ci, url)
    pull_archive(cec, url)  # before CI's run pushes: a stale copy
    on_facebook(sandboxes, ci, site, site.output)
    on_facebook(sandboxes, cec, site, site.output)
    return url, ci, cec


def test_a_post_made_by_a_run_on_a_stale_copy_is_still_taken_down_after_the_join(
    site: Site, sandboxes: Sandboxes
) -> None:
    """CI and a City machine both posted the announcement, the City's copy of the records
    fetched before CI pushed. Joined, the ledger keeps both posts: each run names the second
    and what to do, and a withdrawal takes both down."""
    url, ci, cec = posted_on_two_copies(site, sandboxes)
    push_archive(ci, url)
    push_archive(cec, url)  # rejected, joined after CI's records, pushed
    first, second = sandboxes.facebook.posts
    pull_archive(nxt := site.root / "next", url)
    (named,) = on_facebook(sandboxes, nxt, site, site.output).results
    assert (named.outcome, named.remote_id) == ("failed", second), named
    assert "two posts of one announcement on Facebook" in (named.error or "")
    (listed,) = waiting(site.content, nxt, datetime.fromisoformat(NOW)).left_up
    assert listed.startswith(f"facebook: 2026-11-20-flushing {second}: two posts"), listed
    site.add("2026-11-20-flushing", **WITHDRAWN)
    site.build()
    report = on_facebook(sandboxes, nxt, site, site.output)
    assert not report.failed and sandboxes.facebook.posts == {}, report.results
    assert set(sandboxes.facebook.deleted) == {first, second}


def test_a_run_notes_a_second_post_deleted_by_hand_and_names_it_no_more(
    site: Site, sandboxes: Sandboxes
) -> None:
    url, ci, cec = posted_on_two_copies(site, sandboxes)
    push_archive(ci, url)
    push_archive(cec, url)
    _, second = sandboxes.facebook.posts
    with sandboxes.facebook.lock:  # the CEC deletes it on facebook.com, as the run says to
        sandboxes.facebook.deleted[second] = sandboxes.facebook.posts.pop(second)
    pull_archive(nxt := site.root / "next", url)
    assert on_facebook(sandboxes, nxt, site, site.output).results == []
    assert Ledger.in_records(nxt).records()[("2026-11-20-flushing", "facebook")].duplicates == {}


def test_comments_on_a_second_post_are_collected_and_moderated_until_it_is_gone(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Residents comment on the post a run on a stale copy made, joined since as the second:
    collect archives their comments as records, moderation hides the spam among them, until
    the post is deleted, and its comments with it: recorded so, as removed with it."""
    from archive.collect import collect
    from archive.comments import REMOVED_WITH_DELETED_POST, CommentArchive
    from moderation.classifier import ModerationPolicy
    from moderation.run import moderate_collected

    url, ci, cec = posted_on_two_copies(site, sandboxes)
    push_archive(ci, url)
    push_archive(cec, url)
    _, second = sandboxes.facebook.posts
    asked = sandboxes.facebook.add_comment(second, "Is Laurel Crescent included?", "Avery Lee")
    spam = sandboxes.facebook.add_comment(
        second, "Bitcoin giveaway, earn $500 a day at www.quick-cash.biz"
    )
    pull_archive(nxt := site.root / "next", url)
    settings = facebook_only(sandboxes, nxt)
    collect(settings, site.content, say=lambda _: None)
    archived = CommentArchive(nxt).state()
    assert {(c.id, c.post_id) for c in archived.values()} == {(asked, second), (spam, second)}
    moderate_collected(settings, site.content, ModerationPolicy.load(ROOT / "policy"), say=print)
    assert sandboxes.facebook.comments[spam]["is_hidden"] is True
    assert sandboxes.facebook.comments[asked]["is_hidden"] is False
    with sandboxes.facebook.lock:  # the CEC deletes it on facebook.com, as the run says to
        sandboxes.facebook.deleted[second] = sandboxes.facebook.posts.pop(second)
    said: list[str] = []
    collect(settings, site.content, say=said.append)
    assert Ledger.in_records(nxt).records()[("2026-11-20-flushing", "facebook")].duplicates == {}
    removals = {c.id: c.removal for c in CommentArchive(nxt).state().values()}
    assert removals == {asked: REMOVED_WITH_DELETED_POST, spam: REMOVED_WITH_DELETED_POST}, said


def test_comments_on_a_second_post_a_withdrawal_took_down_leave_the_queue_as_the_firsts(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A withdrawal deletes both posts of the announcement on Facebook, and each post's
    comments with it: the second's are recorded as removed with their post, as the first's
    are, leave the review queue, and `decide` refuses them without asking Graph."""
    from archive.collect import collect
    from archive.comments import REMOVED_WITH_POST, CommentArchive
    from moderation.classifier import ModerationPolicy
    from moderation.run import DecisionError, decide, moderate_collected

    url, ci, cec = posted_on_two_copies(site, sandboxes)
    push_archive(ci, url)
    push_archive(cec, url)
    fb = sandboxes.facebook
    first, second = fb.posts
    on_each = {
        post: fb.add_comment(post, "Call me at 250-555-0199 about the leak") for post in fb.posts
    }
    pull_archive(nxt := site.root / "next", url)
    settings = facebook_only(sandboxes, nxt)
    policy = ModerationPolicy.load(ROOT / "policy")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(settings, site.content, policy, say=lambda _: None)
    now = datetime.fromisoformat(NOW)
    review = waiting(site.content, nxt, now).review
    assert all(any(f"facebook:{c}" in line for line in review) for c in on_each.values())

    site.add("2026-11-20-flushing", **WITHDRAWN)
    site.build()
    on_facebook(sandboxes, nxt, site, site.output)
    assert fb.posts == {} and set(fb.deleted) == {first, second}
    # The withdrawal recorded the comments of both as removed with them: collect adds nothing.
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert "facebook" not in totals
    moderate_collected(settings, site.content, policy, say=lambda _: None)
    state = CommentArchive(nxt).state()
    assert {post: state[("facebook", c)].removal for post, c in on_each.items()} == {
        first: REMOVED_WITH_POST,
        second: REMOVED_WITH_POST,
    }
    review = waiting(site.content, nxt, now).review
    assert not any("facebook:" in line for line in review), review
    key = f"facebook:{on_each[second]}"
    with pytest.raises(DecisionError, match=f"{key}: removed with the withdrawn post on "):
        decide(settings, site.content, key, "keep", "Not personal information", "Reviewer")
    assert {e["kind"] for e in ModerationLog(nxt).chain.events()} == {"classification"}


def test_a_correction_a_stale_copy_made_to_its_own_post_is_still_made_to_the_first(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The run on the stale copy corrected the post it made, joined since as the second: the
    first was told nothing, so the next run corrects it too, not taking it as up to date."""
    url, ci, cec = posted_on_two_copies(site, sandboxes)
    first, second = sandboxes.facebook.posts
    site.add("2026-11-20-flushing", modified="2026-11-22 10:00", correction="Moved a day.")
    site.build()
    on_facebook(sandboxes, cec, site, site.output)  # corrects its own post, the second
    assert "Moved a day." in sandboxes.facebook.posts[second]["message"]
    push_archive(ci, url)
    push_archive(cec, url)
    pull_archive(nxt := site.root / "next", url)
    report = on_facebook(sandboxes, nxt, site, site.output)
    assert ("updated", first) in {(r.outcome, r.remote_id) for r in report.results}, report
    assert "Moved a day." in sandboxes.facebook.posts[first]["message"], "the first was not told"


def test_a_run_that_would_record_while_another_does_stops_naming_it(
    site: Site, sandboxes: Sandboxes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs at once each read the ledger before the other wrote to it, and posted the
    same announcements twice. A second run stops at once (exit 2), naming the first's
    process; once the first has ended, the next run goes ahead. The lock is never committed."""
    from invoke.context import Context
    from invoke.exceptions import Exit

    import tasks

    site.add("2026-11-20-flushing")
    site.build()
    manifest = str(site.output / "syndication.json")
    url, records = remote(tmp_path), site.root / "records"
    for name, value in {**sandboxes.env, "RECORDS_DIR": str(records)}.items():
        monkeypatch.setenv(name, value)
    records.mkdir()
    with (records / ".lock").open("w") as first_run:  # as another process holds it
        fcntl.flock(first_run, fcntl.LOCK_EX)
        first_run.write("4242\n")
        first_run.flush()
        for command, call in (
            ("syndicate", lambda: tasks.syndicate(Context(), manifest=manifest)),
            ("collect", lambda: tasks.collect(Context())),
            ("records push", lambda: tasks.push(Context())),
        ):
            monkeypatch.setenv("RECORDS_REMOTE", url)
            with pytest.raises(Exit) as stopped:
                call()
            assert (stopped.value.code, stopped.value.message) == (
                2,
                f"{command}: another run is in progress (pid 4242) on {records}; try again "
                "once it has finished",
            )
    assert not sandboxes.facebook.posts
    tasks.syndicate(Context(), manifest=manifest)  # the first run has ended
    assert len(sandboxes.facebook.posts) == 1
    tracked = subprocess.run(
        ["git", "-C", str(records), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert ".lock" not in tracked and "syndication/ledger.jsonl" in tracked


def test_the_readme_quotes_the_message_a_second_run_stops_with(tmp_path: Path) -> None:
    """README gives the message as a second run says it: the archive named by its whole path."""
    from archive.lock import ArchiveBusy, one_run_at_a_time

    records = tmp_path / "records"
    records.mkdir()
    with (records / ".lock").open("w") as first_run:  # as another process holds it
        fcntl.flock(first_run, fcntl.LOCK_EX)
        first_run.write("4242\n")
        first_run.flush()
        with pytest.raises(ArchiveBusy) as busy, one_run_at_a_time(records):
            pass
    shown = f"syndicate: {busy.value}".replace(str(records), "/home/cec/announcements/records")
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"`{shown}`" in readme


def test_two_syndicate_runs_at_once_post_once_and_keep_the_ledger_whole(site: Site) -> None:
    """Two `invoke syndicate` at once, as processes: each announcement reaches each platform
    once, and the ledger stays a whole hash chain."""
    for n in range(4):
        site.add(f"2026-11-1{n}-notice-{n}", title=f"Notice number {n}", date=f"2026-11-1{n} 09:00")
    site.build()
    with start_all(latency=0.3) as boxes:
        env = {**os.environ, **boxes.env, "RECORDS_DIR": str(site.root / "records")}
        env.pop("RECORDS_REMOTE", None)
        manifest = str(site.output / "syndication.json")
        command = [sys.executable, "-m", "invoke", "syndicate", "--platform", "facebook"]
        runs = [
            subprocess.Popen(
                [*command, "--manifest", manifest],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        said = [run.communicate(timeout=120)[0] for run in runs]
        links = [post["link"] for post in boxes.facebook.posts.values()]
    assert len(links) == len(set(links)) == 4, said
    for run, out in zip(runs, said, strict=True):  # the second stopped, or came after
        assert run.returncode == 0 or (
            run.returncode == 2 and "syndicate: another run is in progress (pid " in out
        ), out
    assert ChainFile(site.root / "records" / FILES["post"]).verify() == []


def test_a_comment_collected_by_two_overlapping_runs_is_archived_once(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI and the CEC each collect the same new comment on their own copy, then push: the
    joined file holds it twice (its chained lines are kept as written), and it counts once,
    in the archive's state, the search and the FOI report."""
    from archive.collect import collect
    from archive.comments import CommentArchive
    from archive.export import export
    from archive.index import search
    from syndication.config import load_settings
    from syndication.runner import syndicate

    facebook = {k: v for k, v in sandboxes.env.items() if not k.startswith(("TWITTER", "YOUTUBE"))}
    site.add("2026-11-20-flushing")
    site.build()
    url, ci, cec = remote(site.root), site.root / "ci", site.root / "cec"
    pull_archive(ci, url)
    settings = load_settings({**facebook, "RECORDS_DIR": str(ci)})
    syndicate(site.output / "syndication.json", site.content, settings, say=lambda _: None)
    push_archive(ci, url)
    pull_archive(cec, url)
    (post,) = sandboxes.facebook.posts
    sandboxes.facebook.add_comment(post, "Will Laurel Crescent be flushed too?", "Sam Lee")
    for records, when in ((ci, "18:00"), (cec, "18:02")):  # both collect, each its own copy
        monkeypatch.setattr(chain_module, "now", lambda at=when: f"2026-11-24T{at}:00+00:00")
        collect(load_settings({**facebook, "RECORDS_DIR": str(records)}), site.content, say=print)
    push_archive(ci, url)
    push_archive(cec, url)  # joined after CI's
    pull_archive(joined := site.root / "joined", url)
    first, again = lines(joined, "comment")  # kept as each copy wrote it
    assert (first["comment_id"], first["text"]) == (again["comment_id"], again["text"])
    (state,) = CommentArchive(joined).state().values()
    assert [v["version"] for v in state.versions] == [1], state.versions
    assert [r.line for r in search(joined, "Laurel")] == [1]  # the earlier of the two
    shutil.copytree(ROOT / "policy", site.root / "policy")  # the export reads the contacts
    export(joined, site.root, "FOI-1", ["Laurel"], site.root / "foi")
    report = (site.root / "foi" / "report.html").read_text(encoding="utf-8")
    assert report.count("Will Laurel Crescent be flushed too?") == 1


def test_a_deletion_collected_by_two_overlapping_runs_is_archived_once(tmp_path: Path) -> None:
    """The joined file as two runs left it, each having seen the comment and then its
    deletion: one version and one deletion, in the state and in the search."""
    from archive.comments import CommentArchive
    from archive.index import search
    from tests.test_records import _add_comment

    records = tmp_path / "records"
    for _ in range(2):  # CI's lines, then the CEC's joined after them
        _add_comment(records, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00")
        ChainFile(records / FILES["comment"]).append(
            {
                "kind": "comment_deleted",
                "announcement": "2026-11-20-flushing",
                "platform": "facebook",
                "post_id": "p1",
                "comment_id": "c1",
                "author": "Quinn Reyes",
            }
        )
    (state,) = CommentArchive(records).state().values()
    assert [v["kind"] for v in state.versions] == ["comment", "comment_deleted"]
    assert [r.line for r in search(records, "")] == [1, 2]
