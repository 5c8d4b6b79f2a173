"""Image enclosures as a feedgen extension.

feedgen 1.0.0 drops the `rel`, `type` and `length` of entry links when writing Atom (the
loop variable shadows the link data), so `FeedEntry.enclosure()` would come out as a second
"alternate" link. This extension writes the enclosure itself, for Atom and RSS alike.
"""

from __future__ import annotations

from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

NAMESPACE = "enclosure"


class EnclosureExtension(BaseExtension):
    """Feed-level half of the pair feedgen requires; adds nothing to the feed itself."""


class EnclosureEntryExtension(BaseEntryExtension):
    def __init__(self) -> None:
        self.media: tuple[str, int, str] | None = None

    def set(self, url: str, length: int, mime: str) -> None:
        self.media = (url, length, mime)

    def extend_atom(self, entry: Any) -> Any:
        if self.media:
            url, length, mime = self.media
            etree.SubElement(
                entry,
                "{http://www.w3.org/2005/Atom}link",
                rel="enclosure",
                href=url,
                type=mime,
                length=str(length),
            )
        return entry

    def extend_rss(self, item: Any) -> Any:
        if self.media:
            url, length, mime = self.media
            etree.SubElement(item, "enclosure", url=url, length=str(length), type=mime)
        return item
