"""Announcements: the City's content model, wired into Pelican.

- reads `content/**/*.md` (YAML front matter + Markdown) and validates every field,
  failing the build with one line per problem;
- holds back scheduled (future-dated) announcements until their date, never writes drafts,
  and keeps withdrawn announcements at their URL while taking them out of every listing;
- gives templates what they list: urgent alerts, upcoming and past events, category labels.

Settings (all optional):
    BUILD_TIME       "now" for scheduling, expiry and upcoming events (ISO 8601 text or a
                     datetime; default: the current time). Tests and reproducible builds pin it.
    CANONICAL_SITEURL  set by this plugin from SITEURL, which must be absolute: templates use
                     it for canonical links, feeds and structured data, while SITEURL itself
                     may be made relative by RELATIVE_URLS.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pelican import signals

from .context import add_listings, publish_due
from .filters import make_filters
from .model import CATEGORIES, ContentError
from .reader import PROBLEMS_SETTING, AnnouncementReader
from .settings import SettingsError, check_settings

logger = logging.getLogger(__name__)

__all__ = ["CATEGORIES", "ContentError", "SettingsError", "register"]

MARKDOWN_EXTENSIONS = ("md", "markdown", "mkd", "mdown")


def prepare_settings(pelican: Any) -> None:
    """Check settings once, before anything is read."""
    pelican.settings.update(check_settings(pelican.settings))
    pelican.settings[PROBLEMS_SETTING] = []


def use_announcement_reader(readers: Any) -> None:
    for extension in MARKDOWN_EXTENSIONS:
        readers.reader_classes[extension] = AnnouncementReader if extension == "md" else None


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


def list_announcements(generator: Any) -> None:
    generator.context.update(
        add_listings(
            generator.articles,
            generator.hidden_articles,
            generator.categories,
            generator.settings["BUILD_TIME"],
        )
    )


def fail_on_problems(generators: Iterable[Any]) -> None:
    """Stop the build before anything is written when any file broke the content model."""
    for generator in generators:
        problems = generator.settings.get(PROBLEMS_SETTING)
        if problems:
            raise ContentError(problems)


def register() -> None:
    signals.initialized.connect(prepare_settings)
    signals.readers_init.connect(use_announcement_reader)
    signals.generator_init.connect(add_template_filters)
    signals.article_generator_pretaxonomy.connect(release_scheduled)
    signals.article_generator_finalized.connect(list_announcements)
    signals.all_generators_finalized.connect(fail_on_problems)
