"""Announcements: the City's content model, wired into Pelican.

- reads `content/**/*.md` (YAML front matter + Markdown) and validates every field,
  failing the build with one line per problem; Markdown saved under another name
  (`.markdown`, `.MD`, `.md.txt`) fails it too, as it would never be published;
- refuses in the text an image without alt text, or from another site, and a heading at the
  title's level; `#` makes a heading only before a space, as in CommonMark (headings.py, in
  MARKDOWN as `announcements.headings`), so a line may start with a hashtag;
- holds back scheduled (future-dated) announcements until their date, never writes drafts,
  and keeps withdrawn announcements at their URL while taking them out of every listing;
- refuses a `{filename}` link to a draft, or to an announcement scheduled after the linking
  page is published, and a `{filename}` or `{static}` link to a file not in content/ (see
  links.py); every refusal is in `build_stops`, which `invoke status` runs too, on content
  read as the build reads it (see as_built.py);
- gives templates what they list: urgent alerts, upcoming and past events, category labels,
  the archives by year; and writes a page per year of the archives.

Settings (all optional):
    BUILD_TIME       "now" for scheduling, expiry and upcoming events (ISO 8601 text or a
                     datetime; default: the current time). Tests and reproducible builds pin it.
    CANONICAL_SITEURL  set by this plugin from SITEURL, which must be absolute: templates use
                     it for canonical links, feeds and structured data, while SITEURL itself
                     may be made relative by RELATIVE_URLS.
    ARCHIVE_YEAR_URL, ARCHIVE_YEAR_SAVE_AS  a year's archive page, with `{year}`
                     (default: archives/{year}.html for both).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.contents import Article, Page

from .context import add_listings, archive_years, publish_due
from .filters import make_filters
from .images import is_image, publication_problem
from .links import links_to_missing_files, unpublished_links
from .model import (
    ADDRESS_SAFE_EXPECTED,
    CATEGORIES,
    MARKDOWN_PATHS,
    STATIC_PATHS,
    ContentError,
    Problem,
    changes_dated_later,
    image_problem,
    is_address_safe,
    read_source,
)
from .own_addresses import own_addresses
from .reader import PROBLEMS_SETTING, AnnouncementReader, display_path, recheck_cached
from .settings import SettingsError, check_settings

logger = logging.getLogger(__name__)

__all__ = ["CATEGORIES", "ContentError", "SettingsError", "register"]

MARKDOWN_EXTENSIONS = ("md", "markdown", "mkd", "mdown")


def prepare_settings(pelican: Any) -> None:
    prepare(pelican.settings)


def prepare(settings: dict[str, Any]) -> None:
    """Check settings once, before anything is read."""
    settings.update(check_settings(settings))
    settings.setdefault("ARCHIVE_YEAR_URL", "archives/{year}.html")
    settings.setdefault("ARCHIVE_YEAR_SAVE_AS", settings["ARCHIVE_YEAR_URL"])
    settings[PROBLEMS_SETTING] = []


def use_announcement_reader(
    readers: Any, reader: type[AnnouncementReader] = AnnouncementReader
) -> None:
    for extension in MARKDOWN_EXTENSIONS:
        readers.reader_classes[extension] = reader if extension == "md" else None


def check_read(generator: Any, metadata: dict[str, Any]) -> None:
    """Gather each file's problems, whether Pelican read it just now or took it from its cache."""
    reader = generator.readers.readers.get("md")
    if isinstance(reader, AnnouncementReader):
        generator.settings[PROBLEMS_SETTING].extend(recheck_cached(reader, metadata))


def add_template_filters(generator: Any) -> None:
    env = getattr(generator, "env", None)
    if env is not None:
        env.filters.update(make_filters(generator.settings))


def release_scheduled(generator: Any) -> None:
    now: datetime = generator.settings["BUILD_TIME"]
    generator.articles, generator.hidden_articles, scheduled = publish_due(
        generator.articles, generator.hidden_articles, now
    )
    # Not added to Pelican's drafts: their save_as was fixed when read, and drafts are written.
    generator.context["scheduled_articles"] = scheduled


def fix_addresses(content: Any) -> None:
    """Pelican formats `url` and `save_as` from the settings on every access, and its check of
    each file, the writer, theme, feeds, sitemap and manifest ask many times: overrides make
    it one computation each. What picks them (the status, slug, date and category) is final
    once the file is read."""
    if isinstance(content, (Article, Page)):
        content.override_url = content.url
        content.override_save_as = content.save_as


