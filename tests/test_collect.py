"""Collecting comments through the real clients: every version kept, deletions marked."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import tweepy
from invoke.context import Context
from invoke.exceptions import Exit

import tasks
from archive import collect as archive_collect
from archive import comments as comments_module
from archive import pictures as pictures_module
from archive.chain import START, ChainFile, Checkpoint, Reading
from archive.collect import collect
from archive.comments import (
    DELETED_BY_AUTHOR,
    REMOVED_WITH_DELETED_POST,
    REMOVED_WITH_POST,
    CommentArchive,
    attachment_sources,
)
from archive.git import commit_archive
from archive.index import read_records
from archive.pictures import INCOMING, PictureKeeper, picture_address, picture_source, unsigned
from sandboxes import Sandboxes
from sandboxes.facebook import FacebookSandbox, resigned
from syndication import twitter
from syndication.base import CommentsOff
from syndication.config import ConfigError, Settings, load_settings
from syndication.ledger import Ledger
from syndication.runner import make_platforms, syndicate
from syndication.syndicate import Retry
from tests.conftest import Site


def posted(site: Site, sandboxes: Sandboxes) -> tuple[dict[str, str], Settings]:
    site.add("2026-11-21-tour", title="Tour the bridge deck", video=site.add_video())
    settings = site.syndicate_to(sandboxes)
    ids = {
        "facebook": next(iter(sandboxes.facebook.posts)),
        "twitter": next(iter(sandboxes.twitter.tweets)),
        "youtube": next(iter(sandboxes.youtube.videos)),
    }
    return ids, settings


def test_comments_are_collected_once_with_every_version_kept(
    site: Site, sandboxes: Sandboxes
) -> None:
    ids, settings = posted(site, sandboxes)
    fb = [sandboxes.facebook.add_comment(ids["facebook"], f"Comment {n}") for n in range(120)]
    reply = sandboxes.facebook.add_comment(ids["facebook"], "A reply", parent=fb[0])
    x = sandboxes.twitter.add_reply(ids["twitter"], "When does the tour start?")
    yt = sandboxes.youtube.add_comment(ids["youtube"], "Great video of the deck")
    said: list[str] = []

    totals, failures = collect(settings, site.content, say=said.append)
    assert failures == []
    assert (totals["facebook"].new, totals["twitter"].new, totals["youtube"].new) == (121, 1, 1)
    archive = CommentArchive(site.root / "records")
    state = archive.state()
    assert state[("facebook", reply)].text == "A reply"
    # As on X, a reply starts with the @username it answers.
    assert state[("twitter", x)].text == "@CityofTrail When does the tour start?"

    totals, _ = collect(settings, site.content, say=said.append)
    assert sum(t.new + t.edited + t.deleted for t in totals.values()) == 0
    assert totals["facebook"].unchanged == 121

    sandboxes.facebook.edit_comment(fb[1], "Comment 1, edited by its author")
    sandboxes.facebook.delete_comment(fb[2])
    sandboxes.twitter.delete_reply(x)
    sandboxes.youtube.edit_comment(yt, "Great video; see you there")
    totals, _ = collect(settings, site.content, say=said.append)
    assert (totals["facebook"].edited, totals["facebook"].deleted) == (1, 1)
    assert (totals["twitter"].deleted, totals["youtube"].edited) == (1, 1)
    state = CommentArchive(site.root / "records").state()
    edited = state[("facebook", fb[1])]
    assert edited.version == 2 and [v["text"] for v in edited.versions] == [
        "Comment 1",
        "Comment 1, edited by its author",
    ]
    assert state[("facebook", fb[2])].deleted and state[("facebook", fb[2])].text == "Comment 2"
    assert state[("twitter", x)].deleted
    assert archive.chain.verify() == []
    log = subprocess.run(
        ["git", "-C", str(site.root / "records"), "log", "--oneline"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert log.count("Collect comments") == 2  # the run that changed nothing made no commit


def test_a_window_of_days_leaves_posts_unchanged_for_longer_unvisited(
    site: Site, sandboxes: Sandboxes
) -> None:
    ids, settings = posted(site, sandboxes)
    sandboxes.facebook.add_comment(ids["facebook"], "Is the deck open on weekends?")
    later = datetime.now(UTC) + timedelta(days=31)
    said: list[str] = []

    totals, failures = collect(settings, site.content, say=said.append, days=30, now=later)
    assert failures == [] and totals == {}
    assert said[0] == "collect: 3 post(s) unchanged for over 30 days were not visited."

    windowed = replace(settings, collect_days=30)  # as COLLECT_DAYS=30 sets it
    totals, _ = collect(windowed, site.content, say=said.append)  # within the window
    assert totals["facebook"].new == 1
    totals, _ = collect(windowed, site.content, say=said.append, days=0, now=later)
    assert totals["facebook"].unchanged == 1  # 0: every post, whatever the setting


def test_collect_days_comes_from_the_environment_and_is_checked() -> None:
    assert load_settings({}).collect_days is None
    assert load_settings({"COLLECT_DAYS": "30"}).collect_days == 30
    with pytest.raises(ConfigError, match="COLLECT_DAYS: 'a month' is not a whole number"):
        load_settings({"COLLECT_DAYS": "a month"})
    with pytest.raises(ConfigError, match="COLLECT_DAYS: '-1' is not a whole number"):
        load_settings({"COLLECT_DAYS": "-1"})
    # A digit to str.isdigit, not to int(): named, not a ValueError from int.
    with pytest.raises(ConfigError, match="COLLECT_DAYS: '²' is not a whole number"):
        load_settings({"COLLECT_DAYS": "²"})
    assert load_settings({"COLLECT_DAYS": "0"}).collect_days is None  # 0: every post


def test_invoke_collect_takes_days_as_invoke_gives_them_and_refuses_others(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, _ = posted(site, sandboxes)
    sandboxes.facebook.add_comment(ids["facebook"], "Is the deck open on weekends?")
    for name, value in {**sandboxes.env, "RECORDS_DIR": str(site.root / "records")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(tasks, "ROOT", site.root)
    tasks.collect(Context(), days="30")  # invoke passes the option as text
    state = CommentArchive(site.root / "records").state()
    assert [c.text for c in state.values()] == ["Is the deck open on weekends?"]
    tasks.collect(Context(), days="0")
    for days in ("a month", "-1", "2.5"):
        with pytest.raises(Exit) as stopped:
            tasks.collect(Context(), days=days)
        assert stopped.value.code == 2
        assert stopped.value.message == (
            f"collect: --days: '{days}' is not a whole number of days, e.g. 30"
        )
    monkeypatch.setenv("COLLECT_DAYS", "0")
    tasks.collect(Context())


def test_an_x_reply_that_ages_out_of_recent_search_is_not_recorded_as_deleted(
    site: Site, sandboxes: Sandboxes
) -> None:
    ids, settings = posted(site, sandboxes)
    kept = sandboxes.twitter.add_reply(ids["twitter"], "Is the deck open on weekends?")
    gone = sandboxes.twitter.add_reply(ids["twitter"], "Wrong post, sorry")
    totals, _ = collect(settings, site.content)
    assert totals["twitter"].new == 2

    sandboxes.twitter.delete_reply(gone)  # deleted by its author while still searchable
    totals, _ = collect(settings, site.content)
    assert (totals["twitter"].deleted, totals["twitter"].unchanged) == (1, 1)

    # Eight days on, X's recent search no longer lists the reply: it aged out, nothing more.
    sandboxes.twitter.pass_time(timedelta(days=8))
    later = datetime.now(UTC) + timedelta(days=8)
    totals, _ = collect(settings, site.content, now=later)
    assert "twitter" not in totals or totals["twitter"].deleted == 0
    state = CommentArchive(site.root / "records").state()
    assert not state[("twitter", kept)].deleted and state[("twitter", gone)].deleted


def test_every_reply_in_a_long_youtube_thread_is_collected_and_none_lost(
    site: Site, sandboxes: Sandboxes
) -> None:
    ids, settings = posted(site, sandboxes)
    thread = sandboxes.youtube.add_comment(ids["youtube"], "Where does the tour start?")
    replies = [sandboxes.youtube.add_reply(thread, f"Reply {n}", f"Resident {n}") for n in range(7)]
    totals, failures = collect(settings, site.content)
    assert failures == [] and totals["youtube"].new == 8  # a thread shows only five replies
    state = CommentArchive(site.root / "records").state()
    assert {state[("youtube", r)].versions[0]["parent_id"] for r in replies} == {thread}
    assert state[("youtube", replies[6])].text == "Reply 6"

    totals, _ = collect(settings, site.content)
    assert (totals["youtube"].unchanged, totals["youtube"].deleted) == (8, 0)


def test_a_reply_removed_with_its_thread_is_not_recorded_as_deleted_by_its_author(
    site: Site, sandboxes: Sandboxes
) -> None:
    """YouTube and Facebook delete a comment's replies with it: the replier deleted nothing,
    and the records must not say so. On X a reply outlives the post it answered."""
    ids, settings = posted(site, sandboxes)
    thread = sandboxes.youtube.add_comment(ids["youtube"], "The deck is a waste of money")
    reply = sandboxes.youtube.add_reply(thread, "It was paid by a grant, actually", "Sam Lee")
    fb = sandboxes.facebook.add_comment(ids["facebook"], "The deck is a waste of money")
    fb_reply = sandboxes.facebook.add_comment(ids["facebook"], "A grant paid it", parent=fb)
    x = sandboxes.twitter.add_reply(ids["twitter"], "The deck is a waste of money")
    x_reply = sandboxes.twitter.add_reply(x, "A grant paid it")
    collect(settings, site.content)
    sandboxes.youtube.delete_comment(thread)  # its author deletes it; YouTube, the thread
    sandboxes.facebook.delete_comment(fb)
    sandboxes.twitter.delete_reply(x)
    sandboxes.twitter.delete_reply(x_reply)  # X leaves it up: its author deleted it
    collect(settings, site.content)
    said = {(r.comment_id, r.text) for r in read_records(site.root / "records")}
    for deleted in (thread, fb, x, x_reply):
        assert (deleted, "[deleted by its author]") in said
    for removed in (reply, fb_reply):
        assert (removed, "[deleted by its author]") not in said
        assert (removed, "[removed with the comment it replied to]") in said
    assert (x_reply, "[removed with the comment it replied to]") not in said


def test_the_citys_answer_deleted_is_recorded_as_the_citys(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Who is the City is the platform's word on each line: a deletion line without it made
    the City's answer, once deleted, a third party's in every reading of the records."""
    ids, settings = posted(site, sandboxes)
    question = sandboxes.facebook.add_comment(ids["facebook"], "Is the deck open on weekends?")
    answer = sandboxes.facebook.add_comment(
        ids["facebook"], "Yes, 9 to 5.", "City of Trail", parent=question, by_page=True
    )
    collect(settings, site.content, say=lambda _: None)
    sandboxes.facebook.delete_comment(answer)  # the City deleted its answer
    sandboxes.facebook.delete_comment(question)  # and the resident their question
    collect(settings, site.content, say=lambda _: None)
    deleted = {
        e["comment_id"]: e.get("by_city")
        for e in ChainFile(site.root / "records" / "archive" / "comments.jsonl").events()
        if e["kind"] == "comment_deleted"
    }
    assert deleted == {answer: True, question: None}


