"""Atom and RSS feeds with feedgen. Pure apart from reading the sizes of published images."""

from __future__ import annotations

import html
import mimetypes
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
from feedgen.feed import FeedGenerator
from markupsafe import escape

from announcements.context import last_change, latest, newest_first
from announcements.filters import change_datetime, city_datetime, event_days
from announcements.model import CATEGORIES, Announcement

from .enclosure import NAMESPACE, EnclosureEntryExtension, EnclosureExtension

FEEDS_FOLDER = "feeds/"  # every feed is in it
# The time of a feed with nothing to date it (no entry, and none that left by expiring): Atom
# requires one, and any that moved with the rest of the site (or the build's time) would tell
# of changes the feed never had. One whose last entry moved to another category (or lost
# `urgent`) goes back to it too: nothing in the content dates when it left the feed that way.
NEVER_CHANGED = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedSpec:
    """One feed: where it goes, what it is called, what it lists (newest first), the site
    path of the web page that lists the same ("" for the home page), the announcements gone
    from it (their leaving is a change to it), and for the urgent feed, which alerts leave
    when they expire, the build's time (an expiry passed by then is a change to it)."""

    slug: str
    title: str
    description: str
    articles: tuple[Any, ...]
    page: str = ""
    gone: tuple[Any, ...] = ()
    now: datetime | None = None

    def path(self, kind: str) -> str:
        return f"{FEEDS_FOLDER}{self.slug}.{kind}.xml"


def feed_specs(
    articles: Sequence[Any],
    urgent: Sequence[Any],
    sitename: str,
    max_items: int | None,
    category_pages: Mapping[str, str] | None = None,
    withdrawn: Sequence[Any] = (),
    now: datetime | None = None,
) -> list[FeedSpec]:
    """Every feed the site offers: all, one per category, urgent alerts.

    `category_pages` are the site paths of the category pages written; a category without
    one (nothing published in it) has the home page as its feed's web page. `withdrawn` are
    the withdrawn announcements: each stays in the feeds that listed it, as the notice that
    it was withdrawn (a feed reader keeps every entry it has read, so one that only left
    would stay there as if current), the urgent feed's until it would have expired. An urgent
    alert expired by `now` leaves the urgent feed, a change to it.
    """
    pages = category_pages or {}
    listed = newest_first([*articles, *withdrawn])

    def expired(article: Any) -> bool:
        return now is not None and article.announcement.is_expired(now)

    def cap(items: Iterable[Any]) -> tuple[Any, ...]:
        items = tuple(items)
        return items[:max_items] if max_items else items

    def in_category(items: Iterable[Any], key: str) -> tuple[Any, ...]:
        return tuple(a for a in items if a.announcement.category == key)

    specs = [
        FeedSpec(
            "all",
            sitename,
            f"All announcements from the {sitename}",
            cap(listed),
        )
    ]
    for key, label in CATEGORIES.items():
        specs.append(
            FeedSpec(
                key,
                f"{sitename}: {label}",
                f"{label} from the {sitename}",
                cap(in_category(listed, key)),
                pages.get(key, ""),
            )
        )
    specs.append(
        FeedSpec(
            "urgent",
            f"{sitename}: urgent alerts",
            f"Urgent, time-sensitive notices from the {sitename} that are still in effect",
            cap(
                newest_first(
                    [*urgent, *(a for a in withdrawn if a.announcement.urgent and not expired(a))]
                )
            ),
            gone=tuple(a for a in (*withdrawn, *articles) if a.announcement.urgent and expired(a)),
            now=now,
        )
    )
    return specs


def dated_note(what: str, when: datetime, city: tzinfo) -> str:
    """How the feeds and calendars head a public note ("Correction, Sunday, November 22, 2026,
    10 a.m. PST"), in the page's words: City time, whatever offset the note's time was
    written with, and a day given alone as that day (`change_datetime`)."""
    return f"{what}, {change_datetime(when, city)}"


def last_revised(article: Any) -> datetime:
    """When an announcement last changed for its feed entries and calendar entry: its
    `updated`, or for an event the latest commit to its file (the revisions plugin's, renames
    followed) if later. A time or place moved without `modified` is still a change that feed
    readers and calendars (DTSTAMP, LAST-MODIFIED) must see as later; git dates it the same on
    every build of one commit, so the bytes stay reproducible. City time, as `updated` is."""
    item = article.announcement
    revisions = getattr(article, "revisions", [])  # newest first; none outside git
    if not item.is_event or not revisions:
        return item.updated
    city = ZoneInfo(article.settings["TIMEZONE"])
    return max(item.updated, revisions[0].date.astimezone(city))


def entry_html(article: Any, siteurl: str) -> str:
    """The full announcement for feed readers, in the page's order: any correction notes
    first, dated as the page dates them (`dated_note`), until when a notice is in effect,
    an event's details, the image, then the text."""
    item = article.announcement
    city = ZoneInfo(article.settings["TIMEZONE"])
    if item.withdrawn:  # its page shows only the notice, dated as its calendar entry is
        when = dated_note("Withdrawn", item.modified or item.updated, city)
        return f"<p><strong>{when}:</strong> {escape(item.withdrawn_reason)}</p>"
    notes = "".join(
        f"<p><strong>{dated_note('Correction', c.date, city)}:</strong> {escape(c.note)}</p>"
        for c in item.corrections
    )
    # A reader keeps the entry after the notice has expired and left the urgent feed: worded
    # as the page words it while in effect, which stays true once it is not.
    until = f"<p>In effect until {city_datetime(item.expires, city)}.</p>" if item.expires else ""
    details = event_details_html(item, city) if item.is_event else ""
    entry = notes + until + details + figure_html(item, siteurl) + str(article.get_content(siteurl))
    return absolute_links(entry, f"{siteurl}/{article.url}")


