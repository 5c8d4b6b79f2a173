"""The CEC's commands: new, preview, status."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from invoke import Task
from invoke.context import Context
from invoke.exceptions import Exit

import revisions
import tasks
from announcements.model import parse_announcement
from announcements.reader import display_path
from archive.git import commit_archive, pull_archive, push_archive
from checks.lint import lint
from publishing.author import (
    CITY,
    NOTHING_UP,
    AuthoringError,
    default_event_end,
    latest_announcement,
    new_announcement,
    preview,
)
from publishing.build import BuildError, build_site
from publishing.status import waiting
from sandboxes import Sandboxes
from syndication.ledger import Ledger, Record
from syndication.runner import PLATFORM_CLASSES
from syndication.text import x_length
from tests.conftest import (
    BASIC,
    PNG,
    ROOT,
    SITEURL,
    TOO_MANY_PIXELS,
    Site,
    announcement,
    mp4,
    place_taken,
    png_of_pixels,
)

NOW = datetime.fromisoformat("2026-11-24T12:00:00-08:00")
NOW_TEXT = "2026-11-24 12:00"


@pytest.mark.parametrize("category", ["public-notice", "city-event", "alert"])
def test_a_new_announcement_builds_at_once_as_a_draft(site: Site, category: str) -> None:
    path = new_announcement(
        site.content, "Snow clearing: what to expect", category, date="2026-11-24 09:00", now=NOW
    )
    assert path.name == "2026-11-24-snow-clearing-what-to-expect.md"
    site.build()  # raises on any validation problem
    assert not (site.output / "announcements" / f"{path.stem}.html").exists()  # a draft
    published = path.read_text().replace("status: draft", "status: published")
    path.write_text(re.sub(r"TODO[:,]? ", "", published))  # the TODO parts filled in
    site.build()
    assert (site.output / "announcements" / f"{path.stem}.html").is_file()


def test_placeholders_left_by_invoke_new_do_not_reach_the_public(site: Site) -> None:
    """The CEC sets `status: published` but forgets the TODO parts: the lint and the build
    both stop it, naming each line and field, before Facebook and X get "TODO: ..."."""
    path = new_announcement(
        site.content, "Winter market", "city-event", date="2026-11-20 09:00", now=NOW
    )
    text = path.read_text().replace("status: draft", "status: published")
    path.write_text(text.replace('summary: "TODO', 'summary: "Winter market. TODO'))
    lines = {n: line for n, line in enumerate(path.read_text().splitlines(), 1) if "TODO" in line}
    name = display_path(path)
    found = [f for f in lint(site.content, ROOT / "policy") if f.blocks_publishing]
    assert [(f.path, f.line, f.rule) for f in found] == [
        (name, line, "placeholder") for line in lines
    ]
    with pytest.raises(BuildError) as refused:
        site.build()
    fields = [line.split(":")[0] for line in lines.values()]
    assert fields == ["summary", "event_end", "location", "TODO"]  # the last is the text
    assert [problem.split(" 'TODO' ")[0] for problem in refused.value.problems] == [
        f"{name}:{line}: {field if field != 'TODO' else 'text'}:"
        for line, field in zip(lines, fields, strict=True)
    ]
    assert not site.output.exists()
    # A draft may keep them.
    path.write_text(path.read_text().replace("status: published", "status: draft"))
    site.build()
    assert [f for f in lint(site.content, ROOT / "policy") if f.blocks_publishing] == []


def test_the_lint_names_the_field_a_placeholder_is_left_in_as_the_build_does(site: Site) -> None:
    """README, "The CEC's day": the lint and the build name each line and field
    (`…:8: location: 'TODO' marks a part left to fill in or check; …`), once each."""
    path = new_announcement(
        site.content, "Winter market", "city-event", date="2026-11-20 09:00", now=NOW
    )
    path.write_text(path.read_text().replace("status: draft", "status: published"))
    name = display_path(path)
    with pytest.raises(BuildError) as refused:
        site.build()
    found = [f for f in lint(site.content, ROOT / "policy") if f.blocks_publishing]
    assert len(refused.value.problems) == 4  # summary, event_end, location, text
    assert [str(f) for f in found] == [
        re.sub(r"^(.*?:\d+): ", r"\1: error placeholder: ", problem)
        for problem in refused.value.problems
    ]
    assert str(found[2]).startswith(
        f"{name}:8: error placeholder: location: 'TODO' marks a part left to fill in or check; "
    )


def test_what_to_do_in_capitals_is_a_notice_not_a_placeholder(site: Site) -> None:
    """Emergency notices head their instructions WHAT TO DO: they must never be refused."""
    site.add(
        "2026-11-20-boil-water",
        title='"Boil water notice: WHAT TO DO"',
        body="WHAT TO DO: boil tap water for one minute before drinking it.\n",
    )
    assert [f for f in lint(site.content, ROOT / "policy") if f.blocks_publishing] == []
    site.build()
    assert "WHAT TO DO: boil" in site.read("announcements/2026-11-20-boil-water.html")


def test_new_refuses_a_duplicate_and_an_unknown_category(site: Site) -> None:
    new_announcement(site.content, "Pool closed", "service-change", date="2026-11-24 09:00")
    with pytest.raises(AuthoringError, match="already exists"):
        new_announcement(site.content, "Pool closed", "service-change", date="2026-11-24 09:00")
    with pytest.raises(AuthoringError, match="--category: 'parade' is not one of"):
        new_announcement(site.content, "Parade", "parade")


def test_invoke_new_requires_a_category(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """README, "Commands": `invoke new "Title" --category C`, which the file must have; without
    it `new` took public-notice, silently, and its --help said nothing of it."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    with pytest.raises(Exit) as stopped:
        tasks.new(Context(), "Pool closed")
    assert (stopped.value.code, stopped.value.message) == (
        2,
        "new: --category is required: one of public-notice, capital-project, city-event, "
        "regional-event, service-change, alert",
    )
    assert list((site.content / "announcements").iterdir()) == []
    assert tasks.new.help["category"].startswith("required: one of public-notice, ")


def test_invoke_new_refuses_a_title_without_words_to_name_the_file(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "ROOT", site.root)
    with pytest.raises(Exit) as stopped:
        tasks.new(Context(), "!!!", "public-notice")
    assert (stopped.value.code, stopped.value.message) == (
        2,
        "new: title: '!!!' has no letters or digits to name the file by; give it words",
    )
    assert list((site.content / "announcements").iterdir()) == []


