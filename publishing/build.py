"""Build the site with Pelican into a staging folder, then swap it into place.

A failed build leaves the previous `output/` exactly as it was and removes its own partial
files, so nothing half-built is ever mistaken for a good site.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.settings import read_settings

logger = logging.getLogger(__name__)


class BuildError(Exception):
    """The build failed; `problems` holds one line per problem, naming file and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class BuildResult:
    output: Path
    articles: int
    pages: int


class _ErrorCollector(logging.Handler):
    """Remembers every warning and error logged during the build, so they fail it.

    Like `pelican --fatal warnings`: a link to a missing page or an unreadable image is a
    mistake on the public site, not something to scroll past in CI logs.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _collect_errors() -> Iterator[_ErrorCollector]:
    collector = _ErrorCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield collector
    finally:
        root.removeHandler(collector)


def load_settings(
    settings_file: Path, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return dict(read_settings(str(settings_file), override=dict(overrides or {})))


def build_site(
    settings_file: Path,
    output: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> BuildResult:
    """Build into `<output>.staging`, then replace `output` with it; raise BuildError on failure."""
    settings = load_settings(settings_file, overrides)
    target = Path(output or settings["OUTPUT_PATH"]).resolve()
    staging = target.with_name(f".{target.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    settings["OUTPUT_PATH"] = str(staging)
    if target.is_dir():
        settings["PREVIOUS_OUTPUT_PATH"] = str(target)  # unchanged pages are copied from it
    problems: list[str] = []
    with _collect_errors() as errors:
        try:
            site = Pelican(settings)
            context_counts = _run(site)
        except Exception as error:  # any failure must leave output/ untouched
            problems = [*getattr(error, "problems", [])] or [f"{type(error).__name__}: {error}"]
            context_counts = (0, 0)
    problems = [str(p) for p in problems] + errors.messages
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(problems)
    _swap(staging, target)
    return BuildResult(target, *context_counts)


def _run(site: Pelican) -> tuple[int, int]:
    counts: dict[str, int] = {}

    def remember(generators: Any) -> None:
        for generator in generators:
            for name in ("articles", "pages"):
                if hasattr(generator, name):
                    counts[name] = len(getattr(generator, name))

    signals.all_generators_finalized.connect(remember)
    try:
        site.run()
    finally:
        signals.all_generators_finalized.disconnect(remember)
    return counts.get("articles", 0), counts.get("pages", 0)


def _swap(staging: Path, target: Path) -> None:
    """Put the new build in place with two renames; the old one is removed last."""
    previous = target.with_name(f".{target.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
