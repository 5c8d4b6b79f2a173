"""The syndication engine (plan, ledger, retries, deferral, recovery) with an in-memory
platform. The same engine runs against the sandboxes through the real clients in
tests/test_syndication_sandboxes.py.
"""

from __future__ import annotations

import contextlib
import errno
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from syndication.base import (
    AnswerLost,
    Comment,
    PermanentError,
    Platform,
    QuotaExhausted,
    RemotePost,
    TransientError,
)
from syndication.ledger import Ledger, Record
from syndication.manifest import Entry, Manifest
from syndication.reconcile import plan
from syndication.syndicate import Syndicator

SITE = "https://trail.test"


def entry(
    slug: str, *, date: str = "2026-11-20T09:00:00-08:00", urgent: bool = False,
    status: str = "published", text: str | None = None, corrections: int = 0,
) -> Entry:  # fmt: skip
    url = f"{SITE}/announcements/{slug}.html"
    body = text or f"{slug} {url}"
    return Entry(
        id=slug, url=url, title=slug, date=date, urgent=urgent, status=status,
        hash=f"h-{body}-{corrections}", posts={"facebook": {"text": body, "hash": f"p-{body}"}},
        corrections=tuple({"date": date, "note": f"fix {n}"} for n in range(corrections)),
        withdrawn_reason="Postponed." if status == "withdrawn" else None,
    )  # fmt: skip


def manifest(*entries: Entry) -> Manifest:
    return Manifest(SITE, f"{SITE}/comment-guidelines.html", tuple(entries))


class FakePlatform(Platform):
    """Posts in a dict; failures scripted per call."""

    name = "facebook"  # a platform the ledger knows: it takes no other name
    label = "Fake"

    def __init__(self) -> None:
        self.posts: dict[str, str] = {}
        self.calls: list[str] = []
        self.failures: list[Exception] = []
        self.crash_after_write = False
        self._next = 0

    def _maybe_fail(self, verb: str) -> None:
        self.calls.append(verb)
        if self.failures:
            raise self.failures.pop(0)

    def create(self, entry: Entry) -> RemotePost:
        self._maybe_fail("create")
        self._next += 1
        post_id = f"p{self._next}"
        self.posts[post_id] = entry.posts["facebook"]["text"]
        if self.crash_after_write:
            self.crash_after_write = False
            raise AnswerLost("connection dropped after the write")
        return RemotePost(post_id, f"https://fake/{post_id}", self.posts[post_id])

    def update(self, entry: Entry, posted: Record) -> RemotePost | None:
        self._maybe_fail("update")
        self.posts[posted.require_remote_id()] = entry.posts["facebook"]["text"]
        return None

    def edited_text(self, entry: Entry) -> str:
        return str(entry.posts["facebook"]["text"])

    def withdraw(self, remote_id: str) -> None:
        self._maybe_fail("withdraw")
        self.posts.pop(remote_id, None)

    def comments(self, remote_id: str) -> list[Comment]:
        return []

    def hide_comment(self, comment_id: str, hidden: bool) -> None:
        raise NotImplementedError("not used by the engine tests")

    def announcing(self, entry: Entry) -> Iterator[RemotePost]:
        """Loosely: every post whose text has the URL (the real platforms look closer)."""
        self.calls.append("find")
        for post_id, text in self.posts.items():
            if entry.url in text:
                yield RemotePost(post_id, f"https://fake/{post_id}", text)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger.in_records(tmp_path / "records")


def run(ledger: Ledger, platform: FakePlatform, *entries: Entry):
    syndicator = Syndicator(ledger, {"facebook": platform}, sleep=lambda _: None, backoff=0)
    return syndicator.run(manifest(*entries))


def outcomes(report) -> list[tuple[str, str]]:
    return [(r.announcement, r.outcome) for r in report.results]


