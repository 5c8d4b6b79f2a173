"""Revisions: every announcement page shows its history from git, the authoritative record.

For each announcement, the date and one-line change note of every commit that touched its
file (never the author's name or email), newest first, and a link to the file's full history
in the public repository (`SOURCE_HISTORY_URL`, a template with `{path}`, e.g.
`https://github.com/city-of-trail/announcements/commits/main/{path}`; empty: no link). A
control character in a note (U+000B pasted from Word, ESC from a terminal) is shown as a
space: HTML forbids it, and git keeps a message as typed.

A file renamed or moved within the content folder keeps its history: the revisions of a
path are those of every commit that changed a file there, and those of each name a file
renamed to it had before (as git finds renames: `-M`, a new file at least half the same as
one deleted in that commit). Without them an event's calendar SEQUENCE, counted from its
revisions, went back at a rename, and calendars kept the event its withdrawal cancelled.

One `git log` for the whole content folder per build, not one per file. Git compares every
commit's tree with its parent's, so that log grows with commits times files (seconds for a
decade of announcements in one folder); with Pelican's caching on (CACHE_CONTENT), the
history is kept in CACHE_PATH and a build reads only the commits made since, unless history
was rewritten.

In a shallow clone (CI's checkouts often are) the oldest commit fetched looks as if it added
every file: its change note is not shown, the pages list only the revisions fetched after it,
and the build says so (fetch the whole history, `fetch-depth: 0`, for complete lists).

A change note that would disclose what the content lint keeps off the site (an email address
or phone number not on the City's list, a valid SIN, card or health number, a private
address, a word on the City's lists), by a rule `policy/lint.yml` sets to error, is shown as
"Updated". A pushed commit cannot be amended without rewriting the record, so failing the
build would stop every build from then on; instead each build reports the commit and the
rules its note breaks (never the note: CI logs may be public), for the CEC to follow up.
With caching on, each note is checked once per policy: the verdicts are kept in CACHE_PATH
with a digest of `policy/` as loaded and of the lint's code, and any change to either checks
every note again.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import pickle
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pelican import signals

import checks.lint
from announcements.model import invisible_characters_as_spaces
from checks.git_command import run_git
from checks.lint import Policy, text_findings
from page_cache.store import put_in_place

logger = logging.getLogger(__name__)
T = TypeVar("T")
# The build fails on any warning, and a withheld note is not the content's fault: it is
# reported at INFO, which `invoke build` (showing warnings only) would otherwise hide.
logger.setLevel(logging.INFO)

LOG_FORMAT = "--format=%x01%H%x00%aI%x00%s"
# Its version in the name: a history kept by a build before 2 holds git's quoted file names
# (see `parse_log`), and one kept before 3 does not follow renames, so a restored one is read
# again whole, not added to.
CACHE_FILE = "revisions-3.pickle"
NOTES_CACHE_FILE = "revision-notes.pickle"
# The policy `invoke lint` applies: the repository's, whichever content folder is built.
POLICY_DIR = Path(__file__).resolve().parents[2] / "policy"
WITHHELD_NOTE = "Updated"
# The content lint's rules about what a text discloses. Not "confidential": in a note, the
# word describes a change ("Remove confidential figures") rather than marking it secret.
NOTE_RULES = frozenset(
    {
        "personal-sin",
        "personal-card",
        "personal-phn",
        "personal-email",
        "personal-phone",
        "private-address",
        "profanity",
    }
)


@dataclass(frozen=True)
class Revision:
    commit: str
    date: datetime
    note: str


@dataclass(frozen=True)
class Commit:
    """One commit of the log, and what it did to files under the content folder."""

    revision: Revision
    changed: tuple[str, ...]  # the paths it added, modified or deleted a file at
    renamed: tuple[tuple[str, str], ...]  # (old path, new path) of each file it renamed


@dataclass(frozen=True)
class History:
    """Every content file's revisions, newest first, as of commit `head`."""

    head: str
    prefix: str  # the content folder within the repository, "" or ending in "/"
    revisions: dict[str, list[Revision]]  # by path relative to the content folder
    whole: bool = True  # False in a shallow clone: the revisions before its cut are missing


@dataclass(frozen=True)
class NoteChecks:
    """The NOTE_RULES each commit's change note breaks ([] for most), as checked under the
    policy and lint code whose digest is `policy`."""

    policy: str
    broken: dict[str, list[str]]  # by commit


def _git(folder: Path, *args: str) -> str | None:
    result = run_git("-C", str(folder), *args)  # without git, the build stops naming it
    return result.stdout if result.returncode == 0 else None


