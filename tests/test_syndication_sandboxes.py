"""Syndication end to end: the build's manifest, the real client libraries (facebook-sdk,
tweepy, google-api-python-client) and the local sandboxes of the three APIs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import tweepy
from facebook import GraphAPIError
from googleapiclient.errors import HttpError
from invoke.context import Context
from invoke.exceptions import Exit
from werkzeug.wrappers import Request, Response

import tasks
from publishing.status import waiting
from sandboxes import Sandboxes
from sandboxes.youtube import YouTubeSandbox
from syndication import twitter as twitter_module
from syndication import youtube as youtube_module
from syndication.base import (
    AnswerLost,
    AuthError,
    PermanentError,
    RateLimited,
    RemotePost,
    TransientError,
)
from syndication.config import ConfigError, load_settings
from syndication.facebook import Facebook
from syndication.ledger import Ledger
from syndication.manifest import Entry, load_manifest
from syndication.posts import x_update_text_without_guidelines
from syndication.runner import UnknownPlatform, syndicate
from syndication.syndicate import Report, Syndicator
from syndication.text import twitter_text_length
from syndication.twitter import Twitter
from syndication.youtube import YouTube, next_quota_reset
from tests.conftest import SITEURL, Site, mp4
from tests.test_records import LEDGER_TYPE_IDS, LEDGER_TYPES, POSTED

VIDEO = mp4(media=bytes(range(256)) * 1200)  # 300 KiB: several resumable chunks at 256 KiB
CREDENTIAL = {
    "facebook": "FACEBOOK_PAGE_ID",
    "twitter": "TWITTER_API_KEY",
    "youtube": "YOUTUBE_CLIENT_ID",
}
CREATE_PATH = {"facebook": r"/feed$", "twitter": r"^/2/tweets$", "youtube": r"^/upload/"}


@pytest.fixture(autouse=True)
def small_upload_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(youtube_module, "CHUNK_SIZE", 256 * 1024)


class Run:
    """Build the site, then syndicate it against the sandboxes, keeping what was said."""

    def __init__(self, site: Site, sandboxes: Sandboxes) -> None:
        self.site, self.sandboxes = site, sandboxes
        self.records = site.root / "records"
        self.said: list[str] = []
        (site.content / "videos").mkdir(exist_ok=True)
        (site.content / "videos" / "tour.mp4").write_bytes(VIDEO)

    def env(self, **changes: str | None) -> dict[str, str]:
        env = {**self.sandboxes.env, "RECORDS_DIR": str(self.records)}
        for name, value in changes.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def __call__(self, dry_run: bool = False, **env: str | None) -> Report:
        self.site.build()
        return syndicate(
            self.site.output / "syndication.json",
            self.site.content,
            load_settings(self.env(**env)),
            dry_run=dry_run,
            say=self.said.append,
            max_wait=5,
            backoff=0.01,
        )

    def on(self, platform: str) -> Report:
        """A run with that platform's credentials only."""
        return self(False, **{name: None for p, name in CREDENTIAL.items() if p != platform})

    @property
    def ledger(self) -> Ledger:
        return Ledger.in_records(self.records)


@pytest.fixture
def run(site: Site, sandboxes: Sandboxes) -> Run:
    return Run(site, sandboxes)


def outcomes(report: Report) -> set[tuple[str, str, str]]:
    return {(r.platform, r.announcement, r.outcome) for r in report.results}


# When a withdrawal in these tests was made (`modified`, which a withdrawal requires): after
# each announcement's date, before a reinstatement's correction.
WITHDRAWN_AT = {"modified": "2026-11-22 10:00"}
# When `invoke status` is asked in these tests: after every run of them.
STATUS_AT = datetime.fromisoformat("2026-11-24T12:00:00-08:00")


def add_tour(site: Site, **fields: str) -> None:
    site.add(
        "2026-11-21-tour",
        **{
            "title": "Tour the new bridge deck",
            "date": "2026-11-21 09:00",
            "video": "videos/tour.mp4",
            **fields,
        },
    )


def withdraw_tour(site: Site, modified: str, correction: str | None = None) -> None:
    """The tour withdrawn (cancelled) at `modified`, with the correction it carried, if any."""
    fields = {"correction": correction} if correction else {}
    add_tour(
        site,
        modified=modified,
        status="withdrawn",
        withdrawn_reason="The tour is cancelled.",
        **fields,
    )


def killed(self: Ledger, *args: Any, **kwargs: Any) -> None:
    """Stands in for `Ledger.outcome`: the run dies after its remote call, before recording."""
    raise KeyboardInterrupt("the runner was killed")


@contextlib.contextmanager
def killed_before_recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What runs inside is killed after its first remote call, before the ledger records the
    outcome (the intent is written); afterwards the ledger records again."""
    with monkeypatch.context() as patched:
        patched.setattr(Ledger, "outcome", killed)
        with pytest.raises(KeyboardInterrupt):
            yield


@contextlib.contextmanager
def stopped_after_its_first_outcome(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What runs inside is stopped right after the ledger records its first outcome."""
    recorded = Ledger.outcome

    def stopped(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        recorded(self, *args, **kwargs)
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(Ledger, "outcome", stopped)
        with pytest.raises(KeyboardInterrupt):
            yield


@pytest.mark.parametrize(
    "address", ["https://scontent.xx.fbcdn.net/v/t39/a.jpg", "http://93.184.215.14/"]
)
def test_the_tests_never_reach_the_internet(address: str) -> None:
    """A link in test data left pointing at a real host fails at once, as unreachable, rather
    than reaching it wherever the network is up (tests/conftest.py); the sandboxes answer."""
    import requests

    with pytest.raises(requests.ConnectionError, match="tests never reach the internet"):
        requests.get(address, timeout=5)


def test_the_sandboxes_on_the_loopback_address_still_answer(sandboxes: Sandboxes) -> None:
    address = urlsplit(sandboxes.env["FACEBOOK_GRAPH_URL"])
    with socket.create_connection((address.hostname, address.port), timeout=5):
        pass


def test_a_new_announcement_is_posted_once_to_each_platform(run: Run, sandboxes: Sandboxes) -> None:
    add_tour(run.site)
    report = run()
    assert outcomes(report) == {
        ("facebook", "2026-11-21-tour", "created"),
        ("twitter", "2026-11-21-tour", "created"),
        ("youtube", "2026-11-21-tour", "created"),
    }
    url = "https://news.trail.ca/announcements/2026-11-21-tour.html"
    (post,) = sandboxes.facebook.posts.values()
    assert post["link"] == url and url in post["message"]
    (tweet,) = sandboxes.twitter.tweets.values()
    link = tweet["entities"]["urls"][-1]
    assert link["expanded_url"] == url  # as sent; the text shows its t.co, where X says
    assert tweet["text"][link["start"] : link["end"]] == link["url"] != url
    (video,) = sandboxes.youtube.videos.values()
    assert video["snippet"]["title"] == "Tour the new bridge deck" and video["size"] == len(VIDEO)
    assert url in video["snippet"]["description"]
    record = run.ledger.records()[("2026-11-21-tour", "twitter")]
    assert record.remote_id == tweet["id"] and (record.url or "").endswith(tweet["id"])

    again = run()
    assert again.results == []
    assert dict(again.unchanged) == {"facebook": 1, "twitter": 1, "youtube": 1}
    assert len(sandboxes.facebook.posts) == len(sandboxes.twitter.tweets) == 1
    assert len(sandboxes.youtube.videos) == 1
    assert "facebook" in run.said[-1] and "unchanged" in run.said[-1]  # the summary table


def test_a_correction_becomes_an_edit_a_reply_and_an_update(run: Run, sandboxes: Sandboxes) -> None:
    add_tour(run.site)
    run()
    add_tour(
        run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m., not 1 p.m."
    )
    report = run()
    assert outcomes(report) == {
        ("facebook", "2026-11-21-tour", "updated"),
        ("twitter", "2026-11-21-tour", "updated"),
        ("youtube", "2026-11-21-tour", "updated"),
    }
    (post,) = sandboxes.facebook.posts.values()
    assert post["message"].startswith("Correction: The tour starts at 2 p.m., not 1 p.m.")
    assert len(post["edits"]) == 1
    original, reply = sorted(sandboxes.twitter.tweets.values(), key=lambda t: t["id"])
    assert reply["referenced_tweets"] == [{"type": "replied_to", "id": original["id"]}]
    assert reply["text"].startswith("Update: The tour starts at 2 p.m., not 1 p.m.")
    (video,) = sandboxes.youtube.videos.values()
    assert video["snippet"]["description"].startswith("Correction: The tour starts at 2 p.m.")
    assert run().results == []


def test_the_citys_correction_reply_on_x_links_the_comment_guidelines(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Every social post links the comment guidelines (issue 3), a reply telling a correction
    too: residents answer it as they answer the post."""
    add_tour(run.site)
    run()
    add_tour(
        run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m., not 1 p.m."
    )
    run()
    original, reply = sorted(sandboxes.twitter.tweets.values(), key=lambda t: t["id"])
    assert reply["text"].startswith("Update: The tour starts at 2 p.m.")
    guidelines = "https://news.trail.ca/comment-guidelines.html"
    links = [u["expanded_url"] for u in original["entities"]["urls"]]
    assert guidelines in links
    reply_links = [u["expanded_url"] for u in reply["entities"]["urls"]]
    assert guidelines in reply_links, reply["text"]
    assert reply_links[-1] == "https://news.trail.ca/announcements/2026-11-21-tour.html"


def test_the_ledger_keeps_the_text_of_an_edited_post(run: Run, sandboxes: Sandboxes) -> None:
    add_tour(run.site)
    run(TWITTER_API_KEY=None)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    run(TWITTER_API_KEY=None)
    records = run.ledger.records()
    (post,) = sandboxes.facebook.posts.values()
    (video,) = sandboxes.youtube.videos.values()
    said = {
        "facebook": post["message"],
        "youtube": f"{video['snippet']['title']}\n\n{video['snippet']['description']}",
    }
    for platform, text in said.items():
        record = records[("2026-11-21-tour", platform)]
        assert record.text == text
        # Written ahead too: the intent says what the edit sends, as a create's does.
        update = [e for e in record.history if e["action"] == "update"]
        assert [(e["phase"], e["text"]) for e in update] == [("intent", text), ("done", text)]


def on_x(run: Run) -> Report:
    """A run with X's credentials only."""
    return run(FACEBOOK_PAGE_ID=None, YOUTUBE_CLIENT_ID=None)


def x_replies(sandboxes: Sandboxes) -> list[str]:
    return [t["text"] for t in sandboxes.twitter.tweets.values() if t.get("referenced_tweets")]


def test_each_correction_is_told_on_x_even_when_a_reply_first_fails(
    run: Run, sandboxes: Sandboxes
) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    on_x(run)
    add_tour(
        run.site,
        modified="2026-11-23 10:00",
        correction="[{date: 2026-11-22 10:00, note: The tour starts at 2 p.m.},"
        " {date: 2026-11-23 10:00, note: Meet at the north gate.}]",
    )
    # X answers the second reply with a 503 and does not post it. X may have posted it all
    # the same: the run never sends it again unseen, and the next run, not finding it, does.
    sandboxes.twitter.inject("server_error", method="POST", status=503)
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "failed")}
    assert outcomes(on_x(run)) == {("twitter", "2026-11-21-tour", "updated")}
    replies = x_replies(sandboxes)
    assert [r.split("\n")[0] for r in replies] == [
        "Update: The tour starts at 2 p.m.",
        "Update: Meet at the north gate.",
    ]
    assert on_x(run).results == []


TWO_CORRECTIONS = (
    "[{date: 2026-11-22 10:00, note: The tour starts at 2 p.m.},"
    " {date: 2026-11-23 10:00, note: Meet at the north gate.}]"
)


def test_corrections_and_a_headline_made_between_runs_are_each_told_on_x_in_order(
    run: Run, sandboxes: Sandboxes
) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(
        run.site,
        title="Tour the new bridge deck on Saturday",
        modified="2026-11-23 10:00",
        correction=TWO_CORRECTIONS,
    )
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "updated")}
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: The tour starts at 2 p.m.",
        "Update: Meet at the north gate.",
        "Update: Tour the new bridge deck on Saturday",
    ]
    assert on_x(run).results == []


def test_replies_held_back_by_the_daily_limit_are_told_by_the_next_run(
    run: Run, sandboxes: Sandboxes
) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-23 10:00", correction=TWO_CORRECTIONS)
    sandboxes.twitter.daily_post_limit = 2  # the post and one reply
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "deferred")}
    sandboxes.twitter.daily_post_limit = 10  # the 24 hours have passed
    assert outcomes(on_x(run)) == {("twitter", "2026-11-21-tour", "updated")}
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: The tour starts at 2 p.m.",
        "Update: Meet at the north gate.",
    ]
    assert on_x(run).results == []


def test_corrections_made_before_the_x_post_went_out_are_told_there_as_replies(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Facebook's and YouTube's posts, made after the corrections, lead with them; X's post,
    held back by the daily limit till then, has no room for them: the run that posts it
    tells each after it, oldest first, as for any correction X was not told."""
    add_tour(run.site, modified="2026-11-23 10:00", correction=TWO_CORRECTIONS)
    sandboxes.twitter.daily_post_limit = 0
    run()
    (facebook,) = sandboxes.facebook.posts.values()
    assert facebook["message"].startswith("Correction: The tour starts at 2 p.m.")
    sandboxes.twitter.daily_post_limit = 10  # the 24 hours have passed
    assert outcomes(on_x(run)) == {("twitter", "2026-11-21-tour", "created")}
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: The tour starts at 2 p.m.",
        "Update: Meet at the north gate.",
    ]
    assert on_x(run).results == []


@pytest.mark.parametrize("held", ["failed", "deferred"])
def test_a_post_whose_correction_reply_did_not_go_out_is_reported_created_naming_it(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch, held: str
) -> None:
    """X's post went out, the reply telling a correction made before it did not (X failing
    just after the post, or its daily limit reached with it): the run says the post was
    created, naming it, and that the reply failed or was deferred, for the next run to send;
    not that the announcement's update failed, as if nothing were posted."""
    add_tour(run.site, modified="2026-11-23 10:00", correction="The tour starts at 2 p.m.")
    x = sandboxes.twitter
    if held == "deferred":
        x.daily_post_limit = 1  # the post, not its reply
    else:
        create = Twitter.create

        def create_then_fail(self: Twitter, entry: Entry) -> RemotePost:
            post = create(self, entry)
            x.inject("server_error", method="POST", status=503, times=4)  # every attempt
            return post

        monkeypatch.setattr(Twitter, "create", create_then_fail)
    report = on_x(run)
    (tweet,) = x.tweets
    (result,) = report.results
    assert (result.outcome, result.remote_id) == ("created", tweet), result
    (line,) = [said for said in run.said if said.startswith("twitter: ")]
    assert line.startswith(f"twitter: created 2026-11-21-tour {result.url} (post {tweet}); ")
    told = {"failed": "failed", "deferred": "was deferred"}[held]
    assert (
        f"the reply telling a correction made before it went out {told}, and the next run "
        "sends it: " in line
    ), line
    assert +report.counts()["twitter"] == {"created": 1, held: 1}  # the summary table
    assert report.failed == (held == "failed"), line

    x.daily_post_limit = 10  # the 24 hours have passed; X is answering again
    x.faults.clear()  # a reply answered 5xx is sent once a run: the attempts left unused
    monkeypatch.undo()
    assert outcomes(on_x(run)) == {("twitter", "2026-11-21-tour", "updated")}
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == ["Update: The tour starts at 2 p.m."]