def test_an_x_reply_is_archived_as_its_author_wrote_it(site: Site, sandboxes: Sandboxes) -> None:
    """X gives a post's text with &, < and > as HTML entities (`3rd Ave &lt;Rossland side&gt;
    &amp; Bay`): the record keeps what the resident wrote."""
    ids, settings = posted(site, sandboxes)
    wrote = "Is 3rd Ave <Rossland side> & Bay included? Not &amp; as such"
    reply = sandboxes.twitter.add_reply(ids["twitter"], wrote)
    collect(settings, site.content, say=lambda _: None)
    state = CommentArchive(site.root / "records").state()
    assert state[("twitter", reply)].text == f"@CityofTrail {wrote}"  # X addresses it


def fb_photo(src: str, kind: str = "photo") -> dict[str, Any]:
    """A Comment's `attachment` as Graph gives it: a photo, sticker or GIF and where it is."""
    return {
        "type": kind,
        "url": "https://www.facebook.com/photo.php?fbid=1",
        "media": {"image": {"src": src, "height": 720, "width": 960}},
    }


def test_a_facebook_photo_or_sticker_comment_is_kept_with_what_it_shows(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Graph's Comment has `message` (its text) and `attachment` (a link, video, sticker or
    photo attached to it): a photo-only comment's message is empty, and without its attachment
    the City's record of it would be empty too."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    tub = "https://scontent.xx.fbcdn.net/v/t39/brown-water-in-my-tub.jpg"
    photo = fb.add_comment(ids["facebook"], "", "Jordan Park", attachment=fb_photo(tub))
    sticker = fb.add_comment(
        ids["facebook"], "Thanks!", attachment=fb_photo("https://x.fbcdn.net/s.png", "sticker")
    )
    collect(settings, site.content, say=lambda _: None)
    state = CommentArchive(site.root / "records").state()
    assert state[("facebook", photo)].versions[-1]["attachment"] == fb_photo(tub)
    assert state[("facebook", sticker)].versions[-1]["attachment"]["type"] == "sticker"

    # Another photo in its place is an edit: the earlier one stays in the records.
    sink = "https://scontent.xx.fbcdn.net/v/t39/brown-water-in-my-sink.jpg"
    fb.edit_attachment(photo, fb_photo(sink))
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert (totals["facebook"].edited, totals["facebook"].unchanged) == (1, 1)
    versions = CommentArchive(site.root / "records").state()[("facebook", photo)].versions
    assert [v["attachment"]["media"]["image"]["src"] for v in versions] == [tub, sink]


def test_a_youtube_comment_held_for_review_is_collected_and_kept_as_a_record(
    site: Site, sandboxes: Sandboxes
) -> None:
    """YouTube holds some comments back for the channel's review, and commentThreads.list
    lists them only when asked for by moderation status (published is its default). They are
    comments the City received: records, and the very ones its reviewers must see."""
    ids, settings = posted(site, sandboxes)
    yt = sandboxes.youtube
    shown = yt.add_comment(ids["youtube"], "Great video of the deck")
    held = yt.add_comment(
        ids["youtube"], "Check out my channel for deck photos", moderation_status="heldForReview"
    )
    spam = yt.add_comment(ids["youtube"], "Free gift cards", moderation_status="likelySpam")
    held_reply = yt.add_reply(shown, "Is it open Sundays?", moderation_status="heldForReview")
    totals, failures = collect(settings, site.content, say=lambda _: None)
    assert failures == [] and totals["youtube"].new == 4
    state = CommentArchive(site.root / "records").state()
    assert {
        comment: state[("youtube", comment)].versions[-1]["moderation_status"]
        for comment in (shown, held, spam, held_reply)
    } == {
        shown: "published",
        held: "heldForReview",
        spam: "likelySpam",
        held_reply: "heldForReview",
    }
    assert state[("youtube", held_reply)].versions[0]["parent_id"] == shown

    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert (totals["youtube"].unchanged, totals["youtube"].new) == (4, 0)