def parse_log(output: str) -> list[Commit]:
    """`git log -z --format=%x01%H%x00%aI%x00%s --name-status -M` → its commits, in its order.

    With -z, each status and name is as it is on disk, ended by a NUL (after the header's NUL
    and a line feed); without it git quotes a name with an accent
    ("2026-11-20-f\\303\\252te.md"), which then names no page. A rename (R and its
    similarity) or copy (C) is followed by the old name and the new; a copy is a new file."""
    commits = []
    for block in output.split("\x01")[1:]:
        commit, date, note, names = block.split("\x00", 3)
        revision = Revision(
            commit, datetime.fromisoformat(date), invisible_characters_as_spaces(note)
        )
        fields = names.removeprefix("\n").split("\x00")
        changed: list[str] = []
        renamed: list[tuple[str, str]] = []
        at = 0
        while at < len(fields) and fields[at]:
            status = fields[at]
            if status[0] == "R":
                renamed.append((fields[at + 1], fields[at + 2]))
            elif status[0] == "C":
                changed.append(fields[at + 2])
            else:
                changed.append(fields[at + 1])
            at += 3 if status[0] in "RC" else 2
        commits.append(Commit(revision, tuple(changed), tuple(renamed)))
    return commits


def follow(known: dict[str, list[Revision]], commits: list[Commit]) -> dict[str, list[Revision]]:
    """The revisions `known` (by path, newest first) with those of `commits` (newest first, as
    git lists them) added, each path's including those of the names each file renamed to it
    had before, so that a file's history and an event's SEQUENCE go on across a rename, read
    whole or in parts alike. A path keeps what it had (a file renamed away, or deleted, and
    another put there later: the path's history goes on growing, as it did before renames were
    followed); a file git does not find renamed is a new file."""
    growing: dict[str, list[Revision]] = {}  # oldest first, for each path the commits touch

    def at(path: str) -> list[Revision]:
        if path not in growing:
            growing[path] = known.get(path, [])[::-1]
        return growing[path]

    for commit in reversed(commits):
        # Git renames a file only from a name the commit deletes to one it adds (two files
        # trading names are two changes; `-B` would find them, reading every changed file).
        for old, new in commit.renamed:
            there = at(new)
            if not there:
                there.extend(at(old))
            else:  # a path used before: its history and the file's
                seen = {r.commit for r in there}
                there.extend(r for r in at(old) if r.commit not in seen)
                there.sort(key=lambda r: r.date)  # stable: commits of one time keep their order
        for path in {*commit.changed, *(p for pair in commit.renamed for p in pair)}:
            at(path).append(commit.revision)
    followed = dict(known)
    for path, found in growing.items():
        followed[path] = newest_first(found[::-1])
    return followed


def _log(content_dir: Path, revisions: str) -> str | None:
    """The commits of `revisions`, each with the files it changed and renamed under the
    content folder (for `parse_log`).

    `--relative` names files relative to the content folder, as Pelican's source paths, and
    leaves out the rest (a file moved in from outside it is new); a pathspec would make git
    compare every commit's trees twice. `-M` whatever git's configuration says: git compares
    the contents of files only in a commit that both deletes and adds one.
    """
    return _git(
        content_dir, "log", "-z", LOG_FORMAT, "--name-status", "-M", "--relative", revisions
    )


def newest_first(revisions: list[Revision]) -> list[Revision]:
    """By the date shown; commits of one time keep git's order (a child before its parent),
    so the order is the same whether the history was read whole or in parts."""
    return sorted(revisions, key=lambda r: r.date, reverse=True)  # stable, even reversed


def read_history(content_dir: Path, previous: History | None = None) -> History | None:
    """The content folder's history (None outside git), reading only the commits since
    `previous` when its commit is still an ancestor of HEAD."""
    prefix = _git(content_dir, "rev-parse", "--show-prefix")
    if prefix is None:
        return None
    prefix = prefix.strip()
    head = (_git(content_dir, "rev-parse", "--verify", "-q", "HEAD") or "").strip()
    if not head:
        return History("", prefix, {})  # a repository without commits yet
    if previous is not None and previous.prefix == prefix and previous.whole:
        if previous.head == head:
            return previous
        if (
            previous.head
            and _git(content_dir, "merge-base", "--is-ancestor", previous.head, head) is not None
        ):
            log = _log(content_dir, f"{previous.head}..{head}")
            if log is not None:
                return History(head, prefix, follow(previous.revisions, parse_log(log)))
    log = _log(content_dir, head)
    commits = parse_log(log or "")
    if cut := shallow_boundary(content_dir):
        commits = [c for c in commits if c.revision.commit not in cut]
    return History(head, prefix, follow({}, commits), not cut)


def shallow_boundary(folder: Path) -> frozenset[str]:
    """The commits a shallow clone was cut at (none in a whole clone): git shows each as
    adding every file it holds, which would put its note on every page."""
    if (_git(folder, "rev-parse", "--is-shallow-repository") or "").strip() != "true":
        return frozenset()
    shallow = (
        _git(folder, "rev-parse", "--path-format=absolute", "--git-path", "shallow") or ""
    ).strip()
    try:
        return frozenset(Path(shallow).read_text(encoding="ascii").split())
    except OSError:
        return frozenset()


