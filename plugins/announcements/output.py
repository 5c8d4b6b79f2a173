"""The base of our output-only generators (feeds, discovery, syndication manifest): Pelican
hands every generator the same arguments; these only write files once all context is built."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, ClassVar


class OutputGenerator:
    # Each file it writes, or folder ("feeds/") it writes into, with what is there: no content
    # file may take one of these addresses (see own_addresses.py).
    writes: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        context: dict[str, Any],
        settings: dict[str, Any],
        path: str,
        theme: str,
        output_path: str,
        **_: Any,
    ) -> None:
        self.context = context
        self.settings = settings
        self.content_dir = Path(path)
        self.output = Path(output_path)
        self._page_cache: Any = None  # the writer's, once generate_output is called

    def write(self, relative: str, data: bytes | str) -> None:
        """Write a file of the site; with the page cache's writer, an unchanged one is linked
        from the last build instead (see plugins/page_cache)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        if self._page_cache is not None:
            self._page_cache.write_bytes(relative, data)
            return
        target = self.output / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def generate_output(self, writer: Any) -> None:
        self._page_cache = getattr(writer, "page_cache", None)
        self.write_files()

    def write_files(self) -> None:
        """Write this generator's files, with `write`."""
        raise NotImplementedError


def written_by_plugins(settings: dict[str, Any]) -> dict[str, str]:
    """What the output generators of the plugins in `settings["PLUGINS"]` write (`writes`)."""
    written: dict[str, str] = {}
    for plugin in settings.get("PLUGINS") or []:
        module = importlib.import_module(plugin) if isinstance(plugin, str) else plugin
        get_generators = getattr(module, "get_generators", None)
        generator = get_generators(None) if get_generators else None
        written |= getattr(generator, "writes", {})
    return written