def test_a_correction_told_on_x_before_a_withdrawal_is_told_again_once_it_is_reinstated(
    run: Run, sandboxes: Sandboxes
) -> None:
    """The withdrawal took the post down with its "Update: …" reply. Published again, the new
    post has no correction in it, as no X post has: the reply tells it again (X refuses only
    a reply repeating one still up)."""
    correction = "The tour starts at 2 p.m."
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction=correction)
    on_x(run)
    withdrawn = {"status": "withdrawn", "withdrawn_reason": "Cancelled."}
    add_tour(run.site, modified="2026-11-22 12:00", correction=correction, **withdrawn)
    on_x(run)
    assert sandboxes.twitter.tweets == {}
    add_tour(run.site, modified="2026-11-23 10:00", correction=correction)
    assert outcomes(on_x(run)) == {("twitter", "2026-11-21-tour", "created")}
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [f"Update: {correction}"]
    assert on_x(run).results == []


def test_a_crash_between_replies_on_x_neither_repeats_nor_loses_one(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(
        run.site,
        title="Tour the new bridge deck on Saturday",
        modified="2026-11-23 10:00",
        correction=TWO_CORRECTIONS,
    )
    with killed_before_recording(monkeypatch):
        on_x(run)  # the first reply is on X, the ledger never heard
    assert len(x_replies(sandboxes)) == 1
    report = on_x(run)
    assert not report.failed, report.results
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: The tour starts at 2 p.m.",
        "Update: Meet at the north gate.",
        "Update: Tour the new bridge deck on Saturday",
    ]
    assert on_x(run).results == []


def a_correction_replied_unrecorded(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tour on X, corrected, and the run that posts the correction's reply killed before
    the ledger records it: the reply is on X, the ledger never heard."""
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    with killed_before_recording(monkeypatch):
        on_x(run)


def test_a_reply_sent_before_replies_linked_the_guidelines_is_recognised_on_x(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reply the earlier code sent (without the guidelines) and never recorded, its run
    killed: the next run finds it and records it as sent, rather than telling it again."""
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    with monkeypatch.context() as earlier:
        earlier.setattr(
            twitter_module,
            "x_update_text",
            lambda note, url, _guidelines: x_update_text_without_guidelines(note, url),
        )
        with killed_before_recording(monkeypatch):
            on_x(run)
    (reply,) = x_replies(sandboxes)
    assert "Comment guidelines" not in reply
    assert not on_x(run).failed
    assert x_replies(sandboxes) == [reply]
    record = run.ledger.records()[("2026-11-21-tour", "twitter")]
    url = f"{SITEURL}/announcements/2026-11-21-tour.html"
    assert record.reply_texts == [f"Update: The tour starts at 2 p.m.\n{url}"]
    assert on_x(run).results == []


def test_a_reply_left_unrecorded_by_a_crash_is_not_taken_for_a_newer_correction(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_correction_replied_unrecorded(run, monkeypatch)
    add_tour(
        run.site,
        modified="2026-11-23 10:00",
        correction="[{date: 2026-11-22 10:00, note: The tour starts at 2 p.m.},"
        " {date: 2026-11-23 10:00, note: Meet at the north gate.}]",
    )
    on_x(run)
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: The tour starts at 2 p.m.",
        "Update: Meet at the north gate.",
    ]
    assert on_x(run).results == []


def test_a_correction_written_over_the_earlier_one_is_told_on_x(
    run: Run, sandboxes: Sandboxes
) -> None:
    """`correction:` as one note (dated by `modified`), a second correction written in its
    place: Facebook's message shows the new note, and X gets a reply telling it."""
    run.site.add("2026-11-20-flushing")
    run()
    run.site.add(
        "2026-11-20-flushing",
        modified="2026-11-21 10:00",
        correction="Flushing starts Nov. 30, not Nov. 29.",
    )
    run()
    run.site.add(
        "2026-11-20-flushing",
        modified="2026-11-22 10:00",
        correction="Flushing is in West Glenmerry only, not all of Glenmerry.",
    )
    run()
    (post,) = sandboxes.facebook.posts.values()
    assert post["message"].startswith("Correction: Flushing is in West Glenmerry only")
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: Flushing starts Nov. 30, not Nov. 29.",
        "Update: Flushing is in West Glenmerry only, not all of Glenmerry.",
    ]
    assert run().results == []


def test_an_edit_with_nothing_new_to_tell_posts_no_reply_on_x(
    run: Run, sandboxes: Sandboxes
) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    on_x(run)
    # A typo fixed in the summary: the page shows it; X has no new correction to reply with
    # (and refuses a reply that repeats the last one).
    add_tour(
        run.site,
        modified="2026-11-22 11:00",
        correction="The tour starts at 2 p.m.",
        summary="Walk the new bridge deck with the project engineer, weather permitting.",
    )
    report = on_x(run)
    assert not report.failed
    # Nothing was sent: said so, not "updated" (the ledger has the post in step all the same).
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "unchanged")}
    assert report.counts()["twitter"]["updated"] == 0
    assert len(x_replies(sandboxes)) == 1
    assert on_x(run).results == []


def test_a_new_headline_is_told_once_on_x(run: Run, sandboxes: Sandboxes) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, title="Tour the new bridge deck on Saturday")
    on_x(run)
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: Tour the new bridge deck on Saturday"
    ]
    assert on_x(run).results == []


def test_a_withdrawal_removes_the_posts_and_keeps_the_record(
    run: Run, sandboxes: Sandboxes
) -> None:
    add_tour(run.site)
    run()
    add_tour(
        run.site, status="withdrawn", withdrawn_reason="The tour is cancelled.", **WITHDRAWN_AT
    )
    report = run()
    assert {o for _, _, o in outcomes(report)} == {"withdrawn"}
    assert sandboxes.facebook.posts == {} and len(sandboxes.facebook.deleted) == 1
    assert sandboxes.twitter.tweets == {} and len(sandboxes.twitter.deleted) == 1
    (video,) = sandboxes.youtube.videos.values()
    assert video["status"]["privacyStatus"] == "private"
    record = run.ledger.records()[("2026-11-21-tour", "facebook")]
    assert record.withdrawn and record.remote_id and record.text
    assert run().results == []


def test_posts_of_an_announcement_set_back_to_draft_are_reported_until_it_is_withdrawn(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Posted, then set back to `status: draft`: its page leaves the site, and its posts link
    to a page that is not there. They are not taken down by themselves (a renamed or deleted
    file must not take posts down), nor left up in silence: each run fails naming them and
    what to do, and still does the rest of its work."""
    run.site.add("2026-11-20-flushing")
    run()
    run.site.add("2026-11-20-flushing", status="draft")
    run.site.add("2026-11-23-boil", title="Boil water advisory", date="2026-11-23 08:00")
    assert run(dry_run=True).failed
    assert any(line.startswith("twitter: failed 2026-11-20-flushing") for line in run.said)
    assert not any("in step with the site" in line for line in run.said), run.said
    run.said.clear()
    report = run()
    assert not (run.site.output / "announcements" / "2026-11-20-flushing.html").exists()
    assert outcomes(report) == {
        ("facebook", "2026-11-20-flushing", "failed"),
        ("twitter", "2026-11-20-flushing", "failed"),
        ("facebook", "2026-11-23-boil", "created"),
        ("twitter", "2026-11-23-boil", "created"),
    }
    assert len(sandboxes.facebook.posts) == len(sandboxes.twitter.tweets) == 2  # still up
    (tweet,) = [t for t in sandboxes.twitter.tweets.values() if "flushing" in t["text"]]
    (told,) = [line for line in run.said if line.startswith("twitter: failed 2026-11-20-flushing")]
    assert f"https://x.com/i/web/status/{tweet['id']}: no longer on the site" in told
    assert "`status: withdrawn`, a `withdrawn_reason` and `modified`" in told
    run.site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Set back to a draft.",
        **WITHDRAWN_AT,
    )
    report = run()
    assert not report.failed, run.said
    assert {o for _, a, o in outcomes(report) if a == "2026-11-20-flushing"} == {"withdrawn"}
    assert len(sandboxes.facebook.posts) == len(sandboxes.twitter.tweets) == 1


def test_a_post_on_a_platform_taken_out_of_syndicate_is_reported_until_it_is_put_back(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Posted to Facebook and X, then edited to `syndicate: [facebook]`: the X post stays up,
    no longer kept in step with the page. As for an announcement no longer on the site, it is
    not taken down by itself, nor left up in silence: each run (a dry run too) fails naming
    it, its link and what to do, and still does the rest of its work."""
    run.site.add("2026-11-20-flushing")
    run()
    run.site.add("2026-11-20-flushing", syndicate="[facebook]", summary="Now from Nov. 30.")
    assert run(dry_run=True).failed
    assert not any("in step with the site" in line for line in run.said), run.said
    run.said.clear()
    report = run()
    assert outcomes(report) == {
        ("facebook", "2026-11-20-flushing", "updated"),
        ("twitter", "2026-11-20-flushing", "failed"),
    }
    assert len(sandboxes.twitter.tweets) == 1  # still up
    (tweet,) = sandboxes.twitter.tweets
    (told,) = [line for line in run.said if line.startswith("twitter: failed 2026-11-20-flushing")]
    assert f"https://x.com/i/web/status/{tweet}: no longer posted to twitter" in told
    assert "`status: withdrawn`, a `withdrawn_reason` and `modified`" in told
    assert "put twitter back in its `syndicate:`" in told
    run.site.add("2026-11-20-flushing", syndicate="[facebook, twitter]")
    assert not run().failed, run.said


def test_a_post_a_killed_run_left_unrecorded_is_reported_when_its_announcement_leaves_the_site(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Posted by a run killed before it recorded the post, then set back to a draft: the post
    is looked for, adopted and named like any post left up, in a dry run too, until the
    announcement is withdrawn, which takes it down."""
    run.site.add("2026-11-20-flushing")
    with killed_before_recording(monkeypatch):
        run.on("facebook")  # the post is up; the ledger has only its intent
    (post,) = sandboxes.facebook.posts
    run.site.add("2026-11-20-flushing", status="draft")
    assert run(dry_run=True).failed
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "failed")}, run.said
    (told,) = [r.error for r in report.results]
    assert told and told.startswith("no longer on the site")
    assert run.ledger.records()[("2026-11-20-flushing", "facebook")].remote_id == post
    run.site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Set back to a draft.",
        modified="2026-11-21 09:00",
    )
    assert not run.on("facebook").failed and sandboxes.facebook.posts == {}


def test_a_create_a_killed_run_never_sent_is_closed_when_its_announcement_leaves_the_site(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.site.add("2026-11-20-flushing")
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(Facebook, "create", killed)  # killed before the post is sent
        run.on("facebook")
    run.site.add("2026-11-20-flushing", status="draft")
    assert run.on("facebook").results == []
    assert run.ledger.records()[("2026-11-20-flushing", "facebook")].pending is None


def test_a_create_killed_before_it_was_sent_then_withdrawn_is_not_a_failure(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Withdrawn before its first post went out: the create left open is closed as called off
    (`cancelled`), not failed, so the records and `invoke status` show no failure."""
    run.site.add("2026-11-20-flushing")
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(Facebook, "create", killed)  # killed before the post is sent
        run.on("facebook")
    run.site.add(
        "2026-11-20-flushing", status="withdrawn", withdrawn_reason="In error.", **WITHDRAWN_AT
    )
    assert not run.on("facebook").failed and sandboxes.facebook.posts == {}
    record = run.ledger.records()[("2026-11-20-flushing", "facebook")]
    assert [e["phase"] for e in record.history] == ["intent", "cancelled"]
    assert waiting(run.site.content, run.records, STATUS_AT).failed == []


def edits_made(sandboxes: Sandboxes, platform: str) -> list[str]:
    """What the City's one post of the tour has said, oldest first, as the platform keeps it:
    each edit adds one."""
    if platform == "facebook":
        (post,) = sandboxes.facebook.posts.values()
        return [*(edit["message"] for edit in post["edits"]), post["message"]]
    (video,) = sandboxes.youtube.videos.values()
    snippets = [*video.get("history", []), video["snippet"]]
    return [f"{s['title']}\n\n{s['description']}" for s in snippets]


def update_lines(run: Run, platform: str) -> list[tuple[str, str | None, str | None]]:
    record = run.ledger.records()[("2026-11-21-tour", platform)]
    return [
        (e["phase"], e.get("text"), e.get("error"))
        for e in record.history
        if e["action"] == "update"
    ]


@pytest.mark.parametrize("platform", ["facebook", "youtube"])
def test_an_edit_a_killed_run_made_is_recorded_as_made_and_not_made_again(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    """The post was edited, the run killed before the ledger recorded it: the next run reads
    what the post says, finds the intent's text, and records the edit as done (the ledger is
    the City's record of what it published), never failed, nor made a second time."""
    add_tour(run.site)
    run.on(platform)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    with killed_before_recording(monkeypatch):
        run.on(platform)  # the post is edited; the ledger has only the edit's intent
    said = edits_made(sandboxes, platform)
    assert len(said) == 2 and said[-1].count("The tour starts at 2 p.m.") == 1
    report = run.on(platform)
    assert outcomes(report) == {(platform, "2026-11-21-tour", "adopted")}, run.said
    assert edits_made(sandboxes, platform) == said  # not edited again
    assert update_lines(run, platform) == [("intent", said[-1], None), ("done", said[-1], None)]
    assert run.ledger.records()[("2026-11-21-tour", platform)].text == said[-1]
    assert waiting(run.site.content, run.records, STATUS_AT).failed == []
    assert run.on(platform).results == []


@pytest.mark.parametrize("platform", ["facebook", "youtube"])
def test_an_edit_a_killed_run_made_then_corrected_again_is_recorded_then_edited(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    """Edited by a killed run, then corrected again: the edit made is recorded as done with
    what it sent, and the newer correction is edited in by the same run."""
    add_tour(run.site)
    run.on(platform)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    with killed_before_recording(monkeypatch):
        run.on(platform)
    first = edits_made(sandboxes, platform)[-1]
    add_tour(run.site, modified="2026-11-23 10:00", correction="The tour starts at 3 p.m.")
    report = run.on(platform)
    assert outcomes(report) == {(platform, "2026-11-21-tour", "updated")}, run.said
    said = edits_made(sandboxes, platform)
    assert len(said) == 3 and said[1] == first and "3 p.m." in said[2]
    assert update_lines(run, platform) == [
        ("intent", first, None),
        ("done", first, None),
        ("intent", said[2], None),
        ("done", said[2], None),
    ]


@pytest.mark.parametrize("platform", ["facebook", "youtube"])
def test_an_edit_a_killed_run_never_made_is_recorded_as_not_carried_out_and_made(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    """Killed before the edit reached the platform: the post does not say what the intent
    would send, so the intent is closed as not carried out, and the edit is made."""
    add_tour(run.site)
    run.on(platform)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    kind = Facebook if platform == "facebook" else YouTube
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(kind, "update", killed)  # killed before the edit is sent
        run.on(platform)
    assert len(edits_made(sandboxes, platform)) == 1
    report = run.on(platform)
    assert outcomes(report) == {(platform, "2026-11-21-tour", "updated")}, run.said
    said = edits_made(sandboxes, platform)
    assert len(said) == 2
    assert update_lines(run, platform) == [
        ("intent", said[-1], None),
        ("failed", None, "interrupted; not found on the platform"),
        ("intent", said[-1], None),
        ("done", said[-1], None),
    ]
    assert run.on(platform).results == []


def test_an_edit_a_killed_run_made_to_a_post_deleted_since_is_not_taken_as_made(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The post a killed run edited was deleted on Facebook since: nothing says the edit is
    there, so the intent is closed as not carried out, and the post is noted gone."""
    add_tour(run.site)
    run.on("facebook")
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    with killed_before_recording(monkeypatch):
        run.on("facebook")
    (post,) = sandboxes.facebook.posts
    sandboxes.facebook.delete_post(post)
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-21-tour", "gone")}, run.said
    phases = [(phase, error) for phase, _, error in update_lines(run, "facebook")]
    assert phases[:2] == [("intent", None), ("failed", "interrupted; not found on the platform")]
    assert run.ledger.records()[("2026-11-21-tour", "facebook")].pending is None


def test_a_post_removed_on_the_platform_itself_is_reported_not_updated_nor_reposted(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Deleted on facebook.com, not withdrawn, and noted `gone` by collect: a correction is
    not sent to it (Graph would answer "does not exist" on every run); the run says so, fails
    nothing and posts nothing. Withdrawing and reinstating the announcement posts it again."""
    from archive.collect import collect
    from archive.index import read_records

    run.site.add("2026-11-20-flushing")
    run.on("facebook")
    (post,) = sandboxes.facebook.posts
    with sandboxes.facebook.lock:
        sandboxes.facebook.deleted[post] = sandboxes.facebook.posts.pop(post)
    collect(load_settings(run.env()), run.site.content, say=lambda _: None)
    run.site.add("2026-11-20-flushing", modified="2026-11-22 10:00", correction="Moved a day.")
    for _ in range(2):
        report = run.on("facebook")
        assert outcomes(report) == {("facebook", "2026-11-20-flushing", "gone")}, run.said
        assert not report.failed and sandboxes.facebook.posts == {}
    assert "removed on Facebook outside this system" in (report.results[0].error or "")
    run.said.clear()
    run(dry_run=True)  # says what a run would say of it, not "nothing to do"
    assert any("removed on Facebook outside this system" in line for line in run.said), run.said
    now = datetime.fromisoformat("2026-11-23T12:00:00+00:00")
    (listed,) = waiting(run.site.content, run.records, now).gone
    assert listed.startswith(f"facebook: 2026-11-20-flushing {post}")
    assert "removed on Facebook outside this system" in listed  # named as the run names it
    assert any("no longer on" in r.text for r in read_records(run.records))
    run.site.add("2026-11-20-flushing", status="draft")
    assert not run.on("facebook").failed  # not left up: it is gone
    run.site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Removed on Facebook.",
        modified="2026-11-23 09:00",
    )
    assert not run.on("facebook").failed
    run.site.add("2026-11-20-flushing", modified="2026-11-24 09:00")  # reinstated
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "created")}, run.said
    assert len(sandboxes.facebook.posts) == 1


def test_an_x_post_deleted_on_x_itself_does_not_fail_every_run_once_corrected(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Deleted on x.com, not withdrawn: search still lists its replies, so collect cannot see
    it gone. The correction's reply is what X refuses (403, "You attempted to reply to a
    Tweet that is deleted…"): that run notes the post gone, as collect does elsewhere, and
    from then on it is reported, not failed."""
    from archive.collect import collect

    run.site.add("2026-11-20-flushing")
    run.on("twitter")
    (post,) = sandboxes.twitter.tweets
    with sandboxes.twitter.lock:
        sandboxes.twitter.deleted[post] = sandboxes.twitter.tweets.pop(post)
    collect(load_settings(run.env()), run.site.content, say=lambda _: None)
    run.site.add("2026-11-20-flushing", modified="2026-11-22 10:00", correction="Moved a day.")
    for _ in range(2):
        report = run.on("twitter")
        assert outcomes(report) == {("twitter", "2026-11-20-flushing", "gone")}, run.said
        assert not report.failed and sandboxes.twitter.tweets == {}
        assert "removed on X outside this system" in (report.results[0].error or "")
    gone = [e for e in run.ledger.events() if e["phase"] == "gone"]
    assert [e["remote_id"] for e in gone] == [post]  # noted once


def test_a_correction_refused_to_a_facebook_token_without_its_permissions_is_a_failure(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Graph answers "does not exist" to an edit from a Page token that lost its permissions,
    as to one of a deleted post. Asked about the Page's feed too, it does not answer either: the
    token is at fault, so the run fails naming it and the post is not noted gone (it would
    get no correction again); with the permissions given back, the correction goes out."""
    run.site.add("2026-11-20-flushing")
    run.on("facebook")
    (post,) = sandboxes.facebook.posts
    run.site.add("2026-11-20-flushing", modified="2026-11-22 10:00", correction="Moved a day.")
    sandboxes.facebook.revoke_permissions()
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "failed")}, run.said
    assert "FACEBOOK_PAGE_ACCESS_TOKEN" in (report.results[0].error or "")
    assert not [e for e in run.ledger.events() if e["phase"] == "gone"]
    sandboxes.facebook.revoke_permissions(False)
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "updated")}, run.said
    assert "Moved a day." in sandboxes.facebook.posts[post]["message"]