@pytest.mark.parametrize("character", ["\x0c", "\x1b"])
def test_invoke_new_refuses_a_title_with_an_invisible_character(
    site: Site, monkeypatch: pytest.MonkeyPatch, character: str
) -> None:
    """Pasted from a PDF with the title: written into the draft, it passes until the CEC sets
    it to published, when the build refuses it; `new` says so at once, writing nothing."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    with pytest.raises(Exit) as stopped:
        tasks.new(Context(), f"Pool{character} closed", "public-notice")
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith(
        f"new: title: U+{ord(character):04X} is an invisible control character"
    )
    assert list((site.content / "announcements").iterdir()) == []


@pytest.mark.parametrize("category", ["public-notice", "service-change", "alert"])
def test_invoke_new_refuses_an_event_start_for_a_category_that_is_not_an_event(
    site: Site, monkeypatch: pytest.MonkeyPatch, category: str
) -> None:
    """Only an event's file has an event_start: one given for another category would be
    dropped without a word, and the CEC would believe the date recorded."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    with pytest.raises(Exit) as stopped:
        tasks.new(Context(), "Pool closed", category, event_start="2026-12-01 09:00")
    assert (stopped.value.code, stopped.value.message) == (
        2,
        f"new: --event-start: only an event takes it (--category city-event or "
        f"regional-event), not --category {category}; leave it out, or give the event's "
        f"category",
    )
    assert list((site.content / "announcements").iterdir()) == []


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("2026-11-25 03:00+00:00", "2026-11-24 19:00"),  # UTC: the day before, in City time
        ("2026-11-01 01:30-08:00", "2026-11-01 01:30-08:00"),  # the second 01:30 as DST ends
        ("2026-11-01 01:30", "2026-11-01 01:30"),  # City time: the first 01:30 (PDT)
    ],
)
def test_new_writes_the_time_it_was_given_in_city_time(
    site: Site, given: str, written: str
) -> None:
    path = new_announcement(
        site.content, "Council meeting", "city-event", date=given, event_start=given
    )
    assert path.name == f"{written[:10]}-council-meeting.md"
    text = path.read_text()
    assert f"\ndate: {written}\n" in text and f"\nevent_start: {written}\n" in text
    item, problems = parse_announcement(str(path), text, CITY)
    assert problems == [] and item is not None and item.event_start is not None
    instant = datetime.fromisoformat(given)
    instant = instant if instant.tzinfo else instant.replace(tzinfo=CITY)
    assert item.date.timestamp() == item.event_start.timestamp() == instant.timestamp()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("9999-12-31 23:00-12:00", "--date: '9999-12-31 23:00-12:00' is out of range"),
        ("next Tuesday", "--date: 'next Tuesday' is not a date"),
    ],
)
def test_new_refuses_a_date_the_build_would_refuse(site: Site, given: str, expected: str) -> None:
    with pytest.raises(AuthoringError) as refused:
        new_announcement(site.content, "Pool closed", "service-change", date=given)
    assert str(refused.value).startswith(expected)
    assert not list((site.content / "announcements").glob("*pool-closed.md"))


def test_new_never_writes_a_time_skipped_when_clocks_go_forward(site: Site) -> None:
    with pytest.raises(AuthoringError) as refused:
        new_announcement(site.content, "Clean-up", "city-event", event_start="2027-03-14 02:30")
    assert str(refused.value).startswith(
        "--event-start: '2027-03-14 02:30' does not exist in City time: clocks go forward from "
        "2:00 to 3:00 on 2027-03-14"
    )
    # Two hours after 00:30 PST is 03:30 PDT (the clock skips 2:00 to 3:00), not 02:30.
    path = new_announcement(
        site.content,
        "Clean-up",
        "city-event",
        date="2027-03-07 09:00",
        event_start="2027-03-14 00:30",
    )
    assert "\nevent_end: 2027-03-14 03:30  # TODO: check\n" in path.read_text()
    # A week after 02:30 on March 7 is, on the clock, the skipped 02:30 of March 14.
    week = new_announcement(site.content, "Egg hunt", "city-event", date="2027-03-07 02:30")
    assert "\nevent_start: 2027-03-14 03:30\n" in week.read_text()
    site.build()  # raises on any validation problem


@pytest.mark.parametrize(
    ("event_start", "event_end"),
    [
        ("2026-11-01 00:30", "2026-11-01 01:30-08:00"),  # ends in the repeated hour, PST
        ("2026-11-01 01:30", "2026-11-01 02:30"),  # the first 01:30 (PDT): 02:30 PST
        ("2026-10-31 23:30", "2026-11-01 01:30"),  # ends in the first 01:30 (PDT)
        ("2027-03-14 01:30", "2027-03-14 04:30"),  # 01:30 PST to 04:30 PDT, not 03:30
    ],
)
def test_new_gives_an_event_two_hours_across_a_daylight_saving_change(
    site: Site, event_start: str, event_end: str
) -> None:
    """The default end is two hours as the people there live them, not as the clock reads
    them: the night the clocks change, 00:30 to 02:30 would be three hours, 01:30 to 03:30 one."""
    path = new_announcement(
        site.content, "Night skate", "city-event", date="2026-10-01 09:00", event_start=event_start
    )
    text = path.read_text()
    assert f"\nevent_start: {event_start}\nevent_end: {event_end}  # TODO: check\n" in text
    item, problems = parse_announcement(str(path), text, CITY)  # as the build reads it
    assert problems == [] and item is not None
    assert item.event_start is not None and item.event_end is not None
    assert item.event_end.timestamp() - item.event_start.timestamp() == 2 * 60 * 60


