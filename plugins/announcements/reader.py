"""A Pelican reader for Markdown with YAML front matter, validated by the content model."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from html import unescape
from pathlib import Path, PurePath
from types import SimpleNamespace
from typing import Any, ClassVar
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import nh3
from markdown import Markdown
from pelican.contents import Content
from pelican.readers import BaseReader
from pelican.utils import SafeDatetime

from .headings import (
    colliding_ids,
    heading_at_title_level,
    lines_of_title_level_headings,
    without_colliding_ids,
)
from .images import upright_size
from .model import (
    Announcement,
    PageMeta,
    Problem,
    UnreadableImage,
    first_line_naming,
    is_outside_content,
    opened_image,
    parse_announcement,
    parse_page,
    read_source,
    says_nothing,
    split_front_matter,
)

logger = logging.getLogger(__name__)

# Where the problems found in content are gathered, for the build to fail on them all at once.
PROBLEMS_SETTING = "VALIDATION_PROBLEMS"
# Metadata the reader adds for `recheck_cached`: Pelican's content cache keeps the reader's
# output and skips the reader while a Markdown file is unchanged, so a file's problems, and
# the images and videos it was checked against, must travel with the cached metadata.
PROBLEMS_KEY = "validation_problems"
SOURCE_KEY = "announcement_source"
FILES_KEY = "announcement_files"

# Pelican's status for each of ours: withdrawn announcements stay at their URL but leave
# every listing and feed, which is what Pelican's "hidden" means.
PELICAN_STATUS = {"published": "published", "draft": "draft", "withdrawn": "hidden"}


def display_path(path: str | os.PathLike[str]) -> str:
    """The path as the CEC would type it: relative to the working directory when inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) as published (turned upright), so pages reserve the space before the
    image loads."""
    stat = path.stat()
    size = _image_size(str(path), stat.st_mtime_ns)
    if size is None:
        logger.warning("%s: cannot read the image's size", display_path(path))
    return size


@lru_cache(maxsize=4096)
def _image_size(path: str, mtime_ns: int) -> tuple[int, int] | None:
    """Read once per version of a file: many announcements share an image."""
    try:
        with opened_image(path) as image:
            return upright_size(image)
    except UnreadableImage:
        return None


Stamp = tuple[int, int, str]  # modification time (ns), size and digest of a file


def file_stamps(content_dir: Path, names: Iterable[str]) -> dict[str, Stamp]:
    """Time, size and digest of each named file, to notice when one changes after it was
    checked: by its time and size at no cost, else (a fresh clone in CI gives every file a
    new time, and the caches restored there should still hold) by its content.
    """
    stamps = {}
    for name in names:
        path = content_dir / name
        stat = path.stat()
        digest = _file_digest(str(path), stat.st_mtime_ns, stat.st_size)
        stamps[name] = (stat.st_mtime_ns, stat.st_size, digest)
    return stamps


def file_digest(path: Path) -> str:
    """A digest of a file's content."""
    stat = path.stat()
    return _file_digest(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4096)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    """Each version of a file is read once: many announcements share an image."""
    with Path(path).open("rb") as file:
        return hashlib.file_digest(file, "blake2b").hexdigest()


def _unchanged(content_dir: Path, stamps: dict[str, Stamp]) -> bool:
    try:
        for name, (mtime_ns, size, digest) in stamps.items():
            path = content_dir / name
            stat = path.stat()
            if (stat.st_mtime_ns, stat.st_size) == (mtime_ns, size):
                continue
            if stat.st_size != size or _file_digest(str(path), stat.st_mtime_ns, size) != digest:
                return False
    except (OSError, ValueError, TypeError):  # gone, or stamps of another shape: check again
        return False
    return True


def recheck_cached(reader: AnnouncementReader, metadata: dict[str, Any]) -> list[Problem]:
    """The problems of a file as Pelican hands it over, from its reader or its content cache.

    When an image or video the file names has changed or gone since it was cached, its front
    matter is validated again (no Markdown) and `metadata` is brought up to date; a file that
    is no longer valid is skipped, exactly as if it had just been read.
    """
    problems: list[Problem] = metadata.pop(PROBLEMS_KEY, [])
    stamps = metadata.get(FILES_KEY)
    if problems or not stamps or _unchanged(Path(reader.settings["PATH"]), stamps):
        return problems
    fresh, problems = reader.front_matter(metadata[SOURCE_KEY])
    if problems:
        metadata["status"] = "skip"
    else:
        metadata.update(fresh)
    return problems


def _pelican_datetime(value: datetime) -> SafeDatetime:
    return SafeDatetime.combine(value.date(), value.time(), value.tzinfo)


