"""The archive keeps its own git history: each run commits RECORDS_DIR to a repository inside it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from checks.addresses import without_credentials
from checks.git_command import git_process, run_git, run_git_bytes

from .chain import START, ChainError, ChainFile, Checkpoint, line_hash, rechain, record_lines
from .index import FILES, INDEX, REPORT, city_time
from .lock import LOCK_FILE, holds_nothing_but_the_lock
from .pictures import ATTACHMENTS, INCOMING

IDENTITY = (
    "-c",
    "user.name=City of Trail records",
    "-c",
    "user.email=records@localhost",
    "-c",
    "commit.gpgsign=false",
)


class ArchiveSyncError(RuntimeError):
    """The archive could not be committed, or fetched from or pushed to its remote
    (RECORDS_REMOTE); the message is git's, without credentials."""


class NotAnArchive(ArchiveSyncError):
    """RECORDS_REMOTE holds something other than a records archive (the site's own
    repository, given by mistake, or branches but no main); the message names what else it
    holds."""


# What a records archive holds at its top: the folders of its chained files and of the
# moderation report, the .gitignore `commit_archive` writes, and the README a git host may
# start a new repository with.
ARCHIVE_ENTRIES = frozenset(
    {*(path.parts[0] for path in (*FILES.values(), REPORT)), ".gitignore", "README.md"}
)
# Only those are committed. The search index is rebuilt from the files (and while it is, kept
# beside them under a temporary name) and the lock only says which run holds this copy; anything
# else left in the folder (a Mac's .DS_Store, an FOI package written there) is no record, and
# pushed it would make the shared archive one every `records pull` refuses (`_not_an_archive`).
# Nor is a picture's download cut short by a killed run (which the next collect removes).
IGNORED = (
    "/*\n"
    + "".join(f"!/{entry}\n" for entry in sorted(ARCHIVE_ENTRIES))
    + f"/{ATTACHMENTS.as_posix()}/{INCOMING}*\n"
)


def is_an_archive(records_dir: Path) -> bool:
    """Whether RECORDS_DIR holds a records archive: one of its chained files, or the archive's
    own repository, nothing recorded yet (fetched from a new, empty remote): only the
    archive's entries, or its own .gitignore, which keeps anything left beside them (a Mac's
    .DS_Store) out of it. A folder that is there without one (the archive's `archive/`
    folder, the project's own) would be read as an intact archive of no records: verify
    would vouch for it, a search and an FOI export answer "no records"."""
    if any((records_dir / path).is_file() for path in FILES.values()):
        return True
    if not (records_dir / ".git").exists():
        return False
    ignore = records_dir / ".gitignore"
    # As `commit_archive` reads it (a line may end in \r\n in a clone on Windows).
    if ignore.is_file() and ignore.read_text(encoding="utf-8", errors="replace") == IGNORED:
        return True
    kept_beside = {".git", LOCK_FILE, INDEX}
    return all(entry.name in ARCHIVE_ENTRIES | kept_beside for entry in records_dir.iterdir())


def _keep_out_the_rest(records_dir: Path) -> None:
    """Write the archive's .gitignore, which keeps all but its own entries out of it."""
    ignore = records_dir / ".gitignore"
    if not ignore.exists() or ignore.read_text() != IGNORED:
        ignore.write_text(IGNORED)


