"""One run at a time on a records archive.

Two runs that record at once (a City machine's `invoke alert` during its scheduled
`invoke publish`, or two `invoke syndicate`) would each read the ledger before the other
wrote to it, and post the same announcements twice. Every command that records holds
RECORDS_DIR/.lock (git-ignored, so never committed) with flock: the kernel lets it go when
the process ends, even killed, so no stale lock is ever left to remove by hand. A second run
stops at once, naming the first's process, rather than wait behind a run of unknown length.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".lock"

# The archives this process holds: a command run inside another (publish's steps, the
# records pull and push around a command) is part of the same run.
_held: set[Path] = set()


class ArchiveBusy(RuntimeError):
    """Another run holds the archive; the message names its process."""


def holds_nothing_but_the_lock(records_dir: Path) -> bool:
    """Whether RECORDS_DIR holds no archive: it is not there, or holds only the lock."""
    return not records_dir.is_dir() or all(p.name == LOCK_FILE for p in records_dir.iterdir())


@contextmanager
def one_run_at_a_time(records_dir: Path) -> Iterator[None]:
    """Hold the archive for this process; raise ArchiveBusy if another process holds it."""
    key = records_dir.resolve()
    if key in _held:
        yield
        return
    made = not records_dir.exists()
    records_dir.mkdir(parents=True, exist_ok=True)
    with (records_dir / LOCK_FILE).open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise ArchiveBusy(
                f"another run is in progress (pid {holder}) on {records_dir}; try again once "
                "it has finished"
            ) from None
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        _held.add(key)
        try:
            yield
        finally:
            _held.discard(key)
            if made and holds_nothing_but_the_lock(records_dir):
                # Made for the lock alone (a first fetch that failed): taken away, while still
                # held, so that no reader takes the folder for an archive of no records.
                (records_dir / LOCK_FILE).unlink(missing_ok=True)
                with contextlib.suppress(OSError):  # another run has just made its own lock
                    records_dir.rmdir()