def test_a_collection_reads_the_comment_archive_once_however_many_posts(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, settings = posted(site, sandboxes)
    for platform, add in (
        ("facebook", sandboxes.facebook.add_comment),
        ("twitter", sandboxes.twitter.add_reply),
        ("youtube", sandboxes.youtube.add_comment),
    ):
        add(ids[platform], f"A comment on {platform}")
    collect(settings, site.content)  # the archive now holds comments on three posts
    reads: list[str] = []
    reading = ChainFile.reading

    def counted(chain: ChainFile, after: Checkpoint = START) -> Reading:
        reads.append(chain.path.name)
        return reading(chain, after)

    monkeypatch.setattr(ChainFile, "reading", counted)
    sandboxes.twitter.add_reply(ids["twitter"], "Another one")
    totals, _ = collect(settings, site.content)
    assert reads.count("comments.jsonl") == 1
    assert (totals["twitter"].new, totals["facebook"].unchanged) == (1, 1)


def test_a_withdrawn_posts_comments_are_collected_where_the_platform_still_lists_them(
    site: Site, sandboxes: Sandboxes
) -> None:
    ids, settings = posted(site, sandboxes)
    first = sandboxes.twitter.add_reply(ids["twitter"], "Is the deck open on weekends?")
    fb = sandboxes.facebook.add_comment(ids["facebook"], "See you there")
    yt = sandboxes.youtube.add_comment(ids["youtube"], "Great video of the deck")
    collect(settings, site.content)
    later = sandboxes.twitter.add_reply(ids["twitter"], "Why was this cancelled?")
    site.add(
        "2026-11-21-tour",
        title="Tour the bridge deck",
        video="videos/tour.mp4",
        status="withdrawn",
        withdrawn_reason="Postponed.",
        modified="2026-11-23 10:00",
    )
    site.syndicate_to(sandboxes)
    assert (
        ids["twitter"] in sandboxes.twitter.deleted
        and ids["facebook"] not in sandboxes.facebook.posts
    )

    # X keeps the replies to a deleted post public; YouTube keeps a private video's comments.
    sandboxes.twitter.delete_reply(first)
    sandboxes.youtube.edit_comment(yt, "Great video; a pity it was cancelled")
    totals, failures = collect(settings, site.content)
    assert failures == [] and set(totals) == {"twitter", "youtube"}
    assert (totals["twitter"].new, totals["twitter"].deleted) == (1, 1)
    assert totals["youtube"].edited == 1
    state = CommentArchive(site.root / "records").state()
    assert state[("twitter", later)].text == "@CityofTrail Why was this cancelled?"
    assert state[("twitter", first)].removal == DELETED_BY_AUTHOR
    # Facebook's went with the deleted post: recorded so by the withdrawal that deleted it,
    # not as deleted by their authors.
    assert state[("facebook", fb)].removal == REMOVED_WITH_POST
    assert collect(settings, site.content)[0].get("facebook") is None  # recorded once


def _withdraw_flushing(site: Site, modified: str = "2026-11-23 10:00") -> None:
    site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Postponed to spring.",
        modified=modified,
    )


def _comment_lines(records: Path, comment_id: str) -> list[dict[str, Any]]:
    """Every line of the comment archive about one comment, in file order."""
    return [
        event
        for _, event in ChainFile(records / "archive" / "comments.jsonl").reading()
        if event.get("comment_id") == comment_id
    ]