def test_a_withdrawal_refused_to_a_facebook_token_without_its_permissions_is_not_done(
    run: Run, sandboxes: Sandboxes
) -> None:
    """A withdrawal takes "does not exist" for a post already deleted: its goal is met. From a
    token that lost its permissions, Graph answers the deletion so too; the Page's feed does not
    answer it either, so the withdrawal is a failure, not done, and the post that is still up
    is taken down once the permissions are given back."""
    run.site.add("2026-11-20-flushing")
    run.on("facebook")
    run.site.add(
        "2026-11-20-flushing", status="withdrawn", withdrawn_reason="In error.", **WITHDRAWN_AT
    )
    sandboxes.facebook.revoke_permissions()
    report = run.on("facebook")
    assert report.failed and len(sandboxes.facebook.posts) == 1, run.said
    assert "FACEBOOK_PAGE_ACCESS_TOKEN" in (report.results[0].error or "")
    sandboxes.facebook.revoke_permissions(False)
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "withdrawn")}, run.said
    assert sandboxes.facebook.posts == {}


def test_a_facebook_token_without_its_permissions_is_told_by_the_pages_feed_not_its_id(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Graph answers a Page's public fields (its id) to almost any valid token, one without
    the Page's permissions too, so only what needs them tells such a token from a post that
    is gone: asked so, Graph's "does not exist" about the post is the token's fault."""
    run.site.add("2026-11-20-flushing")
    run.on("facebook")
    (post,) = sandboxes.facebook.posts
    page = sandboxes.facebook.page_id
    client = Facebook(load_settings(run.env()).platforms["facebook"])  # type: ignore[arg-type]
    sandboxes.facebook.revoke_permissions()
    assert client.graph.request(f"v24.0/{page}", {"fields": "id"}) == {"id": page}
    with pytest.raises(GraphAPIError) as refused:
        client.graph.request(f"v24.0/{page}/feed", {"fields": "id", "limit": 1})
    assert refused.value.code == 10 and "pages_read_engagement" in refused.value.message
    with pytest.raises(
        AuthError, match="check the permissions of FACEBOOK_PAGE_ACCESS_TOKEN"
    ) as told:
        client.post_gone(post)
    assert str(told.value).count("check the permissions of") == 1  # said once, not twice
    sandboxes.facebook.revoke_permissions(False)
    assert not Facebook(load_settings(run.env()).platforms["facebook"]).post_gone(post)  # type: ignore[arg-type]


def test_a_facebook_token_without_its_permissions_stops_facebook_naming_it(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Graph refuses a post to the Page's feed from a token without pages_manage_posts with
    its permission errors (10, 200), not as an expired token: every other post would be
    refused the same way, so Facebook stops at the first, naming the token to check."""
    for day in (20, 21):
        run.site.add(f"2026-11-{day}-item", title=f"Item {day}", date=f"2026-11-{day} 09:00")
    sandboxes.facebook.revoke_permissions()
    report = run.on("facebook")
    posts = ("POST", f"/v24.0/{sandboxes.facebook.page_id}/feed")
    assert [r for r in sandboxes.facebook.requests if r == posts] == [posts]
    assert sandboxes.facebook.posts == {}
    assert report.failed
    said = "\n".join(run.said)
    assert "renew FACEBOOK_PAGE_ACCESS_TOKEN" in said and "pages_manage_posts" in said, said


def test_a_withdrawal_takes_down_the_citys_update_replies_on_x_too(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Deleting a post on X leaves its replies public: the City's "Update: …" replies, which
    repeat the withdrawn news and link, go too. Nothing else is posted in their place."""
    retitled = "Water main flushing in Glenmerry and Sunningdale"
    run.site.add("2026-11-20-flushing")
    on_x(run)
    run.site.add("2026-11-20-flushing", title=retitled)
    on_x(run)
    assert len(x_replies(sandboxes)) == 1
    run.site.add(
        "2026-11-20-flushing",
        title=retitled,
        status="withdrawn",
        withdrawn_reason="The flushing is cancelled.",
        **WITHDRAWN_AT,
    )
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-20-flushing", "withdrawn")}
    assert sandboxes.twitter.tweets == {}
    assert on_x(run).results == []


def test_a_withdrawal_interrupted_between_its_deletions_resumes_without_error(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    on_x(run)
    withdraw_tour(
        run.site, "2026-11-23 10:00"
    )  # a day after the correction: a withdrawal dates itself (`modified`)
    with killed_before_recording(monkeypatch):
        on_x(run)  # the reply is deleted, the ledger never heard, the post is still up
    assert len(sandboxes.twitter.tweets) == 1
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "withdrawn")}, report.results
    assert not report.failed and sandboxes.twitter.tweets == {}
    assert len(sandboxes.twitter.deleted) == 2
    assert on_x(run).results == []


def withdrawal_stopped_after_its_first_deletion(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tour posted on X with a correction told in a reply, then withdrawn a day later:
    the run stopped once the reply's deletion is recorded, the post still up."""
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    on_x(run)
    withdraw_tour(run.site, "2026-11-23 10:00")
    with stopped_after_its_first_outcome(monkeypatch):
        on_x(run)


def test_a_withdrawal_stopped_after_its_first_deletion_was_recorded_carries_on(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """X's reply is deleted and recorded with the withdrawal's time before the post goes: a
    run stopped then left the post up, and the next run finishes the withdrawal (the ledger
    already has its time, which is not a withdrawal left undated)."""
    withdrawal_stopped_after_its_first_deletion(run, monkeypatch)
    assert len(sandboxes.twitter.tweets) == 1  # the reply is down, the post still up
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "withdrawn")}, report.results
    assert sandboxes.twitter.tweets == {}


def test_a_withdrawal_stopped_then_called_off_leaves_no_withdrawal_in_the_way(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped after its first deletion, then published again before the next run: once the
    post is in step, runs on that build find nothing to refuse (the withdrawal is over)."""
    withdrawal_stopped_after_its_first_deletion(run, monkeypatch)
    add_tour(  # published again, with news to tell: a reply, recorded at its time
        run.site,
        modified="2026-11-23 12:00",
        correction="[{date: 2026-11-22 10:00, note: The tour starts at 2 p.m.},"
        " {date: 2026-11-23 12:00, note: The tour goes ahead.}]",
    )
    report = on_x(run)
    assert not report.failed, report.results
    assert on_x(run).results == []
    assert any("The tour goes ahead." in t["text"] for t in sandboxes.twitter.tweets.values())


def test_a_reply_deleted_by_a_withdrawal_killed_before_recording_it_is_told_again_when_reinstated(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The withdrawal deleted X's reply telling the correction and was killed before the
    ledger heard, the post still up; the announcement was then reinstated. The next run
    finds the reply gone, records its deletion, and tells the correction again on the post."""
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    on_x(run)
    withdraw_tour(run.site, "2026-11-23 10:00", "The tour starts at 2 p.m.")
    with killed_before_recording(monkeypatch):
        on_x(run)  # the reply is deleted, the ledger never heard; the post still up
    assert x_replies(sandboxes) == [] and len(sandboxes.twitter.tweets) == 1
    add_tour(run.site, modified="2026-11-23 12:00", correction="The tour starts at 2 p.m.")
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "updated")}, report.results
    assert not report.failed
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == ["Update: The tour starts at 2 p.m."]
    record = run.ledger.records()[("2026-11-21-tour", "twitter")]
    assert record.pending is None and not record.withdrawn
    on_x_now = [i for i, t in sandboxes.twitter.tweets.items() if t.get("referenced_tweets")]
    assert record.replies_up == on_x_now
    assert on_x(run).results == []


def test_a_withdrawal_stopped_after_its_reply_went_tells_the_correction_again_when_reinstated(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reply's deletion recorded, the run stopped before the post went, then the
    announcement reinstated as it was: the post is kept, and the correction its deleted reply
    told is told again."""
    withdrawal_stopped_after_its_first_deletion(run, monkeypatch)
    add_tour(run.site, modified="2026-11-23 12:00", correction="The tour starts at 2 p.m.")
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "updated")}, report.results
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == ["Update: The tour starts at 2 p.m."]
    assert on_x(run).results == []


def test_a_headline_whose_reply_a_killed_withdrawal_deleted_is_told_again_when_reinstated(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for a correction: the reply telling a new headline was deleted by a withdrawal
    killed before recording it, the post still up; reinstated, the headline is told again."""
    add_tour(run.site)
    on_x(run)
    saturday = {"title": "Tour the new bridge deck on Saturday"}
    add_tour(run.site, **saturday, modified="2026-11-22 10:00")
    on_x(run)
    add_tour(
        run.site,
        **saturday,
        status="withdrawn",
        withdrawn_reason="The tour is cancelled.",
        modified="2026-11-23 10:00",
    )
    with killed_before_recording(monkeypatch):
        on_x(run)
    assert x_replies(sandboxes) == []
    add_tour(run.site, **saturday, modified="2026-11-23 12:00")
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "updated")}, report.results
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: Tour the new bridge deck on Saturday"
    ]
    assert on_x(run).results == []


def test_a_reply_a_withdrawal_killed_before_deleting_it_stays_when_reinstated(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The withdrawal was killed before X's reply was deleted, then the announcement was
    reinstated: the next run finds the reply still up, calls the deletion off, and sends
    nothing (the correction is told already)."""
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    on_x(run)
    withdraw_tour(run.site, "2026-11-23 10:00", "The tour starts at 2 p.m.")
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(Twitter, "withdraw", killed)  # killed before the delete is sent
        on_x(run)
    add_tour(run.site, modified="2026-11-23 12:00", correction="The tour starts at 2 p.m.")
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "unchanged")}, report.results
    assert not report.failed and not sandboxes.twitter.deleted
    assert len(x_replies(sandboxes)) == 1
    record = run.ledger.records()[("2026-11-21-tour", "twitter")]
    assert record.pending is None and len(record.replies_up) == 1
    assert on_x(run).results == []


def test_a_post_deleted_by_a_withdrawal_killed_before_recording_it_comes_back_when_reinstated(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The withdrawal deleted the post and was killed before the ledger heard; the
    announcement was then reinstated. The next run finds the post gone, records the
    withdrawal as done, and posts the announcement again."""
    run.site.add("2026-11-20-flushing")
    run.on("facebook")
    run.site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Posted by mistake.",
        modified="2026-11-21 09:00",
    )
    with killed_before_recording(monkeypatch):
        run.on("facebook")  # Facebook deleted the post; the ledger never heard
    assert sandboxes.facebook.posts == {}
    run.site.add("2026-11-20-flushing", modified="2026-11-22 09:00")  # reinstated
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "created")}, run.said
    assert not report.failed and len(sandboxes.facebook.posts) == 1
    assert run.on("facebook").results == []


def test_a_post_a_withdrawal_killed_before_deleting_it_stays_when_reinstated(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.site.add("2026-11-20-flushing")
    run.on("facebook")
    run.site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Posted by mistake.",
        modified="2026-11-21 09:00",
    )
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(Facebook, "withdraw", killed)  # killed before the delete is sent
        run.on("facebook")
    run.site.add("2026-11-20-flushing", modified="2026-11-22 09:00")  # reinstated
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "unchanged")}, run.said
    assert len(sandboxes.facebook.posts) == 1 and not sandboxes.facebook.deleted
    assert run.on("facebook").results == []


def test_a_reply_left_unrecorded_by_a_crash_is_taken_down_with_its_post(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_correction_replied_unrecorded(run, monkeypatch)
    withdraw_tour(run.site, "2026-11-22 10:00", "The tour starts at 2 p.m.")
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "withdrawn")}, report.results
    assert sandboxes.twitter.tweets == {}