def test_new_announcements_are_posted_once_and_a_rerun_does_nothing(ledger: Ledger) -> None:
    platform = FakePlatform()
    a, b = entry("a"), entry("b", date="2026-11-21T09:00:00-08:00")
    first = run(ledger, platform, a, b)
    assert outcomes(first) == [("a", "created"), ("b", "created")]
    assert len(platform.posts) == 2
    second = run(ledger, platform, a, b)
    assert second.results == [] and second.unchanged["facebook"] == 2
    assert platform.calls == ["create", "create"]
    record = ledger.records()[("a", "facebook")]
    assert (record.remote_id, record.url, record.text) == (
        "p1",
        "https://fake/p1",
        a.posts["facebook"]["text"],
    )


def test_urgent_alerts_go_first_then_oldest_first(ledger: Ledger) -> None:
    old = entry("old", date="2026-11-01T09:00:00-08:00")
    new = entry("new", date="2026-11-22T09:00:00-08:00")
    alert = entry("alert", date="2026-11-23T09:00:00-08:00", urgent=True)
    actions = plan(manifest(new, old, alert), ledger.records(), ["facebook"])
    assert [a.entry.id for a in actions] == ["alert", "old", "new"]


def test_a_change_updates_and_a_withdrawal_removes(ledger: Ledger) -> None:
    platform = FakePlatform()
    run(ledger, platform, entry("a"), entry("b"))
    changed = entry("a", text=f"new words {SITE}/announcements/a.html")
    report = run(ledger, platform, changed, entry("b", status="withdrawn"))
    assert outcomes(report) == [("a", "updated"), ("b", "withdrawn")]
    assert platform.posts == {"p1": changed.posts["facebook"]["text"]}
    records = ledger.records()
    assert records[("b", "facebook")].withdrawn and records[("b", "facebook")].remote_id == "p2"
    assert run(ledger, platform, changed, entry("b", status="withdrawn")).results == []


def test_a_correction_alone_triggers_an_update(ledger: Ledger) -> None:
    platform = FakePlatform()
    run(ledger, platform, entry("a"))
    report = run(ledger, platform, entry("a", corrections=1))
    assert outcomes(report) == [("a", "updated")]
    assert run(ledger, platform, entry("a", corrections=1)).results == []


def test_a_crash_between_the_write_and_the_ledger_is_recovered_without_a_duplicate(
    ledger: Ledger,
) -> None:
    platform = FakePlatform()
    a = entry("a")
    # Simulate the crash: the intent is on disk, the post exists, the outcome never came.
    ledger.intend("a", "facebook", "create", payload=a.posts["facebook"])
    platform.posts["p9"] = a.posts["facebook"]["text"]
    report = run(ledger, platform, a)
    assert outcomes(report) == [("a", "adopted")]
    assert list(platform.posts) == ["p9"] and "create" not in platform.calls
    assert ledger.records()[("a", "facebook")].remote_id == "p9"
    assert run(ledger, platform, a).results == []


def test_an_edit_made_after_an_interrupted_post_still_reaches_the_platform(
    ledger: Ledger,
) -> None:
    platform = FakePlatform()
    monday = entry("a", text=f"Flushing on Monday {SITE}/announcements/a.html")
    # A run posts Monday's text, then dies before writing the outcome...
    ledger.intend("a", "facebook", "create", payload=monday.posts["facebook"], corrections=0)
    platform.posts["p9"] = monday.posts["facebook"]["text"]
    # ...and before the next run the CEC corrects the announcement.
    tuesday = entry("a", text=f"Flushing on Tuesday {SITE}/announcements/a.html", corrections=1)
    # The run that adopts Monday's post brings it up to date, rather than leave it to the next.
    assert outcomes(run(ledger, platform, tuesday)) == [("a", "updated")]
    assert platform.posts == {"p9": tuesday.posts["facebook"]["text"]}
    assert platform.calls == ["find", "update"]
    assert run(ledger, platform, tuesday).results == []