def test_a_withdrawal_archives_the_comments_facebook_deletes_with_the_post_before_deleting_it(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Facebook deletes a post's comments with it. A comment made since the last collect must
    still reach the records, whatever order the commands run in (`invoke publish` syndicates
    before it collects; `invoke syndicate` and `invoke alert` do not collect at all): the
    withdrawal archives the post's comments first, as collect does, each once."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    fb = sandboxes.facebook
    post = next(iter(fb.posts))
    records = site.root / "records"
    asked = fb.add_comment(post, "Which streets?", "Riley Cole")
    kept = fb.add_comment(post, "Thanks for the notice", "Lee Park")
    collect(settings, site.content, say=lambda _: None)
    # Since that collect: an edit, a comment with its reply, a photo and the City's answer.
    fb.edit_comment(asked, "Which streets, and when?")
    brown = fb.add_comment(post, "Brown water on Pine Avenue", "Avery Lee")
    same = fb.add_comment(post, "Same here", "Sam Ortiz", parent=brown)
    jpeg = b"\xff\xd8\xff\xe0 brown water in my tub"
    photo = fb.add_comment(post, "", "Jordan Park", attachment=fb_photo(fb.add_picture(jpeg)))
    answer = fb.add_comment(post, "Crews are on their way", "City of Trail", brown, by_page=True)

    _withdraw_flushing(site)
    site.syndicate_to(sandboxes)
    assert post not in fb.posts and post in fb.deleted
    state = CommentArchive(records).state()
    assert [v.get("text") for v in state[("facebook", asked)].versions] == [
        "Which streets?",
        "Which streets, and when?",
        None,  # then removed with the post
    ]
    assert state[("facebook", brown)].text == "Brown water on Pine Avenue"
    assert state[("facebook", same)].versions[0]["parent_id"] == brown
    assert state[("facebook", answer)].by_city
    digest = hashlib.sha256(jpeg).hexdigest()
    assert state[("facebook", photo)].picture == {
        "sha256": digest,
        "file": f"archive/attachments/{digest}.jpg",
        "type": "image/jpeg",
        "bytes": len(jpeg),
    }
    assert (records / "archive" / "attachments" / f"{digest}.jpg").read_bytes() == jpeg
    # Archived before the post went, then recorded as removed with it, each once.
    for comment in (asked, kept, brown, same, photo, answer):
        assert state[("facebook", comment)].removal == REMOVED_WITH_POST
    assert [e["kind"] for e in _comment_lines(records, kept)] == ["comment", "comment_deleted"]
    assert [e["kind"] for e in _comment_lines(records, brown)] == ["comment", "comment_deleted"]
    committed = subprocess.run(
        ["git", "-C", str(records), "show", "--stat", "--format=%s", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "archive/comments.jsonl" in committed  # with the syndication run's commit

    # The next collect has nothing to add: no copy, no second removal.
    lines = len(list(ChainFile(records / "archive" / "comments.jsonl").reading()))
    totals, failures = collect(settings, site.content, say=lambda _: None)
    assert failures == [] and "facebook" not in totals
    assert len(list(ChainFile(records / "archive" / "comments.jsonl").reading())) == lines
    assert ChainFile(records / "archive" / "comments.jsonl").verify() == []


def test_a_withdrawal_whose_comments_cannot_be_read_leaves_the_post_up_until_they_can(
    site: Site, sandboxes: Sandboxes
) -> None:
    """If Facebook does not answer for the post's comments, the post is not deleted in that
    run (its comments would go unarchived with it): the run fails naming it, and the next run
    archives them, then deletes it."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    fb = sandboxes.facebook
    post = next(iter(fb.posts))
    comment = fb.add_comment(post, "Is the water safe to drink?", "Riley Cole")
    _withdraw_flushing(site)
    site.build()
    fb.inject("server_error", method="GET", path=r"/comments$", times=4, status=500)
    said: list[str] = []

    report = syndicate(
        site.output / "syndication.json", site.content, settings, say=said.append, backoff=0
    )
    assert post in fb.posts  # left up, its comment with it
    (failed,) = [r for r in report.results if r.platform == "facebook"]
    assert failed.outcome == "failed" and report.failed
    assert failed.error is not None and (
        f"its comments could not be archived, so post {post} is left up" in failed.error
    )
    assert "next run" in failed.error and "HTTP 500" in failed.error
    assert [r.outcome for r in report.results if r.platform == "twitter"] == ["withdrawn"]
    assert ("facebook", comment) not in CommentArchive(site.root / "records").state()
    ledger = Ledger.in_records(settings.records_dir).records()
    assert not ledger[("2026-11-20-flushing", "facebook")].withdrawn  # planned again

    # Quota or rate limit: deferred, the post left up likewise.
    fb.inject("rate_limit", method="GET", path=r"/comments$", reset_after=3600)
    report = syndicate(
        site.output / "syndication.json", site.content, settings, say=said.append, backoff=0
    )
    assert [r.outcome for r in report.results if r.platform == "facebook"] == ["deferred"]
    assert post in fb.posts

    report = syndicate(site.output / "syndication.json", site.content, settings, say=said.append)
    assert [r.outcome for r in report.results if r.platform == "facebook"] == ["withdrawn"]
    assert post not in fb.posts
    state = CommentArchive(site.root / "records").state()
    assert state[("facebook", comment)].text == "Is the water safe to drink?"


def test_a_withdrawal_of_a_post_already_deleted_on_facebook_is_done_all_the_same(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Deleted on facebook.com since the last run: Graph knows neither the post nor its
    comments (the Page's feed answering, so not the token at fault). Nothing is left to
    archive or delete: the withdrawal is done, not failed every run."""
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    fb = sandboxes.facebook
    post = next(iter(fb.posts))
    comment = fb.add_comment(post, "Which streets?", "Riley Cole")
    collect(settings, site.content, say=lambda _: None)
    fb.delete_post(post)
    _withdraw_flushing(site)
    site.build()
    report = syndicate(site.output / "syndication.json", site.content, settings, say=print)
    assert [r.outcome for r in report.results if r.platform == "facebook"] == ["withdrawn"]
    assert not report.failed
    state = CommentArchive(site.root / "records").state()
    assert state[("facebook", comment)].removal == REMOVED_WITH_POST


def test_a_withdrawal_on_x_or_youtube_asks_for_no_comments_first(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """X leaves the replies of a deleted post public and YouTube a private video's comments:
    collect reads them after the withdrawal as before, so the withdrawal spends none of X's
    search window or YouTube's quota on them."""
    site.add("2026-11-21-tour", title="Tour the bridge deck", video=site.add_video())
    settings = site.syndicate_to(sandboxes)
    x_post = next(iter(sandboxes.twitter.tweets))
    reply = sandboxes.twitter.add_reply(x_post, "Why was this cancelled?")
    asked: list[str] = []
    for platform in make_platforms(settings, site.content).values():
        original = type(platform).comments_of

        def counted(self: Any, ids: Any, original: Any = original) -> Any:
            asked.append(self.name)
            return original(self, ids)

        monkeypatch.setattr(type(platform), "comments_of", counted)
    site.add(
        "2026-11-21-tour",
        title="Tour the bridge deck",
        video="videos/tour.mp4",
        status="withdrawn",
        withdrawn_reason="Postponed.",
        modified="2026-11-23 10:00",
    )
    site.syndicate_to(sandboxes)
    assert asked == ["facebook"]  # only Facebook deletes the comments with the post
    assert x_post in sandboxes.twitter.deleted
    totals, failures = collect(settings, site.content, say=lambda _: None)
    assert failures == [] and totals["twitter"].new == 1
    assert CommentArchive(site.root / "records").state()[("twitter", reply)].post_id == x_post


def test_replies_under_a_withdrawn_x_post_are_still_collected_once_it_is_published_again(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-20-flushing")
    settings = site.syndicate_to(sandboxes)
    x = sandboxes.twitter
    first_post = next(iter(x.tweets))
    question = x.add_reply(first_post, "Which streets are flushed?", "Riley Cole")
    collect(settings, site.content, say=lambda _: None)
    site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Postponed to spring.",
        modified="2026-11-23 10:00",
    )
    site.syndicate_to(sandboxes)
    assert first_post not in x.tweets and question in x.tweets  # X leaves the replies up

    # Published again, as a new post; residents keep answering in the first post's
    # conversation, still public on the City's account: their replies are records too.
    site.add("2026-11-20-flushing", modified="2026-11-23 12:00")
    site.syndicate_to(sandboxes)
    (second_post,) = (t for t in x.tweets if t != question)
    later = x.add_reply(question, "Is it done yet? Water is brown.", "Avery Lee")
    on_the_new_post = x.add_reply(second_post, "Glad it is back on", "Sam Ortiz")
    totals, failures = collect(settings, site.content, say=lambda _: None)
    assert failures == [] and totals["twitter"].new == 2
    state = CommentArchive(site.root / "records").state()
    assert state[("twitter", later)].post_id == first_post
    assert state[("twitter", on_the_new_post)].post_id == second_post
    assert not state[("twitter", question)].deleted


def test_a_youtube_video_with_comments_turned_off_is_not_a_failure_and_loses_no_comments(
    site: Site, sandboxes: Sandboxes
) -> None:
    ids, settings = posted(site, sandboxes)
    thread = sandboxes.youtube.add_comment(ids["youtube"], "Great video of the deck")
    collect(settings, site.content)
    youtube = make_platforms(settings, site.content)["youtube"]

    sandboxes.youtube.turn_off_comments(ids["youtube"])
    with pytest.raises(CommentsOff, match=r"HTTP 403, commentsDisabled\): .* disabled comments"):
        youtube.comments(ids["youtube"])  # YouTube's own answer, through the real client
    said: list[str] = []
    totals, failures = collect(settings, site.content, say=said.append)
    assert failures == [] and "youtube" not in totals  # `invoke collect` exits 0
    assert "youtube: 2026-11-21-tour: comments are turned off; nothing collected." in said
    assert not CommentArchive(site.root / "records").state()[("youtube", thread)].deleted

    sandboxes.youtube.turn_off_comments(ids["youtube"], off=False)  # on again, comments kept
    totals, _ = collect(settings, site.content)
    assert (totals["youtube"].unchanged, totals["youtube"].deleted) == (1, 0)


def test_a_post_removed_on_the_platform_itself_is_noted_once_and_fails_no_collect(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Deleted on facebook.com or in YouTube Studio (or taken down by the platform), not by a
    withdrawal: Graph answers its comments "does not exist", YouTube videoNotFound. Every
    collect says so and goes on (`invoke publish` stops at a failed one), and the ledger notes
    the post gone once. Facebook deleted the post's comments with it: each archived comment
    still up is recorded as removed with the deleted post, once (not as its author's deletion);
    YouTube's are not marked deleted."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    comment = fb.add_comment(ids["facebook"], "When does the tour start?")
    reply = fb.add_comment(ids["facebook"], "At ten, I think", parent=comment)
    withdrawn = fb.add_comment(ids["facebook"], "Never mind")
    thread = sandboxes.youtube.add_comment(ids["youtube"], "Great video of the deck")
    collect(settings, site.content)
    fb.delete_comment(withdrawn)
    collect(settings, site.content)
    with fb.lock, sandboxes.youtube.lock:
        fb.deleted[ids["facebook"]] = fb.posts.pop(ids["facebook"])
        sandboxes.youtube.deleted[ids["youtube"]] = sandboxes.youtube.videos.pop(ids["youtube"])
    removed = []
    for _ in range(2):
        said: list[str] = []
        totals, failures = collect(settings, site.content, say=said.append)
        assert failures == [] and "youtube" not in totals
        removed.append(totals["facebook"].deleted if "facebook" in totals else 0)
        for platform in ("Facebook", "YouTube"):
            assert any(
                line.startswith(f"{platform.lower()}: 2026-11-21-tour: no longer on {platform}")
                for line in said
            ), said
        assert any(
            line.endswith("comments are kept, recorded as removed with it.") for line in said
        )
    assert removed == [2, 0]
    state = CommentArchive(site.root / "records").state()
    assert state[("facebook", comment)].removal == REMOVED_WITH_DELETED_POST
    assert state[("facebook", reply)].removal == REMOVED_WITH_DELETED_POST
    assert state[("facebook", withdrawn)].removal == DELETED_BY_AUTHOR
    assert not state[("youtube", thread)].deleted
    gone = [e for e in Ledger.in_records(site.root / "records").events() if e["phase"] == "gone"]
    assert [(e["platform"], e["remote_id"]) for e in gone] == [
        ("facebook", ids["facebook"]),
        ("youtube", ids["youtube"]),
    ]


def test_a_page_token_that_lost_its_permissions_notes_no_post_gone(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Graph answers "does not exist" for a post the token may no longer load as for a
    deleted one. A post noted gone is never updated again (its corrections and withdrawal
    go nowhere), so collect asks about the Page's feed too: refused as well, the token is
    at fault: a failure naming it, retried by the next run, and no post is noted gone."""
    ids, settings = posted(site, sandboxes)
    sandboxes.facebook.add_comment(ids["facebook"], "When does the tour start?")
    collect(settings, site.content)
    sandboxes.facebook.revoke_permissions()
    totals, failures = collect(settings, site.content, say=lambda _: None)
    assert "facebook" not in totals
    (failure,) = failures
    assert failure.startswith("facebook: 2026-11-21-tour:")
    assert "FACEBOOK_PAGE_ACCESS_TOKEN" in failure and "permissions" in failure
    events = Ledger.in_records(site.root / "records").events()
    assert not [e for e in events if e["phase"] == "gone"]

    sandboxes.facebook.revoke_permissions(False)  # given back: collected as before
    totals, failures = collect(settings, site.content)
    assert failures == [] and totals["facebook"].unchanged == 1


def test_a_refused_credential_stops_collecting_from_that_platform_naming_the_variable(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-20-flushing", title="Water main flushing", date="2026-11-20 09:00")
    _, settings = posted(site, sandboxes)
    token = "sandbox-expired-token"
    env = {**sandboxes.env, "RECORDS_DIR": str(settings.records_dir)}
    expired = load_settings({**env, "FACEBOOK_PAGE_ACCESS_TOKEN": token})
    totals, failures = collect(expired, site.content)
    assert set(totals) == {"twitter", "youtube"}  # the others are collected
    listed = [r for r in sandboxes.facebook.requests if r[1].endswith("/comments")]
    assert len(listed) == 1  # not once for each post: each would be refused the same way
    (failure,) = failures
    assert "renew FACEBOOK_PAGE_ACCESS_TOKEN" in failure and token not in failure


def three_posts(site: Site, sandboxes: Sandboxes) -> Settings:
    for day in (20, 21, 22):
        site.add(f"2026-11-{day}-item", title=f"Item {day}", date=f"2026-11-{day} 09:00")
    return site.syndicate_to(sandboxes)


def test_collect_survives_one_server_error(site: Site, sandboxes: Sandboxes) -> None:
    """Retried as syndication retries it: one 503 no longer fails collect (and with it
    `invoke publish`, before moderation)."""
    settings = three_posts(site, sandboxes)
    sandboxes.facebook.add_comment(next(iter(sandboxes.facebook.posts)), "When?")
    sandboxes.facebook.inject("server_error", method="GET", path=r"/comments$", status=503)
    totals, failures = collect(settings, site.content)
    assert failures == [] and totals["facebook"].new == 1


def test_collect_stops_asking_x_once_its_search_window_is_used_up(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A rate limit that resets later than a run waits: the platform is not asked again in
    the run (each post would be refused the same way), and the run says when it may be."""
    settings = three_posts(site, sandboxes)
    sandboxes.twitter.inject(
        "rate_limit", method="GET", path=r"/search/recent$", times=10, reset_after=900
    )
    said: list[str] = []
    totals, failures = collect(settings, site.content, say=said.append)
    searched = [r for r in sandboxes.twitter.requests if r[1] == "/2/tweets/search/recent"]
    assert len(searched) == 1
    assert failures == [] and set(totals) == {"facebook"}  # not a failure: a pause
    (paused,) = [line for line in said if line.startswith("twitter:")]
    assert "3 post(s) not visited" in paused and "until 2" in paused, paused


def notices(site: Site, sandboxes: Sandboxes, count: int) -> Settings:
    """`count` announcements, one a day from 2026-11-01, syndicated."""
    for day in range(1, count + 1):
        site.add(
            f"2026-11-{day:02d}-notice", title=f"Notice {day}", date=f"2026-11-{day:02d} 09:00"
        )
    return site.syndicate_to(sandboxes)


def test_collect_reaches_every_post_over_the_runs_a_rate_limit_spreads_it_over(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more posts than one of X's search windows allows (X Basic: 60 searches in 15
    minutes), a run that began again from the same post each time would visit the same posts
    on every run and never reach the others: each run goes on where the last one stopped, the
    newest posts first, so every post is visited over the runs the limit spreads them over.
    (Two conversations a search here, as a query of 80 characters holds.)"""
    monkeypatch.setattr(twitter, "SEARCH_QUERY_LIMIT", 80)
    settings = notices(site, sandboxes, 12)
    x = sandboxes.twitter
    x.window_limit = 2  # searches a window: four posts
    replies = [x.add_reply(post, "Is this still on?") for post in list(x.tweets)]  # oldest first
    said: list[str] = []
    collect(settings, site.content, say=said.append)
    archived = CommentArchive(site.root / "records").state()
    assert [("twitter", reply) in archived for reply in replies] == [False] * 8 + [True] * 4
    for _ in range(2):  # 12 posts, 4 a window: two more windows reach the rest
        x.pass_time(timedelta(minutes=16))  # the window resets
        collect(settings, site.content, say=said.append)
    archived = CommentArchive(site.root / "records").state()
    assert all(("twitter", reply) in archived for reply in replies)
    paused = [line for line in said if "not visited" in line]
    assert len(paused) == 3 and "8 post(s) not visited" in paused[0], paused


def test_x_conversations_are_searched_as_many_to_a_query_as_it_holds(
    site: Site, sandboxes: Sandboxes
) -> None:
    """X's recent search takes a query of up to 512 characters, operators joined with OR: the
    replies of 13 of the City's posts (`conversation_id:A OR conversation_id:B …`) come in one
    search, page by page, rather than one search each, of X's 60 a window on Basic; the same
    replies, each archived with its own post."""
    settings = notices(site, sandboxes, 15)
    x = sandboxes.twitter
    posts = list(x.tweets)  # oldest first
    replies = {
        x.add_reply(post, f"When does notice {n} start?"): post for n, post in enumerate(posts)
    }
    # The newest post, in the first search, with more replies than one page of 100.
    replies |= {
        x.add_reply(posts[-1], f"Question {n} about the newest"): posts[-1] for n in range(120)
    }
    totals, failures = collect(settings, site.content, say=lambda _: None)
    assert failures == [] and totals["twitter"].new == len(replies) == 135
    searched = [r for r in x.requests if r[1] == "/2/tweets/search/recent"]
    assert len(searched) == 3  # the newest 13 (two pages), then the other 2: not 15 and more
    state = CommentArchive(site.root / "records").state()
    assert {reply: state[("twitter", reply)].post_id for reply in replies} == replies

    # Nothing new: the same replies again, each unchanged, in the same three searches.
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert (totals["twitter"].unchanged, totals["twitter"].deleted) == (135, 0)
    assert len([r for r in x.requests if r[1] == "/2/tweets/search/recent"]) == 6


def test_the_x_sandbox_refuses_a_search_query_longer_than_512_characters_as_x_does(
    site: Site, sandboxes: Sandboxes
) -> None:
    settings = notices(site, sandboxes, 1)
    x = make_platforms(settings, site.content)["twitter"]
    assert isinstance(x, twitter.Twitter)
    ids = [str(1860000000000000001 + n) for n in range(14)]
    query = " OR ".join(f"conversation_id:{id}" for id in ids)
    assert len(query) == 542
    with pytest.raises(tweepy.BadRequest) as refused:
        x.client.search_recent_tweets(query, user_auth=True)
    body = refused.value.response.json()
    assert (refused.value.response.status_code, body["title"]) == (400, "Invalid Request")
    assert body["errors"][0]["parameters"] == {"query": [query]}
    assert "512" in body["errors"][0]["message"]
    # What collect sends never is: 13 conversations to a query, the 14th in the next.
    assert x.batches(ids) == [ids[:13], ids[13:]]
    assert x.comments_of(ids[:13]) == {id: [] for id in ids[:13]}


def test_youtubes_daily_quota_used_up_stops_collect_asking_and_is_no_failure(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A daily quota is a normal condition, not an error (issue 4): collect leaves YouTube
    until midnight Pacific as it leaves a platform whose rate limit is used up, rather than
    asking again for each video and failing each one (and with them `invoke publish`, which
    would stop before moderation on every run until the quota resets)."""
    for day in (20, 21, 22):
        video = site.add_video(f"tour-{day}.mp4")
        site.add(
            f"2026-11-{day}-tour", title=f"Tour {day}", date=f"2026-11-{day} 09:00", video=video
        )
    settings = site.syndicate_to(sandboxes)
    sandboxes.youtube.inject("quota", method="GET", path=r"/commentThreads$", times=10)
    said: list[str] = []
    totals, failures = collect(settings, site.content, say=said.append)
    listed = [r for r in sandboxes.youtube.requests if r[1] == "/youtube/v3/commentThreads"]
    assert len(listed) == 1
    assert failures == [] and "youtube" not in totals  # not a failure: a pause
    (paused,) = [line for line in said if line.startswith("youtube:")]
    assert "daily quota is used up until 2" in paused, paused
    assert "3 post(s) not visited" in paused, paused


def test_the_citys_answers_on_x_are_archived_and_its_update_replies_are_not(
    site: Site, sandboxes: Sandboxes
) -> None:
    ids, settings = posted(site, sandboxes)
    site.add("2026-11-21-tour", title="Tour the new bridge deck", video="videos/tour.mp4")
    site.syndicate_to(sandboxes)  # X is told the new headline in a reply to the post
    (update,) = (t for t in sandboxes.twitter.tweets if t != ids["twitter"])
    question = sandboxes.twitter.add_reply(ids["twitter"], "Is the deck open on weekends?")
    answer = sandboxes.twitter.add_reply(
        question, "Yes, 9 to 5 both days.", author=sandboxes.twitter.user_id
    )
    fb_question = sandboxes.facebook.add_comment(ids["facebook"], "Is the deck open on weekends?")
    sandboxes.facebook.add_comment(
        ids["facebook"], "Yes, 9 to 5 both days.", "City of Trail", parent=fb_question
    )
    totals, failures = collect(settings, site.content)
    assert failures == []
    # As the Page's answer on Facebook, the City's answer to a resident on X is a record.
    assert (totals["twitter"].new, totals["facebook"].new) == (2, 2)
    state = CommentArchive(site.root / "records").state()
    assert state[("twitter", answer)].versions[0]["parent_id"] == question
    assert state[("twitter", answer)].author == "City of Trail"  # named, as on Facebook
    assert state[("twitter", answer)].versions[0]["author_id"] == sandboxes.twitter.user_id
    assert ("twitter", update) not in state  # the City's post, told again

    totals, _ = collect(settings, site.content)
    assert (totals["twitter"].unchanged, totals["twitter"].deleted) == (2, 0)


def test_a_comments_picture_is_kept_with_the_records_as_its_cdn_link_expires(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Facebook's CDN links to a comment's photo expire within days: the records officer
    answering an FOI request months later must still have the picture. Collect keeps it,
    content-addressed, and the version's line names the file; an expired link is said so,
    and the comment is archived all the same."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    records = site.root / "records"
    jpeg = b"\xff\xd8\xff\xe0 brown water in my tub"
    tub = fb.add_picture(jpeg)
    photo = fb.add_comment(ids["facebook"], "", "Jordan Park", attachment=fb_photo(tub))
    again = fb.add_comment(ids["facebook"], "Mine too", "Sam Lee", attachment=fb_photo(tub))
    said: list[str] = []
    collect(settings, site.content, say=said.append)
    state = CommentArchive(records).state()
    digest = hashlib.sha256(jpeg).hexdigest()
    kept: dict[str, Any] = {
        "sha256": digest,
        "file": f"archive/attachments/{digest}.jpg",
        "type": "image/jpeg",
        "bytes": len(jpeg),
    }
    assert state[("facebook", photo)].versions[-1]["picture"] == kept
    assert state[("facebook", again)].versions[-1]["picture"] == kept  # one file for both
    assert (records / kept["file"]).read_bytes() == jpeg
    assert [p.name for p in (records / "archive" / "attachments").iterdir()] == [f"{digest}.jpg"]
    assert "facebook: 2 picture(s) kept with the records, 0 not kept" in " ".join(said)
    committed = subprocess.run(
        ["git", "-C", str(records), "ls-files", "archive/attachments"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert committed.split() == [kept["file"]]

    # The resident swaps in another photo whose link has expired by the time collect asks.
    sink = fb.add_picture(b"\xff\xd8\xff sink")
    fb.expire_picture(sink)
    fb.edit_attachment(photo, fb_photo(sink))
    collect(settings, site.content, say=lambda _: None)
    versions = CommentArchive(records).state()[("facebook", photo)].versions
    assert versions[0]["picture"] == kept  # the earlier line as it was
    assert versions[1]["attachment"] == fb_photo(sink)  # the version is archived all the same
    assert versions[1]["picture"] == {
        "not_kept": "expired",
        "why": "the link answered 404 (expired)",
    }
    assert ChainFile(records / "archive" / "comments.jsonl").verify() == []


def test_a_picture_whose_cdn_link_is_signed_anew_is_no_edit(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Facebook's CDN signs a picture's link for days at a time and Graph then gives it signed
    anew: the same picture, which is no new version (the archive would say every photo comment
    was edited every few days); a picture at another address is."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    records = site.root / "records"
    tub = fb.add_picture(b"\xff\xd8\xff tub")
    photo = fb.add_comment(ids["facebook"], "Look", attachment=fb_photo(tub))
    collect(settings, site.content, say=lambda _: None)
    fb.edit_attachment(photo, fb_photo(resigned(tub)))
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert (totals["facebook"].edited, totals["facebook"].unchanged) == (0, 1)
    assert len(CommentArchive(records).state()[("facebook", photo)].versions) == 1
    sink = fb.add_picture(b"\xff\xd8\xff sink")
    fb.edit_attachment(photo, fb_photo(sink))
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert totals["facebook"].edited == 1


def test_a_download_a_killed_run_left_is_never_committed_and_the_next_collect_removes_it(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A run killed mid-download leaves its file under a temporary name beside the pictures:
    committed, the shared archive would hold part of a picture no line names."""
    ids, settings = posted(site, sandboxes)
    records = site.root / "records"
    collect(settings, site.content, say=lambda _: None)  # the archive, committed
    folder = records / "archive" / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    left = folder / f"{INCOMING}k1ll3d"
    left.write_bytes(b"\xff\xd8\xff half a pict")
    assert commit_archive(records, "a run after the killed one") is None  # nothing to commit
    jpeg = b"\xff\xd8\xff tub"
    tub = sandboxes.facebook.add_picture(jpeg)
    sandboxes.facebook.add_comment(ids["facebook"], "", attachment=fb_photo(tub))
    collect(settings, site.content, say=lambda _: None)
    assert not left.exists()
    committed = subprocess.run(
        ["git", "-C", str(records), "ls-files", "archive/attachments"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert committed.split() == [f"archive/attachments/{hashlib.sha256(jpeg).hexdigest()}.jpg"]


def test_a_picture_not_an_image_or_too_large_is_not_kept_and_says_why(
    site: Site, sandboxes: Sandboxes
) -> None:
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    page = fb.add_picture(b"<html>login</html>", "text/html; charset=utf-8")
    comment = fb.add_comment(ids["facebook"], "See this", attachment=fb_photo(page))
    collect(settings, site.content, say=lambda _: None)
    picture = CommentArchive(site.root / "records").state()[("facebook", comment)].picture
    assert picture == {"not_kept": "not_an_image", "why": "not an image (text/html)"}
    folder = site.root / "records" / "archive" / "attachments"
    assert not folder.exists() or not any(folder.iterdir())

    big = fb.add_picture(b"\x89PNG" + b"\0" * 5000, "image/png")
    keeper = PictureKeeper(site.root / "records", max_bytes=1000)
    assert keeper.keep(big)["not_kept"] == "too_large"  # said by its Content-Length
    # One that does not say its length is cut off as it streams in, nothing half written left.
    streamed = requests.Session()
    streamed.hooks["response"].append(lambda r, **_: r.headers.pop("Content-Length") and None)
    keeper = PictureKeeper(site.root / "records", session=streamed, max_bytes=1000)
    assert keeper.keep(big) == {"not_kept": "too_large", "why": "over 1000 bytes"}
    assert not folder.exists() or not any(folder.iterdir())


def test_a_page_labelled_an_image_is_not_kept_its_bytes_must_be_a_pictures(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A CDN or proxy may answer its error page under an image's Content-Type: kept, the
    records would hold a page where the picture should be. The bytes must begin as a picture
    of a kept type does; one of another kept type than its label says is kept as what it is."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    records = site.root / "records"
    page = fb.add_picture(b"<!DOCTYPE html><html>Access denied</html>", "image/jpeg")
    comment = fb.add_comment(ids["facebook"], "See this", attachment=fb_photo(page))
    collect(settings, site.content, say=lambda _: None)
    picture = CommentArchive(records).state()[("facebook", comment)].picture
    assert picture == {
        "not_kept": "not_an_image",
        "why": "not an image (labelled image/jpeg, but its bytes are no picture of a kept type)",
    }
    folder = records / "archive" / "attachments"
    assert not folder.exists() or not any(folder.iterdir())  # nothing stored, nothing left

    keeper = PictureKeeper(records)
    pictures = {
        b"\xff\xd8\xff\xe0 jpeg": "image/jpeg",
        b"\x89PNG\r\n\x1a\n png": "image/png",
        b"GIF87a gif": "image/gif",
        b"GIF89a gif": "image/gif",
        b"RIFF\x24\0\0\0WEBPVP8 webp": "image/webp",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic": "image/heic",
        b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf": "image/avif",
        b"BM\x36\0\0\0 bmp": "image/bmp",
    }
    for body, content_type in pictures.items():
        assert keeper.keep(fb.add_picture(body, content_type))["type"] == content_type, body
    # Labelled as another kept type: kept as what its bytes are, with that type's extension.
    png = b"\x89PNG\r\n\x1a\n labelled jpeg"
    kept = keeper.keep(fb.add_picture(png, "image/jpeg"))
    assert (kept["type"], kept["file"][-4:]) == ("image/png", ".png")
    not_pictures = [
        b"\xff\xd8",  # cut short
        b"\x89PNG hydrant",
        b"RIFF\x24\0\0\0WAVEfmt ",  # a sound
        b"\0\0\0\x18ftypmp42\0\0\0\0isommp42",  # a video
        b"",
    ]
    for body in not_pictures:
        assert keeper.keep(fb.add_picture(body))["not_kept"] == "not_an_image", body
    assert len(list(folder.iterdir())) == len(set(pictures.values())) + 1 + 1  # gif twice


def test_a_picture_the_cdn_did_not_answer_is_tried_again_by_a_later_collect(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The CDN failing (5xx, no answer) never stops the collection: the comment is archived,
    its picture said not kept, and the next collect keeps it, on a line of its own (the
    comment's line is never rewritten)."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    jpeg = b"\xff\xd8\xff hydrant"
    src = fb.add_picture(jpeg)
    fb.inject("server_error", path="^/cdn/", times=2, status=503)
    comment = fb.add_comment(ids["facebook"], "", "Riley Cole", attachment=fb_photo(src))
    _, failures = collect(settings, site.content, say=lambda _: None)
    assert failures == []
    records = site.root / "records"
    chain = ChainFile(records / "archive" / "comments.jsonl")
    first = [e for e in chain.events() if e.get("comment_id") == comment]
    assert first[0]["picture"]["not_kept"] == "unreachable"

    fb.inject("server_error", path="^/cdn/", times=2, status=503)
    collect(settings, site.content, say=lambda _: None)  # no answer again: nothing to add
    assert [e for e in chain.events() if e.get("comment_id") == comment] == first

    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert totals["facebook"].unchanged == 1 and totals["facebook"].pictures_kept == 1
    lines = [e for e in chain.events() if e.get("comment_id") == comment]
    assert lines[0] == first[0]
    assert lines[1]["kind"] == "comment_picture" and lines[1]["version"] == 1
    assert (records / lines[1]["picture"]["file"]).read_bytes() == jpeg
    state = CommentArchive(records).state()[("facebook", comment)]
    assert state.version == 1 and state.picture == lines[1]["picture"]
    assert chain.verify() == []
    # Not a record of its own: search finds the comment once.
    assert [r.comment_id for r in read_records(records)].count(comment) == 1
    collect(settings, site.content, say=lambda _: None)  # kept: not tried again
    assert len([e for e in chain.events() if e.get("comment_id") == comment]) == 2


def test_a_picture_archived_before_pictures_were_kept_is_kept_by_the_next_collect(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version archived with its attachment's link only (before collect kept pictures): the
    next collect keeps its picture while the link still answers, on a line of its own."""
    ids, settings = posted(site, sandboxes)
    jpeg = b"\xff\xd8\xff before"
    src = sandboxes.facebook.add_picture(jpeg)
    comment = sandboxes.facebook.add_comment(ids["facebook"], "", attachment=fb_photo(src))
    with monkeypatch.context() as before:
        before.setattr(archive_collect, "PictureKeeper", lambda _: None)
        collect(settings, site.content, say=lambda _: None)
    chain = ChainFile(site.root / "records" / "archive" / "comments.jsonl")
    (line,) = [e for e in chain.events() if e.get("comment_id") == comment]
    assert "picture" not in line
    collect(settings, site.content, say=lambda _: None)
    lines = [e for e in chain.events() if e.get("comment_id") == comment]
    assert lines[0] == line and lines[1]["kind"] == "comment_picture"
    assert lines[1]["picture"]["sha256"] == hashlib.sha256(jpeg).hexdigest()


def pictured_comments(fb: FacebookSandbox, post: str, count: int) -> tuple[list[str], list[str]]:
    """`count` residents' comments on `post`, each showing a JPEG of its own: their ids, and
    where the CDN serves each picture."""
    sources = [fb.add_picture(b"\xff\xd8\xff %d" % n) for n in range(count)]
    comments = [
        fb.add_comment(post, "", f"Resident {n}", attachment=fb_photo(source))
        for n, source in enumerate(sources)
    ]
    return comments, sources


def _cdn_asked(sandboxes: Sandboxes) -> int:
    return sum(1 for _, path in sandboxes.facebook.requests if path.startswith("/cdn/"))


def test_a_cdn_that_stops_answering_is_asked_no_more_in_the_run(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each picture is asked twice, with a timeout: with the CDN stalled and thousands of
    pictured comments, a collect would run for days holding the archive's lock. After three
    pictures in a row without an answer, the run asks for no more: each new version is
    archived all the same, its picture said not kept, not asked, and a later collect tries
    again."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    comments, _ = pictured_comments(fb, ids["facebook"], 5)
    fb.inject("server_error", path="^/cdn/", times=100, status=503)
    before = _cdn_asked(sandboxes)
    said: list[str] = []
    collect(settings, site.content, say=said.append)
    assert _cdn_asked(sandboxes) - before == 3 * 2  # three pictures, each asked twice
    state = CommentArchive(site.root / "records").state()
    pictures = [state[("facebook", c)].picture or {} for c in comments]
    assert [p.get("not_kept") for p in pictures] == ["unreachable"] * 5
    not_asked = "not asked: the CDN did not answer the last 3"
    assert [p["why"] for p in pictures].count(not_asked) == 2
    assert "facebook: 0 picture(s) kept with the records, 5 not kept" in " ".join(said)


def test_a_collect_fetches_at_most_its_share_of_earlier_pictures_the_rest_the_next(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pictures of versions archived before (never tried, or without an answer) are asked at
    most EARLIER_PER_RUN a run: the rest wait for the next collect, and the counts say so."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    comments, _ = pictured_comments(fb, ids["facebook"], 3)
    with monkeypatch.context() as before:
        before.setattr(archive_collect, "PictureKeeper", lambda _: None)
        collect(settings, site.content, say=lambda _: None)
    monkeypatch.setattr(pictures_module, "EARLIER_PER_RUN", 2)
    said: list[str] = []
    totals, _ = collect(settings, site.content, say=said.append)
    assert (totals["facebook"].pictures_kept, totals["facebook"].pictures_left) == (2, 1)
    assert (
        "facebook: 2 picture(s) kept with the records, 0 not kept (the reason is on each "
        "comment's line), 1 earlier one(s) left for the next collect"
    ) in said
    chain = ChainFile(site.root / "records" / "archive" / "comments.jsonl")
    later = [e["comment_id"] for e in chain.events() if e["kind"] == "comment_picture"]
    assert len(later) == 2
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert (totals["facebook"].pictures_kept, totals["facebook"].pictures_left) == (1, 0)
    later = [e["comment_id"] for e in chain.events() if e["kind"] == "comment_picture"]
    assert sorted(later) == sorted(comments)


def test_earlier_pictures_that_never_answer_do_not_keep_the_others_waiting(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Earlier pictures are asked in an order drawn afresh each run, from its time: asked in
    the same order every run, three at the front that never answer would use up the run's
    allowance of three in a row each time, and those behind them would never be asked."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    comments, sources = pictured_comments(fb, ids["facebook"], 6)
    with monkeypatch.context() as before:
        before.setattr(archive_collect, "PictureKeeper", lambda _: None)
        collect(settings, site.content, say=lambda _: None)
    for dead in sources[:3]:  # listed first, and never answered
        fb.inject(
            "server_error", path=dead.split("?")[0].rsplit("/", 1)[-1], times=10**6, status=503
        )
    # Each asked once, not waited for between tries.
    monkeypatch.setattr(
        archive_collect,
        "PictureKeeper",
        lambda records: PictureKeeper(records, retry=Retry(attempts=1)),
    )
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    for run in range(8):  # every 15 minutes
        now = start + timedelta(minutes=15 * run)
        collect(settings, site.content, say=lambda _: None, days=0, now=now)
    state = CommentArchive(site.root / "records").state()
    assert [pictures_module.kept(state[("facebook", c)].picture) for c in comments] == [
        False
    ] * 3 + [True] * 3


def test_pictures_of_earlier_versions_come_in_a_turn_drawn_afresh_each_run() -> None:
    """The same run's time, the same order (a run can be repeated and tested); over a few
    runs each picture comes among the first three, before a stall could leave it unasked."""
    versions = [("facebook", f"c{n}", 1) for n in range(10)]
    start = datetime(2026, 11, 20, tzinfo=UTC)
    runs = [start + timedelta(minutes=15 * n) for n in range(20)]

    def turn(run: datetime) -> list[tuple[str, str, int]]:
        return sorted(versions, key=lambda version: pictures_module.earlier_turn(version, run))

    turns = [turn(run) for run in runs]
    assert turn(start) == turns[0]
    assert len({tuple(turn) for turn in turns}) == len(runs)
    assert {version for turn in turns for version in turn[:3]} == set(versions)


def test_a_pictures_address_is_read_in_one_place_for_comparing_downloading_and_showing() -> None:
    """The no-edit comparison (without the link's signature), the download and where to see
    the picture all read its address through one helper, and its signature goes through one:
    they cannot drift apart."""
    signed = "https://cdn.example/p/1_ab.jpg?oh=0a1b&oe=6790"
    attachment = fb_photo(signed)
    assert picture_address(attachment) == picture_source(attachment) == signed
    assert unsigned(signed) == "https://cdn.example/p/1_ab.jpg"
    assert attachment_sources(attachment) == [signed, attachment["url"]]
    not_web = fb_photo("cdn.example/p/1_ab.jpg?oh=0a1b")  # shown and severed, never fetched
    assert picture_address(not_web) == "cdn.example/p/1_ab.jpg?oh=0a1b"
    assert picture_source(not_web) is None
    assert attachment_sources(not_web)[0] == "cdn.example/p/1_ab.jpg?oh=0a1b"
    nothing: list[Any] = [
        {"type": "photo"},
        {"media": {"image": "x"}},
        None,
        {"media": {"image": {}}},
    ]
    for shown in nothing:
        assert picture_address(shown) is None


def test_the_comparison_and_the_download_take_the_address_from_the_same_helper(
    site: Site, sandboxes: Sandboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read elsewhere, a change to where the address is (or how it is signed) would make every
    re-signed link an edit, or a picture never fetched: here the one helper is replaced."""
    ids, settings = posted(site, sandboxes)
    fb = sandboxes.facebook
    tub = fb.add_picture(b"\xff\xd8\xff tub")
    photo = fb.add_comment(ids["facebook"], "Look", attachment=fb_photo(tub))
    collect(settings, site.content, say=lambda _: None)
    signed_anew = resigned(tub)
    fb.edit_attachment(photo, fb_photo(signed_anew))
    calls: list[str] = []

    def counted(address: str) -> str:
        calls.append(address)
        return address.split("?", 1)[0]

    monkeypatch.setattr(comments_module, "unsigned", counted)
    totals, _ = collect(settings, site.content, say=lambda _: None)
    assert totals["facebook"].unchanged == 1 and signed_anew in calls
