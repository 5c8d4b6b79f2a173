"""Where the build publishes an announcement or a page, from its file name, for the commands
that give or check an address without building (`invoke new` and `preview`, `invoke alert`,
the content lint, the FOI report's history).

Pelican makes a file's slug from its name (pelicanconf.py's SLUGIFY_SOURCE = "basename"), with
its slugify and the site's slug settings: lowercase, dots and other punctuation dropped, so
`2026-11-20-Glenmerry.Flushing.md` is published at `2026-11-20-glenmerryflushing.html`, not at
its name. pelicanconf.py keeps Pelican's own slug settings (a test checks it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

# pelicanconf.py's ARTICLE_URL (and ARTICLE_SAVE_AS): an announcement's page, by its slug.
ANNOUNCEMENT_URL = "announcements/{slug}.html"
# The settings Pelican's slugify reads.
SLUG_SETTINGS = ("SLUG_REGEX_SUBSTITUTIONS", "SLUGIFY_PRESERVE_CASE", "SLUGIFY_USE_UNICODE")


def slugified(text: str, settings: Mapping[str, Any] = DEFAULT_CONFIG) -> str:
    """`text` as Pelican makes a slug of it with these settings (default: the site's)."""
    return str(
        slugify(
            text,
            regex_subs=settings["SLUG_REGEX_SUBSTITUTIONS"],
            preserve_case=settings["SLUGIFY_PRESERVE_CASE"],
            use_unicode=settings["SLUGIFY_USE_UNICODE"],
        )
    )


def slug_of(path: str | os.PathLike[str]) -> str:
    """The slug the build gives the file at `path` (an announcement's is also its id in the
    syndication manifest and the records): its name without the extension, slugified."""
    return slugified(PurePath(path).stem)


def announcement_address(path: str | os.PathLike[str]) -> str:
    """Where the build writes the announcement at `path`, relative to the site."""
    return ANNOUNCEMENT_URL.format(slug=slug_of(path))
