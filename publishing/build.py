"""Build the site with Pelican into a staging folder, then swap it into place.

A failed build leaves the previous `output/` exactly as it was and removes its own partial
files, so nothing half-built is ever mistaken for a good site.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.log import LimitFilter
from pelican.settings import read_settings

# BUILD_MARK: written by plugins/discovery into every build that succeeded (only those are
# swapped into place): the mark of a complete build, for the deploy, and of a folder a build
# may replace.
from discovery import BUILD_MARK

logger = logging.getLogger(__name__)

# Settings that change from build to build without changing what a file reads as.
_NOT_CACHE_SETTINGS = frozenset(
    {
        "BUILD_TIME",
        "OUTPUT_PATH",
        "CACHE_PATH",
        "PREVIOUS_OUTPUT_PATH",
        "CACHE_CONTENT",
        "LOAD_CONTENT_CACHE",
    }
)
_CACHED_LIBRARIES = ("pelican", "markdown", "jinja2", "icalendar", "feedgen", "nh3")
BUILD_GC_THRESHOLD = 50_000  # new objects between two collections while building (see _run)
_CACHE_NAME = re.compile(r"[0-9a-f]{16}")  # cache_folder's names: 8-byte digests in hex


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
        if not _harmless_cache_warning(record):
            self.messages.append(record.getMessage())


# What Pelican's content cache logs (pelican/cache.py, by its message templates) when the
# site is still right: the cache unreadable (say, cut short by an interrupted save) or
# unsaveable, so Pelican reads every file instead, only slower.
_CACHE_UNREADABLE_OR_UNSAVEABLE = ("Cannot unpickle cache ", "Could not save cache ")
_CACHE_CANNOT_STAMP = "Cannot get modification stamp "


def _harmless_cache_warning(record: logging.LogRecord) -> bool:
    """A warning of Pelican's content cache that leaves the site right. So is a stamp it
    cannot take of a file the system cannot open (a linked file that is not there, a link in
    content/ to its own folder): nothing of it is published, and the build's own checks name
    each such link on a page it publishes, leaving a draft's alone. Anything else it says
    fails the build: without a way to stamp files at all (a CHECK_MODIFIED_METHOD naming no
    hash function, say) it takes every file for unchanged, and publishes the old text."""
    if record.name != "pelican.cache" or not isinstance(record.msg, str):
        return False
    if record.msg.startswith(_CACHE_UNREADABLE_OR_UNSAVEABLE):
        return True
    unopenable = isinstance(record.args, tuple) and any(
        isinstance(arg, OSError) for arg in record.args
    )
    return record.msg.startswith(_CACHE_CANNOT_STAMP) and unopenable


@contextmanager
def _collect_errors() -> Iterator[_ErrorCollector]:
    collector = _ErrorCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield collector
    finally:
        root.removeHandler(collector)


def _forget_warnings_logged() -> None:
    """Pelican logs each warning once per process (LimitFilter); a build after another in the
    same process (`invoke serve`, the tests) must see, and fail on, a warning again."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


