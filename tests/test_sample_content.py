"""The sample content that `make demo` builds: valid, and a real-looking site."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser

from announcements.model import CATEGORIES, Announcement, parse_announcement
from tests.conftest import NOW, ROOT, BuildSample

ANNOUNCEMENTS = sorted((ROOT / "content" / "announcements").glob("*.md"))


def parsed() -> list[Announcement]:
    items = []
    for path in ANNOUNCEMENTS:
        item, problems = parse_announcement(
            str(path), path.read_text(), ZoneInfo("America/Vancouver"), ROOT / "content"
        )
        assert problems == [] and item is not None, problems
        items.append(item)
    return items


def test_the_sample_covers_every_category_and_every_kind_of_announcement() -> None:
    items = parsed()
    assert len(items) >= 15
    for category in CATEGORIES:
        assert sum(i.category == category for i in items) >= 2, category
    assert any(i.urgent and i.category == "alert" for i in items)
    assert any(i.corrections for i in items)
    assert any(i.withdrawn for i in items)
    assert any(i.status == "draft" for i in items)
    assert any(i.image for i in items)
    now = datetime.fromisoformat(NOW)
    assert any(i.date > now for i in items), "a scheduled future announcement"
    assert sum(i.is_event for i in items) >= 5


def test_the_sample_site_builds_with_everything_on_it(
    tmp_path: Path, build_sample: BuildSample
) -> None:
    result = build_sample(tmp_path / "output")
    out = result.output
    assert result.articles >= 15
    home = (out / "index.html").read_text()
    assert 'id="urgent-heading"' in home
    for name in [
        "comment-guidelines.html",
        "about.html",
        "404.html",
        "events.html",
        "archives.html",
    ]:
        assert (out / name).is_file(), name
    for category in CATEGORIES:
        assert (out / "category" / f"{category}.html").is_file(), category
    feed = feedparser.parse(out / "feeds" / "all.atom.xml")
    assert feed.bozo == 0 and len(feed.entries) == result.articles
