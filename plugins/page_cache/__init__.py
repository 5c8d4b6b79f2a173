"""Page cache: a rebuild renders only the pages whose content, template or settings changed.

Pelican's content cache (`CACHE_CONTENT`, `LOAD_CONTENT_CACHE`) spares re-reading unchanged
Markdown, but every page is still rendered. This plugin's writer keeps a key per page in
`CACHE_PATH/pages.json` and hard-links unchanged pages from the previous build's output (see
`writer.py` for what goes into a key and why a stale page cannot come of it); `store.py`
does the same for other values derived from content, such as serialised calendar events.
It also spares the hashes Pelican's generators take of every file for a content cache layer
that is not used (`stamp_each_file_once`).

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
from pelican.generators import CachingGenerator

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


def stamp_each_file_once(generator: Any) -> None:
    """Leave file stamps to the cache layer that keeps content.

    Pelican's article and page generators have a content cache of their own, which only holds
    anything with CONTENT_CACHING_LAYER = "generator"; with the reader layer (the default, and
    ours) it is empty, yet each file is hashed twice for it on every build (to look it up, and
    to store nothing), on top of the reader's hash. Told there is nothing at their layer, the
    generators read every file from the readers as before; only the two hashes go.
    """
    if isinstance(generator, CachingGenerator) and (
        generator.settings["CONTENT_CACHING_LAYER"] != "generator"
    ):
        generator.get_cached_data = _nothing_cached
        generator.cache_data = _keep_nothing


def _nothing_cached(_filename: str, default: Any = None) -> Any:
    return default


def _keep_nothing(_filename: str, _data: Any) -> None:
    return None


def register() -> None:
    signals.generator_init.connect(stamp_each_file_once)
    signals.get_writer.connect(use_caching_writer)
    signals.finalized.connect(save_page_keys)