# Attributes HTML5's elements need to mean what they say, which nh3's defaults (from HTML 4)
# lack: a <time> or <data> without them is invalid HTML, and a reversed list counts upwards.
_HTML5_ATTRIBUTES = {
    "time": {"datetime"},
    "data": {"value"},
    "ol": {"reversed", "type"},
    "li": {"value"},
    "details": {"open"},
    # A Markdown table's column alignment (`|---:|`): cleaned to `text-align` alone, below.
    "th": {"style"},
    "td": {"style"},
}
# What nh3's defaults allow that HTML5 made obsolete (presentation is the theme's CSS), which
# an editor may paste from an old page: the Nu HTML Checker finds the page invalid. They
# are cleaned off and what they held is kept: `<center>Crews</center>` is `Crews`.
_OBSOLETE_TAGS = {"acronym", "center", "strike", "tt"}
_OBSOLETE_ATTRIBUTES = {"align", "char", "charoff"}
_OBSOLETE_ATTRIBUTES_OF = {"hr": {"size", "width"}, "table": {"summary"}}
# An image map is never valid once cleaned: the cleaning takes off <map>'s `name`, which HTML
# requires, and the image's `usemap`, without which it maps nothing.
_IMAGE_MAP_TAGS = {"map", "area"}
# <tfoot> is HTML5's, if not nh3's: without it a table's totals row is read as data.
_TAGS = (set(nh3.ALLOWED_TAGS) | {"tfoot"}) - _OBSOLETE_TAGS - _IMAGE_MAP_TAGS


def _allowed_attributes(tag: str) -> set[str]:
    """The attributes `tag` keeps: nh3's defaults and those HTML5 needs, but none obsolete."""
    allowed = set(nh3.ALLOWED_ATTRIBUTES.get(tag, ())) | _HTML5_ATTRIBUTES.get(tag, set())
    return allowed - _OBSOLETE_ATTRIBUTES - _OBSOLETE_ATTRIBUTES_OF.get(tag, set())


