"""The syndication ledger: what was posted where, and every action taken, as records.

An append-only JSON Lines file under RECORDS_DIR (`syndication/ledger.jsonl`). Each remote
call is bracketed by two lines: an `intent` written (and flushed to disk) before the call,
and its outcome (`done`, `failed` or `deferred`) after. An intent without an outcome means
the process stopped mid-call; the next run looks on the platform before acting again.

Each line carries the SHA-256 of the line before it (`prev`), so any edit or deletion of
an earlier line is detectable (`verify`). Nothing is ever rewritten or removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GENESIS = "sha256:" + "0" * 64


class LedgerError(Exception):
    """The ledger file is unreadable or its hash chain is broken."""


@dataclass
class Record:
    """The state of one announcement on one platform, folded from the ledger's lines."""

    announcement: str
    platform: str
    remote_id: str | None = None
    url: str | None = None
    text: str | None = None
    hash: str | None = None
    corrections: int = 0
    withdrawn: bool = False
    pending: dict[str, Any] | None = None  # an intent with no outcome yet
    replies: list[str] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def posted(self) -> bool:
        return self.remote_id is not None


def _line_hash(line: str) -> str:
    return "sha256:" + hashlib.sha256(line.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    """Append-only, hash-chained, safe to share between the threads of one run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._last_hash = GENESIS
        self._seq = 0
        for seq, line in self._lines():
            self._last_hash = _line_hash(line)
            self._seq = seq

    @classmethod
    def in_records(cls, records_dir: Path) -> Ledger:
        return cls(records_dir / "syndication" / "ledger.jsonl")

    def _lines(self) -> Iterator[tuple[int, str]]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.rstrip("\n")
                if line:
                    yield number, line

    def events(self) -> Iterator[dict[str, Any]]:
        for number, line in self._lines():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise LedgerError(f"{self.path}:{number}: not valid JSON ({error.msg})") from None

    def verify(self) -> list[str]:
        """Problems with the hash chain, one per broken line; empty when intact."""
        problems = []
        previous = GENESIS
        for number, line in self._lines():
            try:
                recorded = json.loads(line).get("prev")
            except json.JSONDecodeError:
                recorded = None
            if recorded != previous:
                problems.append(
                    f"{self.path}:{number}: hash chain broken (line changed or removed before it)"
                )
            previous = _line_hash(line)
        return problems

    def append(self, event: dict[str, Any]) -> dict[str, Any]:
        """Write one line and force it to disk before returning (write-ahead)."""
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            record = {"seq": self._seq + 1, "time": _now(), **event, "prev": self._last_hash}
            line = json.dumps(record, sort_keys=True, ensure_ascii=False)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            self._seq += 1
            self._last_hash = _line_hash(line)
            return record

    def intend(self, announcement: str, platform: str, action: str, **details: Any) -> str:
        operation = uuid.uuid4().hex
        self.append(
            {
                "phase": "intent",
                "op": operation,
                "announcement": announcement,
                "platform": platform,
                "action": action,
                **details,
            }
        )
        return operation

    def outcome(
        self,
        operation: str,
        announcement: str,
        platform: str,
        action: str,
        phase: str,
        **details: Any,
    ) -> None:
        self.append(
            {
                "phase": phase,
                "op": operation,
                "announcement": announcement,
                "platform": platform,
                "action": action,
                **details,
            }
        )

    def records(self) -> dict[tuple[str, str], Record]:
        """Fold every line into the current state per (announcement, platform)."""
        records: dict[tuple[str, str], Record] = {}
        for event in self.events():
            key = (event["announcement"], event["platform"])
            record = records.setdefault(key, Record(*key))
            record.history.append(event)
            phase, action = event["phase"], event["action"]
            if phase == "intent":
                record.pending = event
                continue
            record.pending = None
            if phase != "done":
                continue
            if action in ("create", "adopt"):
                record.remote_id = event["remote_id"]
                record.url = event.get("url")
                record.text = event.get("text")
                record.hash = event.get("hash")
                record.corrections = event.get("corrections", 0)
                record.withdrawn = False
            elif action == "update":
                record.text = event.get("text", record.text)
                record.hash = event.get("hash", record.hash)
                record.corrections = event.get("corrections", record.corrections)
                if event.get("reply_id"):
                    record.replies.append(event["reply_id"])
            elif action == "withdraw":
                record.withdrawn = True
        return records
