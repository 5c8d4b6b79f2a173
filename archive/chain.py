"""Append-only JSON Lines files whose lines are hash-chained.

Each line carries the SHA-256 of the line before it (`prev`; the first line chains from
GENESIS), so changing, inserting or removing any earlier line is detectable. Appends are
flushed to disk before returning, so a line written before a remote call survives a crash;
an append that fails (a full disk) leaves the file as it was, never a line cut short.
Each append holds the file (flock) and chains from its last line as it is then, so another
writer's lines (another process, or another ChainFile of the same file) never break it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from io import FileIO
from pathlib import Path
from typing import Any

GENESIS = "sha256:" + "0" * 64


class ChainError(Exception):
    """A line is not valid JSON; the message names the file and line."""


class WrongType(ValueError):
    """A field of a line, valid JSON, not of the type its writers give it (added by hand):
    says which field, what it holds and what was expected."""


@contextmanager
def naming_line(path: Path | str, number: int, kind: str) -> Iterator[None]:
    """Reading line `number` of a file: a field its kind has that the line lacks (KeyError)
    or holds with the wrong type (WrongType), as a line added by hand may (the writers give
    every line them all), stops as ChainError naming the file, line and field."""
    try:
        yield
    except KeyError as missing:
        raise ChainError(f"{path}:{number}: a {kind} line without its {missing} field") from None
    except WrongType as wrong:
        raise ChainError(f"{path}:{number}: a {kind} line {wrong}") from None


class ChainWriteError(OSError):
    """An append did not reach the disk (a full disk, say); the message names the file, which
    is left as it was before the append."""


def line_hash(line: str) -> str:
    return "sha256:" + hashlib.sha256(line.encode("utf-8")).hexdigest()


def chained_line(record: dict[str, Any]) -> str:
    """A record as its line: the one spelling its hash is taken of."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def record_lines(text: str) -> list[str]:
    """The lines of a chained file's text. Only a line feed ends one: `str.splitlines` would
    also break a record at a U+2028, U+2029 or NEL its text holds, which JSON leaves as is."""
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def rechain(lines: list[str], added: list[str]) -> list[str]:
    """`added` (lines chained elsewhere, after an earlier state of the file) chained after
    `lines` instead: each keeps what it records and its time, with a new `seq` and `prev`.
    For joining two copies of an append-only file that both grew since they parted."""
    previous = line_hash(lines[-1]) if lines else GENESIS
    seq = int(json.loads(lines[-1]).get("seq", len(lines))) if lines else 0
    joined = []
    for line in added:
        seq += 1
        record = {**json.loads(line), "seq": seq, "prev": previous}
        joined.append(chained_line(record))
        previous = line_hash(joined[-1])
    return joined


@dataclass(frozen=True)
class Checkpoint:
    """A point at the end of a line of a chained file, up to which its lines are known to be
    whole: the `size` bytes before it hold `lines` lines (blank ones too, as the file numbers
    them), the last that is not blank hashing to `last_hash`. Its lines are read from there."""

    size: int = 0
    lines: int = 0
    last_hash: str = GENESIS


START = Checkpoint()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Reading:
    """A chained file's events from a checkpoint on (`ChainFile.reading`), each with the number
    of its line; once they are all read, `reached` is the checkpoint where they end, from
    which a reader of the file grown since carries on."""

    def __init__(self, chain: ChainFile, after: Checkpoint) -> None:
        self.chain = chain
        self.reached = after

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        last = None
        for number, line, end in self.chain._readable_lines(self.reached):
            yield number, self.chain._event(number, line)
            last = (end, number, line)
        if last is not None:  # only the last line is hashed: the others are not needed
            end, number, line = last
            self.reached = Checkpoint(end, number, line_hash(line))


