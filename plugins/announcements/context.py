"""What the templates list, derived from the articles Pelican read. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from .filters import MONTHS
from .model import CATEGORIES


def newest_first(articles: Iterable[Any]) -> list[Any]:
    """Newest first; the slug breaks ties so that every build orders alike."""
    return sorted(articles, key=lambda a: (a.date, a.slug), reverse=True)


def publish_due(
    articles: Sequence[Any], hidden: Sequence[Any], now: datetime
) -> tuple[list[Any], list[Any], list[Any]]:
    """Split off what is dated after `now`: (published, withdrawn, scheduled).

    Decided on every build rather than when a file is read, so a cached read never keeps
    a scheduled announcement back after its time has come.
    """
    scheduled = [a for a in (*articles, *hidden) if a.date > now]
    due = [a for a in articles if a.date <= now]
    hidden_due = [a for a in hidden if a.date <= now]
    return newest_first(due), newest_first(hidden_due), sorted(scheduled, key=lambda a: a.date)


def last_change(
    listed: Iterable[Any], gone: Iterable[Any] = (), now: datetime | None = None
) -> datetime | None:
    """When a list of announcements (a feed, a listing page) last changed: the latest update
    of what it lists or of what is gone from it. A withdrawal takes an entry out, dated by its
    `modified`; counting only what is left would turn the list's time back. With `now`, for a
    list that says which announcements expired (a page) or that they leave (the urgent feed),
    an expiry passed by then is a change too, dated by `expires`."""

    def changed(article: Any) -> datetime:
        item = article.announcement
        return item.updated if now is None else item.changed(now)

    return max((changed(a) for a in (*listed, *gone)), default=None)


def last_event_end(past_events: Iterable[Any]) -> datetime | None:
    """When the latest of the events ended by the build's time ended: from then the lists of
    upcoming events (the home page's, the events page's) no longer show it, a change to them
    that the newest announcement's date does not tell. An end corrected after it passed dates
    it by the correction (see `Announcement.left_at`)."""
    return max(
        (e.announcement.left_at(e.announcement.event_end) for e in past_events), default=None
    )


def latest(*moments: datetime | None) -> datetime | None:
    """The latest of the moments known (None: nothing to date by)."""
    return max((m for m in moments if m is not None), default=None)


def menu_changed(listed: Iterable[Any], withdrawn: Iterable[Any]) -> datetime | None:
    """When the menu of categories (`category_nav`: each with an announcement listed) last
    changed: a category is in it from its first announcement's publication until its last
    is withdrawn, and back with the next one. Every page shows the menu; the sitemap dates
    the listings by it (see discovery's `site_urls`)."""
    spans: dict[str, list[tuple[datetime, datetime | None]]] = {}
    for article in listed:
        spans.setdefault(article.announcement.category, []).append((article.date, None))
    for article in withdrawn:
        span = (article.date, article.announcement.updated)
        spans.setdefault(article.announcement.category, []).append(span)
    return latest(*(_last_in_or_out(s) for s in spans.values()))


def _last_in_or_out(spans: list[tuple[datetime, datetime | None]]) -> datetime:
    """When a category last came into the menu or left it, from the spans its announcements
    were listed (None: still listed)."""
    spans = sorted(spans, key=lambda span: span[0])
    start, end = spans[0]
    for next_start, next_end in spans[1:]:
        if end is not None and next_start > end:  # out of the menu between the two
            start, end = next_start, next_end
        elif end is not None:
            end = None if next_end is None else max(end, next_end)
    return start if end is None else end


def add_listings(
    articles: Sequence[Any],
    hidden: Sequence[Any],
    categories: Iterable[tuple[Any, list[Any]]],
    now: datetime,
    per_page: int | None,
) -> dict[str, Any]:
    """The template context our theme lists from. `per_page` (DEFAULT_PAGINATION; None or
    False: no limit) is how many past events the events page lists."""
    urgent = [a for a in articles if a.announcement.urgent and not a.announcement.is_expired(now)]
    events = [a for a in articles if a.announcement.is_event]
    upcoming = sorted(
        (e for e in events if e.announcement.event_end >= now),
        key=lambda e: (e.announcement.event_start, e.slug),
    )
    past = sorted(
        (e for e in events if e.announcement.event_end < now),
        key=lambda e: (e.announcement.event_start, e.slug),
        reverse=True,
    )
    latest_past = past[: per_page or None]
    by_name = {category.name: category for category, _ in categories}
    return {
        "urgent_articles": urgent,
        "upcoming_events": upcoming,
        "past_events": past,  # every one, for the calendar and the sitemap
        # A decade of past events on one page would be megabytes for a phone (as the archives
        # were before their page per year): the events page lists the latest, and leads to the
        # archives for the rest.
        "latest_past_events": latest_past,
        "earlier_past_events": len(past) - len(latest_past),
        "withdrawn_articles": [a for a in hidden if a.announcement.withdrawn],
        "category_nav": [
            (by_name[key], label) for key, label in CATEGORIES.items() if key in by_name
        ],
        "CATEGORY_LABELS": CATEGORIES,
    }


@dataclass(frozen=True)
class ArchiveMonth:
    name: str  # "November 2026"
    anchor: str  # "2026-11", for the section's id
    articles: list[Any]  # newest first


@dataclass(frozen=True)
class ArchiveYear:
    """One year of the archives: its page, and its announcements by month, newest first."""

    year: int
    url: str
    save_as: str
    months: list[ArchiveMonth]

    @property
    def count(self) -> int:
        return sum(len(month.articles) for month in self.months)


def archive_years(articles: Iterable[Any], tz: tzinfo, url: str, save_as: str) -> list[ArchiveYear]:
    """Published announcements by year and month in City time, newest first.

    `url` and `save_as` are patterns with `{year}`. A decade on one page would be megabytes
    for a phone to load, and rewritten whenever any announcement changed.
    """
    by_month: dict[tuple[int, int], list[Any]] = {}
    for article in newest_first(articles):
        local = article.date.astimezone(tz)
        by_month.setdefault((local.year, local.month), []).append(article)
    by_year: dict[int, list[ArchiveMonth]] = {}
    for (year, month), items in by_month.items():
        name = f"{MONTHS[month - 1]} {year}"
        by_year.setdefault(year, []).append(ArchiveMonth(name, f"{year}-{month:02d}", items))
    return [
        ArchiveYear(year, url.format(year=year), save_as.format(year=year), months)
        for year, months in by_year.items()
    ]