def test_a_reply_left_unrecorded_is_found_by_what_it_said_once_its_correction_is_rewritten(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reply telling a correction is on X, unrecorded (its run killed), and the CEC then
    writes the correction over: the next run looks for the reply by the text its intent
    recorded, not by what the announcement says now, adopts it, and tells the new note in a
    reply of its own. The withdrawal then takes both down."""
    a_correction_replied_unrecorded(run, monkeypatch)
    add_tour(run.site, modified="2026-11-22 11:00", correction="The tour starts at 3 p.m.")
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "updated")}, report.results
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: The tour starts at 2 p.m.",
        "Update: The tour starts at 3 p.m.",
    ]
    record = run.ledger.records()[("2026-11-21-tour", "twitter")]
    on_x_now = [i for i, t in sandboxes.twitter.tweets.items() if t.get("referenced_tweets")]
    assert sorted(record.replies_up) == sorted(on_x_now)
    assert not [e for e in record.history if e["phase"] == "failed"]
    assert on_x(run).results == []
    withdraw_tour(run.site, "2026-11-23 10:00", "The tour starts at 3 p.m.")
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "withdrawn")}, report.results
    assert sandboxes.twitter.tweets == {}


def test_a_reply_left_unrecorded_is_found_by_what_it_said_once_the_headline_changes_again(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reply telling a new headline is on X, unrecorded; the headline changes again before
    the next run, which adopts the reply and tells the newer headline after it."""
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, title="Tour the new bridge deck on Saturday", modified="2026-11-22 10:00")
    with killed_before_recording(monkeypatch):
        on_x(run)
    add_tour(run.site, title="Tour the new bridge deck on Sunday", modified="2026-11-22 11:00")
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "updated")}, report.results
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: Tour the new bridge deck on Saturday",
        "Update: Tour the new bridge deck on Sunday",
    ]
    record = run.ledger.records()[("2026-11-21-tour", "twitter")]
    assert len(record.replies_up) == 2
    assert not [e for e in record.history if e["phase"] == "failed"]
    assert on_x(run).results == []


def withdrawn_by_older_code(run: Run, sandboxes: Sandboxes) -> str:
    """The tour, corrected on X by a reply, then withdrawn as the code before replies were
    taken down did it: the post deleted and recorded withdrawn, its reply left up. Returns
    the post's id."""
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    on_x(run)
    slug, ledger = "2026-11-21-tour", run.ledger
    post = ledger.records()[(slug, "twitter")].require_remote_id()
    operation = ledger.intend(slug, "twitter", "withdraw", remote_id=post)
    sandboxes.twitter.deleted[post] = sandboxes.twitter.tweets.pop(post)
    ledger.outcome(operation, slug, "twitter", "withdraw", "done", remote_id=post)
    withdraw_tour(run.site, "2026-11-22 10:00", "The tour starts at 2 p.m.")
    return post


def test_an_older_withdrawal_has_its_x_replies_taken_down(run: Run, sandboxes: Sandboxes) -> None:
    """A withdrawal recorded before the City's "Update: …" replies were deleted with their
    post left them public; the next run deletes them, and only them."""
    post = withdrawn_by_older_code(run, sandboxes)
    assert len(x_replies(sandboxes)) == 1
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "withdrawn")}, report.results
    assert x_replies(sandboxes) == [] and not report.failed
    record = run.ledger.records()[("2026-11-21-tour", "twitter")]
    assert record.withdrawn and record.replies_up == []
    taken_down = [e for e in record.history if e["action"] == "withdraw"]
    assert [e.get("reply_id") for e in taken_down[2:]] == record.replies * 2  # intent, done
    assert all(e["remote_id"] == post for e in taken_down)
    assert on_x(run).results == []


def test_an_older_withdrawal_interrupted_while_its_replies_go_resumes(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    withdrawn_by_older_code(run, sandboxes)
    with killed_before_recording(monkeypatch):
        on_x(run)  # the reply is deleted, the ledger never heard
    assert x_replies(sandboxes) == []
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "withdrawn")}, report.results
    assert not report.failed
    assert run.ledger.records()[("2026-11-21-tour", "twitter")].replies_up == []
    assert on_x(run).results == []


def test_a_crash_after_the_remote_write_does_not_duplicate(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.site.add("2026-11-20-flushing")
    with killed_before_recording(monkeypatch):
        run(TWITTER_API_KEY=None)  # Facebook only, so the crash is deterministic
    assert len(sandboxes.facebook.posts) == 1
    assert run.ledger.records()[("2026-11-20-flushing", "facebook")].pending is not None

    report = run()
    assert outcomes(report) == {
        ("facebook", "2026-11-20-flushing", "adopted"),
        ("twitter", "2026-11-20-flushing", "created"),
    }
    assert len(sandboxes.facebook.posts) == 1
    assert run().results == []


RESCHEDULED = f"{SITEURL}/announcements/2026-11-22-flushing-rescheduled.html"


def posts_on(sandboxes: Sandboxes, platform: str) -> dict[str, dict[str, Any]]:
    """What the platform's sandbox holds: the Page's posts, the tweets or the videos."""
    return {
        "facebook": sandboxes.facebook.posts,
        "twitter": sandboxes.twitter.tweets,
        "youtube": sandboxes.youtube.videos,
    }[platform]


@pytest.mark.parametrize("platform", ["facebook", "youtube"])
def test_a_5xx_on_create_does_not_adopt_another_post_that_mentions_the_url(
    run: Run, sandboxes: Sandboxes, platform: str
) -> None:
    video = {"video": "videos/tour.mp4"}
    run.site.add("2026-11-20-flushing", **video)
    run.on(platform)
    # The older notice is corrected to point at a new one, published the same day.
    run.site.add(
        "2026-11-20-flushing",
        modified="2026-11-22 10:00",
        correction=f'"The dates have moved; see {RESCHEDULED}"',
        **video,
    )
    run.site.add(
        "2026-11-22-flushing-rescheduled",
        title="Water main flushing rescheduled",
        date="2026-11-22 09:00",
        **video,
    )
    # The platform answers the new post with a 503 and does not create it. It may have all
    # the same: the run looks, never adopting the older post, and (YouTube's upload session
    # opened again, which makes no video) creates it, on Facebook once the next run looked.
    getattr(sandboxes, platform).inject(
        "server_error", method="POST", path=CREATE_PATH[platform], status=503
    )
    report = run.on(platform)
    if platform == "facebook":
        assert outcomes(report) == {
            (platform, "2026-11-20-flushing", "updated"),
            (platform, "2026-11-22-flushing-rescheduled", "failed"),
        }
        assert len(posts_on(sandboxes, platform)) == 1
        report = run.on(platform)
        assert outcomes(report) == {(platform, "2026-11-22-flushing-rescheduled", "created")}
    else:
        assert outcomes(report) == {
            (platform, "2026-11-20-flushing", "updated"),
            (platform, "2026-11-22-flushing-rescheduled", "created"),
        }
    records = run.ledger.records()
    new = records[("2026-11-22-flushing-rescheduled", platform)].remote_id
    assert new != records[("2026-11-20-flushing", platform)].remote_id
    assert new in posts_on(sandboxes, platform) and len(posts_on(sandboxes, platform)) == 2


def test_a_5xx_on_create_does_not_adopt_an_earlier_x_post_that_carries_the_url(
    run: Run, sandboxes: Sandboxes
) -> None:
    run.site.add(
        "2026-11-20-flushing", summary=f'"Crews flush water mains. New dates: {RESCHEDULED}"'
    )
    on_x(run)
    run.site.add(
        "2026-11-22-flushing-rescheduled",
        title="Water main flushing rescheduled",
        date="2026-11-22 09:00",
    )
    sandboxes.twitter.inject("server_error", method="POST", path=CREATE_PATH["twitter"], status=503)
    # Looked for, not found (the earlier post is not it): sent by the next run, not this one.
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-22-flushing-rescheduled", "failed")}
    assert len(sandboxes.twitter.tweets) == 1
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-22-flushing-rescheduled", "created")}
    new = run.ledger.records()[("2026-11-22-flushing-rescheduled", "twitter")].remote_id
    assert new in sandboxes.twitter.tweets and len(sandboxes.twitter.tweets) == 2


def test_a_residents_post_on_the_page_sharing_the_link_is_not_taken_for_the_citys(
    run: Run, sandboxes: Sandboxes
) -> None:
    run.site.add("2026-11-20-flushing")
    url = f"{SITEURL}/announcements/2026-11-20-flushing.html"
    sandboxes.facebook.add_visitor_post("Heads up, Glenmerry!", link=url)
    sandboxes.facebook.inject(
        "server_error", method="POST", path=CREATE_PATH["facebook"], status=503
    )
    # Looked for, not found (the resident's post is not it): sent by the next run.
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "failed")}
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "created")}
    posted = run.ledger.records()[("2026-11-20-flushing", "facebook")].require_remote_id()
    assert sandboxes.facebook.posts[posted]["from"]["id"] == sandboxes.facebook.page_id


def test_a_correction_made_after_a_crash_reaches_the_post_in_the_recovering_run(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.site.add("2026-11-20-flushing")
    with killed_before_recording(monkeypatch):
        run(TWITTER_API_KEY=None, YOUTUBE_CLIENT_ID=None)  # posted; the ledger never heard
    run.site.add(
        "2026-11-20-flushing", modified="2026-11-21 10:00", correction="Flushing starts Dec. 1."
    )
    report = run(TWITTER_API_KEY=None, YOUTUBE_CLIENT_ID=None)
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "updated")}
    (post,) = sandboxes.facebook.posts.values()
    assert post["message"].startswith("Correction: Flushing starts Dec. 1.")
    assert run(TWITTER_API_KEY=None, YOUTUBE_CLIENT_ID=None).results == []


def test_a_dropped_response_after_the_write_does_not_duplicate(
    run: Run, sandboxes: Sandboxes
) -> None:
    run.site.add("2026-11-20-flushing")
    sandboxes.facebook.inject("drop_after_write", method="POST")
    sandboxes.twitter.inject("drop_after_write", method="POST")
    report = run()
    assert {o for _, _, o in outcomes(report)} == {"created"}
    assert len(sandboxes.facebook.posts) == 1 and len(sandboxes.twitter.tweets) == 1


def test_a_post_whose_answer_was_lost_is_looked_for_again_by_the_next_run(
    run: Run, sandboxes: Sandboxes
) -> None:
    run.site.add("2026-11-20-flushing")
    # The write lands but its answer is lost, and the Page's feed is down while the run
    # looks for it: the run cannot tell whether the post is there.
    sandboxes.facebook.inject("drop_after_write", method="POST")
    sandboxes.facebook.inject("server_error", method="GET", times=4, status=503)
    first = run(TWITTER_API_KEY=None, YOUTUBE_CLIENT_ID=None)
    assert outcomes(first) == {("facebook", "2026-11-20-flushing", "failed")}
    assert len(sandboxes.facebook.posts) == 1
    second = run(TWITTER_API_KEY=None, YOUTUBE_CLIENT_ID=None)
    assert outcomes(second) == {("facebook", "2026-11-20-flushing", "adopted")}
    assert len(sandboxes.facebook.posts) == 1


def facebook_creates(run: Run) -> list[tuple[str, bool]]:
    """The ledger's lines for the flushing notice's Facebook post: phase, whether uncertain."""
    return [
        (e["phase"], bool(e.get("uncertain")))
        for e in run.ledger.events()
        if e["platform"] == "facebook" and e["action"] == "create"
    ]


@pytest.mark.parametrize("content_type", ["text/html", None], ids=["html", "unlabelled"])
def test_a_post_made_but_answered_by_a_page_not_json_is_found_not_posted_again(
    run: Run, sandboxes: Sandboxes, content_type: str | None
) -> None:
    """Graph makes the post, but a proxy answers its page (200, HTML or with no Content-Type)
    in Graph's answer's place: the post may be there, so the run looks for it, finds it and
    records it, never posting it again."""
    run.site.add("2026-11-20-flushing")
    sandboxes.facebook.inject(
        "not_json_after_write", method="POST", path=r"/feed$", content_type=content_type
    )
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "created")}, report.results
    (post,) = sandboxes.facebook.posts
    assert run.ledger.records()[("2026-11-20-flushing", "facebook")].remote_id == post
    assert run.on("facebook").results == []
    assert list(sandboxes.facebook.posts) == [post]


def test_a_post_answered_by_a_page_not_json_is_uncertain_and_posted_once_by_the_next_run(
    run: Run, sandboxes: Sandboxes
) -> None:
    """A proxy answers its page (200, HTML) to the post, which Graph never saw: the run cannot
    tell, so it never posts again but leaves the post uncertain; the next run looks, finds
    nothing, and posts it once."""
    run.site.add("2026-11-20-flushing")
    sandboxes.facebook.inject("not_json", method="POST", path=r"/feed$")
    first = run.on("facebook")
    assert outcomes(first) == {("facebook", "2026-11-20-flushing", "failed")}
    (failed,) = first.results
    assert "may be there all the same" in (failed.error or "")
    assert facebook_creates(run) == [("intent", False), ("failed", True)]
    assert sandboxes.facebook.posts == {}
    feed = f"/v24.0/{sandboxes.facebook.page_id}/feed"
    assert sandboxes.facebook.requests.count(("POST", feed)) == 1  # never sent again
    second = run.on("facebook")
    assert outcomes(second) == {("facebook", "2026-11-20-flushing", "created")}
    (post,) = sandboxes.facebook.posts
    assert run.ledger.records()[("2026-11-20-flushing", "facebook")].remote_id == post


def test_an_edit_or_deletion_answered_by_a_page_not_json_is_an_answer_lost(
    run: Run, sandboxes: Sandboxes
) -> None:
    """An edit or a deletion answered 200 with a page may have been carried out, as this one
    was: lost, as a dropped answer is, not refused."""
    run.site.add("2026-11-20-flushing")
    run.on("facebook")
    (post,) = sandboxes.facebook.posts
    run.site.add(
        "2026-11-20-flushing", modified="2026-11-21 10:00", correction="Flushing starts Dec. 1."
    )
    run.site.build()
    (entry,) = load_manifest(run.site.output / "syndication.json").entries
    record = run.ledger.records()[("2026-11-20-flushing", "facebook")]
    client = Facebook(load_settings(run.env()).platforms["facebook"])  # type: ignore[arg-type]
    sandboxes.facebook.inject("not_json_after_write", method="POST", path=post)
    with pytest.raises(AnswerLost, match=r"HTTP 200"):
        client.update(entry, record)
    assert sandboxes.facebook.posts[post]["message"].startswith("Correction: Flushing starts")
    sandboxes.facebook.inject("not_json_after_write", method="DELETE", path=post)
    with pytest.raises(AnswerLost, match=r"HTTP 200"):
        client.withdraw(post)
    assert sandboxes.facebook.posts == {}


@pytest.mark.parametrize("content_type", ["text/html", "application/json"])
def test_a_read_answered_by_a_page_not_json_is_refused_as_before(
    run: Run, sandboxes: Sandboxes, content_type: str
) -> None:
    """A read answered 200 with a page wrote nothing: it fails as refused, not as lost, also
    when the page says it is JSON (requests counts that among its network errors)."""
    run.site.add("2026-11-20-flushing")
    run.on("facebook")
    (post,) = sandboxes.facebook.posts
    client = Facebook(load_settings(run.env()).platforms["facebook"])  # type: ignore[arg-type]
    sandboxes.facebook.inject("not_json", method="GET", content_type=content_type)
    with pytest.raises(PermanentError, match=r"unreadable response \(HTTP 200\)"):
        client.comments(post)