class ChainFile:
    """One append-only, hash-chained file, safe to share between threads of one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._last_hash = GENESIS
        self._seq = 0
        # Of the file when its last line was last read: none read yet (an append reads it
        # first; a reader, only what it reads).
        self._size = -1

    def _follow(self) -> None:
        """Take the last line's hash and number from the file, when it is not the size it
        had when this object last read or wrote it (another writer appended since)."""
        size = self.path.stat().st_size if self.path.exists() else 0
        if size == self._size:
            return
        self._last_hash, self._seq = GENESIS, 0
        for seq, line in self._lines():  # a damaged line stops whoever reads it, not this
            self._last_hash = line_hash(line) if line is not None else ""
            self._seq = seq
        self._size = size

    def lines(self, after: Checkpoint = START) -> Iterator[tuple[int, str]]:
        for number, line, _ in self._readable_lines(after):
            yield number, line

    def _readable_lines(self, after: Checkpoint) -> Iterator[tuple[int, str, int]]:
        """As `_ending_lines`; ChainError for a line that is not UTF-8."""
        for number, line, end in self._ending_lines(after):
            if line is None:
                raise ChainError(f"{self.path}:{number}: not UTF-8 text (cut short?)")
            yield number, line, end

    def _lines(self, after: Checkpoint = START) -> Iterator[tuple[int, str | None]]:
        """Each line that is not blank, from `after` on; None for one that is not UTF-8 (a
        line cut short in the middle of a character, as by a power cut), numbered as it is in
        the file."""
        for number, line, _ in self._ending_lines(after):
            yield number, line

    def _ending_lines(self, after: Checkpoint) -> Iterator[tuple[int, str | None, int]]:
        """As `_lines`, each with the offset in the file where it ends."""
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            handle.seek(after.size)
            end = after.size
            for number, raw in enumerate(handle, start=after.lines + 1):
                end += len(raw)
                try:
                    line = raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    yield number, None, end
                    continue
                if line:
                    yield number, line, end

    def events(self, after: Checkpoint = START) -> Iterator[dict[str, Any]]:
        for number, line in self.lines(after):
            yield self._event(number, line)

    def whole_events(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each line that holds a record, with its number; one that holds none (not UTF-8,
        not JSON, not an object: cut short, or edited by hand) is passed over, for a check
        that reads what it can while `verify` names the others as broken."""
        for number, line in self._lines():
            if line is None:
                continue
            try:
                event = self._event(number, line)
            except ChainError:
                continue
            yield number, event

    def _event(self, number: int, line: str) -> dict[str, Any]:
        """Line `number` as the record it holds; ChainError when it holds none."""
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            raise ChainError(f"{self.path}:{number}: not valid JSON ({error.msg})") from None
        if not isinstance(event, dict):
            raise ChainError(f"{self.path}:{number}: not a JSON object")
        return event

    def reading(self, after: Checkpoint = START) -> Reading:
        """The events from `after` on, each with its line's number, and where they end."""
        return Reading(self, after)

    def continues(self, checkpoint: Checkpoint) -> bool:
        """Whether the file still holds, ending where `checkpoint` ends, the whole line it
        ends with: so it has only grown since, as a chained file does (that line's hash covers
        every line before it, through the chain). Only that line is read: a file cut back, or
        its lines chained anew (by `records pull`), does not continue it."""
        if checkpoint == START:
            return True
        line = self._line_ending_at(checkpoint.size)
        return line is not None and line_hash(line) == checkpoint.last_hash

    def _line_ending_at(self, end: int) -> str | None:
        """The line whose newline is the byte before offset `end`; None when there is no such
        line (the file is shorter, or its line goes on past `end`)."""
        try:
            with self.path.open("rb") as handle:
                start, block = end, b""
                while start > 0 and b"\n" not in block[:-1]:  # back a block at a time
                    start = max(0, start - 4096)
                    handle.seek(start)
                    block = handle.read(end - start)
                    if len(block) < end - start:
                        return None
        except OSError:
            return None
        if not block.endswith(b"\n"):
            return None
        line = block[block.rfind(b"\n", 0, len(block) - 1) + 1 :]
        try:
            return line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            return None

    def verify(self, after: Checkpoint = START) -> list[str]:
        """One problem per line whose chain is broken; empty when the file is intact (from
        `after` on: the lines before it are known to be whole)."""
        problems = []
        previous = after.last_hash
        for number, line in self._lines(after):
            try:
                recorded = json.loads(line or "").get("prev")
            except (json.JSONDecodeError, AttributeError):
                recorded = None
            if recorded != previous or line is None:
                problems.append(
                    f"{self.path}:{number}: hash chain broken (line changed or removed before it)"
                )
            previous = line_hash(line) if line is not None else ""
        return problems

    def append(self, event: dict[str, Any]) -> dict[str, Any]:
        """Write one line and force it to disk before returning."""
        return self.extend([event])[0]

    def extend(self, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Write several lines, chained, with one flush to disk at the end. ChainWriteError
        when they cannot all be written: then none is, and the chain goes on as before."""
        events = list(events)
        if not events:
            return []
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            stamp = now()
            # Unbuffered, so that what reached the file is what write(2) took, and closing it
            # writes nothing after it has been cut back.
            with self.path.open("ab", buffering=0) as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
                self._follow()
                written = self._chained(events, stamp)
                lines = [chained_line(record) for record in written]
                self._write(handle, lines)
                self._seq += len(written)
                self._last_hash = line_hash(lines[-1])
                self._size = os.fstat(handle.fileno()).st_size
        return written

    def _chained(self, events: list[dict[str, Any]], stamp: str) -> list[dict[str, Any]]:
        """`events` as the records that follow the file's last line (nothing is changed)."""
        records: list[dict[str, Any]] = []
        previous = self._last_hash
        for seq, event in enumerate(events, start=self._seq + 1):
            records.append({"seq": seq, "time": stamp, **event, "prev": previous})
            previous = line_hash(chained_line(records[-1]))
        return records

    def _write(self, handle: FileIO, lines: list[str]) -> None:
        """Append the lines and force them to disk, or leave the file as it was."""
        text = "".join(f"{line}\n" for line in lines).encode("utf-8")
        size = os.fstat(handle.fileno()).st_size
        try:
            written = 0
            while written < len(text):  # write(2) may take part of it
                written += handle.write(text[written:])
            os.fsync(handle.fileno())
        except OSError as error:
            # A line cut short would join the next append onto it, breaking the chain there:
            # what was written of these lines goes.
            os.ftruncate(handle.fileno(), size)
            raise ChainWriteError(
                f"{self.path}: not written ({error.strerror or error}); the file is as it was "
                "before"
            ) from error