def test_a_crash_while_updating_an_adopted_post_is_recovered_by_the_next_run(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = FakePlatform()
    monday = entry("a", text=f"Flushing on Monday {SITE}/announcements/a.html")
    ledger.intend("a", "facebook", "create", payload=monday.posts["facebook"], corrections=0)
    platform.posts["p9"] = monday.posts["facebook"]["text"]
    tuesday = entry("a", text=f"Flushing on Tuesday {SITE}/announcements/a.html", corrections=1)
    record = Ledger.outcome

    def killed_once_updated(self: Ledger, *args: Any, **details: Any) -> dict[str, Any]:
        if args[3] == "update":  # the edit is on the platform; the ledger never hears
            raise KeyboardInterrupt("the runner was killed")
        return record(self, *args, **details)

    monkeypatch.setattr(Ledger, "outcome", killed_once_updated)
    with pytest.raises(KeyboardInterrupt):
        run(ledger, platform, tuesday)
    monkeypatch.setattr(Ledger, "outcome", record)
    assert ledger.records()[("a", "facebook")].remote_id == "p9"  # the adoption was recorded
    assert outcomes(run(ledger, platform, tuesday)) == [("a", "updated")]
    assert platform.posts == {"p9": tuesday.posts["facebook"]["text"]}
    assert "create" not in platform.calls
    assert run(ledger, platform, tuesday).results == []


def test_a_write_whose_answer_was_lost_is_looked_for_again_by_the_next_run(
    ledger: Ledger,
) -> None:
    platform = FakePlatform()
    platform.crash_after_write = True  # the post lands, its answer does not...
    # ...and looking for it fails until the run gives up.
    finds = 0
    original_find = platform.announcing

    def failing_find(e: Entry) -> Iterator[RemotePost]:
        nonlocal finds
        finds += 1
        raise TransientError("503 from the feed")

    platform.announcing = failing_find  # type: ignore[method-assign, assignment]
    first = run(ledger, platform, entry("a"))
    assert outcomes(first) == [("a", "failed")] and len(platform.posts) == 1
    assert ledger.records()[("a", "facebook")].pending is not None  # still open: it may be there
    platform.announcing = original_find  # type: ignore[method-assign]
    assert outcomes(run(ledger, platform, entry("a"))) == [("a", "adopted")]
    assert len(platform.posts) == 1 and finds > 0


def test_a_post_the_ledger_gives_another_announcement_is_never_adopted(ledger: Ledger) -> None:
    platform = FakePlatform()
    b = entry("b", date="2026-11-21T09:00:00-08:00")
    a = entry("a", text=f"a {SITE}/announcements/a.html, then {b.url}")
    run(ledger, platform, a)
    platform.failures = [TransientError("503: nothing was posted")]
    # Retrying b, the platform offers a's post, which has b's link too.
    report = run(ledger, platform, a, b)
    assert outcomes(report) == [("b", "created")]
    assert ledger.records()[("b", "facebook")].remote_id == "p2"


def test_a_refused_write_is_not_left_open(ledger: Ledger) -> None:
    platform = FakePlatform()
    platform.failures = [PermanentError("400: the message is empty")]
    assert outcomes(run(ledger, platform, entry("a"))) == [("a", "failed")]
    assert ledger.records()[("a", "facebook")].pending is None
    assert outcomes(run(ledger, platform, entry("a"))) == [("a", "created")]
    assert platform.calls == ["create", "create"]  # nothing to look for: it never landed


def test_a_dropped_response_after_the_write_is_not_posted_twice(ledger: Ledger) -> None:
    platform = FakePlatform()
    platform.crash_after_write = True
    report = run(ledger, platform, entry("a"))
    assert outcomes(report) == [("a", "created")]
    assert len(platform.posts) == 1
    assert platform.calls == ["create", "find"]


def test_transient_errors_are_retried(ledger: Ledger) -> None:
    platform = FakePlatform()
    platform.failures = [TransientError("HTTP 503"), TransientError("HTTP 500")]
    report = run(ledger, platform, entry("a"))
    assert outcomes(report) == [("a", "created")]
    assert platform.calls.count("create") == 3


def test_a_permanent_error_fails_one_announcement_and_the_others_go_on(ledger: Ledger) -> None:
    platform = FakePlatform()
    platform.failures = [PermanentError("HTTP 400: text is too long")]
    a, b = entry("a"), entry("b", date="2026-11-21T09:00:00-08:00")
    report = run(ledger, platform, a, b)
    assert outcomes(report) == [("a", "failed"), ("b", "created")]
    assert report.failed
    assert report.results[0].error == "HTTP 400: text is too long"
    assert platform.calls == ["create", "create"]  # not retried
    # The failure is recorded, and the next run tries again.
    assert ledger.records()[("a", "facebook")].history[-1]["phase"] == "failed"
    assert outcomes(run(ledger, platform, a, b)) == [("a", "created")]


def test_a_failed_update_or_withdrawal_names_its_post_on_its_outcome_line(
    ledger: Ledger,
) -> None:
    """A records officer reading one line of the ledger sees which post a failure concerns,
    as the intent line before it says."""
    platform = FakePlatform()
    run(ledger, platform, entry("a"), entry("b", date="2026-11-21T09:00:00-08:00"))
    platform.failures = [PermanentError("HTTP 400: bad edit")]
    run(ledger, platform, entry("a", text="a, corrected"))
    platform.failures = [PermanentError("HTTP 403: not allowed")]
    run(ledger, platform, entry("b", date="2026-11-21T09:00:00-08:00", status="withdrawn"))
    failed = [e for e in ledger.events() if e["phase"] == "failed"]
    assert [(e["announcement"], e["action"], e.get("remote_id")) for e in failed] == [
        ("a", "update", "p1"),
        ("b", "withdraw", "p2"),
    ]
    # Naming the post changes nothing the ledger makes of it: both are tried again.
    assert ledger.records()[("a", "facebook")].remote_id == "p1"
    assert not ledger.records()[("b", "facebook")].withdrawn


def test_an_exhausted_quota_defers_the_rest_promptly_and_the_next_run_completes(
    ledger: Ledger,
) -> None:
    platform = FakePlatform()
    resume = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    platform.failures = [QuotaExhausted("daily post limit reached", resume)]
    entries = [entry(f"e{n}", date=f"2026-11-2{n}T09:00:00-08:00") for n in range(3)]
    report = run(ledger, platform, *entries)
    assert outcomes(report) == [("e0", "deferred"), ("e1", "deferred"), ("e2", "deferred")]
    assert all(r.resume_at == resume for r in report.results)
    assert platform.calls == ["create"] and not report.failed
    assert "deferred" in report.table()
    report = run(ledger, platform, *entries)
    assert outcomes(report) == [("e0", "created"), ("e1", "created"), ("e2", "created")]


def test_each_action_a_quota_holds_back_is_noted_and_the_next_run_plans_as_before(
    ledger: Ledger,
) -> None:
    platform = FakePlatform()
    resume = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    e0, e1, e2 = (entry(f"e{n}", date=f"2026-11-2{n}T09:00:00-08:00") for n in range(3))
    ledger.intend("e1", "facebook", "create", payload=e1.posts["facebook"])  # a run died mid-call
    platform.posts["p9"] = e1.posts["facebook"]["text"]  # after the platform had the post
    platform.failures = [QuotaExhausted("daily post limit reached", resume)]
    run(ledger, platform, e0, e1, e2)  # e0 meets the quota; e1 and e2 are not attempted
    records = ledger.records()
    for slug in ("e0", "e1", "e2"):  # what `invoke status` reads
        last = records[(slug, "facebook")].history[-1]
        assert (last["phase"], last["resume_at"]) == ("deferred", resume.isoformat())
    assert records[("e1", "facebook")].pending is not None  # a note answers no intent
    report = run(ledger, platform, e0, e1, e2)
    assert outcomes(report) == [("e0", "created"), ("e1", "adopted"), ("e2", "created")]
    assert sorted(platform.posts) == ["p1", "p2", "p9"]  # e1 is posted once
    assert ledger.verify() == []


def test_a_post_held_back_by_a_daily_quota_is_not_noted_again_by_every_run(
    ledger: Ledger,
) -> None:
    """X's 24-hour cap may hold the rest back for up to 96 runs of the 15-minute schedule:
    the ledger, read whole by every command and committed by every run, gains only what each
    run tries, not a line per held post again."""
    platform = FakePlatform()
    resume = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    entries = [entry(f"e{n:02d}", date=f"2026-11-{1 + n:02d}T09:00:00-08:00") for n in range(30)]
    sizes = []
    for _ in range(10):  # the cap still used up
        platform.failures = [QuotaExhausted("daily post limit reached", resume)]
        report = run(ledger, platform, *entries)
        sizes.append(sum(1 for _ in ledger.events()))
    assert {r.outcome for r in report.results} == {"deferred"}  # each run still says so
    noted = [e for e in ledger.events() if e["announcement"] == "e29"]
    assert len(noted) == 1, f"e29 noted {len(noted)} times"
    assert sizes[-1] - sizes[0] == 2 * 9  # the one post each run tries: intent and outcome
    last = ledger.records()[("e29", "facebook")].history[-1]  # what `invoke status` reads
    assert (last["phase"], last["resume_at"]) == ("deferred", resume.isoformat())

    later = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # a new reset time is news: noted
    platform.failures = [QuotaExhausted("daily post limit reached", later)]
    run(ledger, platform, *entries)
    last = ledger.records()[("e29", "facebook")].history[-1]
    assert last["resume_at"] == later.isoformat()
    assert len([e for e in ledger.events() if e["announcement"] == "e29"]) == 2


def test_dry_run_calls_nothing(ledger: Ledger) -> None:
    platform = FakePlatform()
    syndicator = Syndicator(ledger, {"facebook": platform})
    report = syndicator.run(manifest(entry("a")), dry_run=True)
    assert outcomes(report) == [("a", "planned")]
    assert platform.calls == [] and not ledger.path.exists()


def test_secrets_never_reach_the_ledger_or_the_report(ledger: Ledger) -> None:
    platform = FakePlatform()
    platform.failures = [PermanentError("bad request to /feed?access_token=EAAsecret123&x=1")]
    syndicator = Syndicator(ledger, {"facebook": platform}, secrets=["EAAsecret123"])
    report = syndicator.run(manifest(entry("a")))
    error = report.results[0].error or ""
    assert "access_token=[redacted]" in error and "EAAsecret123" not in error
    assert "EAAsecret123" not in ledger.path.read_text()


def test_tokens_obtained_during_a_run_never_reach_the_ledger(ledger: Ledger) -> None:
    """An access token the client obtained in the run (YouTube's, from its refresh token) is
    in no environment variable: an error body echoing the request's headers or the token
    endpoint's answer must not carry it into the ledger, and so into the archive's history."""
    platform = FakePlatform()
    platform.failures = [
        PermanentError(
            "400: {'Authorization': 'Bearer ya29.a0-Live_token/xyz=', 'Accept': 'json'} "
            '{"access_token": "ya29.second", "refresh_token": "1//rt", "expires_in": 3599} '
            'OAuth oauth_token="4242-tok", oauth_nonce="n"'
        )
    ]
    Syndicator(ledger, {"facebook": platform}, secrets=[]).run(manifest(entry("a")))
    written = ledger.path.read_text()
    for token in ("ya29.a0-Live_token", "xyz=", "ya29.second", "1//rt", "4242-tok"):
        assert token not in written
    assert "Bearer [redacted]" in written and "'Accept': 'json'" in written


def test_the_ledger_hash_chain_detects_tampering(ledger: Ledger) -> None:
    run(ledger, FakePlatform(), entry("a"), entry("b"))
    assert ledger.verify() == []
    lines = ledger.path.read_text().splitlines()
    event = json.loads(lines[1])
    event["remote_id"] = "p666"
    lines[1] = json.dumps(event, sort_keys=True)
    ledger.path.write_text("\n".join(lines) + "\n")
    problems = Ledger(ledger.path).verify()
    assert problems == [f"{ledger.path}:3: hash chain broken (line changed or removed before it)"]


class FullDisk:
    """A file handle on a full disk: 40 bytes reach the file, then ENOSPC, as write(2) does."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def write(self, data: Any) -> int:
        self.handle.write(data[:40])
        self.handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


@contextlib.contextmanager
def full_disk(monkeypatch: pytest.MonkeyPatch, path: Path) -> Iterator[None]:
    """`path` on a full disk: each write to it stops part way; it reads as it is, as a full
    disk's files do (a run checks what it recorded before committing it)."""
    real_open = Path.open

    def opened(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, mode, *args, **kwargs)
        writing = any(flag in mode for flag in "wax+")
        return FullDisk(handle) if self == path and writing else handle

    with monkeypatch.context() as patched:
        patched.setattr(Path, "open", opened)
        yield


def test_an_append_cut_short_by_a_full_disk_leaves_the_chain_whole(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.intend("2026-11-20-flushing", "facebook", "create")
    before = ledger.path.read_bytes()
    with full_disk(monkeypatch, ledger.path), pytest.raises(OSError) as failed:
        ledger.intend("2026-11-21-tour", "facebook", "create")
    assert str(failed.value) == (
        f"{ledger.path}: not written (No space left on device); the file is as it was before"
    )
    assert ledger.path.read_bytes() == before  # no line cut short for the next to join
    # Space is freed; the same run goes on (another platform's thread), then the next run.
    ledger.intend("2026-11-22-paving", "twitter", "create")
    assert ledger.verify() == []
    assert [(e["seq"], e["announcement"]) for e in Ledger(ledger.path).events()] == [
        (1, "2026-11-20-flushing"),
        (2, "2026-11-22-paving"),
    ]


def test_withdrawing_an_interrupted_post_that_never_arrived_is_not_a_failure(
    ledger: Ledger,
) -> None:
    platform = FakePlatform()
    a = entry("a")
    ledger.intend("a", "facebook", "create", payload=a.posts["facebook"])  # then the runner died
    report = run(ledger, platform, entry("a", status="withdrawn"))
    assert outcomes(report) == [("a", "withdrawn")] and not report.failed
    assert platform.calls == ["find"] and platform.posts == {}
    assert run(ledger, platform, entry("a", status="withdrawn")).results == []


def test_withdrawing_an_interrupted_post_that_did_arrive_takes_it_down(ledger: Ledger) -> None:
    platform = FakePlatform()
    a = entry("a")
    ledger.intend("a", "facebook", "create", payload=a.posts["facebook"])
    platform.posts["p7"] = a.posts["facebook"]["text"]
    report = run(ledger, platform, entry("a", status="withdrawn"))
    assert outcomes(report) == [("a", "withdrawn")]
    assert platform.posts == {} and ledger.records()[("a", "facebook")].withdrawn


@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_replies_telling_two_headlines_taken_down_leave_the_posts_own_headline(order: str) -> None:
    """A post titled T0 on X, then replies telling T1 and T2: once both replies are taken down
    (the post kept, published again), the record says the post tells T0, in whatever order
    they went, so that a reinstatement under T1 is told again."""
    record = Record("2026-11-21-tour", "twitter")
    done = {"phase": "done", "op": "x"}
    record.apply({**done, "action": "create", "remote_id": "p", "title": "T0", "hash": "h0"})
    for reply, title in (("r1", "T1"), ("r2", "T2")):
        record.apply(
            {**done, "action": "update", "remote_id": "p", "reply_id": reply, "title": title,
             "hash": f"h{title[1]}"}
        )  # fmt: skip
    assert (record.title, record.hash) == ("T2", "h2")
    replies = ["r1", "r2"] if order == "oldest first" else ["r2", "r1"]
    for reply in replies:
        record.apply({**done, "action": "withdraw", "remote_id": "p", "reply_id": reply})
    assert (record.title, record.hash) == ("T0", "h0")
