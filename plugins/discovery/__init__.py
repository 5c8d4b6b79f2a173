"""Discovery: sitemap.xml and robots.txt for search engines, and build.json, the one file
that declares when the site was built (every other output byte depends only on the commit
and on BUILD_TIME's effect on scheduling, expiry and upcoming events).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from pelican import __version__ as pelican_version
from pelican import signals

from announcements.context import last_change, last_event_end, latest
from announcements.output import OutputGenerator

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


def site_urls(context: dict[str, Any], settings: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every public, indexable page: listings, published pages and announcements. A listing
    was last modified when what it lists last changed, or when one was withdrawn from it; as
    pages say which announcements expired, an expiry by the build's time is a change too, and
    for the home and events pages, which list upcoming events, so is an event's end. The
    events page lists only events: no other announcement dates it."""
    siteurl = settings["CANONICAL_SITEURL"]
    city = ZoneInfo(settings["TIMEZONE"])
    now = settings["BUILD_TIME"]
    articles = context.get("articles", [])
    withdrawn = context.get("withdrawn_articles", [])
    past_events = context.get("past_events", [])
    ended = last_event_end(past_events)
    changed = last_change(articles, withdrawn, now)
    # Every past event, not only the latest the page lists: a start moved earlier takes one
    # off the page, and the count of earlier ones it gives changes with each.
    events = [*context.get("upcoming_events", []), *past_events]
    events_gone = [a for a in withdrawn if a.announcement.is_event]
    urls: list[tuple[str, Any]] = [(f"{siteurl}/", latest(changed, ended))]
    events_changed = latest(last_change(events, events_gone, now), ended)
    for template, lastmod in (("events", events_changed), ("archives", changed)):
        save_as = settings.get(f"{template.upper()}_SAVE_AS")
        if save_as:
            urls.append((f"{siteurl}/{save_as}", lastmod))
    for year in context.get("archive_years", []):
        listed = [a for month in year.months for a in month.articles]
        # Filed by their year in City time, as `archive_years` files what it lists.
        gone = [a for a in withdrawn if a.date.astimezone(city).year == year.year]
        urls.append((f"{siteurl}/{year.url}", last_change(listed, gone, now)))
    for category, items in context.get("categories", []):
        gone = [a for a in withdrawn if a.announcement.category == category.name]
        urls.append((f"{siteurl}/{category.url}", last_change(items, gone, now)))
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
