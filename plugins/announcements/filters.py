"""Jinja filters for the theme: City-time dates, structured data, absolute URLs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from .model import Announcement, Preview
from .structured_data import announcement_json_ld, organization


def clock(value: datetime) -> str:
    """Canadian Press style: 9 a.m., 2:30 p.m., noon, midnight."""
    if value.hour in (0, 12) and value.minute == 0:
        return "noon" if value.hour else "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes} {'a.m.' if value.hour < 12 else 'p.m.'}"


# The site is in English whatever the building machine's locale: Pelican sets the locale
# from the environment (its LOCALE defaults to the user's), and strftime's %A and %B follow it,
# so a machine set up in French wrote "lundi, novembre 16, 2026" on pages and in the feeds.
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(value: date) -> str:
    """'Tuesday, November 24, 2026'."""
    return f"{day_and_month(value)}, {value.year}"


def day_and_month(value: date) -> str:
    """'Tuesday, November 24'."""
    return f"{DAYS[value.weekday()]}, {MONTHS[value.month - 1]} {value.day}"


def as_words(_day: date, words: str) -> str:
    return words


def event_days(item: Announcement, mark: Callable[[date, str], str] = as_words) -> str:
    """An all-day event's days, as its page and the feeds say them: 'Saturday, December 5,
    2026 (all day)', or 'Saturday, December 5 to Sunday, December 6, 2026' (the year once,
    when both days are in it). `mark` wraps each day's words (the page's <time>)."""
    first, last = item.first_day, item.last_day
    if first is None or last is None:
        raise ValueError(f"{item.title}: not an all-day event")
    if first == last:
        return f"{mark(first, long_date(first))} (all day)"
    said = day_and_month(first) if first.year == last.year else long_date(first)
    return f"{mark(first, said)} to {mark(last, long_date(last))}"


def time_element(day: date, words: str) -> str:
    """A day's words as an HTML <time> of its date; the words are ours, never the CEC's."""
    return f'<time datetime="{day.isoformat()}">{words}</time>'


def city_datetime(value: datetime, tz: tzinfo) -> str:
    """'Tuesday, November 24, 2026, 2:30 p.m. PST' in City time (the pages' and the feeds').
    Midnight is written with the day it ends, as "until midnight Friday" is read: 00:00 on
    Saturday is 'Friday, December 4, 2026, midnight PST' (with Saturday's date, it would be
    read as a day later)."""
    local = value.astimezone(tz)
    day = local - timedelta(days=1) if clock(local) == "midnight" else local
    return f"{long_date(day)}, {clock(local)} {local:%Z}"


def change_datetime(value: datetime, tz: tzinfo) -> str:
    """When a change was made public (a correction, an update, a withdrawal), as
    `city_datetime`, but a change at midnight is a day given alone (`date: 2026-11-22`, as
    the fields allow) and written as that day: 'Sunday, November 22, 2026', not 'Saturday,
    November 21, 2026, midnight PST', which reads as the day before the one written."""
    local = value.astimezone(tz)
    return long_date(local) if clock(local) == "midnight" else city_datetime(value, tz)


# The North American country code written before a number: +1-250-…, +1 (250) …
COUNTRY_CODE_1 = re.compile(r"^\+1(?:[\s.-]+|(?=\())")


def local_phone(number: str) -> str:
    """A City number as people in Trail read and dial it: as written, without the +1 kept
    for the structured data (CITY's sample has it; policy/public-contacts.yml does not)."""
    return COUNTRY_CODE_1.sub("", number.strip())


def tel_uri(number: str) -> str:
    """A tel: link to `number` from its digits: the global number (RFC 3966), so a
    10-digit North American number gets its +1; a short one (911) is dialled as it is."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+"):
        return f"tel:+{digits}"
    return f"tel:+1{digits}" if len(digits) == 10 else f"tel:{digits}"


def dump_json_ld(data: Any) -> Markup:
    """JSON for a <script> element: `<`, `>` and `&` escaped so no text can close it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def make_filters(settings: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """Filters bound to this build's settings (City time zone, canonical URL, the City)."""
    tz = ZoneInfo(settings["TIMEZONE"])
    siteurl: str = settings["CANONICAL_SITEURL"]
    publisher = organization(settings["CITY"], siteurl)

    def city_date(value: datetime) -> str:
        return long_date(value.astimezone(tz))

    def absolute(path: str) -> str:
        """A site path as a canonical absolute URL (SITEURL itself may be relative)."""
        return f"{siteurl}/{path.lstrip('/')}"

    def preview(article: Any) -> Preview:
        """How the page presents itself where it is shared, as of this build: from the
        `expired` flag the plugin sets, which is part of what the page cache keys the page by
        (so the page is rendered again when it flips), never from BUILD_TIME, which it is not."""
        item = article.announcement
        expired_on = city_datetime(item.expires, tz) if article.expired and item.expires else None
        return item.preview(expired_on)

    def json_ld(article: Any) -> Markup:
        shared = preview(article)
        image_url = absolute(shared.image) if shared.image else None
        data = announcement_json_ld(
            article.announcement, shared, absolute(article.url), image_url, publisher
        )
        return dump_json_ld(data)

    return {
        "event_days": lambda item: Markup(event_days(item, time_element)),
        "city_date": city_date,
        "city_datetime": partial(city_datetime, tz=tz),
        "change_datetime": partial(change_datetime, tz=tz),
        "iso": datetime.isoformat,
        "absolute": absolute,
        "json_ld": json_ld,
        "preview": preview,
        "local_phone": local_phone,
        "tel_uri": tel_uri,
    }