def list_announcements(generator: Any) -> None:
    now = generator.settings["BUILD_TIME"]
    for article in [*generator.articles, *generator.hidden_articles]:
        # Decided here rather than in the template, so a page reads "expired", not the time.
        article.expired = article.announcement.is_expired(now)
    generator.context.update(
        add_listings(
            generator.articles,
            generator.hidden_articles,
            generator.categories,
            generator.settings["BUILD_TIME"],
            generator.settings.get("DEFAULT_PAGINATION"),
        ),
        archive_years=archive_years(
            generator.articles,
            ZoneInfo(generator.settings["TIMEZONE"]),
            generator.settings["ARCHIVE_YEAR_URL"],
            generator.settings["ARCHIVE_YEAR_SAVE_AS"],
        ),
    )


def write_archive_years(generator: Any, writer: Any) -> None:
    """A page per year of the archives, written as Pelican writes its own listings.

    Not Pelican's YEAR_ARCHIVE_SAVE_AS: it finds each year's articles with a scan of every
    article per year, which is quadratic in the announcements of a decade.
    """
    template = generator.get_template("archive_year")
    for archive in generator.context["archive_years"]:
        writer.write_file(
            archive.save_as,
            template,
            generator.context,
            relative_urls=generator.settings["RELATIVE_URLS"],
            template_name="archive_year",
            url=archive.url,
            archive_year=archive,
        )


class _Members(list[Any]):
    """A category's articles, with membership tested by identity in constant time.

    Pelican builds each category page's date-sorted list with `a in articles` over all
    articles, which is quadratic: 10,000 announcements meant seconds of list scanning.
    """

    def __init__(self, items: Sequence[Any]) -> None:
        super().__init__(items)
        self._ids = {id(item) for item in items}

    def __contains__(self, item: object) -> bool:
        return id(item) in self._ids


def spare_unwritten_listings(generator: Any) -> None:
    """Keep Pelican from preparing tag and author pages this site does not write."""
    if not generator.settings.get("TAG_SAVE_AS"):
        generator.tags = {}  # Pelican's own shape for each: a dict of tags,
    if not generator.settings.get("AUTHOR_SAVE_AS"):
        generator.authors = []  # a list of (author, articles)
    generator.categories[:] = [(c, _Members(items)) for c, items in generator.categories]


def md_name_for(name: str) -> str | None:
    """The `.md` name for a file saved as Markdown under a name the build does not read
    (`x.markdown`, `x.MD`, or `x.md.txt` as Notepad and TextEdit save it); None for any other
    file (`x.md` itself, `README`, `notes.txt`, an image)."""
    stem, _, extension = name.rpartition(".")
    if extension.lower() == "txt":  # an editor's own extension, added after the one typed
        stem, _, extension = stem.rpartition(".")
    if not stem or extension.lower() not in MARKDOWN_EXTENSIONS:
        return None
    renamed = f"{stem}.md"
    return None if renamed == name else renamed


def misplaced_files(settings: dict[str, Any]) -> list[Problem]:
    """Files in content/ the build would mishandle (see `misplaced_in`)."""
    folders = (*settings["ARTICLE_PATHS"], *settings["PAGE_PATHS"])
    return misplaced_in(Path(settings["PATH"]), folders)


