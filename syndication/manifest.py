"""Reading the build's `syndication.json` (written by plugins/syndication_manifest)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

SUPPORTED_VERSION = 1


class ManifestError(Exception):
    """The manifest is missing or malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Entry:
    """One announcement as it should appear on the platforms."""

    id: str
    url: str
    title: str
    date: str
    urgent: bool
    status: str
    hash: str
    posts: dict[str, dict[str, Any]]
    corrections: tuple[dict[str, str], ...] = ()
    withdrawn_reason: str | None = None
    source: str = ""
    image: str | None = None
    image_alt: str | None = None
    # The manifest's own, given to each entry: what its replies on X link, as its post does.
    comment_guidelines: str = ""
    # When it last changed in public (publication, `modified`, a correction, its expiry once
    # passed), as the build saw it; None in a manifest from before the build wrote it.
    updated: str | None = None

    @property
    def published(self) -> datetime:
        """When it was published, as a moment: `date` keeps the offset it was written with,
        and as text 01:30-07:00 sorts after 01:15-08:00, which is 45 minutes later."""
        return datetime.fromisoformat(self.date)

    @property
    def withdrawn(self) -> bool:
        return self.status == "withdrawn"

    @property
    def latest_correction(self) -> str | None:
        return self.corrections[-1]["note"] if self.corrections else None

    @property
    def correction_notes(self) -> list[str]:
        return [correction["note"] for correction in self.corrections]


@dataclass(frozen=True)
class Manifest:
    site: str
    comment_guidelines: str
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    def by_id(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries}


_REQUIRED = ("id", "url", "title", "date", "status", "hash", "posts")


def parse_manifest(data: Any, name: str = "syndication.json") -> Manifest:
    if not isinstance(data, dict) or data.get("version") != SUPPORTED_VERSION:
        raise ManifestError(f"{name}: version: expected {SUPPORTED_VERSION}; rebuild the site")
    guidelines = data.get("comment_guidelines", "")
    entries = []
    for index, raw in enumerate(data.get("announcements", [])):
        missing = [key for key in _REQUIRED if key not in raw]
        if missing:
            raise ManifestError(f"{name}: announcements[{index}]: missing {', '.join(missing)}")
        for key in ("date", "updated"):
            if key in raw and not _is_moment(raw[key]):
                raise ManifestError(
                    f"{name}: announcements[{index}]: {key}: expected an ISO 8601 time with "
                    "its offset; rebuild the site"
                )
        entries.append(
            Entry(
                id=raw["id"],
                url=raw["url"],
                title=raw["title"],
                date=raw["date"],
                urgent=bool(raw.get("urgent")),
                status=raw["status"],
                hash=raw["hash"],
                posts=dict(raw["posts"]),
                corrections=tuple(raw.get("corrections") or ()),
                withdrawn_reason=raw.get("withdrawn_reason"),
                source=raw.get("source", ""),
                image=raw.get("image"),
                image_alt=raw.get("image_alt"),
                comment_guidelines=guidelines,
                updated=raw.get("updated"),
            )
        )
    return Manifest(data.get("site", ""), guidelines, tuple(entries))


def _is_moment(value: Any) -> bool:
    """Whether `value` is a time with an offset, as the build writes `date`: entries are
    posted in its order, and a time without one cannot be compared with the others."""
    try:
        return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def load_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path}: not found; run `invoke build` first") from None
    except OSError as error:  # a folder, or a file that cannot be read
        raise ManifestError(f"{path}: cannot read it ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: not UTF-8 text; expected the build's manifest") from None
    except json.JSONDecodeError as error:
        raise ManifestError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from None
    return parse_manifest(data, str(path))
