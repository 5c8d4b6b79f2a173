"""The addresses the build writes itself, which no content file may take.

A page whose `save_as` or slug is one of them would replace the home page (its urgent-alert
box included) or a listing without a word, or be replaced by a feed, the manifest or a theme
file. Listings are Pelican's (its direct templates, category pages and their further pages,
as its writer pages them) and this plugin's (a page per year of the archives); files are the
theme's and those the output plugins declare in `writes` (see output.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pelican.paginator import Paginator

from .context import archive_years
from .output import written_by_plugins
from .settings import page_size


@dataclass(frozen=True)
class OwnAddresses:
    files: dict[str, str]  # address: what the build writes there
    folders: dict[str, str]  # a folder ("feeds/") the build writes into: what it holds

    def what_is_at(self, address: str) -> str | None:
        """What the build writes at `address`, if anything."""
        if address in self.files:
            return self.files[address]
        return next((what for f, what in self.folders.items() if address.startswith(f)), None)


def own_addresses(settings: dict[str, Any], articles: Sequence[Any]) -> OwnAddresses:
    """Where the build writes its own pages and files, for these published announcements."""
    files: dict[str, str] = {}
    for template in settings["DIRECT_TEMPLATES"]:
        # Pelican's defaults, as its generator takes them.
        save_as = settings.get(f"{template.upper()}_SAVE_AS", f"{template}.html")
        url = settings.get(f"{template.upper()}_URL", f"{template}.html")
        if save_as:
            files |= _listing(save_as, url, template, articles, f"its {template} page", settings)
    by_category: dict[Any, list[Any]] = {}
    for article in articles:
        by_category.setdefault(article.category, []).append(article)
    for category, items in by_category.items():
        what = f"the page of the category {category}"
        files |= _listing(category.save_as, category.url, "category", items, what, settings)
    years = archive_years(
        articles,
        ZoneInfo(settings["TIMEZONE"]),
        settings["ARCHIVE_YEAR_URL"],
        settings["ARCHIVE_YEAR_SAVE_AS"],
    )
    files |= {year.save_as: f"the archives of {year.year}" for year in years}
    written = {
        **written_by_plugins(settings),
        f"{settings['THEME_STATIC_DIR']}/": "the theme's files",
    }
    files |= {address: what for address, what in written.items() if not address.endswith("/")}
    folders = {address: what for address, what in written.items() if address.endswith("/")}
    return OwnAddresses(files, folders)


def _listing(
    save_as: str,
    url: str,
    template: str,
    items: Iterable[Any],
    what: str,
    settings: dict[str, Any],
) -> dict[str, str]:
    """A listing's address, and those of its further pages as Pelican's writer pages it."""
    per_page = page_size(settings, template)
    if per_page is None:
        return {save_as: what}
    paginator = Paginator(save_as, url, list(items), settings, per_page)
    return {
        paginator.page(number).save_as: what if number == 1 else f"page {number} of {what}"
        for number in range(1, paginator.num_pages + 1)
    }
