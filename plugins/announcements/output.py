"""The base of our output-only generators (feeds, discovery, syndication manifest): Pelican
hands every generator the same arguments; these only write files once all context is built."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class OutputGenerator:
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