@pytest.mark.parametrize(
    ("status", "error"), [(429, RateLimited), (502, TransientError), (403, PermanentError)]
)
def test_a_proxys_page_answering_with_an_error_status_is_read_by_its_status(
    run: Run, sandboxes: Sandboxes, status: int, error: type[Exception]
) -> None:
    """A proxy's own page (HTML) with an error status says what its status says: wait on a
    429, try again later on a 5xx, refused otherwise; to a write too, but for a 5xx, after
    which Graph may have carried the write out (a 2xx or 5xx page to a write is lost)."""
    run.site.add("2026-11-20-flushing")
    run.on("facebook")
    (post,) = sandboxes.facebook.posts
    client = Facebook(load_settings(run.env()).platforms["facebook"])  # type: ignore[arg-type]
    for method, call in (
        ("GET", lambda: client.comments(post)),
        ("DELETE", lambda: client.withdraw(post)),
    ):
        sandboxes.facebook.inject("not_json", method=method, status=status)
        lost = method != "GET" and status >= 500
        said = rf"unreadable response \(HTTP {status}\)" + (" to a write$" if lost else "$")
        with pytest.raises(error, match=said) as raised:
            call()
        assert isinstance(raised.value, AnswerLost) == lost
    assert list(sandboxes.facebook.posts) == [post]


def test_a_write_answered_by_a_page_labelled_json_is_an_answer_lost(
    run: Run, sandboxes: Sandboxes
) -> None:
    """A post answered 200 with a page labelled JSON that is not: lost, named unreadable (not
    a network error), and found by the same run once Graph made it."""
    run.site.add("2026-11-20-flushing")
    sandboxes.facebook.inject(
        "not_json_after_write", method="POST", path=r"/feed$", content_type="application/json"
    )
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "created")}, report.results
    client = Facebook(load_settings(run.env()).platforms["facebook"])  # type: ignore[arg-type]
    (post,) = sandboxes.facebook.posts
    sandboxes.facebook.inject(
        "not_json_after_write", method="DELETE", path=post, content_type="application/json"
    )
    with pytest.raises(AnswerLost, match=r"unreadable response \(HTTP 200\) to a write"):
        client.withdraw(post)


# A write the platform carried out, answered 5xx all the same: a gateway's page in the API's
# answer's place, or the platform's own error (Graph's code 2, X's 503). The post then shows
# in the feed (or timeline) only an hour later.
FIVE_XX_AFTER_WRITE = {
    "gateway page": ("not_json_after_write", {"status": 502}),
    "gateway timeout": ("not_json_after_write", {"status": 504}),
    "own error": ("server_error_after_write", {"status": 500}),
    "unavailable": ("server_error_after_write", {"status": 503}),
}
LAG = {"lag": 3600}


@pytest.mark.parametrize("answer", FIVE_XX_AFTER_WRITE.values(), ids=FIVE_XX_AFTER_WRITE)
@pytest.mark.parametrize("platform", ["facebook", "twitter"])
def test_a_post_made_but_answered_5xx_is_never_posted_again(
    run: Run, sandboxes: Sandboxes, platform: str, answer: tuple[str, dict[str, int]]
) -> None:
    """The platform makes the post and answers 5xx, and its feed is slow to show it: the
    answer is lost, so the run never sends the post again (which would post it twice) but
    leaves it uncertain; the next run, once the post shows, finds it and records it."""
    run.site.add("2026-11-20-flushing")
    kind, params = answer
    sandbox = getattr(sandboxes, platform)
    sandbox.inject(kind, method="POST", path=CREATE_PATH[platform], **params, **LAG)
    first = run.on(platform)
    assert outcomes(first) == {(platform, "2026-11-20-flushing", "failed")}, first.results
    (failed,) = first.results
    assert f"HTTP {params['status']}" in (failed.error or "")
    assert "may be there all the same" in (failed.error or "")
    posted = [path for method, path in sandbox.requests if method == "POST"]
    assert len(posted) == 1  # never sent again
    (post,) = posts_on(sandboxes, platform)
    sandbox.pass_time(timedelta(hours=2))  # the feed shows it now
    second = run.on(platform)
    assert outcomes(second) == {(platform, "2026-11-20-flushing", "adopted")}, second.results
    assert list(posts_on(sandboxes, platform)) == [post]
    assert run.ledger.records()[("2026-11-20-flushing", platform)].remote_id == post
    assert run.on(platform).results == []
    assert list(posts_on(sandboxes, platform)) == [post]


@pytest.mark.parametrize("answer", FIVE_XX_AFTER_WRITE.values(), ids=FIVE_XX_AFTER_WRITE)
def test_an_upload_whose_last_chunk_made_the_video_but_was_answered_5xx_is_one_video(
    run: Run, sandboxes: Sandboxes, answer: tuple[str, dict[str, int]]
) -> None:
    """The last chunk makes the video and is answered 5xx, the channel's uploads slow to show
    it: resumable by protocol, the upload asks its session, which answers with the video it
    made. One video, recorded in the same run; the next run has nothing to do."""
    add_tour(run.site)
    kind, params = answer
    sandboxes.youtube.inject(kind, method="PUT", path="/upload/", after=1, **params, **LAG)
    report = run.on("youtube")
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}, report.results
    (video,) = sandboxes.youtube.videos
    assert run.ledger.records()[("2026-11-21-tour", "youtube")].remote_id == video
    sandboxes.youtube.pass_time(timedelta(hours=2))
    assert run.on("youtube").results == []
    assert list(sandboxes.youtube.videos) == [video]


@pytest.mark.parametrize("answer", FIVE_XX_AFTER_WRITE.values(), ids=FIVE_XX_AFTER_WRITE)
def test_an_x_correction_reply_made_but_answered_5xx_is_never_sent_again(
    run: Run, sandboxes: Sandboxes, answer: tuple[str, dict[str, int]]
) -> None:
    """X posts the correction's reply and answers 5xx, its timeline slow to show it: the
    reply is not sent again in the run; the next run finds it and records it."""
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    kind, params = answer
    sandboxes.twitter.inject(kind, method="POST", path=CREATE_PATH["twitter"], **params, **LAG)
    first = on_x(run)
    assert outcomes(first) == {("twitter", "2026-11-21-tour", "failed")}, first.results
    assert sandboxes.twitter.requests.count(("POST", "/2/tweets")) == 2  # the post, the reply
    assert len(x_replies(sandboxes)) == 1
    sandboxes.twitter.pass_time(timedelta(hours=2))
    second = on_x(run)
    assert outcomes(second) == {("twitter", "2026-11-21-tour", "adopted")}, second.results
    assert len(x_replies(sandboxes)) == 1
    assert on_x(run).results == []
    assert len(x_replies(sandboxes)) == 1


def test_an_edit_or_withdrawal_answered_5xx_is_an_answer_lost_on_each_platform(
    run: Run, sandboxes: Sandboxes
) -> None:
    """An edit or a withdrawal answered 5xx, by a gateway's page or the platform's own error,
    may have been carried out (as these were): lost, naming the platform and the status."""
    add_tour(run.site)
    run()
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    run.site.build()
    (entry,) = load_manifest(run.site.output / "syndication.json").entries
    settings = load_settings(run.env())
    records = run.ledger.records()
    facebook = Facebook(settings.platforms["facebook"])  # type: ignore[arg-type]
    youtube = YouTube(settings.platforms["youtube"], run.site.content)  # type: ignore[arg-type]
    twitter = Twitter(settings.platforms["twitter"])  # type: ignore[arg-type]
    post = records[("2026-11-21-tour", "facebook")].require_remote_id()
    video = records[("2026-11-21-tour", "youtube")].require_remote_id()
    tweet = records[("2026-11-21-tour", "twitter")].require_remote_id()
    for kind, params in FIVE_XX_AFTER_WRITE.values():
        status = rf"HTTP {params['status']}\b"
        sandboxes.facebook.inject(kind, method="POST", path=post, **params)
        with pytest.raises(AnswerLost, match=rf"^Facebook.*{status}"):
            facebook.update(entry, records[("2026-11-21-tour", "facebook")])
        sandboxes.youtube.inject(kind, method="PUT", path=r"^/youtube/v3/videos$", **params)
        with pytest.raises(AnswerLost, match=rf"^YouTube.*{status}"):
            youtube.update(entry, records[("2026-11-21-tour", "youtube")])
        sandboxes.twitter.inject(kind, method="PUT", path="/hidden$", **params)
        with pytest.raises(AnswerLost, match=rf"^X.*{status}"):
            twitter.hide_comment(sandboxes.twitter.add_reply(tweet, f"Reply {kind}"), True)
    assert sandboxes.facebook.posts[post]["message"].startswith("Correction: The tour starts")
    assert sandboxes.youtube.videos[video]["snippet"]["description"].startswith("Correction")
    sandboxes.facebook.inject("server_error_after_write", method="DELETE", path=post)
    with pytest.raises(AnswerLost, match=r"HTTP 500"):
        facebook.withdraw(post)
    sandboxes.twitter.inject("not_json_after_write", method="DELETE", path=tweet, status=502)
    with pytest.raises(AnswerLost, match=r"HTTP 502"):
        twitter.withdraw(tweet)
    sandboxes.youtube.inject("server_error_after_write", method="PUT", path=r"videos$")
    with pytest.raises(AnswerLost, match=r"HTTP 503"):
        youtube.withdraw(video)
    assert post not in sandboxes.facebook.posts and tweet not in sandboxes.twitter.tweets
    assert sandboxes.youtube.videos[video]["status"]["privacyStatus"] == "private"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_read_answered_5xx_is_still_only_a_transient_error(
    run: Run, sandboxes: Sandboxes, status: int
) -> None:
    """A read wrote nothing: a 5xx to it, the platform's or a gateway's, is tried again."""
    add_tour(run.site)
    run()
    settings = load_settings(run.env())
    records = run.ledger.records()
    clients = {
        "facebook": Facebook(settings.platforms["facebook"]),  # type: ignore[arg-type]
        "twitter": Twitter(settings.platforms["twitter"]),  # type: ignore[arg-type]
        "youtube": YouTube(settings.platforms["youtube"], run.site.content),  # type: ignore[arg-type]
    }
    for name, client in clients.items():
        remote_id = records[("2026-11-21-tour", name)].require_remote_id()
        sandbox = getattr(sandboxes, name)
        for kind in ("server_error", "not_json"):
            sandbox.inject(kind, method="GET", status=status)
            with pytest.raises(TransientError, match=rf"HTTP {status}\b") as raised:
                client.comments(remote_id)
            assert not isinstance(raised.value, AnswerLost), (name, kind)


def test_a_5xx_to_the_look_after_a_lost_answer_is_tried_again_in_the_run(
    run: Run, sandboxes: Sandboxes
) -> None:
    """The post's answer is lost, and the Page's feed, asked for it, answers 5xx twice: the
    read is tried again, finds the post and records it in the same run."""
    run.site.add("2026-11-20-flushing")
    sandboxes.facebook.inject("server_error_after_write", method="POST", path=r"/feed$")
    sandboxes.facebook.inject("server_error", method="GET", path=r"/feed$", times=2, status=502)
    report = run.on("facebook")
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "created")}, report.results
    (post,) = sandboxes.facebook.posts
    assert run.ledger.records()[("2026-11-20-flushing", "facebook")].remote_id == post
    assert not sandboxes.facebook.faults


def test_an_upload_whose_answer_was_dropped_is_recorded_not_uploaded_again(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last chunk completes the upload, then the connection drops: the client sends the
    chunk again to the same session, which YouTube answers with the video it made."""
    monkeypatch.setattr(youtube_module, "CHUNK_SIZE", 8 * 1024 * 1024)  # one chunk, the last
    add_tour(run.site)
    sandboxes.youtube.inject("drop_after_write", method="PUT", path="/upload/")
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}
    (video_id,) = sandboxes.youtube.videos
    assert run.ledger.records()[("2026-11-21-tour", "youtube")].remote_id == video_id
    assert run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None).results == []
    assert list(sandboxes.youtube.videos) == [video_id]


def test_a_dropped_connection_is_reset_as_a_server_drops_it(sandboxes: Sandboxes) -> None:
    """The client sees the reset at once, as from Google's servers. A clean close (FIN) would
    read as a stale keep-alive connection, which httplib2 quietly sends the chunk on again from
    a stream already read: the server would wait for a body that never comes, until the
    client's socket timeout."""
    sandboxes.youtube.inject("drop_after_write", method="PUT", path="/upload/")
    address = urlsplit(sandboxes.youtube.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            b"PUT /upload/youtube/v3/videos?upload_id=x HTTP/1.1\r\n"
            b"Host: sandbox\r\nContent-Length: 0\r\n\r\n"
        )
        with pytest.raises(ConnectionResetError):
            connection.recv(1024)


def test_an_upload_dropped_after_its_first_chunk_resumes_in_the_same_session(
    run: Run, sandboxes: Sandboxes
) -> None:
    """The connection drops after the first of two chunks: the client asks the session how
    much arrived (`Content-Range: bytes */<size>`, answered 308 with `Range`) and sends the
    rest, so one whole video is made in the same run."""
    add_tour(run.site)
    sandboxes.youtube.inject("drop_after_write", method="PUT", path="/upload/")
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}
    uploading = [method for method, path in sandboxes.youtube.requests if "/upload/" in path]
    assert uploading == ["POST", "PUT", "PUT", "PUT"]  # session, chunk, status, chunk
    (upload,) = sandboxes.youtube.uploads.values()
    (video,) = sandboxes.youtube.videos.values()
    assert upload["video_id"] == video["id"] and video["size"] == len(VIDEO)
    assert run.ledger.records()[("2026-11-21-tour", "youtube")].remote_id == video["id"]


