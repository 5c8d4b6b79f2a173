"""The build's syndication manifest: what each platform should show, deterministically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syndication.manifest import ManifestError, load_manifest
from syndication.reconcile import plan
from syndication.text import x_length
from syndication_manifest import manifest_json
from tests.conftest import SITEURL, Site, mp4


def manifest(site: Site) -> dict:
    return dict(json.loads(site.read("syndication.json")))


def test_published_and_withdrawn_announcements_are_in_the_manifest(site: Site) -> None:
    site.add("2026-11-20-flushing", tags="[water]")
    site.add(
        "2026-11-18-closure",
        title="Bay Avenue closed",
        date="2026-11-18 09:00",
        status="withdrawn",
        withdrawn_reason="Postponed.",
        modified="2026-11-19 10:00",
    )
    site.add("2026-11-19-draft", title="Draft", status="draft")
    site.add("2027-01-15-later", title="Later", date="2027-01-15 08:00")
    site.build()
    data = manifest(site)
    assert data["site"] == SITEURL
    assert data["comment_guidelines"] == f"{SITEURL}/comment-guidelines.html"
    entries = {e["id"]: e for e in data["announcements"]}
    assert list(entries) == ["2026-11-18-closure", "2026-11-20-flushing"]  # oldest first
    closure, flushing = entries["2026-11-18-closure"], entries["2026-11-20-flushing"]
    assert (closure["status"], closure["withdrawn_reason"]) == ("withdrawn", "Postponed.")
    assert flushing["status"] == "published"
    assert flushing["url"] == f"{SITEURL}/announcements/2026-11-20-flushing.html"
    assert flushing["source"] == "announcements/2026-11-20-flushing.md"
    assert set(flushing["posts"]) == {"facebook", "twitter"}
    text = flushing["posts"]["twitter"]["text"]
    assert x_length(text) <= 280 and text.endswith(flushing["url"])
    assert flushing["posts"]["facebook"]["link"] == flushing["url"]
    assert data["comment_guidelines"] in flushing["posts"]["facebook"]["message"]


def test_hashes_change_with_what_the_posts_show_not_with_the_body(site: Site) -> None:
    site.add("2026-11-20-flushing", body="First body.")
    site.build()
    first = manifest(site)["announcements"][0]
    site.add("2026-11-20-flushing", body="A corrected typo in the body.")
    site.build()
    assert manifest(site)["announcements"][0] == first
    site.add(
        "2026-11-20-flushing",
        modified="2026-11-21 10:00",
        correction="Flushing starts Monday.",
    )
    site.build()
    corrected = manifest(site)["announcements"][0]
    assert corrected["hash"] != first["hash"]
    assert corrected["corrections"] == [
        {"date": "2026-11-21T10:00:00-08:00", "note": "Flushing starts Monday."}
    ]
    # Facebook's message is edited to show the correction; an X post cannot be edited (a
    # reply carries the update), so its text and hash stay.
    assert corrected["posts"]["facebook"]["message"].startswith(
        "Correction: Flushing starts Monday.\n\n"
    )
    assert corrected["posts"]["facebook"]["hash"] != first["posts"]["facebook"]["hash"]
    assert corrected["posts"]["twitter"]["hash"] == first["posts"]["twitter"]["hash"]
    site.add("2026-11-20-flushing", summary="A new summary.")
    site.build()
    changed = manifest(site)["announcements"][0]
    assert changed["posts"]["twitter"]["hash"] != first["posts"]["twitter"]["hash"]


def test_platform_choice_and_video(site: Site) -> None:
    (site.content / "videos").mkdir()
    (site.content / "videos" / "tour.mp4").write_bytes(mp4())
    site.add("2026-11-20-flushing", syndicate="[twitter]")
    site.add(
        "2026-11-21-tour", title="Bridge tour", date="2026-11-21 09:00", video="videos/tour.mp4"
    )
    site.build()
    entries = {e["id"]: e for e in manifest(site)["announcements"]}
    assert set(entries["2026-11-20-flushing"]["posts"]) == {"twitter"}
    youtube = entries["2026-11-21-tour"]["posts"]["youtube"]
    assert (youtube["title"], youtube["video"]) == ("Bridge tour", "videos/tour.mp4")
    assert entries["2026-11-21-tour"]["url"] in youtube["description"]


def test_a_title_written_over_lines_is_one_line_in_every_post(site: Site) -> None:
    """A title written as a YAML block (`|`) keeps its line break, which the page shows as a
    space; a post, a feed or a calendar would break the headline there."""
    site.add("2026-11-20-skate", title="|\n  Skate night\n  at the Memorial Centre")
    site.build()
    (entry,) = manifest(site)["announcements"]
    headline = "Skate night at the Memorial Centre"
    assert entry["title"] == headline
    assert entry["posts"]["facebook"]["message"].startswith(f"{headline}. ")
    assert entry["posts"]["twitter"]["text"].startswith(f"{headline}. ")
    assert f"<title>{headline}</title>" in site.read("feeds/all.atom.xml")


def test_a_summary_written_over_lines_is_one_line_in_every_post(site: Site) -> None:
    """A summary written as a YAML block (`|`) keeps its line breaks, a blank line's too, which
    the page shows as spaces in one paragraph: every post shows it as the page does, on one
    line, and so do the feeds."""
    summary = (
        "|\n  Crews flush water mains in Glenmerry\n  from Nov. 30.\n\n  Tap water may be brown."
    )
    site.add("2026-11-20-flushing", summary=summary, video=site.add_video())
    site.build()
    (entry,) = manifest(site)["announcements"]
    one_line = "Crews flush water mains in Glenmerry from Nov. 30. Tap water may be brown."
    posts = entry["posts"]
    assert posts["facebook"]["message"].startswith(
        f"Water main flushing in Glenmerry. {one_line}\n\n"
    )
    assert posts["twitter"]["text"].startswith(f"Water main flushing in Glenmerry. {one_line}\n")
    assert posts["youtube"]["description"].startswith(f"{one_line}\n\nRead more: ")
    assert f"<summary>{one_line}</summary>" in site.read("feeds/all.atom.xml")


def test_manifest_json_is_the_manifest_with_one_announcement_per_line() -> None:
    entries = [
        {"id": "b", "title": "Café « hours »", "posts": {"x": {"text": "a\nb"}}},
        {"id": "a", "title": "Water", "posts": {}},
    ]
    data = {"version": 1, "site": SITEURL, "announcements": entries, "comment_guidelines": "g"}
    text = manifest_json(data)
    assert json.loads(text) == data
    lines = text.splitlines()
    assert [json.loads(line.strip().rstrip(",")) for line in lines[2:4]] == entries
    assert "Café « hours »" in text  # readable, not \u-escaped
    assert text == manifest_json(dict(reversed(data.items())))  # keys sorted: same bytes
    assert json.loads(manifest_json({**data, "announcements": []}))["announcements"] == []


def test_new_announcements_are_posted_oldest_first_whatever_offset_their_date_has(
    site: Site,
) -> None:
    # When the clocks go back, 01:30 PDT (08:30 UTC) comes before 01:15 PST (09:15 UTC),
    # though its text sorts after: under X's daily cap the older must go first.
    site.add("first", title="First", date="2026-11-01 01:30")
    site.add("second", title="Second", date="2026-11-01 01:15-08:00")
    site.build(now="2026-11-02T12:00:00-08:00")
    assert [e["id"] for e in manifest(site)["announcements"]] == ["first", "second"]
    planned = plan(load_manifest(site.output / "syndication.json"), {}, ["twitter"])
    assert [a.entry.id for a in planned] == ["first", "second"]


@pytest.mark.parametrize("date", ["2026-11-01T01:30:00", "Nov 1, 2026"])
def test_a_manifest_date_that_is_not_a_moment_is_refused_naming_the_entry(
    tmp_path: Path, date: str
) -> None:
    # Posting order compares the dates: one without an offset could not be placed.
    path = tmp_path / "syndication.json"
    raw = {"id": "a", "url": "u", "title": "A", "date": date, "status": "published"}
    path.write_text(
        json.dumps({"version": 1, "announcements": [{**raw, "hash": "h", "posts": {}}]})
    )
    with pytest.raises(ManifestError) as error:
        load_manifest(path)
    assert str(error.value) == (
        f"{path}: announcements[0]: date: expected an ISO 8601 time with its offset; "
        "rebuild the site"
    )


def test_an_alert_past_its_expiry_is_not_sent_as_urgent(site: Site) -> None:
    """As on the site: an alert first posted after it expired (a quota, credentials added
    later) would tell residents URGENT news weeks late, ahead of everything else."""
    alert = {"category": "alert", "urgent": "true", "title": "Open burning suspended"}
    site.add("2026-11-03-burning", date="2026-11-03 08:00", expires="2026-11-07 08:00", **alert)
    site.add("2026-11-20-boil", date="2026-11-20 08:00", expires="2026-12-20 08:00", **alert)
    site.build()  # at NOW, 2026-11-24
    entries = {e["id"]: e for e in manifest(site)["announcements"]}
    expired, current = entries["2026-11-03-burning"], entries["2026-11-20-boil"]
    assert not expired["urgent"] and current["urgent"]
    assert not expired["posts"]["facebook"]["message"].startswith("URGENT:")
    assert not expired["posts"]["twitter"]["text"].startswith("URGENT:")
    assert current["posts"]["facebook"]["message"].startswith("URGENT:")
    assert current["posts"]["twitter"]["text"].startswith("URGENT:")
