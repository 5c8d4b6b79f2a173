"""iCalendar files for events: one per event and a calendar feed of them all."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneStandard, vCalAddress, vText

from .feeds import dated_note, last_revised


class Text(vText):
    r"""Text as RFC 5545 (3.3.11) escapes it: `\\`, `\;`, `\,`, and `\n` for a line break
    (`\r\n`, `\r` and `\n` alike). icalendar's own escaping first reads a backslash and a
    capital N typed in the text (`C:\New folder`) as a line break, which a calendar then
    shows in its place."""

    def to_ical(self) -> bytes:
        text = (
            str(self)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\n")
            .replace("\r", "\n")
            .replace("\n", "\\n")
        )
        return text.encode("utf-8")  # as icalendar writes every calendar


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//City of Trail//Announcements//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # An unsolicited posting any calendar may add (RFC 5546 3.2.1), as Google's and Outlook's
    # exports say. A withdrawn event is published again with STATUS:CANCELLED and a higher
    # SEQUENCE, which PUBLISH allows; CANCEL is what an organiser sends to attendees, and a
    # published calendar has none.
    calendar.add("method", "PUBLISH")
    # Text, escaped as SUMMARY is (`,` `;` `\\` and line breaks): icalendar takes a property it
    # does not know for one already written, and would write a title's `;` as is.
    calendar.add("x-wr-calname", Text(name))
    return calendar


def _utc_timezone() -> bytes:
    """A VTIMEZONE for UTC, the time zone of every time in the calendars.

    No event refers to it (a time in UTC needs none), but RFC 5545 (3.4) allows no calendar
    without a component, and strict calendar apps refuse to subscribe to one: without it, the
    events calendar of a site with no event yet would be one.
    """
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(0))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("tzname", "UTC")
    timezone = Timezone()
    timezone.add("tzid", "UTC")
    timezone.add_component(standard)
    return bytes(timezone.to_ical())


UTC_TIMEZONE = _utc_timezone()


def sequence(article: Any) -> int:
    """The event's revision number: how many commits changed its file, under each name it had
    (the history the revisions plugin read from git, following renames; none outside git).

    Attendees' calendars take a revision only when it grows (RFC 5545), so it may never go
    back nor stand still: counting corrections and withdrawal did both (a withdrawn event
    reinstated went back to CONFIRMED at a lower number, a new time without a correction kept
    its number). A file's history in git only grows, and is the same for every build of one
    commit (verify-history keeps it from being rewritten); a shallow clone holds only part of
    it, which is why the site is published from the whole history (fetch-depth: 0).
    """
    return len(article.revisions)


def description(article: Any, url: str) -> str:
    """What an attendee's calendar says of the event, which it keeps from when it was added:
    what was corrected first, in the feeds' words, then the summary and the link. A withdrawn
    event (cancelled) says only why, as its page does."""
    item = article.announcement
    city = ZoneInfo(article.settings["TIMEZONE"])
    if item.withdrawn:
        withdrawn = dated_note("Withdrawn", item.modified or item.updated, city)
        return f"{withdrawn}: {item.withdrawn_reason}\n\n{url}"
    notes = "".join(
        f"{dated_note('Correction', c.date, city)}: {c.note}\n\n" for c in item.corrections
    )
    return f"{notes}{item.summary}\n\n{url}"


def organizer(city: dict[str, Any]) -> vCalAddress:
    """The City, by its public email address: RFC 5546 (3.2.1) requires an ORGANIZER in every
    published VEVENT (and no ATTENDEE)."""
    address = vCalAddress(f"mailto:{city['email']}")
    address.params["cn"] = city["name"]
    return address


def _event(article: Any, siteurl: str) -> Event:
    """A VEVENT in UTC (no VTIMEZONE needed), an all-day one in days (floating, as a day
    is); withdrawn events are sent as cancelled."""
    item = article.announcement
    url = f"{siteurl}/{article.url}"
    event = Event()
    event.add("uid", f"{article.slug}@{urlsplit(siteurl).netloc}")
    # The last commit to the file if later than `updated`: a time moved without `modified`
    # must still date the entry later, with SEQUENCE (counted from the same commits) grown.
    revised = last_revised(article).astimezone(UTC)
    event.add("dtstamp", revised)
    event.add("last-modified", revised)
    event.add("created", item.date.astimezone(UTC))
    if item.all_day:  # days as DATE values; DTEND is exclusive, the day after the last
        event.add("dtstart", item.first_day)
        event.add("dtend", item.last_day + timedelta(days=1))
    else:
        event.add("dtstart", item.event_start.astimezone(UTC))
        event.add("dtend", item.event_end.astimezone(UTC))
    event.add("summary", Text(item.title))
    event.add("description", Text(description(article, url)))
    event.add("location", Text(item.location))
    event.add("url", url)
    event.add("organizer", organizer(article.settings["CITY"]))
    event.add("sequence", sequence(article))
    event.add("status", "CANCELLED" if item.withdrawn else "CONFIRMED")
    return event


def _wrap(name: str, components: list[bytes]) -> bytes:
    """A VCALENDAR holding already-serialised components (VEVENTs, a VTIMEZONE).

    Serialising a VEVENT is most of the cost, and each event appears twice (its own file and
    the calendar feed), so each is serialised once and placed in both.
    """
    envelope = bytes(_calendar(name).to_ical())
    end = envelope.rindex(b"END:VCALENDAR")
    return envelope[:end] + b"".join(components) + envelope[end:]


def serialise(article: Any, siteurl: str) -> bytes:
    return bytes(_event(article, siteurl).to_ical())


def event_calendar(article: Any, siteurl: str, event: bytes | None = None) -> bytes:
    return _wrap(article.announcement.title, [event or serialise(article, siteurl)])


def calendar_feed(
    events: Iterable[Any], name: str, siteurl: str, serialised: dict[str, bytes] | None = None
) -> bytes:
    """All events, oldest first; withdrawn ones stay in as cancelled so calendars drop them.
    Before them the UTC time zone, so that it is a valid calendar with no event too."""
    known = serialised or {}
    ordered = sorted(events, key=lambda a: (a.announcement.event_start, a.slug))
    return _wrap(
        name, [UTC_TIMEZONE, *(known.get(a.slug) or serialise(a, siteurl) for a in ordered)]
    )