def test_an_upload_whose_connection_keeps_dropping_fails_naming_the_reset(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Each resume is dropped too: the upload fails as uncertain, naming the reset, and the
    next run, finding no video, uploads it once."""
    add_tour(run.site)
    sandboxes.youtube.inject("drop_after_write", method="PUT", path="/upload/", times=9)
    first = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    (result,) = first.results
    assert result.outcome == "failed"
    assert "Connection reset by peer" in (result.error or "")
    assert "it may be there all the same" in (result.error or "")
    assert sandboxes.youtube.videos == {}
    sandboxes.youtube.faults.clear()
    second = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(second) == {("youtube", "2026-11-21-tour", "created")}
    assert len(sandboxes.youtube.videos) == 1


def upload_bytes(sandbox: YouTubeSandbox, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of each chunk the sandbox is sent (a status query's 0 too), as it goes."""
    sent: list[int] = []
    dispatch = sandbox.dispatch

    def counting(request: Request) -> Response:
        if request.method == "PUT" and "/upload/" in request.path:
            sent.append(request.content_length or 0)
        return dispatch(request)

    monkeypatch.setattr(sandbox, "dispatch", counting)
    return sent


def test_an_upload_whose_chunk_meets_a_server_error_resumes_in_the_same_session(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 503 to the second of two chunks: as Google's guide has it, the client asks the
    session how much arrived (the first chunk, kept) and sends the rest, never the whole file
    again in a new session, so one video is made in the same run."""
    add_tour(run.site)
    sent = upload_bytes(sandboxes.youtube, monkeypatch)
    sandboxes.youtube.inject("server_error", method="PUT", path="/upload/", after=1, status=503)
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}
    uploading = [method for method, path in sandboxes.youtube.requests if "/upload/" in path]
    assert uploading == ["POST", "PUT", "PUT", "PUT", "PUT"]  # session, chunk, 503, status, rest
    first, rest = 256 * 1024, len(VIDEO) - 256 * 1024
    assert sent == [first, rest, 0, rest]
    assert sum(sent) < 2 * len(VIDEO)
    (upload,) = sandboxes.youtube.uploads.values()
    (video,) = sandboxes.youtube.videos.values()
    assert upload["video_id"] == video["id"] and video["size"] == len(VIDEO)
    assert run.ledger.records()[("2026-11-21-tour", "youtube")].remote_id == video["id"]


def test_each_chunk_of_an_upload_has_its_own_resumes(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long upload on a flaky line: two of its three chunks each meet two 5xx (the chunk,
    then the status asked after it). Each chunk that goes through starts its resumes afresh:
    four errors in all, never more than three in a row, make one video in the same run."""
    add_tour(run.site)
    (run.site.content / "videos" / "tour.mp4").write_bytes(mp4(size=256 * 2100))  # 3 chunks
    youtube = sandboxes.youtube
    dispatch, puts = youtube.dispatch, []

    def flaky(request: Request) -> Response:
        if request.method == "PUT" and "/upload/" in request.path:
            puts.append(request.content_length or 0)
            if len(puts) in (2, 6):  # the second chunk, then the third once the second is in
                youtube.inject("server_error", method="PUT", path="/upload/", times=2)
        return dispatch(request)

    monkeypatch.setattr(youtube, "dispatch", flaky)
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}
    assert len(puts) == 9  # chunk, then for each of the two: 503, 503 (status), status, chunk
    (video,) = youtube.videos.values()
    assert video["size"] == 256 * 2100


def test_an_upload_whose_chunks_keep_meeting_server_errors_fails_as_uncertain(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Each resume meets a 5xx too: after three, the upload fails as one whose answer was
    lost (the session may have made the video), never uploaded again in a new session that
    run; the next run, finding no video, uploads it once."""
    add_tour(run.site)
    sandboxes.youtube.inject("server_error", method="PUT", path="/upload/", after=1, times=9)
    first = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    (result,) = first.results
    assert result.outcome == "failed"
    assert "HTTP 503, backendError" in (result.error or "")
    assert "it may be there all the same" in (result.error or "")
    uploading = [method for method, path in sandboxes.youtube.requests if "/upload/" in path]
    assert uploading == ["POST"] + ["PUT"] * 5  # chunk, 503, three resumes met by 503s
    assert len(sandboxes.youtube.uploads) == 1 and sandboxes.youtube.videos == {}
    sandboxes.youtube.faults.clear()
    second = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(second) == {("youtube", "2026-11-21-tour", "created")}
    assert len(sandboxes.youtube.videos) == 1


def test_the_youtube_sandbox_answers_a_completed_upload_session_with_its_video(
    run: Run, sandboxes: Sandboxes
) -> None:
    """As Google's resumable uploads do: asking a finished session for its status
    (`Content-Range: bytes */<size>`) answers the resource made, never a second one."""
    add_tour(run.site)
    run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    (upload,) = sandboxes.youtube.uploads.values()
    (video_id,) = sandboxes.youtube.videos
    assert upload["video_id"] == video_id
    youtube = YouTube(
        load_settings(run.env()).platforms["youtube"],  # type: ignore[arg-type]
        run.site.content,
    )
    response, body = youtube.api._http.request(
        upload["location"], "PUT", headers={"Content-Range": f"bytes */{len(VIDEO)}"}
    )
    assert response.status == 200
    assert json.loads(body)["id"] == video_id
    assert list(sandboxes.youtube.videos) == [video_id]


def test_an_upload_session_gone_with_its_answer_is_looked_for_not_failed(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session YouTube no longer knows (404) after the last chunk was sent may have made
    the video: the upload is uncertain, and the next run adopts the video, never uploading
    it again."""
    monkeypatch.setattr(youtube_module, "CHUNK_SIZE", 8 * 1024 * 1024)  # one chunk, the last
    add_tour(run.site)
    made = sandboxes.youtube._new_video

    def forgetting_the_session(metadata: dict[str, Any], size: int) -> dict[str, Any]:
        sandboxes.youtube.uploads.clear()
        return made(metadata, size)

    monkeypatch.setattr(sandboxes.youtube, "_new_video", forgetting_the_session)
    sandboxes.youtube.inject("drop_after_write", method="PUT", path="/upload/")
    # The uploads playlist is down while the run looks for the video.
    sandboxes.youtube.inject("server_error", method="GET", path="playlistItems", times=9)
    first = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(first) == {("youtube", "2026-11-21-tour", "failed")}
    (result,) = first.results
    assert "it may be there all the same" in (result.error or "")
    (video_id,) = sandboxes.youtube.videos
    sandboxes.youtube.faults.clear()  # the playlist is back
    second = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(second) == {("youtube", "2026-11-21-tour", "adopted")}
    assert list(sandboxes.youtube.videos) == [video_id]
    assert run.ledger.records()[("2026-11-21-tour", "youtube")].remote_id == video_id


def test_a_lost_last_chunk_then_any_refusal_is_looked_for_never_uploaded_again(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last chunk went out and its answer was lost, then asking the session how much
    arrived is refused (the day's quota spent): the video may be made, so it is looked for
    (and found, recorded as created), never deferred for a later run to upload again."""
    monkeypatch.setattr(youtube_module, "CHUNK_SIZE", 8 * 1024 * 1024)  # one chunk, the last
    add_tour(run.site)
    sandboxes.youtube.inject("drop_after_write", method="PUT", path="/upload/")
    sandboxes.youtube.inject("quota", method="PUT", path="/upload/")  # after the drop
    first = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(first) == {("youtube", "2026-11-21-tour", "created")}
    (video_id,) = sandboxes.youtube.videos
    assert run.ledger.records()[("2026-11-21-tour", "youtube")].remote_id == video_id
    second = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(second) == set()
    assert list(sandboxes.youtube.videos) == [video_id]


def waits_asked(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the upload asks for between its resumes, none of them slept."""
    waits: list[float] = []
    monkeypatch.setattr(youtube_module, "sleep", waits.append)
    return waits


def upload_events(run: Run) -> list[tuple[str, str, bool]]:
    """The ledger's lines for the tour's upload: phase, error, and whether left uncertain."""
    return [
        (e["phase"], e.get("error") or "", bool(e.get("uncertain")))
        for e in run.ledger.events()
        if e["platform"] == "youtube" and e["action"] == "create"
    ]


def made_from(sandbox: YouTubeSandbox) -> dict[str, Any]:
    """The one upload session that made a video, as the sandbox keeps it."""
    (upload,) = [u for u in sandbox.uploads.values() if "video_id" in u]
    return upload


def test_an_upload_whose_chunk_is_rate_limited_waits_and_resumes_in_the_same_session(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 429 `rateLimitExceeded` to the second chunk: the upload waits the Retry-After it
    was given, then asks its session how much arrived and sends the rest, in the same
    session: one video, its bytes those of the file, the file never sent whole again."""
    add_tour(run.site)
    waits = waits_asked(monkeypatch)
    sent = upload_bytes(sandboxes.youtube, monkeypatch)
    sandboxes.youtube.inject("rate_limit", method="PUT", path="/upload/", after=1, reset_after=2)
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}
    assert waits == [2.0]
    uploading = [method for method, path in sandboxes.youtube.requests if "/upload/" in path]
    assert uploading == ["POST", "PUT", "PUT", "PUT", "PUT"]  # session, chunk, 429, status, rest
    first, rest = 256 * 1024, len(VIDEO) - 256 * 1024
    assert sent == [first, rest, 0, rest]
    (upload,) = sandboxes.youtube.uploads.values()
    (video,) = sandboxes.youtube.videos.values()
    assert upload["video_id"] == video["id"] and bytes(upload["content"]) == VIDEO
    assert [phase for phase, _, _ in upload_events(run)] == ["intent", "done"]
    assert run.ledger.records()[("2026-11-21-tour", "youtube")].remote_id == video["id"]


def test_an_upload_rate_limited_for_longer_than_a_run_waits_is_deferred(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Retry-After beyond what a run waits (`max_wait`, 5 s in these tests) is not slept:
    the upload is deferred, nothing made, and the next run uploads it once."""
    add_tour(run.site)
    waits = waits_asked(monkeypatch)
    sandboxes.youtube.inject("rate_limit", method="PUT", path="/upload/", after=1, reset_after=600)
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    (result,) = report.results
    assert result.outcome == "deferred" and result.resume_at is not None
    assert waits == [] and sandboxes.youtube.videos == {}
    assert [(phase, uncertain) for phase, _, uncertain in upload_events(run)] == [
        ("intent", False),
        ("deferred", False),
    ]
    second = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(second) == {("youtube", "2026-11-21-tour", "created")}
    (video,) = sandboxes.youtube.videos.values()
    assert bytes(made_from(sandboxes.youtube)["content"]) == VIDEO and video["size"] == len(VIDEO)


@pytest.mark.parametrize("status", [404, 410])
def test_an_upload_whose_session_expired_starts_once_again_in_a_new_session(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    """The second chunk is answered 404 or 410: the session is gone, and it made no video
    (it answered the chunk). As Google's guide has it, the upload starts again from byte 0 in
    a new session, in the same run: one video, whole and identical."""
    add_tour(run.site)
    waits_asked(monkeypatch)
    sent = upload_bytes(sandboxes.youtube, monkeypatch)
    sandboxes.youtube.inject(
        "session_expired", method="PUT", path="/upload/", after=1, status=status
    )
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}
    uploading = [method for method, path in sandboxes.youtube.requests if "/upload/" in path]
    assert uploading == ["POST", "PUT", "PUT", "POST", "PUT", "PUT"]
    first, rest = 256 * 1024, len(VIDEO) - 256 * 1024
    assert sent == [first, rest, first, rest]
    (video,) = sandboxes.youtube.videos.values()
    upload = made_from(sandboxes.youtube)
    assert upload["video_id"] == video["id"] and bytes(upload["content"]) == VIDEO
    assert [phase for phase, _, _ in upload_events(run)] == ["intent", "done"]
    assert run.ledger.records()[("2026-11-21-tour", "youtube")].remote_id == video["id"]


def test_an_upload_whose_session_expires_while_asked_how_much_arrived_starts_again(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first chunk's answer is lost (it was not the last: no video can be made), and
    the session is gone (410) when asked how much arrived: a new session from byte 0."""
    add_tour(run.site)
    sandboxes.youtube.inject("drop_after_write", method="PUT", path="/upload/")
    sandboxes.youtube.inject("session_expired", method="PUT", path="/upload/", status=410)
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}
    uploading = [method for method, path in sandboxes.youtube.requests if "/upload/" in path]
    assert uploading == ["POST", "PUT", "PUT", "POST", "PUT", "PUT"]  # chunk, 410 to status
    upload = made_from(sandboxes.youtube)
    assert list(sandboxes.youtube.videos) == [upload["video_id"]]
    assert bytes(upload["content"]) == VIDEO


def test_an_upload_whose_new_session_expires_too_fails_without_a_third(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session started again expires too: the upload gives up, failed (not uncertain:
    neither session made a video), naming the expired session; the next run uploads it once."""
    add_tour(run.site)
    sandboxes.youtube.inject("session_expired", method="PUT", path="/upload/", after=1, status=410)
    sandboxes.youtube.inject("session_expired", method="PUT", path="/upload/", after=2, status=410)
    first = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    (result,) = first.results
    assert result.outcome == "failed"
    assert "HTTP 410" in (result.error or "") and "expired" in (result.error or "")
    assert "it may be there all the same" not in (result.error or "")
    uploading = [method for method, path in sandboxes.youtube.requests if "/upload/" in path]
    assert uploading.count("POST") == 2 and sandboxes.youtube.videos == {}
    events = upload_events(run)
    assert [(phase, uncertain) for phase, _, uncertain in events] == [
        ("intent", False),
        ("failed", False),
    ]
    assert "HTTP 410" in events[-1][1]
    assert not sandboxes.youtube.faults
    second = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(second) == {("youtube", "2026-11-21-tour", "created")}
    upload = made_from(sandboxes.youtube)
    assert list(sandboxes.youtube.videos) == [upload["video_id"]]
    assert bytes(upload["content"]) == VIDEO


def test_an_upload_whose_session_expired_after_its_last_chunk_is_looked_for_first(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last chunk made the video, its answer was lost, and the session is gone (410)
    when asked: the video may be there, so it is looked for before anything is sent again,
    found, and recorded; no second session, no second video."""
    monkeypatch.setattr(youtube_module, "CHUNK_SIZE", 8 * 1024 * 1024)  # one chunk, the last
    add_tour(run.site)
    sandboxes.youtube.inject("drop_after_write", method="PUT", path="/upload/")
    sandboxes.youtube.inject("session_expired", method="PUT", path="/upload/", status=410)
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}
    uploading = [method for method, path in sandboxes.youtube.requests if "/upload/" in path]
    assert uploading == ["POST", "PUT", "PUT"]  # the chunk, then the status: 410
    (video_id,) = sandboxes.youtube.videos
    assert run.ledger.records()[("2026-11-21-tour", "youtube")].remote_id == video_id
    assert run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None).results == []
    assert list(sandboxes.youtube.videos) == [video_id]


def test_a_reinstated_announcement_gets_a_public_video_even_after_an_upload_fault(
    run: Run, sandboxes: Sandboxes
) -> None:
    add_tour(run.site)
    run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    add_tour(run.site, status="withdrawn", withdrawn_reason="Postponed.", **WITHDRAWN_AT)
    run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    add_tour(run.site, modified="2026-11-23 10:00", correction="The tour is back on.")
    # The retry of the upload looks for it first: the withdrawn, private video is not it.
    sandboxes.youtube.inject("server_error", path="upload", status=503)
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(report) == {("youtube", "2026-11-21-tour", "created")}
    privacy = sorted(v["status"]["privacyStatus"] for v in sandboxes.youtube.videos.values())
    assert privacy == ["private", "public"]


def test_a_manifest_naming_a_video_outside_content_uploads_nothing(
    run: Run, sandboxes: Sandboxes
) -> None:
    """The build refuses such a video; a manifest from anywhere else is checked again."""
    add_tour(run.site)
    run.site.build()
    (run.site.root / "private.mp4").write_bytes(VIDEO)
    manifest = run.site.output / "syndication.json"
    manifest.write_text(manifest.read_text().replace("videos/tour.mp4", "../private.mp4"))
    report = syndicate(
        manifest,
        run.site.content,
        load_settings(run.env(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)),
        say=run.said.append,
    )
    (result,) = report.results
    assert result.outcome == "failed"
    assert result.error == "video '../private.mp4' is not a file inside content/"
    assert sandboxes.youtube.videos == {}


def test_server_errors_and_rate_limits_are_survived(run: Run, sandboxes: Sandboxes) -> None:
    add_tour(run.site)
    # Graph's 5xx to the post loses its answer (it may have made it): the feed, asked for
    # it, answers 5xx twice before it shows it.
    sandboxes.facebook.inject("server_error_after_write", method="POST", status=500)
    sandboxes.facebook.inject("server_error", method="GET", times=2, status=500)
    sandboxes.twitter.inject("rate_limit", method="POST", reset_after=1)
    sandboxes.youtube.inject("server_error", path="upload", status=503)
    report = run()
    assert {o for _, _, o in outcomes(report)} == {"created"}
    assert not report.failed
    assert len(sandboxes.facebook.posts) == len(sandboxes.twitter.tweets) == 1
    assert len(sandboxes.youtube.videos) == 1


def test_the_x_sandbox_rate_limit_window_resets_when_it_says_it_does(
    run: Run, sandboxes: Sandboxes
) -> None:
    sandboxes.twitter.window_limit = 2
    twitter = Twitter(load_settings(run.env()).platforms["twitter"])  # type: ignore[arg-type]
    twitter.client.get_me(user_auth=True)
    first = twitter.session.last_headers
    assert first["x-rate-limit-remaining"] == "1"
    twitter.client.get_me(user_auth=True)
    with pytest.raises(tweepy.TooManyRequests) as limited:
        twitter.client.get_me(user_auth=True)
    headers = limited.value.response.headers
    reset = int(headers["x-rate-limit-reset"])
    assert (headers["x-rate-limit-remaining"], reset) == ("0", int(first["x-rate-limit-reset"]))
    # The 15-minute window has passed: X answers again, counting a new window.
    sandboxes.twitter.pass_time(timedelta(seconds=reset + 1 - time.time()))
    assert time.time() < reset  # only the sandbox's clock moved
    assert twitter.client.get_me(user_auth=True)["data"]["id"] == sandboxes.twitter.user_id
    assert twitter.session.last_headers["x-rate-limit-remaining"] == "1"
    assert int(twitter.session.last_headers["x-rate-limit-reset"]) > reset


# YouTube counts a comma between tags, and a tag with a space as if quoted: 31 tags of 13
# characters with a space are 31 * 15 + 30 commas = 495; one more comma and 4 letters is 500.
SPACED_TAGS = ", ".join(f"water main {n:02d}" for n in range(31))


@pytest.mark.parametrize(
    ("tags", "accepted"),
    [
        (f"[{SPACED_TAGS}, pipe]", True),  # 500
        (f"[{SPACED_TAGS}, pipes]", False),  # 501
        ("[bridge, <deck]", False),
        ("[bridge, deck > road]", False),
    ],
)
def test_the_youtube_sandbox_refuses_tags_as_youtube_does(
    run: Run, sandboxes: Sandboxes, tags: str, accepted: bool
) -> None:
    """YouTube refuses `<` or `>` in a tag and tags over 500 characters as it counts them
    (400 invalidTags): the upload fails, naming the reason; Facebook and X still get theirs."""
    add_tour(run.site, tags=tags)
    report = run()
    (youtube,) = [r for r in report.results if r.platform == "youtube"]
    if accepted:
        assert youtube.outcome == "created", youtube.error
        (video,) = sandboxes.youtube.videos.values()
        assert video["snippet"]["tags"][-1] == "pipe"
        return
    assert youtube.outcome == "failed" and sandboxes.youtube.videos == {}
    assert "(HTTP 400, invalidTags)" in (youtube.error or "")
    assert {r.outcome for r in report.results if r.platform != "youtube"} == {"created"}


def test_a_token_endpoint_answering_a_page_not_json_fails_the_upload_for_now_not_the_run(
    run: Run, sandboxes: Sandboxes
) -> None:
    """A proxy's page (200, HTML) where Google's token answer should be: google-auth read it
    as text and stopped the whole run with a TypeError traceback. It is a failure for now,
    named so, nothing uploaded; the next run uploads the video once."""
    add_tour(run.site)
    sandboxes.youtube.inject("not_json", method="POST", path="/token", times=9)
    report = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    (result,) = report.results
    assert result.outcome == "failed"
    assert "cannot refresh the access token" in (result.error or "")
    assert "could not be read" in (result.error or "") and sandboxes.youtube.videos == {}
    sandboxes.youtube.faults.clear()
    again = run(FACEBOOK_PAGE_ID=None, TWITTER_API_KEY=None)
    assert outcomes(again) == {("youtube", "2026-11-21-tour", "created")}
    assert len(sandboxes.youtube.videos) == 1


def test_the_youtube_access_token_obtained_in_the_run_never_reaches_a_message(
    run: Run, sandboxes: Sandboxes
) -> None:
    """The access token is in no environment variable: the client obtains it from the
    refresh token. An error that quotes it bare is cleaned of it too."""
    youtube = YouTube(load_settings(run.env()).platforms["youtube"], run.site.content)  # type: ignore[arg-type]
    youtube.api.channels().list(part="contentDetails", mine=True).execute()
    token = youtube._credentials.token
    assert token and token.startswith("sandbox-access-")
    said = youtube._clean(f"invalid credentials {token} for this channel")
    assert token not in said and "[redacted]" in said


def test_the_youtube_sandbox_quota_resets_at_midnight_pacific_time(
    run: Run, sandboxes: Sandboxes
) -> None:
    sandboxes.youtube.daily_quota = 1
    settings = load_settings(run.env()).platforms["youtube"]
    youtube = YouTube(settings, run.site.content)  # type: ignore[arg-type]

    def list_channel() -> Any:
        return youtube.api.channels().list(part="contentDetails", mine=True).execute()

    list_channel()
    midnight = next_quota_reset(sandboxes.youtube.now())
    sandboxes.youtube.pass_time(midnight - sandboxes.youtube.now() - timedelta(seconds=5))
    with pytest.raises(HttpError) as exhausted:
        list_channel()  # the same day in California
    assert b"quotaExceeded" in exhausted.value.content
    sandboxes.youtube.pass_time(timedelta(seconds=10))
    assert list_channel()["items"]


def test_the_facebook_sandbox_app_usage_counts_the_last_hour_only(
    run: Run, sandboxes: Sandboxes
) -> None:
    facebook = Facebook(load_settings(run.env()).platforms["facebook"])  # type: ignore[arg-type]
    feed = f"v24.0/{sandboxes.facebook.page_id}/feed"

    def calls_this_hour() -> int:
        facebook.graph.request(feed)
        return int(json.loads(facebook.session.last_headers["x-app-usage"])["call_count"])

    assert [calls_this_hour() for _ in range(3)] == [1, 2, 3]
    sandboxes.facebook.pass_time(timedelta(minutes=61))
    assert calls_this_hour() == 1


def test_an_exhausted_daily_quota_defers_the_rest_and_the_next_run_completes(
    run: Run, sandboxes: Sandboxes
) -> None:
    sandboxes.twitter.daily_post_limit = 2
    for day in (20, 21, 22):
        run.site.add(f"2026-11-{day}-item", title=f"Item {day}", date=f"2026-11-{day} 09:00")
    run.site.add(
        "2026-11-23-alert",
        title="Boil water advisory",
        date="2026-11-23 09:00",
        category="alert",
        urgent="true",
    )
    report = run(FACEBOOK_PAGE_ID=None, YOUTUBE_CLIENT_ID=None)
    x = sorted((r.announcement, r.outcome) for r in report.results)
    assert x == [
        ("2026-11-20-item", "created"),
        ("2026-11-21-item", "deferred"),
        ("2026-11-22-item", "deferred"),
        ("2026-11-23-alert", "created"),
    ]
    assert not report.failed
    assert all(r.resume_at is not None for r in report.results if r.outcome == "deferred")
    assert any("resume after" in line for line in run.said)
    assert len(sandboxes.twitter.tweets) == 2

    sandboxes.twitter.daily_post_limit = 10  # the 24 hours have passed
    report = run(FACEBOOK_PAGE_ID=None, YOUTUBE_CLIENT_ID=None)
    assert sorted((r.announcement, r.outcome) for r in report.results) == [
        ("2026-11-21-item", "created"),
        ("2026-11-22-item", "created"),
    ]
    assert len(sandboxes.twitter.tweets) == 4


def test_a_post_deferred_then_withdrawn_before_it_went_out_is_not_listed_as_waiting(
    run: Run, sandboxes: Sandboxes
) -> None:
    """A post a quota held back is no longer waiting once its announcement is withdrawn:
    nothing will post it, so `invoke status` no longer lists it."""
    sandboxes.twitter.daily_post_limit = 1
    run.site.add("2026-11-20-item", title="Item twenty", date="2026-11-20 09:00")
    run.site.add("2026-11-21-item", title="Item twenty-one", date="2026-11-21 09:00")
    first = run(FACEBOOK_PAGE_ID=None, YOUTUBE_CLIENT_ID=None)
    assert ("2026-11-21-item", "deferred") in {(r.announcement, r.outcome) for r in first.results}
    assert len(waiting(run.site.content, run.records, STATUS_AT).deferred) == 1
    run.site.add(
        "2026-11-21-item",
        title="Item twenty-one",
        date="2026-11-21 09:00",
        status="withdrawn",
        withdrawn_reason="In error.",
        **WITHDRAWN_AT,
    )
    sandboxes.twitter.daily_post_limit = 10
    assert not run(FACEBOOK_PAGE_ID=None, YOUTUBE_CLIENT_ID=None).failed
    assert waiting(run.site.content, run.records, STATUS_AT).deferred == []


def test_x_app_wide_24_hour_cap_defers_until_it_resets_without_retrying(
    run: Run, sandboxes: Sandboxes
) -> None:
    """X caps posts per app over 24 hours as well as per account: with the app's cap reached,
    the rest waits for its reset, not for the end of the 15-minute window."""
    run.site.add("2026-11-20-flushing")
    hours = 20 * 60 * 60
    sandboxes.twitter.inject("quota", method="POST", times=10, cap="app", reset_after=hours)
    started = time.time()
    (result,) = run(FACEBOOK_PAGE_ID=None, YOUTUBE_CLIENT_ID=None).results
    assert [r for r in sandboxes.twitter.requests if r[0] == "POST"] == [("POST", "/2/tweets")]
    assert result.outcome == "deferred" and result.resume_at is not None
    assert result.resume_at.timestamp() >= started + hours - 60, result.resume_at
    assert "the app's" in (result.error or "")


def test_a_facebook_page_throttle_is_waited_out_for_the_time_graph_gives(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Graph throttles a Page token (code 32) and says in its Business Use Case header, in
    minutes, when the Page may call again: the post waits until then, not for a minute."""
    run.site.add("2026-11-20-flushing")
    sandboxes.facebook.inject("rate_limit", method="POST", times=10, reset_after=30 * 60)
    started = time.time()
    (result,) = run.on("facebook").results
    assert [r for r in sandboxes.facebook.requests if r[0] == "POST"] == [
        ("POST", f"/v24.0/{sandboxes.facebook.page_id}/feed")
    ]
    assert result.outcome == "deferred" and result.resume_at is not None
    assert result.resume_at.timestamp() >= started + 30 * 60 - 5, result.resume_at


def test_a_missing_credential_skips_only_that_platform(run: Run, sandboxes: Sandboxes) -> None:
    add_tour(run.site)
    report = run(YOUTUBE_REFRESH_TOKEN=None, YOUTUBE_CLIENT_SECRET="")
    assert "youtube: skipped, missing YOUTUBE_CLIENT_SECRET, YOUTUBE_REFRESH_TOKEN" in run.said
    assert {p for p, _, _ in outcomes(report)} == {"facebook", "twitter"}
    assert sandboxes.youtube.videos == {}


@pytest.mark.parametrize(
    ("platform", "variable", "first_call"),
    [
        ("facebook", "FACEBOOK_PAGE_ACCESS_TOKEN", ("POST", "/v24.0/104000000000001/feed")),
        ("twitter", "TWITTER_ACCESS_TOKEN", ("POST", "/2/tweets")),
        ("youtube", "YOUTUBE_REFRESH_TOKEN", ("POST", "/token")),
    ],
)
def test_a_refused_credential_stops_that_platform_naming_the_variable_to_renew(
    run: Run, sandboxes: Sandboxes, platform: str, variable: str, first_call: tuple[str, str]
) -> None:
    """An expired Page token (Graph 190), a revoked X access token (401), a revoked YouTube
    refresh token (invalid_grant): every call with it would be refused the same way. That
    platform stops at the first refusal, naming the variable to renew, never its value; the
    others go on."""
    days = (20, 21, 22)
    for day in days:
        run.site.add(
            f"2026-11-{day}-item",
            title=f"Item {day}",
            date=f"2026-11-{day} 09:00",
            video="videos/tour.mp4",
        )
    report = run(False, **{variable: "sandbox-expired-credential"})
    assert report.failed
    refused = getattr(sandboxes, platform)
    assert [r for r in refused.requests if r == first_call] == [first_call]
    assert {(p, o) for p, _, o in outcomes(report)} == {
        (p, "created" if p != platform else "failed") for p in CREDENTIAL
    }
    said = "\n".join(run.said)
    assert variable in said and "sandbox-expired-credential" not in said, said


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FACEBOOK_GRAPH_URL", "not a url"),
        ("TWITTER_API_URL", "api.x.com"),
        ("YOUTUBE_API_URL", "http://[::1"),
        ("YOUTUBE_TOKEN_URL", "ftp://oauth2.googleapis.com/token"),
    ],
)
def test_a_platform_address_that_is_not_one_is_refused_naming_it(
    run: Run, name: str, value: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(run.env(**{name: value}))
    assert str(refused.value).startswith(f"{name}: '{value}' is not an http(s) address; expected")


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        # The Page token pasted into the variable beside it, as a CI admin may.
        ("FACEBOOK_GRAPH_URL", "EAAtoken-of-the-page", "[redacted]"),
        ("TWITTER_API_URL", "api.x.com/?key=x-secret-42", "api.x.com/?key=[redacted]"),
        # An address with a password, mistyped.
        (
            "YOUTUBE_API_URL",
            "htps://city:hunter2@www.googleapis.com",
            "htps://***@www.googleapis.com",
        ),
    ],
)
def test_a_platform_address_refused_is_named_without_a_secret_in_it(
    tmp_path: Path, name: str, value: str, shown: str
) -> None:
    """ "Secrets never appear in output, logs or errors": nor in the message naming a setting
    that cannot be used, which quotes its value."""
    env = {
        "FACEBOOK_PAGE_ID": "1",
        "FACEBOOK_PAGE_ACCESS_TOKEN": "EAAtoken-of-the-page",
        "TWITTER_API_SECRET": "x-secret-42",
        "RECORDS_DIR": str(tmp_path / "records"),
        name: value,
    }
    with pytest.raises(ConfigError) as refused:
        load_settings(env)
    message = str(refused.value)
    assert message.startswith(f"{name}: '{shown}' is not an http(s) address; expected"), message
    assert not any(secret in message for secret in ("EAAtoken", "x-secret-42", "hunter2"))


def test_invoke_syndicate_stops_on_a_bad_address_before_writing_to_the_ledger(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tour(run.site)
    run.site.build()
    for name, value in run.env(FACEBOOK_GRAPH_URL="not a url").items():
        monkeypatch.setenv(name, value)
    with pytest.raises(Exit) as stopped:
        tasks.syndicate(Context(), manifest=str(run.site.output / "syndication.json"))
    assert stopped.value.code == 2
    assert stopped.value.message == (
        "FACEBOOK_GRAPH_URL: 'not a url' is not an http(s) address; expected e.g. "
        "https://graph.facebook.com"
    )
    assert not run.ledger.path.exists() and sandboxes.twitter.tweets == {}


def test_invoke_syndicate_on_a_full_disk_stops_naming_the_ledger_without_a_traceback(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_syndication_engine import full_disk

    run.site.add("2026-11-20-flushing")
    run.site.build()
    for name, value in run.env(TWITTER_API_KEY=None, YOUTUBE_CLIENT_ID=None).items():
        monkeypatch.setenv(name, value)
    with full_disk(monkeypatch, run.ledger.path), pytest.raises(Exit) as stopped:
        tasks.syndicate(Context(), manifest=str(run.site.output / "syndication.json"))
    assert stopped.value.code == 1
    assert str(stopped.value.message).startswith(
        f"syndicate: {run.ledger.path}: not written (No space left on device); the file is as "
        "it was before"
    )
    assert sandboxes.facebook.posts == {}  # its intent was not recorded, so nothing was sent
    assert run.ledger.path.read_bytes() == b""
    tasks.syndicate(Context(), manifest=str(run.site.output / "syndication.json"))  # space freed
    assert len(sandboxes.facebook.posts) == 1 and Ledger(run.ledger.path).verify() == []


def test_invoke_syndicate_names_a_manifest_that_is_a_folder_or_not_text(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in run.env().items():
        monkeypatch.setenv(name, value)
    binary = tmp_path / "syndication.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    for manifest, problem in (
        (tmp_path, "cannot read it (Is a directory)"),
        (binary, "not UTF-8 text; expected the build's manifest"),
    ):
        with pytest.raises(Exit) as stopped:
            tasks.syndicate(Context(), manifest=str(manifest))
        assert (stopped.value.code, stopped.value.message) == (2, f"{manifest}: {problem}")
    assert not run.ledger.path.exists()


def test_a_rejected_post_fails_alone_with_the_platforms_message(
    run: Run, sandboxes: Sandboxes
) -> None:
    run.site.add("2026-11-20-flushing")
    sandboxes.twitter.tweets["1"] = {
        "id": "1",
        "author_id": "x",
        "conversation_id": "1",
        "text": "",
        "entities": {},
    }
    bad = dict(run.env())
    bad["TWITTER_ACCESS_TOKEN_SECRET"] = "wrong-secret"
    run.site.build()
    report = syndicate(
        run.site.output / "syndication.json",
        run.site.content,
        load_settings(bad),
        say=run.said.append,
        backoff=0.01,
    )
    assert ("twitter", "2026-11-20-flushing", "failed") in outcomes(report)
    assert ("facebook", "2026-11-20-flushing", "created") in outcomes(report)
    assert report.failed
    assert any("X error (HTTP 401): Unauthorized" in line for line in run.said)


def test_dry_run_writes_nothing(run: Run, sandboxes: Sandboxes) -> None:
    add_tour(run.site)
    report = run(dry_run=True)
    assert {o for _, _, o in outcomes(report)} == {"planned"}
    assert any(line.startswith("would facebook: create 2026-11-21-tour") for line in run.said)
    for sandbox in sandboxes.all():
        assert all(method == "GET" for method, _ in sandbox.requests), sandbox.name
    assert not run.ledger.path.exists()


def test_no_token_appears_in_any_output(
    run: Run, sandboxes: Sandboxes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    add_tour(run.site)
    sandboxes.facebook.inject("server_error", times=10)  # fails with the token in the URL
    report = run()
    assert report.failed
    env = run.env()
    secrets = [env[n] for n in env if n.endswith(("TOKEN", "SECRET"))]
    everything = "\n".join(
        [
            *run.said,
            caplog.text,
            run.ledger.path.read_text(),
            *(r.error or "" for r in report.results),
        ]
    )
    for secret in secrets:
        assert secret not in everything


def test_platform_option_limits_the_run_to_one_platform(run: Run, sandboxes: Sandboxes) -> None:
    run.site.add("2026-11-20-flushing")
    run.site.build()
    report = syndicate(
        run.site.output / "syndication.json",
        run.site.content,
        load_settings(run.env()),
        only="twitter",
        say=run.said.append,
    )
    assert outcomes(report) == {("twitter", "2026-11-20-flushing", "created")}
    assert sandboxes.facebook.posts == {}
    with pytest.raises(UnknownPlatform, match="--platform: 'myspace' is not one of"):
        syndicate(
            run.site.output / "syndication.json",
            run.site.content,
            load_settings(run.env()),
            only="myspace",
        )


def test_a_client_timeout_after_the_write_is_adopted_not_reposted(
    run: Run, sandboxes: Sandboxes
) -> None:
    run.site.add("2026-11-20-flushing")
    run.site.build()
    settings = load_settings(run.env())
    facebook = Facebook(settings.platforms["facebook"], timeout=0.2)  # type: ignore[arg-type]
    sandboxes.facebook.inject("timeout", method="POST", seconds=0.5)
    # The retry waits long enough for the slow write to land, then finds it.
    syndicator = Syndicator(run.ledger, {"facebook": facebook}, backoff=1.0)
    report = syndicator.run(load_manifest(run.site.output / "syndication.json"))
    assert outcomes(report) == {("facebook", "2026-11-20-flushing", "created")}
    assert len(sandboxes.facebook.posts) == 1


def test_a_write_still_landing_when_the_client_gives_up_is_not_posted_twice(
    run: Run, sandboxes: Sandboxes
) -> None:
    """Graph takes longer than the client waits (a slow link scrape): the post lands after the
    client gave up, and after the run looked for it. The run does not post it again, and the
    next run finds it: one post, the one the ledger records (so edited and withdrawn)."""
    run.site.add("2026-11-20-flushing")
    run.site.build()
    settings = load_settings(run.env())
    facebook = Facebook(settings.platforms["facebook"], timeout=0.2)  # type: ignore[arg-type]
    sandboxes.facebook.inject("timeout", method="POST", seconds=1.0)
    manifest = load_manifest(run.site.output / "syndication.json")
    first = Syndicator(run.ledger, {"facebook": facebook}, backoff=0.01).run(manifest)
    assert outcomes(first) == {("facebook", "2026-11-20-flushing", "failed")}
    time.sleep(1.5)  # the slow write has landed
    again = Syndicator(run.ledger, {"facebook": facebook}, backoff=0.01).run(manifest)
    assert outcomes(again) == {("facebook", "2026-11-20-flushing", "adopted")}
    record = run.ledger.records()[("2026-11-20-flushing", "facebook")]
    assert list(sandboxes.facebook.posts) == [record.remote_id]


@pytest.mark.parametrize(
    "correction",
    [
        "Register at https://trail.ca/tours before Friday.",  # X shows the link shortened
        # X gives &, < and > as HTML entities (`Bay Ave &amp; Victoria St`)
        "The tour meets at Bay Ave & Victoria St, not at City Hall.",
    ],
)
def test_an_x_correction_reply_whose_answer_was_lost_is_found_not_reposted(
    run: Run, sandboxes: Sandboxes, correction: str
) -> None:
    """The reply as X shows it is still the one sent: found rather than sent again (which X
    would refuse as a duplicate, on every run)."""
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction=correction)
    # X posts the reply but its answer is lost: the retry must find it, not post it again.
    sandboxes.twitter.inject("drop_after_write", method="POST")
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "updated")}, report.results
    assert len(x_replies(sandboxes)) == 1
    assert on_x(run).results == []


@pytest.mark.parametrize("reply", [False, True], ids=["post", "update reply"])
def test_an_x_post_already_there_is_recorded_when_x_refuses_it_as_a_duplicate(
    run: Run, sandboxes: Sandboxes, reply: bool
) -> None:
    """X refuses a post or reply whose text the account already has ("duplicate content"):
    it is there (landed unseen after an error, or posted by hand from `invoke preview`), so
    the run records it as the City's, rather than failing on it every run while it stays up
    unrecorded, never corrected nor withdrawn."""
    add_tour(run.site)
    if reply:
        on_x(run)
        add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    run.site.build()
    entry = load_manifest(run.site.output / "syndication.json").by_id()["2026-11-21-tour"]
    twitter = Twitter(load_settings(run.env()).platforms["twitter"])  # type: ignore[arg-type]
    record = run.ledger.records().get(("2026-11-21-tour", "twitter"))
    text = twitter.update_text(entry, record) if record else entry.posts["twitter"]["text"]
    parent = record.remote_id if record else None
    sent = twitter.client.create_tweet(text=text, in_reply_to_tweet_id=parent, user_auth=True)
    by_hand = str(sent["data"]["id"])
    report = on_x(run)
    assert outcomes(report) == {
        ("twitter", "2026-11-21-tour", "updated" if reply else "created")
    }, report.results
    record = run.ledger.records()[("2026-11-21-tour", "twitter")]
    assert (record.replies[-1] if reply else record.remote_id) == by_hand
    assert len(sandboxes.twitter.tweets) == 1 + reply
    assert on_x(run).results == []


REGISTER = (
    "Spring programs at the Trail Aquatic and Leisure Centre open for registration on Monday."
    " Register online at https://trail.ca/rec—spaces in swimming lessons are limited, so sign"
    " up early. Programs include swimming lessons, fitness classes and youth camps for all ages"
)


@pytest.mark.parametrize(
    "summary",
    [
        REGISTER,
        # A link X ends at its first accented letter: "sécurité routière" counts as words.
        "Infos : https://www.quebec.ca/recherche?q=sécurité routière. Winter driving tips for"
        " Trail residents: slow down on the Columbia Avenue hill, leave more room behind"
        " snowplows, clear every window before you go, and check DriveBC before heading over"
        " the Paulson Summit or Kootenay Pass this week.",
        # X's library weighs a bare ® 1, as the rest of Latin-1 (its Python port, 2).
        "Cheer on the Trail Smoke Eaters® at the home opener at the Cominco Arena on Friday."
        " Doors open at 6 p.m. and the puck drops at 7. Tickets are at the box office at the"
        " door. A free public skate follows on Saturday. Free family skate follows the game.",
    ],
)
def test_the_x_text_the_build_prepares_fits_as_x_counts_it(
    run: Run, sandboxes: Sandboxes, summary: str
) -> None:
    title = (
        "Smoke Eaters home opener on Friday"
        if "®" in summary
        else "Spring recreation registration opens Monday"
    )
    add_tour(run.site, title=title, summary=f'"{summary}"')
    report = on_x(run)
    manifest = json.loads((run.site.output / "syndication.json").read_text())
    (entry,) = [e for e in manifest["announcements"] if e["id"] == "2026-11-21-tour"]
    text = entry["posts"]["twitter"]["text"]
    assert twitter_text_length(text) <= 280
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "created")}, report.results


def test_a_reinstated_post_whose_creation_is_uncertain_is_taken_down_when_withdrawn_again(
    run: Run, sandboxes: Sandboxes
) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, status="withdrawn", withdrawn_reason="Postponed.", **WITHDRAWN_AT)
    on_x(run)
    add_tour(run.site, modified="2026-11-23 10:00", correction="The tour is back on.")
    # The new post lands, its answer is lost, and X's timeline is down while the run looks.
    sandboxes.twitter.inject("drop_after_write", method="POST")
    sandboxes.twitter.inject("server_error", method="GET", times=3, status=503)
    on_x(run)
    assert len(sandboxes.twitter.tweets) == 1  # the reinstated post is on X
    assert run.ledger.records()[("2026-11-21-tour", "twitter")].pending is not None
    add_tour(
        run.site,
        status="withdrawn",
        withdrawn_reason="Cancelled after all.",
        modified="2026-11-24 09:00",  # after it was reinstated
    )
    report = on_x(run)
    assert outcomes(report) == {("twitter", "2026-11-21-tour", "withdrawn")}, report.results
    assert sandboxes.twitter.tweets == {}


def as_written_by_the_old_code(ledger: Ledger) -> None:
    """The ledger as a City's deployed system wrote it before intents recorded what they
    sent, outcomes the headline and the reply's text, and which corrections were told (it
    counted them): it must keep working."""
    old = []
    for event in ledger.events():
        event = {k: v for k, v in event.items() if k not in ("seq", "time", "prev")}
        event.pop("title", None)
        event.pop("reply_text", None)
        if event["phase"] == "intent":
            event.pop("hash", None)
            event.pop("corrections", None)
        elif isinstance(event.get("corrections"), list):
            event["corrections"] = len(event["corrections"])
        old.append(event)
    ledger.path.unlink()
    Ledger(ledger.path).chain.extend(old)


def test_a_new_headline_is_told_on_x_for_a_post_recorded_by_the_old_code(
    run: Run, sandboxes: Sandboxes
) -> None:
    add_tour(run.site)
    on_x(run)
    as_written_by_the_old_code(run.ledger)
    assert run.ledger.verify() == []
    add_tour(run.site, title="Tour the new bridge deck on Saturday")
    on_x(run)
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: Tour the new bridge deck on Saturday"
    ]


