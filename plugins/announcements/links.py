"""Links in the text to what the site will not have when the linking page is published.

Pelican resolves a `{filename}` link against every file it read, whatever its status: a link
to a draft becomes the draft's empty address (the home page), and one to a scheduled
announcement its address before anything is there (a 404 that also gives the address away
early). The build refuses both. The rule, and how it is said, is shared with the content
lint, which applies it before the build, to plain links too.

A link to a file that is not in content/ (removed, or its name mistyped) the build refuses
too, naming the file and line of the link: Pelican writes a `{static}` one as if the file
were there, and copies nothing (a broken image on the page and in the feeds), and warns of a
`{filename}` one without saying which file holds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from .model import Problem, first_line_naming, linked_file, read_source
from .reader import display_path, intrasite_links


@dataclass(frozen=True)
class Release:
    """When a file's page is published: from its `date` (a page without one, with the site),
    and never for a draft."""

    date: datetime | None = None
    draft: bool = False


def shows_its_links(status: str) -> bool:
    """Whether the page of a file with this `status` (an announcement's or a page's) shows
    its text, links and all: a draft is never published, and a withdrawn announcement's page
    shows only the notice of why (theme/templates/article.html), so their links lead nowhere
    and are not checked."""
    return status not in ("draft", "withdrawn")


def unpublished_reason(target: Release, source: Release, now: datetime, tz: tzinfo) -> str | None:
    """Why the page of `source` may not link to that of `target`, or None when the target is
    published by the time the source is: already, or scheduled no later than it.

    Time passing only ever clears a reason, so the scheduled build that releases an
    announcement never fails on a link that passed the builds before it.
    """
    if target.draft:
        return "a draft, which the site does not publish"
    goes_up = max(now, source.date or now)
    if target.date is None or target.date <= goes_up:
        return None
    when = f"scheduled for {_city_time(target.date, tz)}"
    if goes_up > now:
        when += f", after this one at {_city_time(goes_up, tz)}"
    return f"not published yet ({when})"


def unpublished_link_message(link: str, reason: str) -> str:
    return f"'{link}' is {reason}; link to it once it is published"


def _city_time(moment: datetime, tz: tzinfo) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"


def _showing_links(generators: Sequence[Any]) -> list[Any]:
    """Every announcement and page the build writes, now or when it is due, whose page shows
    its text, links and all (not a draft, not a withdrawn announcement)."""
    written: list[Any] = [*generators[0].context.get("scheduled_articles", [])]
    for generator in generators:
        for kind in ("articles", "hidden_articles", "pages", "hidden_pages"):
            written.extend(getattr(generator, kind, []))
    return [content for content in written if shows_its_links(_status(content))]


def _problem(content: Any, path: str, message: str) -> Problem:
    """A problem with the link to `path` in `content`, at the line that names it."""
    name = display_path(content.source_path)
    return Problem(name, _line_of(content.source_path, path), "link", message)


def unpublished_links(generators: Sequence[Any]) -> list[Problem]:
    """Each `{filename}` link of a page the build publishes, now or when it is due, to an
    announcement or page not published by then."""
    settings = generators[0].settings
    now, tz = settings["BUILD_TIME"], ZoneInfo(settings["TIMEZONE"])
    releases: dict[str, Release] = {}
    for generator in generators:
        for draft in (*getattr(generator, "drafts", []), *getattr(generator, "draft_pages", [])):
            releases[draft.get_relative_source_path()] = Release(draft=True)
    for article in generators[0].context.get("scheduled_articles", []):
        releases[article.get_relative_source_path()] = Release(article.announcement.date)
    problems = []
    for content in _showing_links(generators):
        source = _release(content)
        for link, path in _intrasite_links(content, "filename"):
            target = releases.get(linked_file(path, content.relative_dir))
            reason = target and unpublished_reason(target, source, now, tz)
            if reason:
                problems.append(_problem(content, path, unpublished_link_message(link, reason)))
    return problems


def links_to_missing_files(generators: Sequence[Any]) -> list[Problem]:
    """Each `{filename}`, `{static}` or `{attach}` link of a page the build publishes, now or
    when it is due, to a file that is not in content/."""
    content_dir = Path(generators[0].settings["PATH"])
    problems = []
    for content in _showing_links(generators):
        for link, path in _intrasite_links(content, "filename", "static", "attach"):
            target = linked_file(path, content.relative_dir)
            if not (content_dir / target).is_file():
                message = (
                    f"'{link}' names a file not in content/ ({target}); add the file, or "
                    "correct the name"
                )
                problems.append(_problem(content, path, message))
    return problems


def _status(content: Any) -> str:
    """The status an announcement or page was written with (Pelican calls a withdrawn
    announcement "hidden", as it does a page in no listing that is published all the same)."""
    announcement = getattr(content, "announcement", None)
    return str(announcement.status if announcement else content.status)


def _release(content: Any) -> Release:
    """An announcement is published from its date; a page, with the site."""
    announcement = getattr(content, "announcement", None)
    return Release(announcement.date if announcement else None)


def _intrasite_links(content: Any, *kinds: str) -> Iterator[tuple[str, str]]:
    """(link as written, file path) of each link of these kinds in the text (`filename` for
    `{filename}`, ...), found in the HTML as Pelican finds them when it writes the page (so
    reference links and raw HTML too)."""
    for what, link, path in intrasite_links(content._content or "", content.settings):
        if what in kinds:
            yield link, unquote(unescape(path))


def _line_of(source_path: str, path: str) -> int:
    """The first line of the file's text that names `path`."""
    text, _ = read_source(Path(source_path), source_path)
    return first_line_naming(text or "", path)