def event_details_html(item: Announcement, city: tzinfo) -> str:
    """When and where, worded as the page's "Event details": subscribers read the entry, not
    the page, so a time moved by editing `event_start` reaches them too."""
    assert item.event_start and item.event_end  # the model requires both for an event
    if item.all_day:
        when = f"<dt>When</dt><dd>{event_days(item)}</dd>"
    else:
        when = (
            f"<dt>Starts</dt><dd>{city_datetime(item.event_start, city)}</dd>"
            f"<dt>Ends</dt><dd>{city_datetime(item.event_end, city)}</dd>"
        )
    return f"<dl>{when}<dt>Where</dt><dd>{escape(item.location)}</dd></dl>"


def figure_html(item: Announcement, siteurl: str) -> str:
    """The page's image with its alt text: the entry's enclosure is the same image, but an
    enclosure has no alt text to give a screen reader."""
    if not item.image:
        return ""
    source, alt = f"{siteurl}/{item.image}", item.image_alt
    return f'<figure><img src="{escape(source)}" alt="{escape(alt)}"></figure>'


def absolute_links(html: str, page_url: str) -> str:
    """`html` with every link, image and quotation source written out in full, as it leads
    from the page at `page_url`: a feed reader resolves a relative one (`survey.html`,
    `#what-to-do`, `../images/map.png`) against the feed, where nothing is there."""
    if not html:
        return html
    holder = lxml.html.fragment_fromstring(html, create_parent="div")
    # An address urljoin cannot read (`http://[bad`) is left as written, as the page has it.
    holder.make_links_absolute(page_url, resolve_base_href=False, handle_failures="ignore")
    written = str(lxml.html.tostring(holder, encoding="unicode"))
    return written.removeprefix("<div>").removesuffix("</div>")


def render_feed(
    spec: FeedSpec,
    *,
    siteurl: str,
    site_dir: Path,
    language: str,
    city: dict[str, Any],
) -> tuple[bytes, bytes]:
    """(Atom, RSS) for one feed. GUIDs are canonical URLs, stable across builds and edits.
    An enclosure's length is its image's as published in `site_dir` (see plugins/images)."""
    fg = FeedGenerator()
    fg.register_extension(NAMESPACE, EnclosureExtension, EnclosureEntryExtension)
    atom_url = f"{siteurl}/{spec.path('atom')}"
    page_url = f"{siteurl}/{spec.page}"
    fg.id(atom_url)
    fg.title(spec.title)
    fg.subtitle(spec.description)
    fg.description(spec.description)
    fg.link(href=page_url, rel="alternate")
    fg.link(href=atom_url, rel="self")
    fg.language(language)
    fg.author({"name": city["name"], "uri": f"{siteurl}/"})
    fg.generator("Pelican and feedgen, City of Trail announcements")
    # An alert leaves the urgent feed when it expires, withdrawn or not: the change is then,
    # or at a correction made after it, which may have moved `expires` back (it was in the
    # feed until that correction was published; see `Announcement.left_at`).
    left = (a.announcement.left_at(a.announcement.expires) for a in spec.gone)
    # An event's entry may be dated by a commit later than its `updated` (`last_revised`).
    revised = (last_revised(a) for a in spec.articles)
    changed = latest(last_change(spec.articles, now=spec.now), *revised, *left) or NEVER_CHANGED
    fg.updated(changed)
    fg.lastBuildDate(changed)
    for article in spec.articles:
        item = article.announcement
        shown = item.preview()  # a withdrawn one's title and summary say so, as its page's do
        url = f"{siteurl}/{article.url}"
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(shown.headline)
        entry.link(href=url, rel="alternate")
        entry.published(item.date)
        entry.updated(last_revised(article))
        # The summary is plain text. Atom says so (a <summary> without a type is text), but
        # readers take an RSS <description> as HTML, so RSS gets it escaped: shown as written,
        # never as markup (quotes stay: they mean nothing outside a tag). feedgen's
        # description() also sets Atom's content, which content() below replaces, and
        # summary() keeps a description that differs from the summary.
        entry.description(html.escape(shown.description, quote=False))
        entry.summary(shown.description)
        entry.content(entry_html(article, siteurl), type="html")
        entry.category(term=item.category, label=item.category_label)
        if shown.image:  # none for a withdrawn one
            image = site_dir / shown.image
            mime = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
            getattr(entry, NAMESPACE).set(f"{siteurl}/{shown.image}", image.stat().st_size, mime)
    atom = fg.atom_str(pretty=True)
    # feedgen's RSS <link> is the last link given, and its atom:link the self links: the
    # web page and the RSS document itself, not the Atom one, typed as the RSS Advisory
    # Board advises.
    fg.link(
        href=f"{siteurl}/{spec.path('rss')}", rel="self", type="application/rss+xml", replace=True
    )
    fg.link(href=page_url, rel="alternate")
    return atom, fg.rss_str(pretty=True)