def test_new_writes_an_event_started_on_a_day_alone_as_an_all_day_event(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fair on a day: its end is that same day (its last day), to be checked as the timed
    default is, never a time the CEC would have to take out."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    tasks.new(Context(), "Winter fair", "city-event", "2026-11-24 09:00", "2026-12-05")
    path = site.content / "announcements/2026-11-24-winter-fair.md"
    text = path.read_text()
    assert "\nevent_start: 2026-12-05\nevent_end: 2026-12-05  # TODO: check\n" in text
    item, problems = parse_announcement(str(path), text, CITY)  # as the build reads it
    assert problems == [] and item is not None and item.all_day
    assert item.first_day == item.last_day == date(2026, 12, 5)
    assert default_event_end(date(2026, 12, 5)) == date(2026, 12, 5)
    with pytest.raises(AuthoringError, match=r"^--event-start: '2026-02-30' is not a date"):
        new_announcement(site.content, "Fair", "city-event", event_start="2026-02-30")


def test_new_cuts_the_file_name_of_a_long_title_at_a_word(site: Site) -> None:
    title = "Road closure on " + "Victoria Street and " * 14 + "Bay Avenue"
    path = new_announcement(site.content, title, "service-change", date="2026-11-24 09:00")
    slug = path.stem.removeprefix("2026-11-24-")
    whole = "road-closure-on-" + "victoria-street-and-" * 14 + "bay-avenue"
    assert 70 < len(slug) <= 80 and whole.startswith(slug + "-")
    item, _ = parse_announcement(str(path), path.read_text(), CITY)
    assert item is not None and item.title == title  # the title itself is whole


def test_preview_shows_what_each_platform_gets_counted_as_it_counts(site: Site) -> None:
    path = site.add("2026-11-20-flushing", image="images/pixel.png", image_alt="Crews at a hydrant")
    shown = preview(path, site.content, SITEURL)
    url = f"{SITEURL}/announcements/2026-11-20-flushing.html"
    assert shown["page"] == url and shown["image_alt"] == "Crews at a hydrant"
    twitter = shown["platforms"]["twitter"]
    assert twitter["text"].endswith(url)
    assert twitter["count"] == f"{x_length(twitter['text'])} of 280 as X counts"
    assert shown["platforms"]["facebook"]["link"] == url
    bad = site.add("2026-11-21-bad", category="parade")
    with pytest.raises(AuthoringError, match="category: 'parade'"):
        preview(bad, site.content, SITEURL)


def test_preview_gives_the_page_address_the_build_gives(site: Site) -> None:
    """Pelican makes the address from the file name as a slug: lowercase, dots dropped."""
    path = site.add("2026-11-20-Glenmerry-Water-Main-Flushing.v2")
    site.build()
    (entry,) = json.loads(site.read("syndication.json"))["announcements"]
    assert (
        entry["url"] == f"{SITEURL}/announcements/2026-11-20-glenmerry-water-main-flushingv2.html"
    )
    shown = preview(path, site.content, SITEURL)
    assert shown["page"] == entry["url"]
    assert shown["platforms"]["facebook"]["link"] == entry["url"]


def test_invoke_preview_says_a_page_is_not_an_announcement(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "ROOT", site.root)
    page = site.content / "pages" / "about.md"
    with pytest.raises(Exit) as stopped:
        tasks.preview(Context(), str(page))
    assert (stopped.value.code, stopped.value.message) == (
        2,
        f"preview: {page}: not an announcement (pages are not syndicated; announcements are in "
        f"{site.content / 'announcements'})",
    )


def test_invoke_preview_reads_a_file_of_another_content_folder_with_its_images(
    site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy of the content elsewhere (built with `invoke build --content DIR`): its
    announcement's image is looked for in that folder, beside its announcements/, not in the
    project's own content/."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    other = tmp_path / "draft-content"
    shutil.copytree(site.content, other)
    shutil.copy(other / "images" / "pixel.png", other / "images" / "crews.png")
    path = other / "announcements" / "2026-11-20-flushing.md"
    path.write_text(announcement(**{**BASIC, "image": "images/crews.png", "image_alt": "Crews"}))
    assert not (site.content / "images" / "crews.png").exists()
    tasks.preview(Context(), str(path))
    assert re.search(r"^Image: https://[^/]+/images/crews\.png$", capsys.readouterr().out, re.M)


@pytest.mark.parametrize(
    "name", ["2026-11-20-flushing.md.txt", "2026-11-20-flushing.MD", "2026/2026-11-20-flushing.md"]
)
def test_invoke_preview_refuses_a_file_the_build_does_not_publish(
    site: Site, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """No address for a page that will never be there: the build refuses the file (saved as
    Notepad saves it, or in a folder inside announcements/), and preview says so as it does."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    path = site.write(f"announcements/{name}", announcement(**BASIC))
    with pytest.raises(BuildError) as refused:
        site.build()  # the build refuses it, naming the file
    with pytest.raises(Exit) as stopped:
        tasks.preview(Context(), str(path))
    assert stopped.value.code == 2
    assert stopped.value.message == f"preview: {refused.value.problems[0]}"


@pytest.mark.parametrize(
    "fields",
    [
        {"modified": "2026-12-01 09:00"},
        {"correction": "[{date: 2026-12-01 09:00, note: Monday.}]"},
    ],
)
def test_preview_refuses_a_change_dated_after_now_as_the_build_does(
    site: Site, fields: dict[str, str]
) -> None:
    """A change is published as made at its time: one dated ahead of now is refused by the
    build (`changes_dated_later`), and preview names it as the build does; not "the next run
    edits it in place". Once its time has come, it is a change like any other."""
    path = site.add("2026-11-20-flushing", **fields)
    early = "2026-12-01 02:55"
    with pytest.raises(BuildError) as refused:
        site.build(now=early)
    with pytest.raises(AuthoringError) as stopped:
        preview(path, site.content, SITEURL, now=datetime.fromisoformat(f"{early}-08:00"))
    assert str(stopped.value) == "\n".join(refused.value.problems)
    assert str(stopped.value).startswith(f"{path}:6: {next(iter(fields))}: '2026-12-01 09:00' is")
    made = datetime.fromisoformat("2026-12-01T09:00:00-08:00")
    assert preview(path, site.content, SITEURL, now=made)["page"].endswith("flushing.html")


def test_invoke_preview_refuses_a_change_dated_after_now(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "ROOT", site.root)
    path = site.add("2026-11-20-flushing", modified="2999-01-01 09:00")
    with pytest.raises(Exit) as stopped:
        tasks.preview(Context(), str(path))
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith(
        f"preview: {path}:6: modified: '2999-01-01 09:00' is after now ("
    )


def preview_header(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: Path
) -> str:
    """The first line `invoke preview` prints for `path`: the page, its status and state."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.setenv("SITEURL", SITEURL)
    tasks.preview(Context(), str(path))
    return capsys.readouterr().out.splitlines()[0]


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"expires": "2999-01-01 12:00"}, "(status: published, urgent)"),
        (
            {"expires": "2026-11-21 17:00"},
            "(status: published, expired on Saturday, November 21, 2026, 5 p.m. PST)",
        ),
        (
            {"status": "withdrawn", "withdrawn_reason": "Sent in error.", "modified": NOW_TEXT},
            "(status: withdrawn)",
        ),
    ],
)
def test_invoke_preview_says_an_alert_is_urgent_as_its_page_does(
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fields: dict[str, str],
    said: str,
) -> None:
    """Urgent until it expires, and then that it expired, as its page says; withdrawn, only
    that (the page's badges)."""
    path = site.add("2026-11-20-boil-water", category="alert", urgent="true", **fields)
    header = preview_header(site, monkeypatch, capsys, path)
    assert header == f"Page: {SITEURL}/announcements/2026-11-20-boil-water.html {said}"


def test_preview_says_when_a_scheduled_announcement_is_published(site: Site) -> None:
    """Dated after now, it is held back until then (`publish_due`): said in City time, as the
    site words times; once its time has passed, it is not scheduled."""
    path = site.add("2026-12-08-transit-survey", date="2026-12-08 09:00")
    shown = preview(path, site.content, SITEURL, now=NOW)
    assert shown["scheduled"] == "Tuesday, December 8, 2026, 9 a.m. PST"
    later = datetime.fromisoformat("2026-12-08T09:00:00-08:00")
    assert preview(path, site.content, SITEURL, now=later)["scheduled"] is None
    draft = site.add("2026-12-09-draft", date="2026-12-09 09:00", status="draft")
    assert preview(draft, site.content, SITEURL, now=NOW)["scheduled"] is None  # never published


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({}, "(status: published, scheduled for Sunday, December 8, 2999, 9 a.m. PST)"),
        (
            {"category": "alert", "urgent": "true"},
            "(status: published, scheduled for Sunday, December 8, 2999, 9 a.m. PST, urgent)",
        ),
    ],
)
def test_invoke_preview_says_a_scheduled_announcement_is_scheduled(
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fields: dict[str, str],
    said: str,
) -> None:
    path = site.add("2999-12-08-transit-survey", date="2999-12-08 09:00", **fields)
    header = preview_header(site, monkeypatch, capsys, path)
    assert header == f"Page: {SITEURL}/announcements/2999-12-08-transit-survey.html {said}"


def test_invoke_preview_of_a_withdrawn_announcement_shows_its_takedown_not_its_posts(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing is posted for it: each platform it could have been posted to has its post taken
    down, as each platform's `withdraw` does (said once, on its class), and no image to show.
    YouTube, without a video, never had anything of it."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.setenv("SITEURL", SITEURL)
    path = site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Sent in error.",
        modified=NOW_TEXT,
        image="images/pixel.png",
        image_alt="Crews at a hydrant",
    )
    shown = preview(path, site.content, SITEURL)
    assert shown["image"] is None
    assert shown["platforms"] == {
        "facebook": {"withdrawal": "nothing is posted; its post there, if any, is deleted"},
        "twitter": {
            "withdrawal": "nothing is posted; its post there, if any, is deleted, with the "
            "City's replies to it"
        },
    }
    assert {name: post["withdrawal"] for name, post in shown["platforms"].items()} == {
        name: PLATFORM_CLASSES[name].withdrawal_said for name in ("facebook", "twitter")
    }
    tasks.preview(Context(), str(path))
    out = capsys.readouterr().out
    assert out.splitlines()[:4] == [
        f"Page: {SITEURL}/announcements/2026-11-20-flushing.html (status: withdrawn)",
        "",
        "== facebook",
        "withdrawn: nothing is posted; its post there, if any, is deleted",
    ]
    assert "Water main flushing" not in out and "Image:" not in out
    assert "youtube" not in out
    with_video = site.add(
        "2026-11-21-tour",
        status="withdrawn",
        withdrawn_reason="Sent in error.",
        modified=NOW_TEXT,
        video=site.add_video(),
    )
    assert preview(with_video, site.content, SITEURL)["platforms"]["youtube"] == {
        "withdrawal": "nothing is uploaded; its video there, if any, is made private (kept "
        "with its comments, not deleted)"
    }


def test_preview_of_a_withdrawn_announcement_dated_after_now_says_nothing_is_done_till_then(
    site: Site,
) -> None:
    """The build holds back a withdrawn announcement dated after now too (`publish_due`): it
    is in no manifest, so no run posts or takes down anything of it before its date."""
    path = site.add(
        "2026-12-08-transit-survey",
        date="2026-12-08 09:00",
        status="withdrawn",
        withdrawn_reason="Sent in error.",
        modified="2026-12-08 09:00",  # no earlier than its date
    )
    site.build()  # as the build holds it back: not in the manifest
    assert json.loads(site.read("syndication.json"))["announcements"] == []
    shown = preview(path, site.content, SITEURL, now=NOW)
    assert shown["scheduled"] == "Tuesday, December 8, 2026, 9 a.m. PST"
    assert shown["platforms"]["facebook"] == {
        "withdrawal": "held back by the build until Tuesday, December 8, 2026, 9 a.m. PST: "
        "nothing is posted, and nothing taken down, before then; from then, nothing is "
        "posted; its post there, if any, is deleted"
    }


def test_preview_of_a_withdrawal_with_the_ledger_says_what_is_taken_down_where_it_is_up(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Read with the ledger, a withdrawal is said as the next run does it: each post up is
    taken down, as its platform's class says; where none is up (never posted there, or
    already taken down by a run), nothing is sent."""
    path = site.add("2026-11-20-flushing", syndicate="[facebook]")
    settings = site.syndicate_to(sandboxes)
    site.add(
        "2026-11-20-flushing",
        syndicate="[facebook]",
        status="withdrawn",
        withdrawn_reason="Sent in error.",
        modified=NOW_TEXT,
    )

    def posted() -> dict[str, Record]:
        records = Ledger.in_records(settings.records_dir).records()
        return {p: r for (a, p), r in records.items() if a == "2026-11-20-flushing"}

    shown = preview(path, site.content, SITEURL, now=NOW, posted=posted())
    assert shown["platforms"] == {
        "facebook": {"withdrawal": PLATFORM_CLASSES["facebook"].withdrawal_said},
    }
    site.syndicate_to(sandboxes)  # taken down
    shown = preview(path, site.content, SITEURL, now=NOW, posted=posted())
    assert shown["platforms"] == {"facebook": {"withdrawal": NOTHING_UP}}
    never = site.add(
        "2026-11-21-tour",
        status="withdrawn",
        withdrawn_reason="Sent in error.",
        modified=NOW_TEXT,
    )
    shown = preview(never, site.content, SITEURL, now=NOW, posted={})
    assert shown["platforms"] == {
        "facebook": {"withdrawal": NOTHING_UP},
        "twitter": {"withdrawal": NOTHING_UP},
    }


def test_preview_with_the_ledger_says_what_the_next_run_reports_instead_of_sending(
    site: Site, sandboxes: Sandboxes
) -> None:
    """Where the next run sends nothing but reports why (a withdrawal left with the `modified`
    of the change before it; a post removed on the platform by hand), preview says so, as the
    run words it: not that nothing is up, nor that the post is in step."""
    path = site.add("2026-11-20-flushing", syndicate="[facebook]", modified="2026-11-22 10:00")
    settings = site.syndicate_to(sandboxes)

    def posted() -> dict[str, Record]:
        records = Ledger.in_records(settings.records_dir).records()
        return {p: r for (a, p), r in records.items() if a == "2026-11-20-flushing"}

    site.add(
        "2026-11-20-flushing",
        syndicate="[facebook]",
        status="withdrawn",
        withdrawn_reason="Sent in error.",
        modified="2026-11-22 10:00",  # the correction's: no time of its own
    )
    (said,) = preview(path, site.content, SITEURL, now=NOW, posted=posted())["platforms"].values()
    assert said["withdrawal"].startswith("the next run sends nothing: it is withdrawn")
    assert "give `modified` the time it was withdrawn" in said["withdrawal"]
    site.add(
        "2026-11-20-flushing",
        syndicate="[facebook]",
        modified="2026-11-23 10:00",
        correction="Crews flush on Tuesday.",
    )
    (record,) = posted().values()
    record.gone = record.remote_id  # found deleted on Facebook, never withdrawn
    shown = preview(path, site.content, SITEURL, now=NOW, posted={"facebook": record})
    run = shown["platforms"]["facebook"]["run"]
    assert run.startswith("the next run sends nothing: removed on Facebook outside")


def test_preview_of_a_draft_with_the_ledger_says_what_the_next_run_does_with_its_posts(
    site: Site, sandboxes: Sandboxes
) -> None:
    """A draft is in no build's manifest: no run posts it, whatever the ledger holds; one set
    back to a draft after it was posted has its posts left up, which the next run reports."""
    path = site.add("2026-11-20-flushing", status="draft")
    shown = preview(path, site.content, SITEURL, now=NOW, posted={})
    assert shown["first_post"] is True
    assert all("run" not in post for post in shown["platforms"].values())
    site.add("2026-11-20-flushing", syndicate="[facebook]")
    settings = site.syndicate_to(sandboxes)
    site.add("2026-11-20-flushing", syndicate="[facebook]", status="draft")
    records = Ledger.in_records(settings.records_dir).records()
    posted = {p: r for (a, p), r in records.items() if a == "2026-11-20-flushing"}
    shown = preview(path, site.content, SITEURL, now=NOW, posted=posted)
    assert shown["first_post"] is False
    run = shown["platforms"]["facebook"]["run"]
    assert run.startswith("the next run sends nothing: no longer on the site")


def test_preview_of_a_correction_to_a_posted_announcement_shows_what_the_next_run_sends(
    site: Site,
    sandboxes: Sandboxes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Read with the ledger (RECORDS_DIR, as `invoke syndicate` reads it): X, whose post cannot
    be edited, gets the reply "Update: …" the next run sends; Facebook has its post edited in
    place. Without a ledger the texts are said to be for a first post."""
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.setenv("SITEURL", SITEURL)
    path = site.add("2026-11-20-flushing")
    fresh = preview(path, site.content, SITEURL, now=NOW)
    assert fresh["first_post"] is True
    settings = site.syndicate_to(sandboxes)
    site.add(
        "2026-11-20-flushing",
        modified="2026-11-22 10:00",
        correction="Crews flush on Tuesday, not Monday.",
    )
    posted = Ledger.in_records(settings.records_dir).records()
    records = {p: r for (a, p), r in posted.items() if a == "2026-11-20-flushing"}
    shown = preview(path, site.content, SITEURL, now=NOW, posted=records)
    assert shown["first_post"] is False
    url = f"{SITEURL}/announcements/2026-11-20-flushing.html"
    twitter = shown["platforms"]["twitter"]
    assert "text" not in twitter  # X's post stays as sent: the next run replies to it
    assert twitter["reply"].startswith("Update: Crews flush on Tuesday, not Monday.")
    assert twitter["reply"].endswith(url)
    assert twitter["count"] == f"{x_length(twitter['reply'])} of 280 as X counts"
    facebook = shown["platforms"]["facebook"]
    assert facebook["run"] == "already posted: the next run edits it in place to this"
    assert facebook["message"].startswith("Correction: Crews flush on Tuesday, not Monday.")
    monkeypatch.setenv("RECORDS_DIR", str(settings.records_dir))
    tasks.preview(Context(), str(path))
    out = capsys.readouterr().out
    assert f"reply:\n{twitter['reply']}\n" in out
    assert "already posted: X's post cannot be edited; the next run replies to it" in out
    monkeypatch.setenv("RECORDS_DIR", str(site.root / "elsewhere"))  # no ledger there
    tasks.preview(Context(), str(path))
    out = capsys.readouterr().out
    assert "no ledger at" in out and "the texts are for a first post" in out
    assert "reply:" not in out


def test_invoke_preview_reads_the_ledger_ci_pushed_and_says_when_it_cannot(
    site: Site,
    sandboxes: Sandboxes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With RECORDS_REMOTE set, preview fetches the records CI pushed (as `invoke status`
    does): on the CEC's machine, whose own copy is empty or stale, a posted announcement's
    correction was previewed as a first post. Offline, it reads this machine's copy, saying
    so; with none, it says whether it is posted is not known, and still shows the texts."""
    url = str(tmp_path / "records.git")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", url], check=True)
    ci_records = site.root / "records"  # where `syndicate_to` records, as CI's clone
    pull_archive(ci_records, url)
    path = site.add("2026-11-20-flushing", syndicate="[twitter]")
    site.syndicate_to(sandboxes)
    commit_archive(ci_records, "CI run")
    push_archive(ci_records, url)
    site.add(
        "2026-11-20-flushing",
        syndicate="[twitter]",
        modified="2026-11-22 10:00",
        correction="Crews flush on Tuesday, not Monday.",
    )
    capsys.readouterr()  # the build's and the run's
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.setenv("SITEURL", SITEURL)
    cec_records = tmp_path / "cec-records"
    monkeypatch.setenv("RECORDS_DIR", str(cec_records))
    monkeypatch.setenv("RECORDS_REMOTE", url)
    tasks.preview(Context(), str(path))
    fetched = capsys.readouterr()
    assert "reply:\nUpdate: Crews flush on Tuesday" in fetched.out
    assert "first post" not in fetched.out and fetched.err == ""
    monkeypatch.setenv("RECORDS_REMOTE", str(tmp_path / "offline.git"))
    tasks.preview(Context(), str(path))  # the copy fetched above
    local = capsys.readouterr()
    assert local.err.startswith(
        f"preview: from the local copy of the records only ({cec_records}), which may be "
        "missing what CI recorded since: records pull:"
    ), local.err
    assert "reply:\nUpdate: Crews flush on Tuesday" in local.out
    monkeypatch.setenv("RECORDS_DIR", str(tmp_path / "new-machine"))
    tasks.preview(Context(), str(path))  # no copy: not stopped, the texts still shown
    unknown = capsys.readouterr()
    assert unknown.err.startswith(
        "preview: RECORDS_REMOTE: no records archive could be fetched, and there is no copy "
    ), unknown.err
    assert "whether it is posted is not known" in unknown.out
    assert "text:\nWater main flushing in Glenmerry." in unknown.out and "reply:" not in unknown.out
    assert not (tmp_path / "new-machine" / "syndication").exists()


@pytest.mark.parametrize("siteurl", ["trail.ca", "/news", "http://[::1", "https://trail.ca:port"])
def test_invoke_preview_refuses_a_siteurl_the_build_refuses(
    site: Site, monkeypatch: pytest.MonkeyPatch, siteurl: str
) -> None:
    path = site.add("2026-11-20-flushing")
    monkeypatch.setenv("SITEURL", siteurl)
    with pytest.raises(Exit) as stopped:
        tasks.preview(Context(), str(path))
    assert stopped.value.code == 2
    assert stopped.value.message == (
        f"preview: SITEURL: '{siteurl}' is not an absolute URL; expected e.g. https://trail.ca "
        "(canonical links, feeds and social posts need the public address)"
    )


def test_status_lists_scheduled_deferred_failed_and_comments_to_review(
    site: Site, tmp_path: Path
) -> None:
    site.add("2027-01-15-dog-licences", title="Dog licences", date="2027-01-15 08:00")
    records = tmp_path / "records"
    ledger = Ledger.in_records(records)
    op = ledger.intend("2026-11-20-a", "twitter", "create")
    ledger.outcome(
        op, "2026-11-20-a", "twitter", "create", "deferred", resume_at="2026-11-25T08:00:00+00:00"
    )
    op = ledger.intend("2026-11-20-b", "facebook", "create")
    ledger.outcome(op, "2026-11-20-b", "facebook", "create", "failed", error="HTTP 400")
    result = waiting(site.content, records, NOW)
    assert result.scheduled == ["2027-01-15 08:00 -08:00 2027-01-15-dog-licences.md: Dog licences"]
    assert result.deferred == [  # in City time, as the CEC reads it
        "twitter: 2026-11-20-a create, resumes after 2026-11-25 00:00 -08:00"
    ]
    assert result.failed == ["facebook: 2026-11-20-b create: HTTP 400"]
    assert result.review == []
    assert "Scheduled: 1" in result.lines()


def test_status_shows_a_scheduled_time_in_city_time_with_its_offset(site: Site) -> None:
    """README: `invoke status` lists scheduled announcements "(times in City time, with their
    offset)", as it lists deferred ones. 17:00 UTC is 09:00 in Trail."""
    site.add("2026-12-01-a", date="2026-12-01 17:00+00:00")
    (line,) = waiting(site.content, site.root / "records", NOW).scheduled
    assert line.startswith("2026-12-01 09:00 -08:00 2026-12-01-a.md: "), line


def test_status_writes_out_control_characters_in_a_platforms_message(
    site: Site, tmp_path: Path
) -> None:
    ledger = Ledger.in_records(tmp_path / "records")
    op = ledger.intend("2026-11-20-b", "facebook", "create")
    error = "HTTP 400: \x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J"  # writes the clipboard, clears
    ledger.outcome(op, "2026-11-20-b", "facebook", "create", "failed", error=error)
    lines = waiting(site.content, tmp_path / "records", NOW).lines()
    assert (
        "  facebook: 2026-11-20-b create: HTTP 400: \\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x1b[2J"
        in lines
    )
    assert all(line.isprintable() for line in lines)


def test_status_lists_every_post_a_quota_held_back(site: Site, sandboxes: Sandboxes) -> None:
    sandboxes.twitter.daily_post_limit = 1
    for day in (20, 21, 22):
        site.add(f"2026-11-{day}-item", title=f"Item {day}", date=f"2026-11-{day} 09:00")
    site.syndicate_to(sandboxes)
    deferred = waiting(site.content, site.root / "records", NOW).deferred
    assert [line.split(", resumes after ")[0] for line in deferred] == [
        "twitter: 2026-11-21-item create",
        "twitter: 2026-11-22-item create",
    ]
    site.syndicate_to(sandboxes)  # still over the quota: noted again, posted nowhere twice
    assert len(waiting(site.content, site.root / "records", NOW).deferred) == 2
    assert len(sandboxes.twitter.tweets) == 1 and len(sandboxes.facebook.posts) == 3


def test_status_lists_posts_left_up_for_an_announcement_no_longer_on_the_site(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-20-flushing")
    site.syndicate_to(sandboxes)
    assert waiting(site.content, site.root / "records", NOW).left_up == []
    site.add("2026-11-20-flushing", status="draft")
    result = waiting(site.content, site.root / "records", NOW)
    facebook, twitter = result.left_up
    (tweet,) = sandboxes.twitter.tweets
    assert twitter.startswith(
        f"twitter: 2026-11-20-flushing https://x.com/i/web/status/{tweet}: no longer on the site"
    )
    assert "`status: withdrawn`, a `withdrawn_reason` and `modified`" in twitter
    assert facebook.startswith("facebook: 2026-11-20-flushing https://www.facebook.com/")
    assert "Posts left up, no longer kept in step with the site: 2" in result.lines()
    # Withdrawn, as it says: on the site again, for `invoke syndicate` to take the posts down.
    site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Not going ahead.",
        modified="2026-11-23 10:00",
    )
    assert waiting(site.content, site.root / "records", NOW).left_up == []


def test_a_post_left_up_names_the_address_of_its_file_not_a_file_name_made_from_it(
    site: Site, sandboxes: Sandboxes
) -> None:
    """The address is made from the file's name (lowercase, dots dropped), not the other way
    round: the file to put back is not named by the address."""
    site.add("2026-11-20-Glenmerry.Flushing")
    site.syndicate_to(sandboxes)
    (site.content / "announcements" / "2026-11-20-Glenmerry.Flushing.md").unlink()
    facebook, _ = waiting(site.content, site.root / "records", NOW).left_up
    assert "2026-11-20-glenmerryflushing.md" not in facebook
    assert "the file that was published at announcements/2026-11-20-glenmerryflushing.html" in (
        facebook
    )


def test_status_lists_a_post_left_up_on_a_platform_taken_out_of_syndicate(
    site: Site, sandboxes: Sandboxes
) -> None:
    site.add("2026-11-20-flushing")
    site.syndicate_to(sandboxes)
    site.add("2026-11-20-flushing", syndicate="[facebook]")
    (twitter,) = waiting(site.content, site.root / "records", NOW).left_up
    (tweet,) = sandboxes.twitter.tweets
    assert twitter.startswith(
        f"twitter: 2026-11-20-flushing https://x.com/i/web/status/{tweet}: no longer posted to "
        "twitter"
    )
    # Withdrawn openly, as it says: the withdrawal takes the post down on every platform.
    site.add(
        "2026-11-20-flushing",
        status="withdrawn",
        withdrawn_reason="Not going ahead.",
        modified="2026-11-23 10:00",
    )
    assert waiting(site.content, site.root / "records", NOW).left_up == []


def test_status_reads_announcements_as_the_build_does(site: Site, tmp_path: Path) -> None:
    bom = site.add("2027-01-15-dog-licences", title="Dog licences", date="2027-01-15 08:00")
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes())  # as Notepad saves UTF-8
    cp1252 = site.add("2027-01-16-fete", title="Fête du lac", date="2027-01-16 08:00")
    cp1252.write_bytes(cp1252.read_text().encode("cp1252"))
    result = waiting(site.content, tmp_path / "records", NOW)
    assert result.scheduled == ["2027-01-15 08:00 -08:00 2027-01-15-dog-licences.md: Dog licences"]
    assert result.problems == [
        f"{cp1252}:2: encoding: byte 0xea is not UTF-8; save the file with the UTF-8 encoding"
    ]
    assert "Announcements the build stops on (fix these first): 1" in result.lines()


def test_status_names_every_file_the_build_stops_on(site: Site, tmp_path: Path) -> None:
    """Each problem the build names for a file, as it names it: a file in a folder inside
    announcements/ too, which the build reads and refuses."""
    path = site.write(
        "announcements/2026/2026-11-20-sub.md", announcement(**{**BASIC, "category": "parade"})
    )
    with pytest.raises(BuildError) as failure:
        site.build()
    result = waiting(site.content, tmp_path / "records", NOW)
    assert result.problems == failure.value.problems
    assert result.problems[0].startswith(f"{path}:1: location: is in a folder inside ")
    assert "Announcements the build stops on (fix these first): 2" in result.lines()


def test_status_names_an_unreadable_image_the_build_stops_on_though_no_page_shows_it(
    site: Site, tmp_path: Path
) -> None:
    """An image file nothing links to is published all the same (images/ is copied whole), and
    one that cannot be read cannot be cleaned of what else it says: the build stops on it, so
    status names it, as the build does. The lint reads the text alone, never an image's file
    (as for `image:`), so the build and status are where it is named."""
    site.add("2026-11-20-flushing")
    stray = site.content / "images" / "old-scan.jpg"
    stray.write_bytes(b"not really a jpeg")
    with pytest.raises(BuildError) as failure:
        site.build()
    result = waiting(site.content, tmp_path / "records", NOW)
    assert result.problems == failure.value.problems
    assert result.problems == [f"{display_path(stray)}:1: image: cannot be read as an image"]


def test_status_names_a_video_the_build_stops_on(site: Site, tmp_path: Path) -> None:
    """A video that says where it was taken, or that cannot be read, is named as the build
    names it (the lint reads the text alone, never a video's file)."""
    (site.content / "videos").mkdir()
    (site.content / "videos" / "tour.mp4").write_bytes(mp4(place_taken()))
    (site.content / "videos" / "cut.mp4").write_bytes(mp4()[:-4])
    site.add("2026-11-21-tour", title="Tour", video="videos/tour.mp4")
    site.add("2026-11-22-cut", title="Cut", date="2026-11-22 09:00", video="videos/cut.mp4")
    with pytest.raises(BuildError) as failure:
        site.build()
    result = waiting(site.content, tmp_path / "records", NOW)
    assert result.problems == failure.value.problems
    assert [p.split(".md:")[1] for p in result.problems] == [
        "6: video: 'videos/tour.mp4' holds where it was taken (©xyz), which would go to YouTube "
        "with it; copy it without that (in its folder: ffmpeg -i tour.mp4 -map_metadata -1 -c "
        "copy tour-clean.mp4) and name the copy",
        "6: video: 'videos/cut.mp4' cannot be read as a video",
    ]


def test_status_names_a_policy_file_the_build_stops_on(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build checks each change note with the content lint's policy, so a mistake there
    # stops it: status said "0" to fix while the build failed.
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy)
    (policy / "lint.yml").write_text("rules:\n  link-text: sometimes\n")
    monkeypatch.setattr(revisions, "POLICY_DIR", policy)
    subprocess.run(["git", "init", "-q", "-b", "main", str(site.root)], check=True)
    site.add("2026-11-20-flushing")
    with pytest.raises(BuildError) as failure:
        site.build()
    result = waiting(site.content, tmp_path / "records", NOW)
    assert result.problems == failure.value.problems
    assert result.problems[0].startswith(f"LintConfigError: {policy / 'lint.yml'}:2: rules: ")
    assert "Announcements the build stops on (fix these first): 1" in result.lines()


def _image_from_another_site(site: Site) -> None:
    site.add("2026-11-20-flushing", body="![Map of the area](https://maps.example.com/x.png)")


def _image_without_alt_text(site: Site) -> None:
    site.add("2026-11-20-flushing", body='<img src="{static}/images/pixel.png">')


def _heading_at_the_titles_level(site: Site) -> None:
    site.add("2026-11-20-flushing", body="Crews flush mains.\n\nRoad closures\n=============\n")


def _heading_at_the_titles_level_in_a_list(site: Site) -> None:
    site.add("2026-11-20-flushing", body="Crews flush mains.\n\n1. # Road closures\n")


def _link_to_a_draft(site: Site) -> None:
    site.add("2026-11-19-plan", title="The plan", date="2026-11-19 09:00", status="draft")
    site.add("2026-11-20-flushing", body="As [planned]({filename}2026-11-19-plan.md).")


def _link_to_a_draft_with_its_braces_as_entities(site: Site) -> None:
    site.add("2026-11-19-plan", title="The plan", date="2026-11-19 09:00", status="draft")
    site.add("2026-11-20-flushing", body="As [planned](&#123;filename&#125;2026-11-19-plan.md).")


def _link_to_an_announcement_not_yet_published(site: Site) -> None:
    site.add("2027-01-15-dog-licences", title="Dog licences", date="2027-01-15 08:00")
    site.add("2026-11-20-flushing", body="See [licences]({filename}2027-01-15-dog-licences.md).")


def _image_named_for_no_address(site: Site) -> None:
    (site.content / "images" / "Map of Glenmerry.png").write_bytes(PNG)


def _file_linked_as_static_named_for_no_address(site: Site) -> None:
    (site.content / "files").mkdir()
    (site.content / "files" / "Council minutes.pdf").write_bytes(b"%PDF-1.4")
    site.add(
        "2026-11-20-flushing", body='<a href="{static}/files/Council%20minutes.pdf">Minutes</a>'
    )


def _announcement_saved_under_another_extension(site: Site) -> None:
    site.write("announcements/2026-11-20-flushing.markdown", announcement(**BASIC))


def _image_in_the_text_that_does_not_exist(site: Site) -> None:
    site.add("2026-11-20-flushing", body="![A hydrant]({static}/images/hydrant.png)")


def _link_to_a_file_that_does_not_exist(site: Site) -> None:
    site.add("2026-11-20-flushing", body="See [the survey]({filename}2026-12-01-survey.md).")


def _two_files_at_one_address(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.write(
        "pages/flushing.md",
        "---\ntitle: Flushing\nsave_as: announcements/2026-11-20-flushing.html\n---\nText.\n",
    )


def _link_to_a_file_outside_content(site: Site) -> None:
    (site.root / "notes.txt").write_text("not for the public\n")
    site.add("2026-11-20-flushing", body="See [the notes]({static}/../notes.txt).")


def _correction_dated_after_now(site: Site) -> None:
    site.add("2026-11-20-flushing", correction="[{date: 2026-12-20 10:00, note: Monday.}]")


def _modified_after_now(site: Site) -> None:
    site.add("2026-11-20-flushing", modified="2026-11-24 12:01")


def _control_character_written_as_a_reference(site: Site) -> None:
    site.add("2026-11-20-flushing", body="Page one&#12;page two.")


def _page_at_an_address_the_build_writes(address: str) -> Callable[[Site], None]:
    def stop(site: Site) -> None:
        site.add("2026-11-20-flushing")
        site.write("pages/promo.md", f"---\ntitle: Our promotion\nsave_as: {address}\n---\nHi.\n")

    return stop


@pytest.mark.parametrize(
    ("stop", "field"),
    [
        (_image_from_another_site, "image"),
        (_image_without_alt_text, "image"),
        (_heading_at_the_titles_level, "heading"),
        (_heading_at_the_titles_level_in_a_list, "heading"),
        (_link_to_a_draft, "link"),
        (_link_to_a_draft_with_its_braces_as_entities, "link"),
        (_link_to_an_announcement_not_yet_published, "link"),
        (_image_in_the_text_that_does_not_exist, "link"),
        (_link_to_a_file_that_does_not_exist, "link"),
        (_image_named_for_no_address, "file name"),
        (_file_linked_as_static_named_for_no_address, "file name"),
        (_two_files_at_one_address, "file name"),
        (_announcement_saved_under_another_extension, "file name"),
        (_link_to_a_file_outside_content, "link"),
        (_correction_dated_after_now, "correction"),
        (_modified_after_now, "modified"),
        (_control_character_written_as_a_reference, "text"),
        (_page_at_an_address_the_build_writes("index.html"), "save_as"),
        (_page_at_an_address_the_build_writes("category/service-change.html"), "save_as"),
        (_page_at_an_address_the_build_writes("sitemap.xml"), "save_as"),
    ],
)
def test_status_names_each_problem_the_build_stops_on_as_the_build_names_it(
    site: Site, tmp_path: Path, stop: Callable[[Site], None], field: str
) -> None:
    """Found in the rendered text or between files, not in any one file's front matter: status
    runs the build's own checks on content read as the build reads it."""
    stop(site)
    with pytest.raises(BuildError) as failure:
        site.build()
    result = waiting(site.content, tmp_path / "records", NOW)
    assert result.problems == failure.value.problems
    assert [problem.split(": ")[1] for problem in result.problems] == [field]


def test_missing_alt_text_is_named_on_the_image_line_by_the_build_status_and_lint(
    site: Site, tmp_path: Path
) -> None:
    """The CEC adds `image_alt:` after the `image:` line: each names that line, not the title's."""
    path = site.add("2026-11-20-flushing", image="images/pixel.png")  # image: on line 6
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems == [
        f"{display_path(path)}:6: image_alt: is required with 'image:'; add it after the "
        "image and describe the image for people who cannot see it"
    ]
    assert waiting(site.content, tmp_path / "records", NOW).problems == failure.value.problems
    found = [f for f in lint(site.content, ROOT / "policy") if f.blocks_publishing]
    assert [(f.line, f.rule) for f in found] == [(6, "image_alt")]


def test_status_names_a_siteurl_the_build_refuses_and_lists_the_rest(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITEURL", "trail.ca")
    overrides = {"PATH": str(site.content), "BUILD_TIME": NOW}
    with pytest.raises(BuildError) as failure:
        build_site(ROOT / "publishconf.py", site.output, overrides)
    ledger = Ledger.in_records(tmp_path / "records")
    op = ledger.intend("2026-11-20-b", "facebook", "create")
    ledger.outcome(op, "2026-11-20-b", "facebook", "create", "failed", error="HTTP 400")
    result = waiting(site.content, tmp_path / "records", NOW)
    assert result.problems == failure.value.problems
    assert result.problems[0].startswith("SettingsError: SITEURL: 'trail.ca' is not")
    assert result.failed == ["facebook: 2026-11-20-b create: HTTP 400"]


@pytest.fixture
def settings_read_again() -> Iterator[None]:
    """pelicanconf.py reads BUILD_TIME from the environment when first imported (publishconf.py
    imports it): imported afresh in the test, and the process's own copy put back after it."""
    saved = sys.modules.pop("pelicanconf", None)
    yield
    sys.modules.pop("pelicanconf", None)
    if saved is not None:
        sys.modules["pelicanconf"] = saved


@pytest.mark.usefixtures("settings_read_again")
def test_status_refuses_a_build_time_the_build_refuses_naming_it_as_the_build_does(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A BUILD_TIME that is not a date-time stops the build; status read the content at the
    current time instead, and said the build would stop on nothing."""
    monkeypatch.setenv("BUILD_TIME", "next Tuesday")
    with pytest.raises(BuildError) as failure:
        build_site(ROOT / "publishconf.py", site.output, {"PATH": str(site.content)})
    (problem,) = failure.value.problems
    assert problem.startswith("SettingsError: BUILD_TIME: 'next Tuesday' is not a date-time")
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    monkeypatch.delenv("RECORDS_DIR", raising=False)
    with pytest.raises(Exit) as stopped:
        tasks.status(Context())
    assert stopped.value.code == 2
    assert stopped.value.message == f"status: {problem}"
    assert "Scheduled" not in capsys.readouterr().out


@pytest.mark.usefixtures("settings_read_again")
def test_status_reads_the_content_at_the_build_time_the_build_reads_it_at(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site.add("2099-12-01-a", date="2099-12-01 09:00")  # scheduled, now
    monkeypatch.setattr(tasks, "ROOT", site.root)
    monkeypatch.delenv("RECORDS_REMOTE", raising=False)
    monkeypatch.delenv("RECORDS_DIR", raising=False)
    monkeypatch.setenv("BUILD_TIME", "2099-12-01 09:00")  # City time, as the build reads it
    tasks.status(Context())
    assert "Scheduled: 0" in capsys.readouterr().out


def test_latest_is_the_announcement_changed_last_or_else_the_newest_by_name(site: Site) -> None:
    with pytest.raises(AuthoringError, match="no announcements yet"):
        latest_announcement(site.content)
    older = site.add("2026-11-02-paving")
    newer = site.add("2026-11-20-flushing")
    same = 1_700_000_000_000_000_000
    for path in (older, newer):
        os.utime(path, ns=(same, same))
    assert latest_announcement(site.content) == newer  # a fresh clone: times tie
    os.utime(older, ns=(same + 10**9, same + 10**9))
    assert latest_announcement(site.content) == older  # just edited
    site.write("announcements/2026/2026-11-21-misplaced.md", "---\ntitle: Misplaced\n---\n")
    assert latest_announcement(site.content) == older  # the build does not read folders in it


def test_preview_names_a_file_not_in_utf8(site: Site) -> None:
    path = site.add("2026-11-20-flushing", title="Café hours")
    path.write_bytes(path.read_text().encode("cp1252"))
    with pytest.raises(AuthoringError, match=r"2026-11-20-flushing.md:2: encoding: byte 0xe9"):
        preview(path, site.content, SITEURL)


def test_an_image_too_large_to_open_is_named_by_status_and_preview(
    site: Site, tmp_path: Path
) -> None:
    (site.content / "images" / "map.png").write_bytes(png_of_pixels(*TOO_MANY_PIXELS))
    path = site.add("2026-11-20-map", image="images/map.png", image_alt="Map of the works.")
    named = rf"{re.escape(str(path))}:6: image: 'images/map\.png' has 182 million pixels"
    problem, on_its_file = waiting(site.content, tmp_path / "records", NOW).problems
    assert re.match(named, problem), problem
    assert on_its_file.startswith(f"{display_path(site.content / 'images' / 'map.png')}:1: ")
    with pytest.raises(AuthoringError, match=named):
        preview(path, site.content, SITEURL)


@pytest.mark.parametrize("command", ["lint", "build"])
@pytest.mark.parametrize("given", ["contnet", "README.md"])
def test_a_content_folder_that_is_not_there_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, given: str
) -> None:
    """A mistyped --content, or a file given for it, is named with the option (exit 2), not a
    traceback from deep in the build or the lint."""
    monkeypatch.setattr(tasks.os, "chdir", lambda path: None)
    (tmp_path / "README.md").write_text("not a folder\n", encoding="utf-8")
    task = tasks.lint if command == "lint" else tasks.build
    kwargs = {"output": str(tmp_path / "output")} if command == "build" else {}
    with pytest.raises(Exit) as stopped:
        task(Context(), content=str(tmp_path / given), **kwargs)
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith(f"{command}: --content: ")
    assert given in str(stopped.value.message)


def _tasks() -> dict[str, Task]:
    """Every task as `invoke --list` names it."""
    return {t.name or n: t for n, t in vars(tasks).items() if isinstance(t, Task)}


def test_invoke_list_shows_each_task_in_a_whole_sentence() -> None:
    """`invoke --list` shows only the first line of each task's docstring: it must be the whole
    first paragraph, one sentence, not "syndicate  Post new announcements, ... (with"."""
    cut = {}
    for name, task in _tasks().items():
        first, *rest = (task.__doc__ or "").strip().splitlines()
        if not first.endswith(".") or (rest and rest[0].strip()) or len(first) > 95:
            cut[name] = first
    assert cut == {}
    listed = (tasks.records.__doc__ or "").splitlines()[0]  # `invoke records`' subcommands
    assert all(f"|{command}" in listed for command in tasks.RECORDS_COMMANDS[1:]), listed


def test_the_readme_gives_every_option_of_a_task_it_has_a_row_for() -> None:
    """README's table of tasks: the options `invoke --help TASK` lists, in the task's row."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## Tasks (`invoke`)\n")[1].split("\n## ")[0]
    rows: dict[str, str] = {}
    for line in table.splitlines():
        if match := re.match(r"\| `invoke ([a-z-]+)[ `]", line):
            rows[match.group(1)] = rows.get(match.group(1), "") + line
    missing = {
        name: option
        for name, task in _tasks().items()
        if name in rows
        for argument in task.get_arguments()
        if not argument.positional
        for option in [f"--{'no-' if argument.default is True else ''}{argument.names[0]}"]
        if option not in rows[name]
    }
    assert missing == {}


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed")
def test_commands_reaching_youtube_stay_quiet_once_python_3_11_nears_its_end_of_life() -> None:
    """google-api-core warns on import from 90 days before a Python version's end of life
    (3.11's: 2027-10-24): every command reaching YouTube would begin its stderr with it, a line
    burying its own messages (a refusal the CEC must read, a test's exact stderr)."""
    later = "@2027-12-01 12:00:00"  # past the end of life and Google's grace week
    run = subprocess.run(
        ["faketime", "-f", later, sys.executable, "-c", "import syndication.youtube"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert run.stderr == ""
    # Google's warning is what is silenced, not warnings: one from elsewhere still shows.
    shown = subprocess.run(
        ["faketime", "-f", later, sys.executable, "-c",
         "import syndication.youtube, warnings; warnings.warn('kept', FutureWarning)"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    assert "FutureWarning: kept" in shown.stderr