def test_corrections_told_on_x_as_the_old_code_counted_them_are_not_told_again(
    run: Run, sandboxes: Sandboxes
) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    on_x(run)
    as_written_by_the_old_code(run.ledger)
    assert on_x(run).results == []
    add_tour(run.site, modified="2026-11-23 10:00", correction=TWO_CORRECTIONS)
    on_x(run)
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == [
        "Update: The tour starts at 2 p.m.",
        "Update: Meet at the north gate.",
    ]
    assert on_x(run).results == []


def test_a_correction_made_after_an_old_interrupted_post_is_told_on_x(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tour(run.site)
    with killed_before_recording(monkeypatch):
        on_x(run)  # the post is on X; the (old) ledger has only its intent
    as_written_by_the_old_code(run.ledger)
    # The new code is deployed; the City adds a correction before the next run.
    add_tour(run.site, modified="2026-11-22 10:00", correction="The tour starts at 2 p.m.")
    on_x(run)  # adopts the post, which was sent before the correction existed
    on_x(run)
    assert [r.split("\n")[0] for r in x_replies(sandboxes)] == ["Update: The tour starts at 2 p.m."]


def test_a_headline_told_again_after_an_adopted_reply_is_not_refused_by_x(
    run: Run, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tour(run.site)
    on_x(run)
    add_tour(run.site, title="Tour the new bridge deck on Saturday")
    with killed_before_recording(monkeypatch):
        on_x(run)  # the reply is on X, the ledger never heard
    on_x(run)  # adopts the reply
    add_tour(run.site, title="Tour the new bridge deck")  # back to the first headline...
    on_x(run)
    add_tour(run.site, title="Tour the new bridge deck on Saturday")  # ...and forth again
    report = on_x(run)
    assert not report.failed, report.results


def test_an_urgent_alert_that_expires_after_it_was_posted_is_left_as_posted_on_x(
    run: Run, sandboxes: Sandboxes
) -> None:
    """On expiry the manifest drops "URGENT:" from the alert's text: Facebook's post is edited
    to match, and X (which cannot edit) gets no reply for it, as there is no news to tell."""
    run.site.add(
        "2026-11-20-boil",
        category="alert",
        urgent="true",
        title="Boil water advisory",
        date="2026-11-20 08:00",
        expires="2026-11-25 08:00",
    )
    run(YOUTUBE_CLIENT_ID=None)  # built at NOW, 2026-11-24: urgent
    (post,) = sandboxes.facebook.posts.values()
    assert post["message"].startswith("URGENT:")
    run.site.build(now="2026-11-26T12:00:00-08:00")  # expired
    report = syndicate(
        run.site.output / "syndication.json",
        run.site.content,
        load_settings(run.env(YOUTUBE_CLIENT_ID=None)),
        say=run.said.append,
    )
    assert not report.failed, report.results
    (post,) = sandboxes.facebook.posts.values()
    assert not post["message"].startswith("URGENT:")
    assert len(sandboxes.twitter.tweets) == 1  # the first post only: no reply


@pytest.mark.parametrize("dry_run", [False, True], ids=["run", "dry-run"])
@pytest.mark.parametrize(("added", "field", "problem"), LEDGER_TYPES, ids=LEDGER_TYPE_IDS)
def test_invoke_syndicate_stops_at_a_ledger_line_of_the_wrong_type_sending_nothing(
    run: Run,
    sandboxes: Sandboxes,
    monkeypatch: pytest.MonkeyPatch,
    added: dict[str, Any],
    field: str,
    problem: str,
    dry_run: bool,
) -> None:
    """A ledger line added by hand whose field has the wrong type (`"remote_id": 5`) was a
    traceback in the plan (reconcile) or the run, or a misreading (a post taken as another's);
    the run stops naming the file, line and field (exit 2), sending and recording nothing."""
    ledger = _ledger_with_a_line_by_hand(run, added)
    for name, value in run.env().items():
        monkeypatch.setenv(name, value)
    before = ledger.read_bytes()
    with pytest.raises(Exit) as stopped:
        tasks.syndicate(
            Context(), manifest=str(run.site.output / "syndication.json"), dry_run=dry_run
        )
    assert (stopped.value.code, stopped.value.message) == (
        2,
        f"{ledger}:2: a ledger line whose '{field}' field is {problem}",
    )
    assert ledger.read_bytes() == before and not (run.records / ".git").exists()
    assert sandboxes.facebook.posts == {} and sandboxes.twitter.tweets == {}


@pytest.mark.parametrize(("added", "field", "problem"), LEDGER_TYPES, ids=LEDGER_TYPE_IDS)
def test_invoke_preview_stops_at_a_ledger_line_of_the_wrong_type(
    run: Run, monkeypatch: pytest.MonkeyPatch, added: dict[str, Any], field: str, problem: str
) -> None:
    """`invoke preview` reads the ledger for what each platform was told: a line added by hand
    of the wrong type stops it as it stops `invoke syndicate`, not with a traceback."""
    ledger = _ledger_with_a_line_by_hand(run, added)
    monkeypatch.setattr(tasks, "ROOT", run.site.root)
    for name, value in run.env().items():
        monkeypatch.setenv(name, value)
    path = run.site.content / "announcements" / "2026-11-20-flushing.md"
    with pytest.raises(Exit) as stopped:
        tasks.preview(Context(), str(path))
    assert (stopped.value.code, stopped.value.message) == (
        2,
        f"preview: {ledger}:2: a ledger line whose '{field}' field is {problem}",
    )


def _ledger_with_a_line_by_hand(run: Run, added: dict[str, Any]) -> Path:
    """The ledger of a built site's announcement, posted on Facebook, then the line `added`
    written by hand after it."""
    run.site.add("2026-11-20-flushing")
    run.site.build()
    run.ledger.append(POSTED)
    with run.ledger.path.open("a") as handle:
        handle.write(json.dumps(added) + "\n")
    return run.ledger.path