def _git(
    records_dir: Path,
    *args: str,
    index: Path | None = None,
    stdin: str | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """git in the archive; `index`, a separate index file to build a commit in.

    A failure raises ArchiveSyncError with git's message (a `git add` stopped by a stale
    index.lock would otherwise look like nothing to commit, and a push report success);
    `check=False` where a non-zero exit is an answer, not a failure."""
    env = {**os.environ, "GIT_INDEX_FILE": str(index)} if index else None
    result = run_git(
        "-C", str(records_dir), *IDENTITY, *args, error=ArchiveSyncError, env=env, stdin=stdin
    )
    if check and result.returncode != 0:
        raise ArchiveSyncError(
            f"{records_dir}: git {args[0]} failed: {without_credentials(result.stderr)}"
        )
    return result


# Each commit stores the grown files whole, as loose objects, until git packs them (its own
# automatic packing waits for thousands of objects: gigabytes once the comment file is large).
REPACK_OVER_KIB = 64 * 1024


def commit_archive(
    records_dir: Path, message: str, repack_over_kib: int = REPACK_OVER_KIB
) -> str | None:
    """Commit everything under RECORDS_DIR; return the new commit, or None if nothing changed.

    ArchiveSyncError, and nothing committed, when a chained file is damaged (`damaged_records`):
    committed, a record changed or removed since the last commit would stand in the archive's
    history as what a run recorded (a last line changed still chains, as do earlier lines
    chained again after a change); pushed, the damage would stop every run that reads the
    shared archive (CI's too), or the join of the copies part way.

    When the loose objects pass `repack_over_kib`, they are packed: successive versions of an
    append-only file pack as small deltas of each other."""
    records_dir.mkdir(parents=True, exist_ok=True)
    if not (records_dir / ".git").exists():
        _git(records_dir, "init", "-q", "-b", "main")
    _keep_out_the_rest(records_dir)
    sizes = _sizes(records_dir, FILES.values())  # as the check below finds them
    problems = damaged_records(records_dir, FILES.values())
    if problems:
        raise ArchiveSyncError(
            "; ".join(problems) + "; nothing was committed, so that a damaged file does not "
            "reach the archive's history, nor the shared archive, where every run would stop "
            "on it. Delete a last line cut short by a power cut (a record never finished), or "
            f"put back only what was changed or removed, as `git -C {records_dir} diff` shows "
            "it, keeping every line added after it: they are this run's records (a post just "
            "made, say), and restoring the whole file as last committed would lose them. Then "
            "run it again."
        )
    _git(records_dir, "add", "-A")
    if _git(records_dir, "diff", "--cached", "--quiet", check=False).returncode == 0:
        _remember_intact(records_dir, sizes)
        return None
    _git(records_dir, "commit", "-q", "-m", message)
    _remember_intact(records_dir, sizes)
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


# The remote's commit this copy last took or pushed: the remote's history only ever grows
# from it, so one that no longer holds it was rewritten (force-pushed).
REMOTE_SEEN = "refs/records/remote-main"


# The newest commit whose chained files `commit_archive` found whole: every line readable, the
# chain unbroken, the lines committed before still at their start. A file that still starts
# with its version there is read, at the next commit, only from where that version ends: a
# decade of comments is tens of megabytes, and a run commits after each step. Only in this
# copy's repository, never pushed: a version fetched, joined or committed by hand is read
# whole once.
INTACT = "refs/records/intact"


@dataclass(frozen=True)
class Committed:
    """A file as a commit holds it."""

    blob: str
    size: int


def _committed_files(
    records_dir: Path, revision: str | None, paths: Collection[str]
) -> dict[str, Committed]:
    """Those of the files (`paths`, relative to RECORDS_DIR) that `revision` holds; none for
    no revision (nor for no paths: git would list the whole tree)."""
    if revision is None or not paths:
        return {}
    listed = _git(records_dir, "ls-tree", "-l", "-z", revision, "--", *paths).stdout
    files = {}
    for entry in filter(None, listed.split("\0")):
        meta, path = entry.split("\t", 1)
        _, kind, blob, size = meta.split()  # <mode> blob <id> <size>
        if kind == "blob":
            files[path] = Committed(blob, int(size))
    return files


def _sizes(records_dir: Path, paths: Iterable[Path]) -> dict[str, int]:
    """The size of each of the files that is there."""
    return {
        str(path): (records_dir / path).stat().st_size
        for path in paths
        if (records_dir / path).is_file()
    }


def _remember_intact(records_dir: Path, sizes: dict[str, int]) -> None:
    """HEAD as INTACT, when it holds the chained files as `damaged_records` found them whole
    (`sizes`, taken before it read them: a file grown meanwhile holds lines it did not read)."""
    head = _ref(records_dir, "HEAD")
    if head is None or head == _ref(records_dir, INTACT):
        return
    committed = _committed_files(records_dir, head, sizes)
    if {path: file.size for path, file in committed.items()} == sizes:
        _git(records_dir, "update-ref", INTACT, head)


def _as_committed(path: Path, committed: Committed) -> Checkpoint | None:
    """Where the lines `committed` holds end in the file, when it still starts with them all,
    as they were; None when it does not, or they do not end with a whole line. They are only
    hashed as bytes, as git names its blobs (a line changed where it is, its length kept,
    changes the hash), never read as records again."""
    digest = hashlib.new("sha1" if len(committed.blob) == 40 else "sha256")
    digest.update(b"blob %d\0" % committed.size)
    left, lines, last, piece = committed.size, 0, b"", b"\n"
    with path.open("rb") as handle:
        for line in handle:
            if not left:
                break
            piece = line[:left]
            digest.update(piece)
            left, lines = left - len(piece), lines + 1
            if piece.rstrip(b"\r\n"):  # the chain skips a blank line
                last = piece
    if left or not piece.endswith(b"\n") or digest.hexdigest() != committed.blob:
        return None
    # Found whole before: its lines are UTF-8.
    last_hash = line_hash(last.decode("utf-8").rstrip("\r\n")) if last else START.last_hash
    return Checkpoint(committed.size, lines, last_hash)


def _known_whole(
    records_dir: Path, path: str, at_head: Committed | None, intact: Committed | None
) -> Checkpoint:
    """How much of a file need not be read again: the version committed at HEAD, when it was
    found whole (INTACT holds it too) and the file still starts with it; else nothing."""
    if at_head is None or at_head != intact or not (records_dir / path).is_file():
        return START
    return _as_committed(records_dir / path, at_head) or START


def damaged_records(records_dir: Path, paths: Iterable[Path]) -> list[str]:
    """The first problem `invoke records verify` would find in each chained file (`paths`,
    relative to RECORDS_DIR) as it is now: a line that cannot be read (cut short by a power
    cut), a broken chain, or lines committed and since removed. A file that still starts with
    its version committed at HEAD, when INTACT holds that version too, is read only from where
    it ends: the lines added since, chained from the last line committed."""
    named = [str(path) for path in paths]
    head = _ref(records_dir, "HEAD")
    at_head = _committed_files(records_dir, head, named)
    intact = _committed_files(records_dir, _ref(records_dir, INTACT), named)
    problems = []
    for path in named:
        chain = ChainFile(records_dir / path)
        known = _known_whole(records_dir, path, at_head.get(path), intact.get(path))
        broken = chain.verify(after=known)
        if broken:
            problems.append(_unreadable(chain, known) or broken[0])
        elif head and known == START and (removed := _not_as_committed(records_dir, head, path)):
            problems.append(removed)
    return problems


def _unreadable(chain: ChainFile, after: Checkpoint) -> str | None:
    """Why a line of the file cannot be read (from `after` on), as every reader of the archive
    says it (a line cut short is not JSON, whatever its chain); None when every line can be."""
    try:
        for _ in chain.events(after):
            pass
    except ChainError as error:
        return str(error)
    return None


def pull_archive(records_dir: Path, remote: str) -> str:
    """Bring the archive from its remote before a run writes to it: clone it, or take the
    remote's new commits. Failing loudly matters: a run that started from an empty archive
    would not know what was already posted, and would post it all again."""
    new = not (records_dir / ".git").exists()
    if new:
        if not holds_nothing_but_the_lock(records_dir):
            raise ArchiveSyncError(
                f"{records_dir} holds files but is not the records repository; move them away"
            )
        existed = records_dir.exists()
        records_dir.mkdir(parents=True, exist_ok=True)
        _git(records_dir, "init", "-q", "-b", "main")
    else:
        # Lines written here and not yet committed are committed first: the join below works
        # on commits, and would otherwise write over them.
        commit_archive(records_dir, "Records not yet committed")
    try:
        found = _fetch_main(records_dir, remote, "clone" if new else "fetch")
    except ArchiveSyncError:
        if new:  # as it was: no archive here
            shutil.rmtree(records_dir / ".git" if existed else records_dir, ignore_errors=True)
        raise
    if not found:
        if new:  # so that it is the archive, whatever is left beside it before a commit
            _keep_out_the_rest(records_dir)
        return "the remote is empty: a new archive" if new else "the remote is empty"
    _take(records_dir, "FETCH_HEAD")
    return "cloned" if new else "up to date"


def _fetch_main(records_dir: Path, remote: str, verb: str) -> bool:
    """Fetch the remote's `main` into FETCH_HEAD, by name, whatever branch the remote's HEAD
    names (`push_archive` writes main); False for a remote with no branch at all: a new
    archive. ArchiveSyncError when it cannot be fetched (`verb`: clone or fetch), NotAnArchive
    when the remote holds something else."""
    fetched = _git(records_dir, "fetch", "-q", remote, "main", check=False)
    if fetched.returncode == 0:
        if problem := _not_an_archive(records_dir, remote, "FETCH_HEAD"):
            raise problem
        return True
    if "couldn't find remote ref" not in fetched.stderr:
        raise ArchiveSyncError(
            f"cannot {verb} the records archive: {without_credentials(fetched.stderr)}"
        )
    if branches := _branches(records_dir, remote):
        raise _no_main(remote, branches)
    return False


def _branches(records_dir: Path, remote: str) -> list[str]:
    """The names of the remote's branches."""
    listed = _git(records_dir, "ls-remote", "--heads", remote).stdout.splitlines()
    return [line.partition("\trefs/heads/")[2] for line in listed if "\trefs/heads/" in line]


def _no_main(remote: str, branches: list[str]) -> NotAnArchive:
    """A remote with branches but no `main` is not a new archive: taken as one, a run would
    not know what was already posted, and would post it all again (records pushed to another
    branch by hand, say), and its push would start a second archive beside them."""
    return NotAnArchive(
        f"RECORDS_REMOTE: {without_credentials(remote)} has no main branch, where the records "
        f"archive is kept, but has others: {', '.join(branches)}; give the archive's own "
        "private repository, or put the archive on its main (nothing was taken from it or "
        "pushed to it)"
    )


def _not_an_archive(records_dir: Path, remote: str, fetched: str) -> NotAnArchive | None:
    """Why the commit `fetched` from `remote` is not a records archive's, or None: it holds
    something at its top that no archive holds. Taken, it would be joined with the records,
    and the next push would put the ledger and every commenter's name where it points."""
    listed = _git(records_dir, "ls-tree", "-z", "--name-only", fetched).stdout.split("\0")
    others = sorted(set(listed) - ARCHIVE_ENTRIES - {""})
    if not others:
        return None
    return NotAnArchive(
        f"RECORDS_REMOTE: {without_credentials(remote)} is not a records archive: it holds "
        f"{', '.join(others)}; give the archive's own private repository (nothing was taken "
        "from it or pushed to it)"
    )


def push_archive(records_dir: Path, remote: str, attempts: int = 3) -> str | None:
    """Commit what a run left uncommitted, then push; return the commit pushed.

    When the remote moved meanwhile (a reviewer's decision pushed from elsewhere), its
    commits are taken first and this run's records put after them, then pushed again.
    """
    commit_archive(records_dir, "Records of a run that stopped before committing them")
    if _git(records_dir, "rev-parse", "-q", "--verify", "HEAD", check=False).returncode != 0:
        return None  # nothing recorded yet
    for _ in range(attempts):
        pushed = _git(records_dir, "push", "-q", remote, "HEAD:main", check=False)
        if pushed.returncode == 0:
            head = _git(records_dir, "rev-parse", "HEAD").stdout.strip()
            _git(records_dir, "update-ref", REMOTE_SEEN, head)
            return head
        fetched = _git(records_dir, "fetch", "-q", remote, "main", check=False)
        if fetched.returncode != 0:
            raise ArchiveSyncError(
                f"cannot push the records archive: {without_credentials(pushed.stderr)}"
            )
        if problem := _not_an_archive(records_dir, remote, "FETCH_HEAD"):
            raise problem
        _take(records_dir, "FETCH_HEAD")
    raise ArchiveSyncError(
        f"the records archive was still rejected after {attempts} tries: "
        f"{without_credentials(pushed.stderr)}; the records stay committed in {records_dir}"
    )


def _show(records_dir: Path, revision: str | None, path: str) -> str:
    if revision is None:
        return ""
    shown = _git(records_dir, "show", f"{revision}:{path}", check=False)
    return shown.stdout if shown.returncode == 0 else ""  # not in that revision


def _changed(records_dir: Path, base: str | None, revision: str) -> set[str]:
    if base is None:
        listed = _git(records_dir, "ls-tree", "-r", "--name-only", revision)
    else:
        listed = _git(records_dir, "diff", "--name-only", base, revision)
    return set(listed.stdout.split("\n")) - {""}


def _take(records_dir: Path, theirs: str) -> None:
    """Join the remote's `theirs` with this copy, and remember it as taken."""
    _join(records_dir, theirs)
    _git(records_dir, "update-ref", REMOTE_SEEN, theirs)


def _join(records_dir: Path, theirs: str) -> None:
    """Put this copy's commits after `theirs`, as one commit: both only ever appended.

    A hash-chained file both copies appended to keeps the remote's lines as they are, and
    this copy's new lines after them, chained anew (what each line records, and when, is
    unchanged). A file only one copy changed is taken from that copy; any other file both
    changed (the moderation report, made again by every run) is this copy's. The commit is
    built aside, in its own index, and the archive moved to it only once it is whole: a join
    stopped part way leaves the archive as it was.
    """
    ours = _git(records_dir, "rev-parse", "-q", "--verify", "HEAD", check=False).stdout.strip()
    theirs_commit = _git(records_dir, "rev-parse", theirs).stdout.strip()
    base_found = _git(records_dir, "merge-base", ours, theirs_commit, check=False) if ours else None
    base = base_found.stdout.strip() if base_found and base_found.returncode == 0 else None
    if ours and base is None:
        # Joined, every line this copy shares with the remote would be there twice.
        if _seen(records_dir) is None:  # never took from it: both began where it was empty
            raise _second_archive(records_dir, theirs_commit)
        raise _rewritten(records_dir, theirs_commit, "has no commit in common with this copy")
    if not _grew_from_seen(records_dir, theirs_commit):
        # Joined, the lines taken out of the remote would come back.
        raise _rewritten(
            records_dir, theirs_commit, "no longer holds the commit this copy last took or pushed"
        )
    if base == theirs_commit:
        return  # nothing new there
    if not ours or base == ours:
        _git(records_dir, "reset", "-q", "--hard", theirs_commit)
        return
    ours_changed = _changed(records_dir, base, ours)
    theirs_changed = _changed(records_dir, base, theirs_commit)
    index = records_dir / ".git" / "join-index"
    try:
        _git(records_dir, "read-tree", theirs_commit, index=index)
        for path in sorted(ours_changed):
            if path in theirs_changed and path.endswith(".jsonl"):
                blob = _joined_lines(records_dir, base, ours, theirs_commit, path)
            else:  # only this copy changed it, or a report made again
                # none for a file this copy removed: the remote's stays
                blob = _git(records_dir, "rev-parse", f"{ours}:{path}", check=False).stdout.strip()
            if blob:
                _git(
                    records_dir,
                    "update-index",
                    "--add",
                    "--cacheinfo",
                    f"100644,{blob},{path}",
                    index=index,
                )
        tree = _git(records_dir, "write-tree", index=index).stdout.strip()
        message = f"Records of this run, after {theirs_commit[:10]}"
        made = _git(records_dir, "commit-tree", tree, "-p", theirs_commit, "-m", message)
    finally:
        index.unlink(missing_ok=True)
    _git(records_dir, "reset", "-q", "--hard", made.stdout.strip())


def _rewritten(records_dir: Path, theirs: str, why: str) -> ArchiveSyncError:
    return ArchiveSyncError(
        f"the records archive's history on the remote was rewritten: its main ({theirs[:10]}) "
        f"{why}; join the copies by hand (README, 'Publishing: deploy and CI'); this copy's "
        f"records stay committed in {records_dir}"
    )


def _second_archive(records_dir: Path, theirs: str) -> ArchiveSyncError:
    """Two runs found the remote empty and each started an archive; the other pushed first.
    Nothing was rewritten, but the two histories share no commit, so a join could not tell
    which lines both hold."""
    return ArchiveSyncError(
        "another run pushed its own new records archive to the remote first, and this copy's "
        "archive, started here (from the remote while it was empty, or before RECORDS_REMOTE "
        f"was set), has no commit in common with its main ({theirs[:10]}); join the copies by "
        "hand (README, 'Publishing: deploy and CI'); this copy's records stay committed in "
        f"{records_dir}"
    )


def _ref(records_dir: Path, name: str) -> str | None:
    """The commit a ref of the archive's repository names; None when there is no such ref."""
    found = _git(records_dir, "rev-parse", "-q", "--verify", name, check=False)
    return found.stdout.strip() or None


def _seen(records_dir: Path) -> str | None:
    """The remote's commit this copy last took or pushed; None before it took or pushed any."""
    return _ref(records_dir, REMOTE_SEEN)


def _grew_from_seen(records_dir: Path, theirs: str) -> bool:
    """Whether the remote's `theirs` holds the commit this copy last took or pushed, if any."""
    seen = _seen(records_dir)
    if seen is None:
        return True  # none yet
    held = _git(records_dir, "merge-base", "--is-ancestor", seen, theirs, check=False)
    return held.returncode == 0


def _joined_lines(records_dir: Path, base: str | None, ours: str, theirs: str, path: str) -> str:
    """The blob of a chained file: the remote's lines, then this copy's new ones."""
    before, mine = _show(records_dir, base, path), _show(records_dir, ours, path)
    text = _show(records_dir, theirs, path)
    if not (mine.startswith(before) and text.startswith(before)):
        raise ArchiveSyncError(
            f"{path} was rewritten, not appended to, in one copy of the archive: "
            "join the copies by hand"
        )
    lines = record_lines(text)
    added = record_lines(mine[len(before) :])
    joined = "".join(f"{line}\n" for line in [*lines, *rechain(lines, added)])
    return _git(records_dir, "hash-object", "-w", "--stdin", stdin=joined).stdout.strip()


def removed_records(records_dir: Path, paths: Iterable[Path], full: bool = False) -> list[str]:
    """What the archive's git history says was in its chained files (`paths`, relative to
    RECORDS_DIR) and is gone, one problem each: a file committed at HEAD and now missing, or
    no longer starting with what was committed; and each commit that deleted one or did not
    only append to it. The hash chain cannot see these: what is left of a file cut short, or a
    file removed whole, still chains, as does a file whose last line was changed. Empty for an
    archive not yet committed. The commits are read since the last that an earlier call found
    only appending (VERIFIED), or all of them (`full`)."""
    if not (records_dir / ".git").exists():
        return []  # (git would read the repository around it)
    head = _git(records_dir, "rev-parse", "-q", "--verify", "HEAD", check=False).stdout.strip()
    if not head:
        return []
    named = [str(path) for path in paths]
    problems = [
        problem
        for path in named
        if (problem := _not_as_committed(records_dir, head, path)) is not None
    ]
    return [*problems, *_removed_in_commits(records_dir, named, full)]


def _blob(records_dir: Path, revision: str, path: str) -> bytes | None:
    """The file as committed at `revision`, as bytes (compared with the file as written,
    whatever the locale); None when it has no such file."""
    shown = run_git_bytes(
        "-C", str(records_dir), "show", f"{revision}:{path}", error=ArchiveSyncError
    )
    return shown.stdout if shown.returncode == 0 else None


def _seq(line: bytes, number: int) -> object:
    """A line's `seq`, as the chain numbers it (its line number for a line that has none)."""
    try:
        return json.loads(line).get("seq", number)
    except (ValueError, AttributeError):
        return number


def _lines_kept(was: list[bytes], now: list[bytes]) -> int:
    """How many of the lines a file `was` it still starts with `now`."""
    pairs = enumerate(zip(was, now, strict=False))
    return next((n for n, (before, after) in pairs if before != after), min(len(was), len(now)))


def _not_as_committed(records_dir: Path, head: str, path: str) -> str | None:
    """The problem with a file whose committed lines are not all still at its start."""
    committed = (_blob(records_dir, head, path) or b"").splitlines()
    if not committed:
        return None
    where, at = records_dir / path, head[:10]
    if not where.exists():
        return f"{where}: missing; {len(committed)} line(s) were committed at {at}"
    working = where.read_bytes().splitlines()
    if working[: len(committed)] == committed:
        return None  # grown since, or as committed
    kept = _lines_kept(committed, working)
    if kept == len(working):  # all that is left is as committed: the rest was cut off
        first, last = _seq(committed[kept], kept + 1), _seq(committed[-1], len(committed))
        return (
            f"{where}: {len(committed) - kept} line(s) committed at {at} are missing from its "
            f"end: lines {kept + 1} to {len(committed)}, seq {first} to {last}"
        )
    return (
        f"{where}: line {kept + 1} is not the one committed at {at} (seq "
        f"{_seq(committed[kept], kept + 1)}): lines were changed or removed"
    )


@dataclass(frozen=True)
class FileChange:
    """One commit's change to one file, as `git log --raw` gives it."""

    commit: str
    made: str  # when the commit was made, in City time, and its subject
    path: str
    status: str  # M modified, D deleted, A added
    before: str  # the blobs (all zeros for none)
    after: str


# What `_file_changes` reads: each commit's header, then its `--raw` lines. Its time as made,
# with the committer's offset (CI's is UTC's): shown in City time, as every records command
# shows times, the 25th in UTC being the evening of the 24th in Trail.
CHANGES_FORMAT = "--format=%x00%H%x09%cI%x09%s"


def _file_changes(log: str) -> list[FileChange]:
    """The changes in `git log --raw --no-abbrev CHANGES_FORMAT` output."""
    changes = []
    for entry in log.split("\0")[1:]:
        header, *lines = entry.splitlines()
        commit, when, subject = header.split("\t", 2)
        made = f"{city_time(when)}, {subject}"
        for line in lines:
            if line.startswith(":"):
                meta, path = line.split("\t", 1)
                _, _, before, after, status = meta.split()
                changes.append(FileChange(commit, made, path, status, before, after))
    return changes


@contextmanager
def _blob_reader(records_dir: Path) -> Iterator[Callable[[str], bytes]]:
    """A reader of blobs by id, each read through one `git cat-file --batch` for them all
    (not one git per blob), as it is asked for."""
    batch = ("-C", str(records_dir), "cat-file", "--batch")
    with git_process(*batch, error=ArchiveSyncError) as (asked, answers):

        def read(blob: str) -> bytes:
            asked.write(f"{blob}\n".encode())
            asked.flush()  # it answers each as it is asked (no --buffer)
            header = answers.readline().split()  # <blob> blob <size>, or <blob> missing
            if len(header) != 3:
                raise ArchiveSyncError(f"{records_dir}: git cannot read the blob {blob}")
            content = answers.read(int(header[2]) + 1)  # and its newline
            return content[:-1]

        yield read


def _not_appended(before: bytes, after: bytes) -> str | None:
    """What a commit did to a chained file that was not to append to it (None when all of
    `before` is still at the start of `after`). Joined copies pass: a join keeps the remote's
    lines as they are and puts this copy's after them."""
    if after.startswith(before):
        return None
    was, now = before.splitlines(), after.splitlines()
    kept = _lines_kept(was, now)
    if kept == len(now):  # all that is left is as it was: the rest was cut off
        return "removed records from it"
    return f"changed records in it, from line {kept + 1}"


# The newest commit on the archive's main line up to which `removed_records` found every
# chained file only appended to: the next call reads the versions committed since (each
# version of a file is read whole, and a run every 15 minutes makes thousands a year). Only
# in this copy's repository, never pushed; a history rewritten under it is read whole again.
VERIFIED = "refs/records/verified"


def _removed_in_commits(records_dir: Path, paths: list[str], full: bool) -> list[str]:
    """Each commit, on the archive's main line, that deleted one of the files or did not only
    append to it: records committed and then changed or removed. The hash chain cannot see a
    last line changed (no later line holds its hash), nor earlier lines changed and the lines
    after them chained again. Read from one `git log` and one `git cat-file`, each version of
    a file read once, back to the commit VERIFIED names (all, when `full` or not on the main
    line); when none is found, VERIFIED moves to the newest."""
    log = _git(
        records_dir,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--raw",
        "--no-renames",
        "--no-abbrev",
        CHANGES_FORMAT,
        "--",
        *paths,
    )
    changes = _file_changes(log.stdout)
    verified = None if full else _ref(records_dir, VERIFIED)
    problems = []
    # The log runs newest first: the version a change started from is the one the next change
    # of that file in the log ended with, kept for it, so that each version is read once.
    started_from: dict[str, tuple[str, bytes]] = {}
    with _blob_reader(records_dir) as read:
        for change in changes:
            if change.commit == verified:
                break  # it and every commit before it were found only appending
            where = f"{records_dir / change.path}: commit {change.commit[:10]} ({change.made})"
            if change.status == "D":
                problems.append(f"{where} deleted it")
            elif change.status == "M":
                kept_blob, kept = started_from.get(change.path, ("", b""))
                after = kept if kept_blob == change.after else read(change.after)
                before = read(change.before)
                started_from[change.path] = (change.before, before)
                if (problem := _not_appended(before, after)) is not None:
                    problems.append(f"{where} {problem}")
    if changes and not problems:
        _git(records_dir, "update-ref", VERIFIED, changes[0].commit)
    return problems