def _cached(settings: dict[str, Any], name: str) -> Path | None:
    return Path(settings["CACHE_PATH"]) / name if settings.get("CACHE_CONTENT") else None


def _load(settings: dict[str, Any], name: str, kind: type[T]) -> T | None:
    cache = _cached(settings, name)
    if cache is None or not settings.get("LOAD_CONTENT_CACHE"):
        return None
    try:
        with cache.open("rb") as stored:
            kept = pickle.load(stored)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
    return kept if isinstance(kept, kind) else None


def _save(settings: dict[str, Any], name: str, kept: object) -> None:
    cache = _cached(settings, name)
    if cache is None:
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_suffix(".tmp")
    with temporary.open("wb") as stored:
        pickle.dump(kept, stored, protocol=pickle.HIGHEST_PROTOCOL)
    put_in_place(temporary, cache)


def load_history(settings: dict[str, Any]) -> History | None:
    return _load(settings, CACHE_FILE, History)


def save_history(settings: dict[str, Any], history: History) -> None:
    _save(settings, CACHE_FILE, history)


def unpublishable(note: str, policy: Policy) -> list[str]:
    """The NOTE_RULES set to error that a change note breaks, checked as the lint checks a
    paragraph (a note is shown as text, and a commit message has no place for a waiver)."""
    found = text_findings(note, policy)
    return sorted(
        {rule for rule, _ in found if rule in NOTE_RULES and policy.severity.get(rule) == "error"}
    )


def policy_digest(policy: Policy) -> str:
    """Names the policy as loaded and the lint's code, which together decide every verdict."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(inspect.getsource(checks.lint).encode())
    for part in (policy.severity.items(), policy.public_emails, policy.public_phones, policy.words):
        hasher.update(repr(sorted(part)).encode())
    return hasher.hexdigest()


def check_notes(
    revisions: dict[str, list[Revision]], policy: Policy, known: NoteChecks | None = None
) -> NoteChecks:
    """Every commit's broken NOTE_RULES, reusing `known` verdicts made under the same policy
    (a decade of notes takes a tenth of a second to check, on every rebuild otherwise)."""
    digest = policy_digest(policy)
    reused = known.broken if known is not None and known.policy == digest else {}
    notes = {r.commit: r.note for found in revisions.values() for r in found}
    return NoteChecks(
        digest,
        {c: reused[c] if c in reused else unpublishable(n, policy) for c, n in notes.items()},
    )


def publishable(
    revisions: dict[str, list[Revision]], checks: NoteChecks
) -> dict[str, list[Revision]]:
    """The revisions as the pages may show them: a note the lint would not publish is
    replaced by WITHHELD_NOTE, and its commit is reported once."""
    shown: dict[str, Revision] = {}
    for commit, revision in {r.commit: r for found in revisions.values() for r in found}.items():
        shown[commit] = revision
        if rules := checks.broken[commit]:
            shown[commit] = replace(revision, note=WITHHELD_NOTE)
            logger.info(
                "commit %s: its change note is shown on the site as '%s' (it breaks the "
                "content lint's %s); the commit and the public repository keep it: see README",
                commit[:10],
                WITHHELD_NOTE,
                ", ".join(rules),
            )
    return {path: [shown[r.commit] for r in found] for path, found in revisions.items()}


def add_revisions(generator: Any) -> None:
    settings = generator.settings
    previous = load_history(settings)
    history = read_history(Path(settings["PATH"]), previous)
    if history is not None and history is not previous and history.whole:
        save_history(settings, history)  # a shallow clone's is read again once it is whole
    if history is not None and not history.whole:
        logger.info(
            "the content folder is in a shallow clone: the pages list only the revisions "
            "fetched; fetch the whole history (git fetch --unshallow; in CI, fetch-depth: 0)"
        )
    revisions: dict[str, list[Revision]] = {}
    if history is not None:
        policy = Policy.load(POLICY_DIR)  # on every build: a change applies at once
        known = _load(settings, NOTES_CACHE_FILE, NoteChecks)
        checks = check_notes(history.revisions, policy, known)
        if checks != known:
            _save(settings, NOTES_CACHE_FILE, checks)
        revisions = publishable(history.revisions, checks)
    template = settings.get("SOURCE_HISTORY_URL") or ""
    for article in [*generator.articles, *generator.hidden_articles]:
        source = article.relative_source_path
        article.revisions = revisions.get(source, [])
        article.history_url = (
            template.format(path=f"{history.prefix}{source}") if template and history else ""
        )


def register() -> None:
    signals.article_generator_finalized.connect(add_revisions)
