"""iCalendar files for events: one per event and a calendar feed of them all."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, Event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//City of Trail//Announcements//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(article: Any, siteurl: str) -> Event:
    """A VEVENT in UTC (no VTIMEZONE needed); withdrawn events are sent as cancelled."""
    item = article.announcement
    url = f"{siteurl}/{article.url}"
    event = Event()
    event.add("uid", f"{article.slug}@{urlsplit(siteurl).netloc}")
    event.add("dtstamp", item.updated.astimezone(UTC))
    event.add("last-modified", item.updated.astimezone(UTC))
    event.add("created", item.date.astimezone(UTC))
    event.add("dtstart", item.event_start.astimezone(UTC))
    event.add("dtend", item.event_end.astimezone(UTC))
    event.add("summary", item.title)
    event.add("description", f"{item.summary}\n\n{url}")
    event.add("location", item.location)
    event.add("url", url)
    # Attendees' calendars take a change only when the sequence number grows.
    event.add("sequence", len(item.corrections) + (1 if item.withdrawn else 0))
    event.add("status", "CANCELLED" if item.withdrawn else "CONFIRMED")
    return event


def event_calendar(article: Any, siteurl: str) -> bytes:
    calendar = _calendar(article.announcement.title)
    calendar.add_component(_event(article, siteurl))
    return bytes(calendar.to_ical())


def calendar_feed(events: Iterable[Any], name: str, siteurl: str) -> bytes:
    """All events, oldest first; withdrawn ones stay in as cancelled so calendars drop them."""
    calendar = _calendar(name)
    for article in sorted(events, key=lambda a: (a.announcement.event_start, a.slug)):
        calendar.add_component(_event(article, siteurl))
    return bytes(calendar.to_ical())
