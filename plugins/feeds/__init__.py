"""Feeds: Atom and RSS (feedgen) for all announcements, each category and urgent alerts,
and iCalendar files for events.

Pelican's own feeds are turned off in `pelicanconf.py`; these replace them. Every URL is
absolute (CANONICAL_SITEURL) and every GUID is the announcement's canonical URL.

Settings:
    FEED_MAX_ITEMS   entries per feed, newest first (default 50; None for all)
    FEED_LANGUAGE    feed language (default: DEFAULT_LANG)
"""

from __future__ import annotations

import logging
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any, ClassVar

from pelican import signals

from announcements.output import OutputGenerator
from page_cache.store import DerivedStore

from . import calendar, feeds
from .calendar import calendar_feed, event_calendar, serialise
from .feeds import FEEDS_FOLDER, feed_specs, render_feed

logger = logging.getLogger(__name__)
icalendar_version = version("icalendar")
EVENTS_CALENDAR = "events.ics"  # every event's; each (withdrawn too) has its own beside its page


class FeedsGenerator(OutputGenerator):
    """Writes the feeds once every other generator has built its context."""

    writes: ClassVar[dict[str, str]] = {
        FEEDS_FOLDER: "the feeds",
        EVENTS_CALENDAR: "the events calendar",
    }

    def write_files(self) -> None:
        siteurl = self.settings["CANONICAL_SITEURL"]
        articles = self.context.get("articles", [])
        withdrawn = self.context.get("withdrawn_articles", [])
        specs = feed_specs(
            articles,
            self.context.get("urgent_articles", []),
            self.settings["SITENAME"],
            self.settings.get("FEED_MAX_ITEMS", 50),
            {c.name: c.url for c, _ in self.context.get("category_nav", [])},
            withdrawn,
            self.settings["BUILD_TIME"],
        )
        for spec in specs:
            atom, rss = render_feed(
                spec,
                siteurl=siteurl,
                site_dir=self.output,
                language=self.settings.get("FEED_LANGUAGE") or self.settings["DEFAULT_LANG"],
                city=self.settings["CITY"],
            )
            self.write(spec.path("atom"), atom)
            self.write(spec.path("rss"), rss)
        self._write_calendars(siteurl)
        logger.info("feeds: wrote %d feeds and the events calendar", len(specs) * 2)

    def _write_calendars(self, siteurl: str) -> None:
        published = [*self.context.get("upcoming_events", []), *self.context.get("past_events", [])]
        withdrawn = [
            a for a in self.context.get("withdrawn_articles", []) if a.announcement.is_event
        ]
        # Serialising events is most of a calendar's cost: unchanged ones come from last build
        # (made by calendar.py, in the feeds' words for notes).
        code = Path(calendar.__file__).read_bytes() + Path(feeds.__file__).read_bytes()
        store = DerivedStore(self.settings, "calendar-events", code)

        def inputs(article: Any) -> tuple[Any, ...]:
            return (
                article.announcement,
                article.url,
                article.slug,
                calendar.sequence(article),  # a commit may change only the text, not the event
                feeds.last_revised(article),  # DTSTAMP: the last commit's time, if later
                calendar.organizer(self.settings["CITY"]).to_ical(),  # the ORGANIZER
                siteurl,
                icalendar_version,
            )

        # A withdrawn event keeps its own file, as its cancellation (the same VEVENT as in
        # events.ics): whoever added the event from it finds the cancellation there, not a 404.
        events = [*published, *withdrawn]
        serialised = {
            a.slug: store.get(("event", *inputs(a)), partial(serialise, a, siteurl)) for a in events
        }
        for article in events:
            ics = store.get(
                ("file", *inputs(article)),
                partial(event_calendar, article, siteurl, serialised[article.slug]),
            )
            self.write(ics_path(article), ics)
        name = f"{self.settings['SITENAME']}: events"
        self.write(EVENTS_CALENDAR, calendar_feed(events, name, siteurl, serialised))
        store.save()


def ics_path(article: Any) -> str:
    """An event's .ics file sits beside its page: `announcements/x.html` → `.../x.ics`."""
    return str(Path(article.save_as).with_suffix(".ics"))


def get_generators(_pelican: Any) -> type[FeedsGenerator]:
    return FeedsGenerator


def add_template_globals(generator: Any) -> None:
    env = getattr(generator, "env", None)
    if env is not None:
        env.filters["ics_path"] = ics_path


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_template_globals)
