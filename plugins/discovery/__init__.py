"""Discovery: sitemap.xml and robots.txt for search engines, and build.json, the one file
that declares when the site was built (every other output byte depends only on the commit
and on BUILD_TIME's effect on scheduling, expiry and upcoming events).
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import accumulate
from math import ceil
from typing import Any, ClassVar
from urllib.parse import urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from pelican import __version__ as pelican_version
from pelican import signals
from pelican.paginator import Paginator

from announcements.context import last_change, last_event_end, latest, menu_changed
from announcements.output import OutputGenerator
from announcements.settings import page_size

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_xml(urls: Iterable[tuple[str, datetime | None]]) -> bytes:
    """A sitemap of (absolute URL, last modified) pairs, in the order given."""
    ElementTree.register_namespace("", SITEMAP_NS)
    urlset = ElementTree.Element(f"{{{SITEMAP_NS}}}urlset")
    for loc, lastmod in urls:
        url = ElementTree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = loc
        if lastmod is not None:
            ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod.isoformat()
    ElementTree.indent(urlset)
    return ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def robots_txt(siteurl: str) -> str:
    """Crawlers read robots.txt only at the host's root, where a site under a path
    (https://example.ca/news) has it merged: so it allows the site's path, not the host."""
    path = urlsplit(siteurl).path  # without its trailing slash (canonical_siteurl)
    return f"User-agent: *\nAllow: {path}/\n\nSitemap: {siteurl}/sitemap.xml\n"


def page_count_changed(
    listed: Sequence[Any], withdrawn: Sequence[Any], per_page: int | None, orphans: int
) -> datetime | None:
    """When a listing's number of pages ("Page 1 of N") last changed: each announcement adds
    to the count from its publication, and a withdrawn one takes it back at its withdrawal."""
    steps: dict[datetime, int] = {}
    for article in (*listed, *withdrawn):
        steps[article.date] = steps.get(article.date, 0) + 1
    for article in withdrawn:
        out = article.announcement.updated
        steps[out] = steps.get(out, 0) - 1
    count, pages, changed = 0, 1, None
    for when in sorted(steps):
        count += steps[when]
        # As Pelican's Paginator counts them.
        now_pages = ceil(max(1, count - orphans) / per_page) if per_page else 1
        if now_pages != pages:
            pages, changed = now_pages, when
    return changed


def listing_pages(
    save_as: str,
    url: str,
    listed: Sequence[Any],
    withdrawn: Sequence[Any],
    per_page: int | None,
    settings: dict[str, Any],
    now: datetime,
) -> list[tuple[Any, datetime | None]]:
    """Each page of a paginated listing, as Pelican's writer pages it (`save_as`, `url`: its
    first page's), with when what it shows last changed: its own slice of announcements, each
    card as a whole, those published above it (each moved one in from the page before), what
    left it or a page before it, and its "Page N of M". A change to an announcement on another
    page leaves it as it was. `listed` is newest first, as the pages list them."""
    paginator = Paginator(save_as, url, list(listed), settings, per_page)
    count_changed = page_count_changed(listed, withdrawn, per_page, paginator.orphans)
    # Worked out once for all pages, not per page (a listing of 10,000 has 1,000 pages):
    # the newest date among the first n listed, and the latest withdrawal among those
    # withdrawn from (date, slug) on, in that order.
    newest_first_n: list[datetime | None] = [None, *accumulate((a.date for a in listed), max)]
    gone = sorted(withdrawn, key=lambda a: (a.date, a.slug))
    gone_keys = [(a.date, a.slug) for a in gone]
    gone_from: list[datetime | None] = [None] * (len(gone) + 1)
    for n in range(len(gone) - 1, -1, -1):
        gone_from[n] = latest(gone[n].announcement.updated, gone_from[n + 1])
    pages: list[tuple[Any, datetime | None]] = []
    for number in paginator.page_range:
        page = paginator.page(number)
        shown = page.object_list
        # What left it or a page before it moved this page's slice up (on the last page,
        # took it off): those withdrawn at or above its last card.
        left = bisect_left(gone_keys, (shown[-1].date, shown[-1].slug)) if page.has_next() else 0
        changed = latest(
            last_change(shown, now=now),
            newest_first_n[max(page.start_index() - 1, 0)],  # 0: an empty listing
            gone_from[left],
            count_changed,
        )
        pages.append((page, changed))
    return pages


def home_changed(
    context: dict[str, Any], first_page: datetime | None, now: datetime
) -> datetime | None:
    """When the home page (its first page) last changed in what it shows: its first page of
    announcements (`first_page`, from `listing_pages`), its urgent alerts, upcoming events
    (every one: a moved start takes one in or out of the three shown), and what left any of
    these. A change to an announcement it does not show leaves it as it was."""
    articles = context.get("articles", [])  # newest first, as the page lists them
    withdrawn = context.get("withdrawn_articles", [])

    def left_alerts(article: Any) -> datetime:
        item = article.announcement  # withdrawn, or expired: out of the box at the first
        out = [item.updated] if item.withdrawn else []
        return min([*out, *([item.left_at(item.expires)] if item.is_expired(now) else [])])

    shown = [*context.get("urgent_articles", []), *context.get("upcoming_events", [])]
    return latest(
        first_page,
        last_change(shown, now=now),
        last_event_end(context.get("past_events", [])),
        *(
            left_alerts(a)
            for a in (*articles, *withdrawn)
            if a.announcement.urgent
            and (a.announcement.withdrawn or a.announcement.is_expired(now))
        ),
        # A withdrawn event left "Coming up" at its withdrawal, or at its end if that came
        # first: withdrawn after it, it changes nothing there, and its end still dates it.
        *(
            min(a.announcement.updated, a.announcement.left_at(a.announcement.event_end))
            for a in withdrawn
            if a.announcement.is_event
        ),
    )


def site_urls(context: dict[str, Any], settings: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every public, indexable page: listings, published pages and announcements. A listing
    was last modified when what it lists last changed, or when one was withdrawn from it; as
    pages say which announcements expired, an expiry by the build's time is a change too, and
    for the home and events pages, which list upcoming events, so is an event's end. The
    events page lists only events; the home page, its first page of announcements, and each
    later page of it or of a category, its own (`listing_pages`); the
    archives page, the years with their counts and the withdrawn announcements: no other
    announcement dates them. The menu of categories, which every listing shows, dates each
    listing too; an announcement's or page's own page is dated by its own changes, as a
    search engine wants it (a new category would otherwise date every page of the site)."""
    siteurl = settings["CANONICAL_SITEURL"]
    city = ZoneInfo(settings["TIMEZONE"])
    now = settings["BUILD_TIME"]
    articles = context.get("articles", [])
    withdrawn = context.get("withdrawn_articles", [])
    past_events = context.get("past_events", [])
    menu = menu_changed(articles, withdrawn)
    # Every past event, not only the latest the page lists: a start moved earlier takes one
    # off the page, and the count of earlier ones it gives changes with each.
    events = [*context.get("upcoming_events", []), *past_events]
    events_gone = [a for a in withdrawn if a.announcement.is_event]
    index = settings.get("INDEX_SAVE_AS") or "index.html"
    home, *later = listing_pages(
        index, index, articles, withdrawn, page_size(settings, "index"), settings, now
    )
    urls: list[tuple[str, Any]] = [
        (f"{siteurl}/", latest(home_changed(context, home[1], now), menu))
    ]
    # Its later pages show their announcements alone, without alerts or events.
    urls.extend((f"{siteurl}/{page.url}", latest(changed, menu)) for page, changed in later)
    ended = last_event_end(past_events)
    events_changed = latest(last_change(events, events_gone, now), ended, menu)
    # A year's count changes with a publication or a withdrawal; no other change shows.
    published = max((a.date for a in articles), default=None)
    archives_changed = latest(published, last_change(withdrawn), menu)
    for template, lastmod in (("events", events_changed), ("archives", archives_changed)):
        save_as = settings.get(f"{template.upper()}_SAVE_AS")
        if save_as:
            urls.append((f"{siteurl}/{save_as}", lastmod))
    for year in context.get("archive_years", []):
        listed = [a for month in year.months for a in month.articles]
        # Filed by their year in City time, as `archive_years` files what it lists.
        gone = [a for a in withdrawn if a.date.astimezone(city).year == year.year]
        urls.append((f"{siteurl}/{year.url}", latest(last_change(listed, gone, now), menu)))
    per_category = page_size(settings, "category")
    for category, items in context.get("categories", []):
        gone = [a for a in withdrawn if a.announcement.category == category.name]
        pages = listing_pages(
            category.save_as, category.url, items, gone, per_category, settings, now
        )
        for page, changed in pages:
            loc = category.url if page.number == 1 else page.url
            urls.append((f"{siteurl}/{loc}", latest(changed, menu)))
    for page in context.get("pages", []):
        if page.save_as and not page.save_as.startswith("404"):
            urls.append((f"{siteurl}/{page.url}", getattr(page, "modified", None)))
    for article in articles:
        urls.append((f"{siteurl}/{article.url}", article.announcement.changed(now)))
    return urls


SITEMAP, ROBOTS, BUILD_MARK = "sitemap.xml", "robots.txt", "build.json"


class DiscoveryGenerator(OutputGenerator):
    writes: ClassVar[dict[str, str]] = {
        SITEMAP: "the sitemap",
        ROBOTS: "robots.txt",
        BUILD_MARK: "the mark of a complete build",
    }

    def write_files(self) -> None:
        siteurl = self.settings["CANONICAL_SITEURL"]
        self.write(SITEMAP, sitemap_xml(site_urls(self.context, self.settings)))
        self.write(ROBOTS, robots_txt(siteurl))
        build = {
            "built_at": self.settings["BUILD_TIME"].isoformat(),
            "generator": f"pelican {pelican_version}",
            "siteurl": siteurl,
        }
        # Only a build that succeeded is swapped into output/ (publishing/build.py), so deploy
        # takes this file's presence as the mark of a complete build.
        self.write(BUILD_MARK, json.dumps(build, indent=2, sort_keys=True) + "\n")


def get_generators(_pelican: Any) -> type[DiscoveryGenerator]:
    return DiscoveryGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
