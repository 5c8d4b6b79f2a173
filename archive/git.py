"""The archive keeps its own git history: each run commits RECORDS_DIR to a repository inside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .chain import rechain

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


class ArchiveSyncError(RuntimeError):
    """The archive could not be fetched from, or pushed to, its remote (RECORDS_REMOTE)."""


def _hidden(text: str) -> str:
    """A git message without the credentials a remote's URL may carry (https://user:token@)."""
    return re.sub(r"(?<=://)[^/@\s]+@", "***@", text.strip())


def pull_archive(records_dir: Path, remote: str) -> str:
    """Bring the archive from its remote before a run writes to it: clone it, or take the
    remote's new commits. Failing loudly matters: a run that started from an empty archive
    would not know what was already posted, and would post it all again."""
    if not (records_dir / ".git").exists():
        if records_dir.exists() and any(records_dir.iterdir()):
            raise ArchiveSyncError(
                f"{records_dir} holds files but is not the records repository; move them away"
            )
        cloned = subprocess.run(
            ["git", "clone", "-q", remote, str(records_dir)],
            capture_output=True,
            text=True,
            check=False,
        )
        if cloned.returncode != 0:
            raise ArchiveSyncError(f"cannot clone the records archive: {_hidden(cloned.stderr)}")
        return "cloned"
    # Lines written here and not yet committed are committed first: the join below works on
    # commits, and would otherwise write over them.
    commit_archive(records_dir, "Records not yet committed")
    fetched = _git(records_dir, "fetch", "-q", remote, "main")
    if fetched.returncode != 0:
        if "couldn't find remote ref" in fetched.stderr:
            return "the remote is empty"
        raise ArchiveSyncError(f"cannot fetch the records archive: {_hidden(fetched.stderr)}")
    _join(records_dir, "FETCH_HEAD")
    return "up to date"


def push_archive(records_dir: Path, remote: str, attempts: int = 3) -> str | None:
    """Commit what a run left uncommitted, then push; return the commit pushed.

    When the remote moved meanwhile (a reviewer's decision pushed from elsewhere), its
    commits are taken first and this run's records put after them, then pushed again.
    """
    commit_archive(records_dir, "Records of a run that stopped before committing them")
    if _git(records_dir, "rev-parse", "-q", "--verify", "HEAD").returncode != 0:
        return None  # nothing recorded yet
    for _ in range(attempts):
        pushed = _git(records_dir, "push", "-q", remote, "HEAD:main")
        if pushed.returncode == 0:
            return _git(records_dir, "rev-parse", "HEAD").stdout.strip()
        fetched = _git(records_dir, "fetch", "-q", remote, "main")
        if fetched.returncode != 0:
            raise ArchiveSyncError(f"cannot push the records archive: {_hidden(pushed.stderr)}")
        _join(records_dir, "FETCH_HEAD")
    raise ArchiveSyncError(
        f"the records archive was still rejected after {attempts} tries: "
        f"{_hidden(pushed.stderr)}; the records stay committed in {records_dir}"
    )


def _show(records_dir: Path, revision: str | None, path: str) -> str:
    if revision is None:
        return ""
    shown = _git(records_dir, "show", f"{revision}:{path}")
    return shown.stdout if shown.returncode == 0 else ""


def _changed(records_dir: Path, base: str | None, revision: str) -> set[str]:
    if base is None:
        listed = _git(records_dir, "ls-tree", "-r", "--name-only", revision)
    else:
        listed = _git(records_dir, "diff", "--name-only", base, revision)
    return set(listed.stdout.split("\n")) - {""}


def _join(records_dir: Path, theirs: str) -> None:
    """Put this copy's commits after `theirs`, as one commit: both only ever appended.

    A hash-chained file both copies appended to keeps the remote's lines as they are, and
    this copy's new lines after them, chained anew (what each line records is unchanged).
    A file only one copy changed is taken from that copy; any other file both changed (the
    moderation report, made again by every run) is this copy's.
    """
    ours = _git(records_dir, "rev-parse", "HEAD").stdout.strip()
    theirs_commit = _git(records_dir, "rev-parse", theirs).stdout.strip()
    if not ours:
        _git(records_dir, "reset", "-q", "--hard", theirs_commit)
        return
    base_found = _git(records_dir, "merge-base", ours, theirs_commit)
    base = base_found.stdout.strip() if base_found.returncode == 0 else None
    if base == theirs_commit:
        return  # nothing new there
    if base == ours:
        _git(records_dir, "reset", "-q", "--hard", theirs_commit)
        return
    ours_changed = _changed(records_dir, base, ours)
    theirs_changed = _changed(records_dir, base, theirs_commit)
    joined: dict[str, str] = {}
    for path in sorted(theirs_changed):
        text = _show(records_dir, theirs_commit, path)
        if path in ours_changed and path.endswith(".jsonl"):
            before, mine = _show(records_dir, base, path), _show(records_dir, ours, path)
            if not (mine.startswith(before) and text.startswith(before)):
                raise ArchiveSyncError(
                    f"{path} was rewritten, not appended to, in one copy of the archive: "
                    "join the copies by hand"
                )
            lines = text.splitlines()
            added = mine[len(before) :].splitlines()
            text = "".join(f"{line}\n" for line in [*lines, *rechain(lines, added)])
        elif path in ours_changed:
            continue  # this copy's (a report made again)
        joined[path] = text
    # HEAD and index become theirs; the working tree keeps this copy's files.
    _git(records_dir, "reset", "-q", theirs_commit)
    for path, text in joined.items():
        target = records_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    commit_archive(records_dir, f"Records of this run, after {theirs_commit[:10]}")