def load_settings(
    settings_file: Path, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return dict(read_settings(str(settings_file), override=dict(overrides or {})))


def caches_beside(output: Path) -> Path:
    """Where an output folder's build caches are kept: `.output.cache/` beside `output/`."""
    return output.with_name(f".{output.name}.cache")


def cache_folder(base: Path, settings: Mapping[str, Any]) -> Path:
    """Where the caches of builds with these settings and this code live, under `base`.

    Pelican's content cache keeps each file's HTML until the file itself changes, even when
    a setting (Markdown extensions, the time zone) or a plugin's code would now make it
    differently; a folder per combination of settings, code and library versions means a
    change to any of them starts from an empty cache.
    """
    shown = {k: v for k, v in settings.items() if k not in _NOT_CACHE_SETTINGS}
    hasher = hashlib.blake2b(digest_size=8)
    hasher.update(json.dumps(shown, sort_keys=True, default=repr).encode())
    hasher.update(repr([(name, version(name)) for name in _CACHED_LIBRARIES]).encode())
    for folder in settings.get("PLUGIN_PATHS", []):
        for path in sorted(Path(folder).rglob("*.py")):
            hasher.update(str(path).encode() + path.read_bytes())
    return base / hasher.hexdigest()


def build_site(
    settings_file: Path,
    output: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    cache: Path | None = None,
    reuse: bool = True,
) -> BuildResult:
    """Build into `<output>.staging`, then replace `output` with it; raise BuildError on failure.

    With `cache` (a folder), the build keeps Pelican's content cache and the page cache there
    and, unless `reuse` is false, reuses what the last build made of unchanged files and
    pages (see plugins/page_cache).
    """
    settings = load_settings(settings_file, overrides)
    target = Path(output or settings["OUTPUT_PATH"]).resolve()
    refused = not_replaceable(target, Path(settings["PATH"]))
    if refused:
        raise BuildError([refused])
    if cache is not None:
        settings.update(
            CACHE_CONTENT=True,
            LOAD_CONTENT_CACHE=reuse,
            CACHE_PATH=str(cache_folder(cache.resolve(), settings)),
        )
    staging = target.with_name(f".{target.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    settings["OUTPUT_PATH"] = str(staging)
    if target.is_dir():
        settings["PREVIOUS_OUTPUT_PATH"] = str(target)  # unchanged pages are linked from it
    problems: list[str] = []
    _forget_warnings_logged()
    with _collect_errors() as errors:
        try:
            site = Pelican(settings)
            context_counts = _run(site)
        except Exception as error:  # any failure must leave output/ untouched
            problems = [*getattr(error, "problems", [])] or [as_the_build_names(error)]
            context_counts = (0, 0)
    problems = [str(p) for p in problems] + errors.messages
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(problems)
    _swap(staging, target)
    if cache is not None:
        _forget_other_caches(Path(settings["CACHE_PATH"]))
    return BuildResult(target, *context_counts)


def as_the_build_names(error: Exception) -> str:
    """An error that stops the build without problems of its own, as the build names it (and
    `invoke status` with it): its kind and message."""
    return f"{type(error).__name__}: {error}"


def not_replaceable(target: Path, content: Path) -> str | None:
    """Why a build must not go into `target`, or None. The swap deletes whatever the folder
    held, so only a folder of the build's own may be given: a new or empty one, or an earlier
    build (with its BUILD_MARK). Anything else is a mistake that would be lost whole: the
    content (`--output content` for --content), the records archive, the project."""
    if content.resolve().is_relative_to(target):
        return (
            f"{target}: holds the content this build reads ({content}), which the build would "
            "delete with it; build into a folder of its own, such as output/"
        )
    if holds_a_build_or_nothing(target):
        return None
    return (
        f"{target}: neither an earlier build ({BUILD_MARK} is missing) nor an empty folder, "
        "and the build replaces the folder it builds into, deleting what it holds; build into "
        "a new or empty folder, or an earlier build's, such as output/"
    )


def holds_a_build_or_nothing(folder: Path) -> bool:
    """Whether `folder` is new, empty or an earlier build (with its BUILD_MARK): the only
    folders whose files may all be replaced by a build's, as the build's swap and a deploy's
    removal of stale files replace them."""
    if not folder.exists() or (folder / BUILD_MARK).is_file():
        return True
    return folder.is_dir() and not any(folder.iterdir())


def _forget_other_caches(current: Path) -> None:
    """Caches made with other settings or code: the output they match is gone, so are they.

    Only folders named as `cache_folder` names them are touched, whatever else is there.
    """
    for folder in current.parent.iterdir():
        if folder != current and folder.is_dir() and _CACHE_NAME.fullmatch(folder.name):
            shutil.rmtree(folder, ignore_errors=True)


def _run(site: Pelican) -> tuple[int, int]:
    counts: dict[str, int] = {}

    def remember(generators: Any) -> None:
        for generator in generators:
            for name in ("articles", "pages"):
                if hasattr(generator, name):
                    counts[name] = len(getattr(generator, name))

    def settle_garbage_collector(_generators: Any) -> None:
        # The site's objects live until the build ends; left to the collector, every full
        # collection while pages are written walks all of them again (a second at 10,000).
        gc.freeze()

    signals.all_generators_finalized.connect(remember)
    signals.all_generators_finalized.connect(settle_garbage_collector)
    thresholds = gc.get_threshold()
    # While the site is built, it only grows: at Python's default of a collection every 700
    # new objects, the full collections among them walk every article made so far (a second
    # of a ten-second rebuild at 10,000, as much again in a full build). Rarer collections,
    # until the build ends, keep its garbage in check at the same peak memory.
    gc.set_threshold(BUILD_GC_THRESHOLD, *thresholds[1:])
    try:
        site.run()
    finally:
        signals.all_generators_finalized.disconnect(remember)
        signals.all_generators_finalized.disconnect(settle_garbage_collector)
        gc.set_threshold(*thresholds)
        gc.unfreeze()  # collectable again once the caller lets go of them
    return counts.get("articles", 0), counts.get("pages", 0)


def _swap(staging: Path, target: Path) -> None:
    """Put the new build in place with two renames; the old one is removed last.

    When either rename is refused (a read-only output folder, a mount, another user's), the
    old build stays or is put back, the new one is removed, and BuildError names the folder.
    """
    previous = target.with_name(f".{target.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    try:
        if target.exists():
            target.rename(previous)
        try:
            staging.rename(target)
        except OSError:
            if previous.exists():
                previous.rename(target)
            raise
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(
            [
                f"{target}: the new build cannot replace it: {error.strerror or error}; check "
                "that it and the folder it is in can be written"
            ]
        ) from None
    shutil.rmtree(previous, ignore_errors=True)
