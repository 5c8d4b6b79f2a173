"""The archive keeps its own git history: each run commits RECORDS_DIR to a repository inside it."""

from __future__ import annotations

import subprocess
from pathlib import Path

IDENTITY = (
    "-c",
    "user.name=City of Trail records",
    "-c",
    "user.email=records@localhost",
    "-c",
    "commit.gpgsign=false",
)


def _git(records_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(records_dir), *IDENTITY, *args],
        capture_output=True,
        text=True,
        check=False,
    )


# Each commit stores the grown files whole, as loose objects, until git packs them (its own
# automatic packing waits for thousands of objects: gigabytes once the comment file is large).
REPACK_OVER_KIB = 64 * 1024


def commit_archive(
    records_dir: Path, message: str, repack_over_kib: int = REPACK_OVER_KIB
) -> str | None:
    """Commit everything under RECORDS_DIR; return the new commit, or None if nothing changed.

    When the loose objects pass `repack_over_kib`, they are packed: successive versions of an
    append-only file pack as small deltas of each other."""
    records_dir.mkdir(parents=True, exist_ok=True)
    if not (records_dir / ".git").exists():
        _git(records_dir, "init", "-q", "-b", "main")
        # The search index is rebuilt from the files; the files are the record.
        (records_dir / ".gitignore").write_text("index.sqlite\n.index.sqlite.building\n")
    _git(records_dir, "add", "-A")
    if _git(records_dir, "diff", "--cached", "--quiet").returncode == 0:
        return None
    result = _git(records_dir, "commit", "-q", "-m", message)
    if result.returncode != 0:
        raise RuntimeError(f"{records_dir}: git commit failed: {result.stderr.strip()}")
    if _loose_kib(records_dir) > repack_over_kib:
        _git(records_dir, "repack", "-d", "-q")
    return _git(records_dir, "rev-parse", "HEAD").stdout.strip()


def _loose_kib(records_dir: Path) -> int:
    """The size of the repository's loose objects, as `git count-objects` reports it."""
    for line in _git(records_dir, "count-objects", "-v").stdout.splitlines():
        name, _, value = line.partition(": ")
        if name == "size":
            return int(value)
    return 0
