"""Deciding what to do: manifest + ledger → planned actions. Pure, so a plan can be printed
(`--dry-run`) and tested without any network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .ledger import Record
from .manifest import Entry, Manifest

CREATE, UPDATE, WITHDRAW = "create", "update", "withdraw"


@dataclass(frozen=True)
class Action:
    kind: str
    platform: str
    entry: Entry
    record: Record | None = None

    @property
    def interrupted(self) -> bool:
        """A previous run stopped between its intent and the outcome of this very action."""
        return bool(self.record and self.record.pending)

    def describe(self) -> str:
        return f"{self.platform}: {self.kind} {self.entry.id} ({self.entry.url})"


def priority(entry: Entry) -> tuple[bool, str, str]:
    """Urgent alerts first, then oldest first."""
    return (not entry.urgent, entry.date, entry.id)


def needs_update(entry: Entry, record: Record, platform: str) -> bool:
    post_hash = entry.posts[platform].get("hash")
    return record.hash != post_hash or len(entry.corrections) > record.corrections


def still_public(record: Record) -> bool:
    """Something the City posted for it is still up: the post, or the City's replies to it
    (X) that a withdrawal recorded before replies were taken down with their post left."""
    return record.posted and (not record.withdrawn or bool(record.replies_up))


def plan(
    manifest: Manifest,
    records: Mapping[tuple[str, str], Record],
    platforms: Iterable[str],
) -> list[Action]:
    """Only what is needed, per platform, in priority order."""
    actions = []
    ordered = sorted(manifest.entries, key=priority)
    for platform in platforms:
        for entry in ordered:
            record = records.get((entry.id, platform))
            action = _decide(entry, record, platform)
            if action:
                actions.append(Action(action, platform, entry, record))
    return actions


def _decide(entry: Entry, record: Record | None, platform: str) -> str | None:
    pending_create = bool(record and record.pending and record.pending["action"] == CREATE)
    if entry.withdrawn:
        # A create left open (its post may be up) is taken down even if an earlier post of
        # the same announcement already was.
        if record and (pending_create or still_public(record)):
            return WITHDRAW
        return None
    if platform not in entry.posts:
        return None
    if record is None or not record.posted or record.withdrawn:
        return CREATE
    if record.pending and record.pending["action"] == UPDATE:
        return UPDATE
    return UPDATE if needs_update(entry, record, platform) else None
