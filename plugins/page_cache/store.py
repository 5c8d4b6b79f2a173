"""Values a build derives from its content, kept for the next build under their inputs' key.

For work outside the page templates that is costly and repeated for every item, such as
serialising each event's iCalendar entry. Keys are fingerprints of everything the value is
made from (see fingerprint.py), including the code that makes it; entries not used by a build
are dropped when it saves, so the store never grows beyond one build's worth.
"""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from .fingerprint import Fingerprinter, digest

T = TypeVar("T")


def put_in_place(temporary: Path, cache: Path) -> None:
    """Rename a cache file written whole into place. A folder where the cache belongs (a CI
    restore gone wrong) was read as an empty cache; it is removed, not a reason to fail."""
    if cache.is_dir() and not cache.is_symlink():
        shutil.rmtree(cache)
    temporary.replace(cache)


class DerivedStore:
    """`get(inputs, make)`: the value made from `inputs` last build, or `make()` now."""

    def __init__(self, settings: Mapping[str, Any], name: str, code: bytes = b"") -> None:
        self.file = Path(settings["CACHE_PATH"]) / f"{name}.pickle"
        self.save_values = bool(settings.get("CACHE_CONTENT"))
        self.previous: dict[bytes, Any] = {}
        if settings.get("LOAD_CONTENT_CACHE"):
            try:
                with self.file.open("rb") as stored:
                    self.previous = pickle.load(stored)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
                self.previous = {}
        self.current: dict[bytes, Any] = {}
        self._code = digest(code)
        self._fingerprints = Fingerprinter()

    def get(self, inputs: Any, make: Callable[[], T]) -> T:
        key = digest(self._code, self._fingerprints.of(inputs))
        if key in self.current:
            return self.current[key]
        value = self.previous[key] if key in self.previous else make()
        self.current[key] = value
        return value

    def save(self) -> None:
        if not self.save_values:
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.file.with_suffix(".tmp")
        with temporary.open("wb") as stored:
            pickle.dump(self.current, stored, protocol=pickle.HIGHEST_PROTOCOL)
        put_in_place(temporary, self.file)