# What an announcement's text may carry once rendered: the tags and attributes Markdown and
# its extensions write (footnotes and headings have ids and classes), and the harmless ones
# written in HTML; links to web pages, mail and phone numbers, or to the site itself. No
# script, no event handler, no `javascript:` link: the site promises no JavaScript, and the
# text reaches the feeds too.
_ATTRIBUTES = {
    **{tag: _allowed_attributes(tag) for tag in {*nh3.ALLOWED_ATTRIBUTES, *_HTML5_ATTRIBUTES}},
    "*": {"id", "class", "title", "lang", "dir"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}


_CLEANER = nh3.Cleaner(  # built once: converting the settings cost more than the cleaning
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    link_rel=None,  # links stay as written: rel="noopener" is for target=_blank
    filter_style_properties={"text-align"},  # a number column stays right-aligned
    clean_content_tags={"script", "style"},
    strip_comments=True,
)


def sanitise(html: str) -> str:
    """Rendered Markdown with anything unsafe removed (raw HTML is otherwise passed through)."""
    return str(_CLEANER.clean(html))


# The site's Markdown extensions (pelicanconf.py's MARKDOWN) but `smarty`: text taken out of
# the body keeps the quotes and dashes the CEC typed, as the fields it goes into do.
TEXT_MARKDOWN_EXTENSIONS = (
    "markdown.extensions.extra",
    "markdown.extensions.sane_lists",
    "announcements.headings",
    "announcements.headings:HeadingIdsExtension",
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"}, strip_comments=True)


# Where a block a reader reads on its own ends: a paragraph, a list item, a heading, a cell.
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|dt|dd|th|td|pre|blockquote)\s*>", re.IGNORECASE)
# Footnotes as the site's Markdown (`extra`) writes them: each reference the note's number in
# superscript, the notes in a <div> at the end. Neither is part of the sentence around it:
# taken as text, "for 24[^1] hours" would read "for 241 hours".
_FOOTNOTES = re.compile(
    r'<sup id="fnref\d*:[^"]*"><a class="footnote-ref"[^>]*>[^<]*</a></sup>'
    r'|<div class="footnote">.*</div>',
    re.DOTALL,
)


def as_text(markdown_text: str) -> str:
    """Markdown as a reader of the page reads it: its words without the markup (emphasis
    marks, a link's address, HTML tags and comments such as a lint waiver) and without its
    footnotes. Line breaks are kept between blocks."""
    return _text_of(_html_for_reading(markdown_text))


def text_blocks(markdown_text: str) -> list[str]:
    """The text of each block of `markdown_text` (paragraph, list item, heading, cell), in
    order, as `as_text` reads it, each on one line: a line break inside a paragraph is only
    where it was wrapped, but a heading or a bold first line and the paragraph after it are
    two, though nothing but the line between them says so."""
    parts = _BLOCK_END.split(_html_for_reading(markdown_text))
    return [block for part in parts if (block := " ".join(_text_of(part).split()))]


def _html_for_reading(markdown_text: str) -> str:
    """The text's HTML without its footnotes, for what is taken out of it as sentences."""
    return _FOOTNOTES.sub("", _html_for_text(markdown_text))


_ELEMENT = re.compile(r"<[A-Za-z][^>]*>")


def ids_in_text(markdown_text: str) -> set[str]:
    """The id of each element of the text as the site publishes it: its headings' (from their
    words), its footnotes', and any written in HTML; where a `#fragment` link in it can lead."""
    return set(element_ids(without_colliding_ids(sanitise(_html_for_text(markdown_text)))))


def colliding_ids_in_text(markdown_text: str) -> list[tuple[str, str]]:
    """(id, whose it is) of each id written in the text that the site drops, another element
    of the page having first claim to it (see `headings.colliding_ids`)."""
    return colliding_ids(sanitise(_html_for_text(markdown_text)))


def element_ids(html: str) -> list[str]:
    """The id of each element of rendered (cleaned) text, in order."""
    return [element["id"] for element in _attributes(_ELEMENT, html) if "id" in element]


def _html_for_text(markdown_text: str) -> str:
    return Markdown(extensions=list(TEXT_MARKDOWN_EXTENSIONS)).convert(markdown_text)


def _text_of(html: str) -> str:
    """HTML's words without its tags, comments, scripts and styles."""
    return unescape(_TEXT_ONLY.clean(html))


# An image is the one thing the cleaned text can make a browser fetch by itself. The cleaner
# writes each attribute in double quotes, with any `>` or `"` in its value escaped.
_IMAGE = re.compile(r"<img\b[^>]*>")
_LINK = re.compile(r"<a\b[^>]*>")  # and where a link leads, its href
_ATTRIBUTE = re.compile(r'\s([^\s=]+)="([^"]*)"')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_URL_IGNORED = "".join(map(chr, range(33)))  # what browsers strip around an address


def is_outside_site(address: str) -> bool:
    """Whether a browser would fetch `address` from another site: it names a scheme
    (`https:`), or a host (`//host/...`). Read as browsers read it: spaces and control
    characters around it and tabs and line breaks inside it are dropped, and a backslash is a
    slash (`\\\\host/x.png` is `//host/x.png`)."""
    url = re.sub(r"[\t\n\r]", "", address).strip(_URL_IGNORED).replace("\\", "/")
    return url.startswith("//") or _SCHEME.match(url) is not None


def image_from_elsewhere(address: str) -> str:
    """What is wrong with an image at `address` outside the site, said the same by the build
    and the content lint."""
    return (
        f"'{address}' is an image on another site: every reader's browser would fetch it from "
        "there, telling that site who reads the page; put the image in content/images/ and "
        "show it with ![description]({static}/images/name.png)"
    )


# The links by which Pelican copies a file of content/ and writes its address on the page.
COPIED_LINKS = ("{static}", "{attach}")


def is_copied_from_content(address: str) -> bool:
    """Whether an image at `address` is a file of content/ the build copies and addresses:
    any other path is read from the page's address (announcements/...), not from content/."""
    return address.strip().startswith(COPIED_LINKS)


def image_not_copied(address: str) -> str:
    """What is wrong with an image of the site not linked with `{static}`, said the same by
    the build and the content lint."""
    path = re.sub(r"^(?:\.{1,2}/|/)+", "", address.strip())
    return (
        f"'{address}' is not an image of the site as written: the page, at another address "
        "than its file, would show it broken; write its path in content/ after {static}: "
        f"{{static}}/{path}"
    )


def images(html: str) -> list[dict[str, str]]:
    """The attributes of each image in rendered (cleaned) text, by name."""
    return _attributes(_IMAGE, html)


def link_addresses(html: str) -> list[str]:
    """The address of each link (`<a href>`) in rendered (cleaned) text."""
    return [link["href"] for link in _attributes(_LINK, html) if "href" in link]


_LINK_WITH_TEXT = re.compile(r"<a\b[^>]*>(.*?)</a>", re.DOTALL)


def link_texts(html: str) -> list[str]:
    """The words of each link in rendered (cleaned) text, as a screen reader says them."""
    return [" ".join(_text_of(found.group(1)).split()) for found in _LINK_WITH_TEXT.finditer(html)]


def _attributes(tag: re.Pattern[str], html: str) -> list[dict[str, str]]:
    """The attributes of each tag `tag` finds in rendered (cleaned) text, by name."""
    return [
        {name: unescape(value) for name, value in _ATTRIBUTE.findall(found.group(0))}
        for found in tag.finditer(html)
    ]


def images_from_elsewhere(html: str) -> list[str]:
    """The address of each image in rendered (cleaned) text that is outside the site."""
    sources = (image.get("src", "") for image in images(html))
    return [address for address in sources if is_outside_site(address)]


def images_not_copied(html: str) -> list[str]:
    """The address of each image in rendered (cleaned) text that is neither on another site
    (refused as such) nor a file of content/ linked with `{static}`."""
    sources = (image.get("src", "") for image in images(html))
    return [a for a in sources if not is_outside_site(a) and not is_copied_from_content(a)]


def image_without_alt(address: str) -> str:
    """What is wrong with an image without alt text, said the same by the build and the
    content lint."""
    return (
        f"'{address}' is an image without alt text, the words a screen reader says in its place; "
        f'describe it: ![description]({address}) or <img src="{address}" alt="description">'
    )


def images_without_alt(html: str) -> list[str]:
    """The address of each image in rendered (cleaned) text without alt text: none, or only
    spaces and invisible characters. An image in an announcement's text is part of what it
    says (decoration is the theme's), so `alt=""`, which tells a screen reader to pass over
    it, is no exception."""
    return [image.get("src", "") for image in images(html) if says_nothing(image.get("alt", ""))]


def intrasite_links(html: str, settings: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(kind, link as written, path as written) of each `{filename}`, `{static}` or `{attach}`
    link in rendered text, found as Pelican finds them (its own pattern, from the settings'
    INTRASITE_LINK_REGEX): reference links and raw HTML too."""
    pattern = Content._get_intrasite_link_regex(SimpleNamespace(settings=settings))
    for match in pattern.finditer(html):
        yield (
            match.group("what"),
            unescape(match.group("path")),
            urlparse(match.group("value")).path,
        )


def link_outside_content(link: str) -> str:
    """What is wrong with a link to a file outside content/, said the same by the build and
    the content lint."""
    return (
        f"'{link}' is outside content/: the build would take the file from elsewhere on the "
        "machine that builds the site (and publish it beside the site); put the file in "
        "content/ and link it from there"
    )


def _folders_under(path: Path, folder: Path) -> tuple[str, ...]:
    """The names leading from `folder` to `path` (`..` read as written, links not followed),
    or () if it is not under it."""
    names = PurePath(os.path.relpath(os.path.normpath(path), os.path.normpath(folder))).parts
    return () if names[:1] == (os.pardir,) else names


def theme_templates(
    theme: str | os.PathLike[str], overrides: Iterable[str | os.PathLike[str]] = ()
) -> list[str]:
    """The templates a page may name (`parse_page`'s `templates`): those of the theme (THEME),
    without the partial ones (`_macros.html`), and of the folders that override them
    (THEME_TEMPLATES_OVERRIDES). For the build and the content lint alike."""
    folders = [Path(theme) / "templates", *(Path(f) for f in overrides)]
    names = {t.stem for f in folders if f.is_dir() for t in f.glob("*.html")}
    return sorted(name for name in names if not name.startswith("_"))


class AnnouncementReader(BaseReader):
    """Reads `content/**/*.md`: front matter between `---` lines, then Markdown."""

    enabled = True
    file_extensions: ClassVar[list[str]] = ["md"]

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Return (HTML, metadata); an invalid file is skipped with its problems in metadata.

        Pelican logs and skips a file whose reader raises, without the reason; carrying every
        problem in the metadata lets the build fail once, listing them all (see
        `recheck_cached`, which records them even when Pelican's cache answers for us).
        """
        text, unreadable = read_source(Path(source_path), display_path(source_path))
        if text is None:
            return "", {"status": "skip", PROBLEMS_KEY: [unreadable]}
        metadata, problems = self.front_matter(source_path, text)
        html = "" if problems else self._render(text)
        name = display_path(source_path)
        # The site loads nothing from other sites: an image there would tell its owner who
        # reads the page, and when.
        problems += [
            Problem(name, first_line_naming(text, address), "image", image_from_elsewhere(address))
            for address in images_from_elsewhere(html)
        ]
        # A path as written is read from the page's address, not from content/: a broken
        # image on the page and in the feeds.
        problems += [
            Problem(name, first_line_naming(text, address), "image", image_not_copied(address))
            for address in images_not_copied(html)
        ]
        # Pelican warns of `alt=""` alone; without alt the page is invalid HTML, and a screen
        # reader reads out the image's file name.
        problems += [
            Problem(name, first_line_naming(text, address), "image", image_without_alt(address))
            for address in images_without_alt(html)
        ]
        # Refused in every file, a draft's too: Pelican copies what any file links with
        # {static}, before the build could stop on a problem found later.
        folder = os.path.relpath(Path(source_path).parent, self.settings["PATH"])
        problems += [
            Problem(name, first_line_naming(text, link), "link", link_outside_content(link))
            for kind, link, path in intrasite_links(html, self.settings)
            if kind in ("filename", "static", "attach") and is_outside_content(path, folder)
        ]
        # The page's title is its one h1: a second would stand for the page's name too.
        problems += [
            Problem(name, line, "heading", heading_at_title_level(heading))
            for line, heading in lines_of_title_level_headings(text, html)
        ]
        if problems:
            return "", {"status": "skip", PROBLEMS_KEY: problems}
        return html, metadata

    def front_matter(
        self, source_path: str, text: str | None = None
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The validated metadata of one file (no Markdown), or the problems found in it."""
        if text is None:
            text, unreadable = read_source(Path(source_path), display_path(source_path))
            if text is None:
                return {}, [unreadable] if unreadable else []
        content_dir = Path(self.settings["PATH"])
        name = display_path(source_path)
        tz = ZoneInfo(self.settings["TIMEZONE"])
        if self._is_page(Path(source_path), content_dir):
            page, problems = parse_page(name, text, tz, self._templates())
            return (self._page_metadata(page) if page else {}), problems
        announcement, problems = parse_announcement(
            name, text, tz, content_dir, self.settings["STATIC_PATHS"]
        )
        if not announcement:
            return {}, problems
        metadata = self._announcement_metadata(announcement)
        metadata[SOURCE_KEY] = source_path
        metadata[FILES_KEY] = file_stamps(
            content_dir, (f for f in (announcement.image, announcement.video) if f)
        )
        return metadata, problems

    def _templates(self) -> list[str]:
        return theme_templates(
            self.settings["THEME"], self.settings.get("THEME_TEMPLATES_OVERRIDES") or ()
        )

    def _is_page(self, source: Path, content_dir: Path) -> bool:
        """Whether the file is under one of PAGE_PATHS. Pelican names each file under PATH as
        PATH is written, so the names are compared as written first; resolving them (links,
        `..`) costs a system call per folder, paid only for a file named some other way."""
        folders = _folders_under(source, content_dir) or _folders_under(
            source.resolve(), content_dir.resolve()
        )
        return bool(folders) and folders[0] in self.settings["PAGE_PATHS"]

    def _render(self, text: str) -> str:
        parts = split_front_matter(text)
        body = parts[1] if parts else text
        return without_colliding_ids(sanitise(str(self._markdown().reset().convert(body))))

    def _markdown(self) -> Markdown:
        """One converter for every file this reader reads, reset between them (as Markdown's
        documentation advises): setting up its extensions cost more than most conversions."""
        converter: Markdown | None = getattr(self, "_converter", None)
        if converter is None:
            # Front matter is already split off, so Markdown's own `meta` extension must not run.
            config = dict(self.settings["MARKDOWN"])
            extensions = config.get("extensions", [])
            config["extensions"] = [e for e in extensions if not str(e).endswith("meta")]
            converter = self._converter = Markdown(**config)
        return converter

    def _announcement_metadata(self, item: Announcement) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "title": item.title,
            "date": _pelican_datetime(item.date),
            "category": self.process_metadata("category", item.category),
            "summary": item.summary,
            "status": PELICAN_STATUS[item.status],
            "announcement": item,
        }
        if item.modified or item.corrections:  # a dated correction is a change too
            metadata["modified"] = _pelican_datetime(item.updated)
        if item.tags:
            # A list: Pelican keeps its items whole (a string, it splits again on `;` or `,`).
            metadata["tags"] = self.process_metadata("tags", list(item.tags))
        if item.image:
            metadata["image_size"] = image_size(Path(self.settings["PATH"]) / item.image)
        return metadata

    def _page_metadata(self, page: PageMeta) -> dict[str, Any]:
        metadata: dict[str, Any] = {"title": page.title, "status": page.status, "page": page}
        for name in ("summary", "slug", "save_as", "url", "template"):
            value = getattr(page, name)
            if value is not None:
                metadata[name] = value
        if page.modified:
            metadata["modified"] = _pelican_datetime(page.modified)
        return metadata