def misplaced_in(content: Path, folders: Sequence[str] = MARKDOWN_PATHS) -> list[Problem]:
    """Files in `content` the build would mishandle, found in one walk of it:

    - Markdown outside the announcement and page folders (`folders`), which would silently
      never be published;
    - Markdown in a folder inside one of them. Pelican would publish it, at the address its
      file name alone gives, but the commands that read announcements (status, lint, the FOI
      report's history) read the folder itself: one rule for all, and no second file at one
      address from a folder that looks like part of it;
    - a symbolic link to something outside content/. Git keeps only the link, so a build
      would read, publish or upload whatever it points to on the machine that builds (a key,
      a private recording): the file itself belongs in content/;
    - Markdown saved under a name the build does not read (`md_name_for`): it reads only
      `.md`, so the file would silently never be published. Such a file is Markdown for the
      rules above too.
    """
    inside = content.resolve()
    published = [content / f for f in folders]
    strays: list[Path] = []
    nested: list[tuple[Path, Path]] = []  # each with the published folder it is inside
    links: list[Path] = []
    misnamed: list[tuple[Path, str]] = []  # each with the name the build would read
    walk: list[tuple[Path, Path | None]] = [(content, None)]  # each in which published folder
    while walk:
        folder, home = walk.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                path = Path(entry.path)
                if entry.is_symlink() and not path.resolve().is_relative_to(inside):
                    links.append(path)
                elif entry.is_dir(follow_symlinks=False):
                    walk.append((path, home or (path if path in published else None)))
                else:
                    renamed = md_name_for(entry.name)
                    if renamed:
                        misnamed.append((path, renamed))
                    if folder == home or not (renamed or entry.name.endswith(".md")):
                        continue
                    if home is None:
                        strays.append(path)
                    else:
                        nested.append((path, home))
    where = " or ".join(f"{display_path(folder)}/" for folder in published)
    stray = f"is not inside {where}, so it would never be published; move it"
    link = "is a link to something outside content/; put the file itself here"
    unread = "the build reads only files ending in .md, so it would never be published"

    def move_up(home: Path) -> str:
        shown = f"{display_path(home)}/"
        return (
            f"is in a folder inside {shown}; move it to {shown} itself "
            "(its file name alone gives its address)"
        )

    return [
        *(Problem(display_path(path), 1, "location", stray) for path in sorted(strays)),
        *(
            Problem(display_path(path), 1, "location", move_up(home))
            for path, home in sorted(nested)
        ),
        *(Problem(display_path(path), 1, "location", link) for path in sorted(links)),
        *(
            Problem(display_path(path), 1, "file name", f"{unread}; rename it to {renamed}")
            for path, renamed in sorted(misnamed)
        ),
    ]


def misplaced(path: Path, content: Path) -> list[Problem]:
    """What `misplaced_in` finds wrong with one file in `content`, named as the build names it:
    nothing for a file the build publishes as it is (for `invoke preview`)."""
    where = path.resolve()
    return [p for p in misplaced_in(content) if Path(p.path).resolve() == where]


def shared_addresses(generators: Sequence[Any]) -> list[Problem]:
    """Files that would be published at an address the build writes itself (the home page, a
    listing, a feed...: see own_addresses.py), or two at one address (a page whose `save_as` or
    slug is another's address, or an image's).

    The one written second would replace the first, without a word.
    """
    kinds = (
        "articles",
        "hidden_articles",
        "drafts",
        "pages",
        "hidden_pages",
        "draft_pages",
        "staticfiles",
    )
    articles = [a for generator in generators for a in getattr(generator, "articles", [])]
    own = own_addresses(generators[0].settings, articles)
    first: dict[str, Any] = {}
    problems = []
    for generator in generators:
        for kind in kinds:
            for content in getattr(generator, kind, []):
                address = content.save_as
                if not address:
                    continue  # never written, such as a draft
                path = display_path(content.source_path)
                what = own.what_is_at(address)
                if what is not None:
                    message = f"gives the address {address}, where the build writes {what}; "
                    problems.append(
                        Problem(path, 1, _address_field(content), message + "choose another")
                    )
                elif address in first:
                    other = display_path(first[address].source_path)
                    problems.append(
                        Problem(
                            path,
                            1,
                            "file name",
                            f"gives the same address ({address}) as {other}; rename one",
                        )
                    )
                else:
                    first[address] = content
    return problems


def _address_field(content: Any) -> str:
    """The field that gives a file its address: `save_as` or `slug` if set, or its name."""
    metadata = getattr(content, "metadata", {})
    return next((f for f in ("save_as", "slug") if metadata.get(f)), "file name")


def addresses_needing_escaping(generators: Sequence[Any]) -> list[Problem]:
    """Files copied to the site as they are (images) whose names need escaping in a URL.

    Pelican links them from the text (`{static}`) as named, a space and all, which is invalid
    HTML and a broken link in feed readers; an `image:` naming one is reported as well.
    """
    return [
        Problem(display_path(static.source_path), 1, "file name", ADDRESS_SAFE_EXPECTED)
        for generator in generators
        for static in getattr(generator, "staticfiles", [])
        if not is_address_safe(static.url)
    ]


