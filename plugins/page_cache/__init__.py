"""Page cache: a rebuild renders only the pages whose content, template or settings changed.

Pelican's content cache (`CACHE_CONTENT`, `LOAD_CONTENT_CACHE`) spares re-reading unchanged
Markdown, but every page is still rendered. This plugin's writer keeps a key per page in
`CACHE_PATH/pages.json` and hard-links unchanged pages from the previous build's output (see
`writer.py` for what goes into a key and why a stale page cannot come of it); `store.py`
does the same for other values derived from content, such as serialised calendar events.

Settings:
    CACHE_CONTENT         save the pages' keys (Pelican's own setting)
    LOAD_CONTENT_CACHE    reuse unchanged pages (Pelican's own setting)
    PREVIOUS_OUTPUT_PATH  the last build's output, set by publishing.build when it builds
                          into a staging folder; without it every page is rendered
"""

from __future__ import annotations

import weakref
from typing import Any

from pelican import signals

from .writer import CachingWriter

_writers: weakref.WeakSet[CachingWriter] = weakref.WeakSet()


class _TrackedWriter(CachingWriter):
    def __init__(self, output_path: str, settings: Any) -> None:
        super().__init__(output_path, settings)
        _writers.add(self)


def use_caching_writer(pelican: Any) -> type[CachingWriter]:
    return _TrackedWriter


def save_page_keys(pelican: Any) -> None:
    """Once every page is written, remember their keys for the next build."""
    for writer in list(_writers):
        if writer.settings is pelican.settings:
            writer.page_cache.save()
            _writers.discard(writer)


def register() -> None:
    signals.get_writer.connect(use_caching_writer)
    signals.finalized.connect(save_page_keys)
