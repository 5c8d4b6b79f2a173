"""Retention: how long each type of record is kept, and legal holds (policy/retention.yml).

`invoke records retention --dry-run` lists what is due for disposition. Held records are never
listed; disposition itself is the records officer's act under the City's records procedure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from .index import FILES, ArchiveRecord, read_records

MINIMUM_DAYS = {"moderation": 365}  # FOIPPA s.31: information used to decide about a person


class RetentionError(ValueError):
    """policy/retention.yml is malformed or breaks a legal minimum."""


@dataclass(frozen=True)
class Hold:
    name: str
    announcements: frozenset[str]
    platforms: frozenset[str]
    authors: frozenset[str]

    def holds(self, record: ArchiveRecord) -> bool:
        # An author's hold covers the moderation records about their comments too.
        return (
            record.announcement in self.announcements
            or record.author in self.authors
            or record.commenter in self.authors
            or (record.platform in self.platforms)
        )


@dataclass(frozen=True)
class RetentionPolicy:
    days: dict[str, int]
    holds: tuple[Hold, ...]

    @classmethod
    def load(cls, path: Path) -> RetentionPolicy:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        days = data.get("periods_days") or {}
        for kind in FILES:
            if not isinstance(days.get(kind), int) or days[kind] <= 0:
                raise RetentionError(f"{path}: periods_days: {kind}: expected a number of days")
            if days[kind] < MINIMUM_DAYS.get(kind, 0):
                raise RetentionError(
                    f"{path}: periods_days: {kind}: at least "
                    f"{MINIMUM_DAYS[kind]} days (FOIPPA s.31)"
                )
        holds = tuple(
            Hold(
                h["name"],
                frozenset(h.get("announcements") or ()),
                frozenset(h.get("platforms") or ()),
                frozenset(h.get("authors") or ()),
            )
            for h in data.get("legal_holds") or []
        )
        return cls(dict(days), holds)


def due_for_disposition(
    records_dir: Path, policy: RetentionPolicy, now: datetime
) -> list[ArchiveRecord]:
    due = []
    for record in read_records(records_dir):
        if not record.time or any(hold.holds(record) for hold in policy.holds):
            continue
        when = datetime.fromisoformat(record.time)
        if when + timedelta(days=policy.days[record.type]) <= now:
            due.append(record)
    return due
