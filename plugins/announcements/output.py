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

    def write(self, relative: str, data: bytes | str) -> None:
        target = self.output / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)

    def generate_output(self, writer: Any) -> None:
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