def unpublishable_files(generators: Sequence[Any]) -> list[Problem]:
    """Files the site would publish that it cannot publish safely, shown by a page or not:

    - an image, by its name or its content, in a format the build does not write again without
      what else its file says (`publication_problem`): a HEIC or TIFF photo would go out with
      where it was taken, an SVG with its script; a JPEG named `.jfif` is asked to be renamed;
    - an image file that cannot be opened (`image_problem`): what else it says (where, whose)
      is not known, so it is not published as it is;
    - a file a browser would run a script from, on the City's site, by its name or what it
      begins with (`publication_problem`): a web page, an XML document, a script.

    A file that is no image and holds no script (a PDF, a text) is published as it is; the
    theme's own files are not content (Pelican copies them apart) and are not checked. A link
    to something outside content/ is refused as such (`misplaced_in`), never opened."""
    content_dir = Path(generators[0].settings["PATH"])
    inside = content_dir.resolve()
    problems = []
    for generator in generators:
        for static in getattr(generator, "staticfiles", []):
            path = content_dir / static.source_path
            if not path.is_file() or not path.resolve().is_relative_to(inside):
                continue  # a draft's link to nothing, or a link out of content/
            if found := publication_problem(path):
                problems.append(Problem(display_path(path), 1, *found))
            elif is_image(static, content_dir) and (problem := image_problem(path)):
                problems.append(Problem(display_path(path), 1, "image", problem))
    return problems


def unpublishable_in(content: Path, folders: Sequence[str] = STATIC_PATHS) -> list[Problem]:
    """The files in `folders` of `content` (published whole) that `unpublishable_files` refuses
    by their name and what they begin with, without opening an image (for the content lint)."""
    inside = content.resolve()
    return [
        Problem(display_path(path), 1, *found)
        for folder in folders
        for path in sorted((content / folder).rglob("*"))
        if path.is_file()
        and path.resolve().is_relative_to(inside)  # else refused as a link (`misplaced_in`)
        and (found := publication_problem(path))
    ]


def changes_not_yet_made(generators: Sequence[Any]) -> list[Problem]:
    """Each change an announcement the build publishes, now or when it is due, dates after it
    can have been made (see `changes_dated_later`). Decided on every build, as time passes,
    not when a file is read; a file is read again, for its lines, only when one does."""
    settings = generators[0].settings
    now, tz = settings["BUILD_TIME"], ZoneInfo(settings["TIMEZONE"])
    announcements = [
        *generators[0].context.get("scheduled_articles", []),
        *(a for generator in generators for a in getattr(generator, "articles", [])),
        *(a for generator in generators for a in getattr(generator, "hidden_articles", [])),
    ]
    problems = []
    for article in announcements:
        if article.announcement.dates_a_change_later(now):
            path = display_path(article.source_path)
            text, _ = read_source(Path(article.source_path), path)
            problems.extend(changes_dated_later(path, text or "", tz, now))
    return problems


def build_stops(generators: Sequence[Any]) -> list[Problem]:
    """Every problem in the content that stops the build, in the order it names them: those
    found in each file as it was read, and those between files and in the text.

    The one list of what the build refuses: `invoke status` names the same, from content read
    as the build reads it (see as_built.py).
    """
    settings = generators[0].settings
    return sorted(
        [
            *settings.get(PROBLEMS_SETTING, []),
            *misplaced_files(settings),
            *shared_addresses(generators),
            *addresses_needing_escaping(generators),
            *unpublishable_files(generators),
            *unpublished_links(generators),
            *links_to_missing_files(generators),
            *changes_not_yet_made(generators),
        ]
    )


def fail_on_problems(generators: Sequence[Any]) -> None:
    """Stop the build before anything is written when any file broke the content model."""
    problems = build_stops(generators)
    if problems:
        raise ContentError(problems)


def register() -> None:
    signals.initialized.connect(prepare_settings)
    signals.readers_init.connect(use_announcement_reader)
    signals.generator_init.connect(add_template_filters)
    signals.content_object_init.connect(fix_addresses)
    signals.article_generator_context.connect(check_read)
    signals.page_generator_context.connect(check_read)
    signals.article_generator_pretaxonomy.connect(release_scheduled)
    signals.article_generator_finalized.connect(list_announcements)
    signals.article_generator_finalized.connect(spare_unwritten_listings)
    signals.article_writer_finalized.connect(write_archive_years)
    signals.all_generators_finalized.connect(fail_on_problems)
