"""Content read as the build reads it, without building: for `invoke status`, which names each
problem the build would stop on by running the build's own checks (`build_stops`) on it.

Reading is the build's own: Pelican lists the files, reads each with the announcements
reader through its `read_file` into its content objects, and they are sorted by status and
ordered as its generators do, scheduled announcements held back as the plugin holds them. Left
out is what only the site needs: every plugin's work on what was read (listings, calendars,
revisions from git) and most Markdown (see `_ReaderForChecks`): at 10,000 announcements this
takes about 4.5 s, where rendering them all would take 8 s more.
"""

from __future__ import annotations

import re
from typing import Any

from blinker import NamedSignal
from pelican.contents import Article, Page, SkipStub, Static
from pelican.generators import Generator
from pelican.utils import order_content

from . import check_read, prepare, release_scheduled, use_announcement_reader
from .reader import AnnouncementReader

# What the checks read in rendered text: images (`<img>`, from `![...](...)` or HTML),
# `{filename}` and `{static}` links and headings at the title's level (`<h1>`, from `# ` or a
# line of `=`, in a list item or a quotation too). Markdown writes none of them from text
# without one of these: a brace may be spelled as an entity (`&#123;`), which Markdown and the
# cleaner undo. A `# ` or a run of `=` anywhere is rendered: only time is lost on a false one.
_MAY_RENDER_CHECKED = re.compile(r"!\[|[<{&]|#(?:[ \t]|$)|(?:^|\s)=+[ \t]*$", re.MULTILINE)

# Each file's own problems are gathered by the plugin's handler, as in the build, but through a
# signal of their own: the build's signals may have other plugins' handlers in this process.
_read_signal = NamedSignal("announcements_as_built_read")
_read_signal.connect(check_read)


class _ReaderForChecks(AnnouncementReader):
    """The announcements reader, rendering only text that could hold what the checks read:
    rendering is most of the time reading takes, and most announcements hold none of it."""

    def _render(self, text: str) -> str:
        return super()._render(text) if _MAY_RENDER_CHECKED.search(text) else ""


def read_as_built(settings: dict[str, Any]) -> ContentAsBuilt:
    """The content at `settings["PATH"]`, read as a build with these settings reads it."""
    content = ContentAsBuilt(settings)
    content.generate_context()
    return content


class ContentAsBuilt(Generator):
    """What the build's generators hold once the content is read, for `build_stops`: its
    announcements, pages and static files by status, its settings (with the problems found in
    each file) and its context (with the scheduled announcements)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        settings = dict(settings)
        prepare(settings)
        context = {
            **settings,
            "generated_content": {},
            "static_links": set(),
            "static_content": {},
            "localsiteurl": settings["SITEURL"],
        }
        super().__init__(
            context, settings, settings["PATH"], settings["THEME"], settings["OUTPUT_PATH"]
        )
        # Pelican made its readers when this generator was made; made again, as it makes them.
        use_announcement_reader(self.readers, _ReaderForChecks)
        self.readers.readers = {
            extension: reader(settings)
            for extension, reader in self.readers.reader_classes.items()
            if reader
        }

    def generate_context(self) -> None:
        articles = self._read("ARTICLE", Article)
        self.articles, self.hidden_articles, self.drafts = (
            articles[status] for status in ("published", "hidden", "draft")
        )
        release_scheduled(self)
        pages = self._read("PAGE", Page)
        self.pages, self.hidden_pages, self.draft_pages = (
            pages[status] for status in ("published", "hidden", "draft")
        )
        self.staticfiles = self._statics()

    def _read(self, kind: str, content_class: type) -> dict[str, list[Any]]:
        """Announcements ("ARTICLE") or pages ("PAGE") by status, as Pelican's generator of
        them reads and orders them; a file the reader refuses is left out, its problems
        gathered in the settings."""
        found: dict[str, list[Any]] = {"published": [], "hidden": [], "draft": []}
        for path in self.get_files(
            self.settings[f"{kind}_PATHS"], exclude=self.settings[f"{kind}_EXCLUDES"]
        ):
            content = self.readers.read_file(
                base_path=self.path,
                path=path,
                content_class=content_class,
                context=self.context,
                context_signal=_read_signal,
                context_sender=self,
            )
            if isinstance(content, SkipStub):
                continue
            if not content.is_valid():
                self._add_failed_source_path(path)
                continue
            found[content.status].append(content)
            self.add_source_path(content)
            self.add_static_links(content)
        order = self.settings[f"{kind}_ORDER_BY"]
        return {status: order_content(items, order) for status, items in found.items()}

    def _statics(self) -> list[Any]:
        """The files copied to the site as they are, as Pelican's static generator finds them:
        those in the static folders, and those linked with `{static}` from elsewhere."""
        found = self.get_files(
            self.settings["STATIC_PATHS"],
            exclude=self.settings["STATIC_EXCLUDES"],
            extensions=False,
        )
        return [
            self.readers.read_file(
                base_path=self.path,
                path=path,
                content_class=Static,
                fmt="static",
                context=self.context,
            )
            for path in self.context["static_links"] | found
            if not (
                self.settings["STATIC_EXCLUDE_SOURCES"] and self._is_potential_source_path(path)
            )
        ]
