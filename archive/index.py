"""The archive's records, read from its append-only files, and a SQLite full-text index of them.

The files are the records; `index.sqlite` is only a way to find them, rebuilt from the files
at any time (`invoke records reindex`) and never the source of truth. The index remembers the
size and time of each file it was built from and where the lines it indexed end; when a file
has changed, a search first indexes the lines added to it since (the files only ever grow), so
a search or an FOI export always sees every record collected or moderated before it, without
reading a decade of records again to find what one run added. A file that no longer starts
with the lines indexed (cut back, or its lines chained anew by `records pull`) has the index
built again whole.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from moderation import line_types as moderation_lines
from syndication import ledger
from syndication.config import REQUIRED

from .chain import START, ChainFile, Checkpoint, naming_line
from .comment_types import COMMENTS_FILE, PICTURE_LINE
from .comment_types import check_types as check_comment
from .comments import Repeats, how_removed
from .pictures import VersionKey

# The City's time zone: dates a records officer types (`--from 2026-11-24`) are City days,
# and `invoke new`/`status` read announcement times in it. pelicanconf.TIMEZONE must agree
# (a test checks); it is spelled here because the records tools run without the site settings.
CITY = ZoneInfo("America/Vancouver")

# Which file holds which type of record, relative to RECORDS_DIR.
FILES = {
    "post": Path("syndication") / "ledger.jsonl",
    "comment": COMMENTS_FILE,
    "moderation": Path("archive") / "moderation.jsonl",
}
# How each file's lines are checked as their readers read them, and named when one is not so
# (added by hand): its fields' types, as their writers give them (and, for the ledger, the
# fields its readers take from every line), as the commands that read the file check them.
LINES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "post": (ledger.check_line, ledger.LINE),
    "comment": (check_comment, "comment"),
    "moderation": (moderation_lines.check_types, "moderation"),
}
# The moderation report (moderation/report.py), the archive's one file that is not chained.
REPORT = Path("moderation") / "report.html"
INDEX = "index.sqlite"
# Who the City's own posts are by (and its Page or channel when it replies to a comment).
CITY_NAME = "City of Trail"
# Where a moderation record is filed whose comment the archive has no line of (disposed of
# before the decisions about it, kept longer) and whose line names no announcement (written
# before the moderation log named it): a blank one reads as a record filed nowhere. No slug
# has parentheses.
UNKNOWN_ANNOUNCEMENT = "(unknown announcement)"
# An index built with other columns, or from other lines (before corrections and withdrawals
# were records) or texts (before a decision said keep or hide) or times (before an edit was
# dated when it was made) or with a comment twice (collected by two runs at once, before a
# repeat counted once) or with the City's deleted answer as a third party's (before deletion
# lines said whose the comment was) or without where each file's lines indexed end (before
# a search indexed only the lines added) or without the commenter a moderation record is
# about among its words (before a search for a commenter found those) or without the X
# @username of whose comment it is (before a search found them by it) or with a moderation
# record whose comment the archive has no line of under a blank announcement (before it was
# UNKNOWN_ANNOUNCEMENT), is rebuilt before it is searched.
SCHEMA = 11
# The fields of a record, in the order the index stores them (and the CSV export lists them).
COLUMNS = (
    "type",
    "file",
    "line",
    "time",
    "platform",
    "announcement",
    "post_id",
    "comment_id",
    "author",
    "commenter",
    "text",
)
# The platforms, as the archive names them, and the other names people give them: X was
# Twitter until 2023, and the archive keeps its records under that name.
PLATFORMS = tuple(REQUIRED)
PLATFORM_ALIASES = {"x": "twitter"}
# C0 and C1 control characters and DEL: in a terminal, ESC and CSI start sequences that clear
# the screen, hide or forge text and links, or write to the clipboard (OSC 52). And Unicode's
# bidirectional embeddings, overrides and isolates, which show the text after them in another
# order (U+202E backwards): a name so written turns the rest of the line around.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class ArchiveRecord:
    """One line of the archive, with what search and export need pulled out."""

    type: str  # post (created, corrected or withdrawn), comment or moderation
    file: str
    line: int
    time: str
    platform: str
    announcement: str
    post_id: str
    comment_id: str
    author: str  # who wrote it: the commenter, the City, or for moderation the reviewer
    commenter: str  # whose comment it is about (comments and moderation records)
    text: str
    data: dict[str, Any]
    # The X @username of whose comment it is (comments and moderation records): how an X
    # commenter is known, whatever name they display. Searched, never exported as a column.
    username: str = ""
    # For a comment version or deletion a second collect wrote again (`Repeats`, read by
    # `every_line_record` alone), the line of the record it repeats; 0 for any other.
    repeats: int = 0

    @property
    def is_intent(self) -> bool:
        """Whether it is an intent, written before a call to a platform (read by
        `every_line_record` alone): the ledger's, or a moderation decision's. Its outcome
        line has the same `op`."""
        if self.type == "post":
            return self.data.get("phase") == "intent"
        return self.type == "moderation" and self.data.get("kind") == "intent"

    @property
    def published_nothing(self) -> bool:
        """Whether it is a ledger line, not an intent, that published nothing (read by
        `every_line_record` alone): a failed, cancelled or deferred outcome or note, an update
        that sent nothing new. It is part of its post's history (retention lists it with it)."""
        return self.type == "post" and not self.is_intent and _posted_text(self.data) is None

    @property
    def key(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def is_comment_version(self) -> bool:
        """Whether it is a version of a comment (not its deletion, nor a later line about it)."""
        return self.type == "comment" and self.data.get("kind") == "comment"

    @property
    def version(self) -> VersionKey:
        """The comment version a comment-file record is of, or is about (its picture's line)."""
        return (self.platform, self.comment_id, int(self.data.get("version", 0)))

    def summary(self, width: int = 100) -> str:
        """One line for `invoke records search`: when, what, where, who wrote it, the start
        of the text, and the file and line that hold the record."""
        who = " ".join(filter(None, [self.author, self._about()]))
        who = f"{who}: " if who else ""
        text = " ".join(self.text.split())[:width]
        where = f"{self.platform:<9} {self.announcement}"
        when = city_time(self.time)
        return printable(f"{when}  {self.type:<10} {where}  {who}{text}  ({self.key})")

    def _about(self) -> str:
        """Whose comment a moderation record is about: a search for the commenter finds it,
        and its line says why, its author being the reviewer."""
        if self.type != "moderation" or not self.commenter:
            return ""
        return f"on {self.commenter}'s comment"


def printable(text: str) -> str:
    """Text from outside (a comment, its author, a platform's message) as a terminal may show
    it: each control character (and bidirectional override) written out (`\\x1b`, `\\u202e`)
    rather than acted on."""
    return CONTROL.sub(lambda m: _written_out(m.group(0)), text)


def _written_out(character: str) -> str:
    """A character as Python writes it in a string: `\\x1b`, `\\u202e`."""
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def chains(records_dir: Path) -> dict[str, ChainFile]:
    return {kind: ChainFile(records_dir / path) for kind, path in FILES.items()}


def read_records(records_dir: Path) -> Iterator[ArchiveRecord]:
    """Every archive line worth finding: what was posted, corrected or withdrawn, every
    comment version, every moderation classification and decision (not the intents written
    before a call, which their outcome lines repeat; nor a comment's version or deletion that
    a second run collecting at once wrote again: its first line is the record)."""
    return _records(_Earlier(records_dir), records_dir)


def every_line_record(records_dir: Path) -> Iterator[ArchiveRecord]:
    """`read_records`, and the lines it leaves out that are kept as records all the same
    (retention lists them): the intents (`is_intent`), the ledger's lines that published
    nothing (`published_nothing`) and the repeats of a comment's version or deletion
    (`repeats`), each as the record it would be. Not the picture lines
    (`picture_line_records`)."""
    return _records(_Earlier(records_dir, every_line=True), records_dir)


def _records(earlier: _Earlier, records_dir: Path) -> Iterator[ArchiveRecord]:
    """The records `earlier` makes of the archive's lines, read in order."""
    for kind, chain in chains(records_dir).items():
        name = str(FILES[kind])
        for number, event in chain.reading():
            record = earlier.record(kind, name, number, event)
            if record is not None:
                yield record


def picture_line_records(records_dir: Path) -> Iterator[ArchiveRecord]:
    """The lines a later collect wrote about a comment version's picture (`comment_picture`),
    as records: a search finds the version, not these (`read_records` leaves them out), but
    they name its author, the comment and the picture's file, so retention lists each with
    its version."""
    chain = ChainFile(records_dir / FILES["comment"])
    for number, event in chain.reading():
        if event.get("kind") != PICTURE_LINE:
            continue
        with naming_line(chain.path, number, "comment"):
            check_comment(event)
            yield ArchiveRecord(
                type="comment",
                file=str(FILES["comment"]),
                line=number,
                time=utc(event.get("time")),
                platform=event["platform"],
                announcement=event["announcement"],
                post_id=event["post_id"],
                comment_id=event["comment_id"],
                author=event["author"],
                commenter=event["author"],
                text="",
                data=event,
            )


# Where a comment is and whose (announcement, post, author, X @username), for one the archive
# has no line of.
Whose = tuple[str, str, str, str]
NO_COMMENT: Whose = ("", "", "", "")


class _Earlier:
    """What reading a line of the archive takes from the lines before it, read in order (the
    ledger, the comments, then the moderation): the post each announcement last named on each
    platform (an update's line may not name it), where each comment is and whose (for the
    moderation lines about it), the comment versions and deletions recorded already
    (`Repeats`), and which comments are the City's answers.

    Reading on from where an index got to (`index`), what a line needs of a post or comment
    is restored from the records indexed about it, the first time a line names it: the lines
    before are not read again."""

    def __init__(
        self, records_dir: Path, index: sqlite3.Connection | None = None, every_line: bool = False
    ) -> None:
        self.records_dir = records_dir
        self.index = index
        # Intents, ledger lines that published nothing and repeats too (`every_line_record`).
        self.every_line = every_line
        self.post_ids: dict[tuple[str, str], str] = {}
        self.comment_posts: dict[tuple[str, str], Whose] = {}
        self.repeats = Repeats()
        self.citys_answers: set[tuple[str, str]] = set()
        self._posts_restored: set[tuple[str, str]] = set()
        # Each comment restored from the index, where it was and whose, as indexed.
        self._comments_restored: dict[tuple[str, str], Whose] = {}

    def record(
        self, kind: str, name: str, number: int, event: dict[str, Any]
    ) -> ArchiveRecord | None:
        """The record line `number` of the file `name` makes, if any; read in order.
        ChainError, naming the file, line and field, for a line without a field its kind has
        or with one not of its type (valid JSON, so written by hand: the archive's writers
        give every line them all, so typed), as the commands that read the file say it."""
        check, line = LINES[kind]
        with naming_line(self.records_dir / name, number, line):
            check(event)
            return self._record(kind, name, number, event)

    def _record(
        self, kind: str, name: str, number: int, event: dict[str, Any]
    ) -> ArchiveRecord | None:
        if kind == "post":
            self._restore_post((event.get("announcement", ""), event.get("platform", "")))
        else:
            self._restore_comment((event.get("platform", ""), event.get("comment_id", "")))
        if kind == "comment":
            if event.get("kind") == PICTURE_LINE:
                return None  # of a version's picture: export and retention read it with it
            repeated = self.repeats.earlier_line(event, number)
            if repeated is not None:
                return self._repeat(name, number, event, repeated) if self.every_line else None
            event = _whose_comment(event, self.citys_answers)
        return _record(
            kind, name, number, event, self.post_ids, self.comment_posts, self.every_line
        )

    def _repeat(
        self, name: str, number: int, event: dict[str, Any], repeated: int
    ) -> ArchiveRecord | None:
        """A repeat's line as the record it repeats, changing nothing read on (a stale copy's
        version does not become its comment's latest again)."""
        event = _whose_comment(event, set(self.citys_answers))
        record = _record("comment", name, number, event, self.post_ids, dict(self.comment_posts))
        return None if record is None else replace(record, repeats=repeated)

    def _restore_post(self, key: tuple[str, str]) -> None:
        if self.index is None or key in self._posts_restored:
            return
        self._posts_restored.add(key)
        # The post the last record of it named (none named yet: "").
        found = self.index.execute(
            "SELECT post_id FROM records WHERE announcement = ? AND platform = ?"
            " AND type = 'post' ORDER BY line DESC LIMIT 1",
            key,
        ).fetchone()
        if found and found[0]:
            self.post_ids[key] = found[0]

    def _restore_comment(self, key: tuple[str, str]) -> None:
        if self.index is None or key in self._comments_restored:
            return
        # Its records, one per line that was no repeat, read again as those lines were.
        indexed = self.index.execute(
            "SELECT announcement, post_id, author, username, data FROM records"
            " WHERE platform = ? AND comment_id = ? AND type = 'comment' ORDER BY line",
            key,
        )
        for announcement, post_id, author, username, data in indexed:
            event = json.loads(data)
            self.repeats.of_earlier(event)
            _whose_comment(event, self.citys_answers)
            self.comment_posts[key] = (announcement, post_id, author, username)
        self._comments_restored[key] = self.comment_posts.get(key, NO_COMMENT)

    def moved_comments(self) -> dict[tuple[str, str], Whose]:
        """The comments restored from the index that the lines read since place elsewhere or
        give another author (renamed on the platform): where each is now and whose. A
        moderation record tells these as the comment's last line does."""
        return {
            key: now
            for key, was in self._comments_restored.items()
            if (now := self.comment_posts.get(key, NO_COMMENT)) != was
        }


def _whose_comment(event: dict[str, Any], citys_answers: set[tuple[str, str]]) -> dict[str, Any]:
    """A comment line with whose comment it is (`by_city`) as the comment's versions say:
    a deletion line written before deletions said it is the City's when its comment is. The
    City's answers read so far (`citys_answers`) are kept up to date."""
    key = (event["platform"], event["comment_id"])
    if event["kind"] == "comment":
        if event.get("by_city"):
            citys_answers.add(key)
        else:
            citys_answers.discard(key)
    elif key in citys_answers and not event.get("by_city"):
        return {**event, "by_city": True}
    return event


def _posted_text(event: dict[str, Any]) -> str | None:
    """What the City published by a ledger line: a post's text; an update's edited text, or
    the reply that told the change (X); a withdrawal and its reason (or a reply it took down
    with the post); a post found removed on the platform itself (a `gone` note). None for a
    line that is
    no such record: an intent, a failure, an update that published nothing new."""
    if event.get("phase") == "gone":  # found deleted on the platform itself, not withdrawn
        return f"Post {event.get('remote_id')} no longer on {event['platform']}: removed there"
    if event.get("phase") != "done":
        return None
    action = event.get("action")
    if action in (ledger.CREATE, ledger.ADOPT):
        return str(event.get("text") or "")
    if action == "update":
        told = [t for t in (event.get("text"), event.get("reply_text")) if t]
        return "\n\n".join(told) if told else None
    if action == "withdraw" and event.get("reply_id"):
        # The City's update reply on X, deleted with its post (the post's line has the reason).
        return f"Reply {event['reply_id']} withdrawn with the post"
    if action == "withdraw":
        reason = event.get("reason")
        return f"Withdrawn: {reason}" if reason else "Withdrawn"
    return None


def _record(
    kind: str,
    name: str,
    number: int,
    event: dict[str, Any],
    post_ids: dict[tuple[str, str], str],
    comment_posts: dict[tuple[str, str], Whose],
    every_line: bool = False,
) -> ArchiveRecord | None:
    when = _written(event) if kind == "comment" else None
    common = {
        "type": kind,
        "file": name,
        "line": number,
        "time": utc(when or event.get("time")),
        "platform": event.get("platform", ""),
        "data": event,
    }
    if kind == "post":
        key = (event["announcement"], event["platform"])
        text = _posted_text(event)
        if text is None and every_line:
            # An intent, or a line that published nothing: of the post named before it.
            text = f"{event.get('phase', '')}: {event.get('action', '')}"
        elif text is None:
            return None
        # An update's line names the post it changed; one written before it did, the post
        # named before it.
        elif event.get("remote_id"):
            post_ids[key] = str(event["remote_id"])
        return ArchiveRecord(
            **common,
            announcement=event["announcement"],
            post_id=post_ids.get(key, ""),
            comment_id="",
            author=CITY_NAME,
            commenter="",
            text=text,
        )
    if kind == "comment":
        key = (event["platform"], event["comment_id"])
        author = event.get("author", "")
        username = str(event.get("author_username") or "")
        if event["kind"] != "comment":  # a deletion line does not repeat it
            username = comment_posts.get(key, NO_COMMENT)[3]
        comment_posts[key] = (event["announcement"], event["post_id"], author, username)
        text = event.get("text", "") if event["kind"] == "comment" else f"[{how_removed(event)}]"
        return ArchiveRecord(
            **common,
            announcement=event["announcement"],
            post_id=event["post_id"],
            comment_id=event["comment_id"],
            author=author,
            commenter=author,
            text=text,
            username=username,
        )
    if event.get("kind") == "intent" and not every_line:
        return None  # told again by its decision line, with whether the platform applied it
    # A moderation record is about someone's comment: it carries where the comment was and
    # whose it is (legal holds on an author hold these too), while its author is the reviewer.
    # Its comment's lines may be disposed of before it (kept longer): then the announcement
    # and post it names, written with it since they were (one from before names none).
    announcement, post_id, commenter, username = comment_posts.get(
        (event["platform"], event["comment_id"]),
        (event.get("announcement", ""), event.get("post_id", ""), "", ""),
    )
    return ArchiveRecord(
        **common,
        announcement=announcement or UNKNOWN_ANNOUNCEMENT,
        post_id=post_id,
        comment_id=event["comment_id"],
        author=event.get("who", ""),
        commenter=commenter,
        text=_moderation_text(event),
        username=username,
    )


def _written(event: dict[str, Any]) -> str | None:
    """When a comment's version was written, as the platform says: the first when the comment
    was made, an edit when it was edited (YouTube's `updatedAt`). None where the platform does
    not say (an edit on Facebook or X, a deletion): the line's own time, when collect found
    it. An edit dated by the comment's first day would escape a search `--from` the day it
    was made, and its retention period would end early."""
    if event.get("kind") != "comment":
        return None
    return event.get("created") if event.get("version") == 1 else event.get("updated")


def _moderation_text(event: dict[str, Any]) -> str:
    """What a moderation line says, as the search, the CSV and the FOI report give it: the
    classifier's action and the categories it found (`classification: hide (derogatory)`); a
    decision, keep or hide, on which version of the comment (when its line says), whether the
    platform applied it, and why (`decision: hide on version 2 (failed: …): reason`). A kept
    comment and a hidden one, or a hide the platform refused and one it applied, must not read
    alike."""
    if event["kind"] == "classification":
        categories = ", ".join(event.get("categories", []))
        found = f" ({categories})" if categories else ""
        return f"classification: {event.get('action', '')}{found}"
    result = f" ({event['result']})" if event.get("result") else ""
    reason = f": {event['reason']}" if event.get("reason") else ""
    on = f" on version {event['version']}" if event.get("version") else ""
    return f"{event['kind']}: {event.get('decision', '')}{on}{result}{reason}"


def utc(value: str | None) -> str:
    """ISO 8601 in UTC, so that times from every platform compare as text."""
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="seconds")


def city_time(value: str) -> str:
    """A recorded time (kept in UTC) as people here read it: City time with its offset,
    `2026-11-24 10:00 -08:00`, the clock of the City days that `--from` and `--to` take (a
    comment at 23:30 on the 24th in Trail is shown on the 24th, where a search finds it).
    Text that is not a time is shown as it is."""
    try:
        moment = datetime.fromisoformat(utc(value)).astimezone(CITY)
    except ValueError:
        return value
    return f"{moment:%Y-%m-%d %H:%M} {moment.isoformat()[-6:]}"


def _sources(records_dir: Path) -> list[tuple[str, int, int]]:
    """Each archive file's size and modification time: the files only ever grow, so these
    change whenever a record is added."""
    found = []
    for path in FILES.values():
        try:
            stat = (records_dir / path).stat()
        except FileNotFoundError:
            continue
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return found


@dataclass(frozen=True)
class Source:
    """An archive file as the index holds it: its size and modification time when its lines
    were read, and where the lines indexed end."""

    file: str
    size: int
    mtime_ns: int
    indexed: Checkpoint

    @property
    def stat(self) -> tuple[str, int, int]:
        return (self.file, self.size, self.mtime_ns)


def _indexed_sources(db: sqlite3.Connection) -> list[Source] | None:
    """What the index was built from; None when it has other columns."""
    if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
        return None
    rows = db.execute(
        "SELECT file, size, mtime_ns, indexed_size, lines, last_hash FROM sources ORDER BY file"
    )
    return [
        Source(file, size, mtime_ns, Checkpoint(indexed_size, lines, last_hash))
        for file, size, mtime_ns, indexed_size, lines, last_hash in rows
    ]


class SearchIndexError(RuntimeError):
    """The search index could not be built (a full disk, say); the message says where and why."""


def _cannot_build(records_dir: Path, error: Exception) -> SearchIndexError:
    return SearchIndexError(
        f"cannot build the search index in {records_dir} (RECORDS_DIR): {error}; the records "
        "themselves are untouched, and the next search builds the index again"
    )


def reindex(records_dir: Path) -> int:
    """Rebuild the search index from the files; return how many records it holds.
    SearchIndexError when it cannot be built: then the index is as it was."""
    target = records_dir / INDEX
    records_dir.mkdir(parents=True, exist_ok=True)
    building = records_dir / f".{INDEX}.{os.getpid()}.building"
    building.unlink(missing_ok=True)
    try:
        count = _build_index(building, records_dir)
        building.replace(target)
    except (sqlite3.Error, OSError) as error:
        raise _cannot_build(records_dir, error) from error
    finally:
        building.unlink(missing_ok=True)  # half built: of no use, and it holds the space
    return count


def _bring_up_to_date(records_dir: Path) -> None:
    """Index the lines added to the archive since the index was last brought up to date, or
    build it whole (see `_up_to_date`). SearchIndexError when it cannot be: then the index is
    as it was."""
    index = records_dir / INDEX
    try:
        if index.exists() and _up_to_date(index, records_dir):
            return
    except (sqlite3.OperationalError, OSError) as error:  # a full disk, say
        raise _cannot_build(records_dir, error) from error
    except sqlite3.DatabaseError:
        pass  # no index (damaged, say): made anew
    reindex(records_dir)


def _up_to_date(index: Path, records_dir: Path) -> bool:
    """Whether the index is up to date, once the lines added to the files since are indexed;
    False when it is to be built whole: it has other columns, or a file does not continue the
    lines it indexed."""
    # A search waits for another one indexing the lines added (a year's, perhaps).
    with closing(sqlite3.connect(index, timeout=60)) as db:
        indexed = _indexed_sources(db)
        if indexed is None:
            return False
        if [source.stat for source in indexed] == sorted(_sources(records_dir)):
            return True  # nothing added since
        return _index_lines_added(db, records_dir)


def _index_lines_added(db: sqlite3.Connection, records_dir: Path) -> bool:
    """Index the lines each file holds past those indexed; False (nothing written) when a
    file does not continue them, or the index was made anew meanwhile."""
    with db:
        # One search at a time: two reading on from the same lines would index them twice.
        db.execute("BEGIN IMMEDIATE")
        indexed = _indexed_sources(db)
        if indexed is None:
            return False
        reached = {source.file: source.indexed for source in indexed}
        files = chains(records_dir)
        if not all(files[kind].continues(reached.get(str(FILES[kind]), START)) for kind in FILES):
            return False
        _index_lines(db, records_dir, reached, _Earlier(records_dir, db))
    return True


INDEX_TABLES = """
CREATE TABLE sources (file TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,
  indexed_size INTEGER, lines INTEGER, last_hash TEXT);
CREATE TABLE records (id INTEGER PRIMARY KEY, type TEXT, file TEXT, line INTEGER,
  time TEXT, platform TEXT, announcement TEXT, post_id TEXT, comment_id TEXT,
  author TEXT, commenter TEXT, text TEXT, username TEXT, data TEXT);
-- The commenter too: a moderation record's author is the reviewer, yet it is about the
-- commenter, whose FOI request for their own information a search by their name (or X
-- @username) answers.
CREATE VIRTUAL TABLE records_fts USING fts5(text, author, commenter, username, announcement,
  content='records', content_rowid='id', tokenize='unicode61');
"""
# Made once the records are in: at once, that is faster than a record at a time.
INDEX_LOOKUPS = """
INSERT INTO records_fts(records_fts) VALUES ('rebuild');
CREATE INDEX records_time ON records(time);
-- What a line read on needs of the records of its comment or post (`_Earlier`).
CREATE INDEX records_comment ON records(platform, comment_id);
CREATE INDEX records_post ON records(announcement, platform);
-- From then on, the full-text index follows every record added or changed.
CREATE TRIGGER records_added AFTER INSERT ON records BEGIN
  INSERT INTO records_fts(rowid, text, author, commenter, username, announcement)
    VALUES (new.id, new.text, new.author, new.commenter, new.username, new.announcement);
END;
CREATE TRIGGER records_changed AFTER UPDATE ON records BEGIN
  INSERT INTO records_fts(records_fts, rowid, text, author, commenter, username, announcement)
    VALUES ('delete', old.id, old.text, old.author, old.commenter, old.username,
      old.announcement);
  INSERT INTO records_fts(rowid, text, author, commenter, username, announcement)
    VALUES (new.id, new.text, new.author, new.commenter, new.username, new.announcement);
END;
"""


def _build_index(building: Path, records_dir: Path) -> int:
    """Write the index of the archive's records into the file `building`; return how many."""
    with closing(sqlite3.connect(building)) as db:
        db.executescript(INDEX_TABLES)
        with db:
            added = _index_lines(db, records_dir, {}, _Earlier(records_dir))
        db.executescript(INDEX_LOOKUPS)
        db.execute(f"PRAGMA user_version = {SCHEMA}")
    return added


def _index_lines(
    db: sqlite3.Connection,
    records_dir: Path,
    reached: Mapping[str, Checkpoint],
    earlier: _Earlier,
) -> int:
    """Index each file's lines from where those indexed end (`reached`; none: from its start),
    and remember where they end now; return how many records they made."""
    added = 0
    # Taken before the lines are read: a line added while they are read is read next time.
    stats = {file: (size, mtime_ns) for file, size, mtime_ns in _sources(records_dir)}
    for kind, chain in chains(records_dir).items():
        name = str(FILES[kind])
        if name not in stats:
            continue
        if kind == "moderation":  # the comments are all read: say where each is now
            _restate_commenters(db, earlier.moved_comments())
        reading = chain.reading(reached.get(name, START))
        rows = [
            _row(record)
            for number, event in reading
            if (record := earlier.record(kind, name, number, event)) is not None
        ]
        db.executemany(
            f"INSERT INTO records ({', '.join(COLUMNS)}, username, data)"
            f" VALUES ({', '.join('?' * (len(COLUMNS) + 2))})",
            rows,
        )
        end = reading.reached
        db.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?)",
            (name, *stats[name], end.size, end.lines, end.last_hash),
        )
        added += len(rows)
    return added


def _row(record: ArchiveRecord) -> tuple[Any, ...]:
    data = json.dumps(record.data, ensure_ascii=False)
    return (*(getattr(record, c) for c in COLUMNS), record.username, data)


def _restate_commenters(db: sqlite3.Connection, moved: Mapping[tuple[str, str], Whose]) -> None:
    """The moderation records indexed about each comment `moved`, with where it is now and
    whose (as an index built whole would give them)."""
    db.executemany(
        "UPDATE records SET announcement = ?, post_id = ?, commenter = ?, username = ?"
        " WHERE platform = ? AND comment_id = ? AND type = 'moderation'",
        [(*where, *key) for key, where in moved.items()],
    )


def date_bound(text: str, *, end: bool = False) -> datetime:
    """A `--from`/`--to` value as a time: a date alone is that day in City time, from its
    first second (`end=False`) or to its last (`end=True`); a time without an offset is
    City time too. ValueError for one that is no time, or that has no time in UTC, where the
    archive keeps its times (the last hours of the year 9999 in Trail)."""
    try:
        bound = _as_time(text, end=end)
        bound.astimezone(UTC)
    except ValueError as error:  # named as given: "month must be in 1..12" alone is not
        reason = "" if str(error).startswith("Invalid isoformat") else f" ({error})"
        raise ValueError(f"'{text}' is not a date or time{reason}") from None
    except OverflowError:
        raise ValueError(
            f"'{text}' is out of range: times run from the year 1 to 9999, in UTC"
        ) from None
    return bound


def _as_time(text: str, *, end: bool) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo:
            return parsed + _rest_of(text) if end else parsed
        # In the hour the clocks repeat, a City time is two times: a search from it starts
        # at the first (fold 0), one to it ends at the second, so it misses neither.
        if end:
            return (parsed + _rest_of(text)).replace(tzinfo=CITY, fold=1)
        return parsed.replace(tzinfo=CITY)
    if end:  # times are kept to the second
        return datetime.combine(day + timedelta(days=1), time(), CITY) - timedelta(seconds=1)
    return datetime.combine(day, time(), CITY)


def _rest_of(text: str) -> timedelta:
    """From a time given to the hour or minute to its last second: a search shows 15:19:05
    at 15:19, so `--to 15:19` includes that minute, as `--to 2026-11-24` includes that day."""
    clock = re.split(r"[Z+-]", re.split(r"[T ]", text, maxsplit=1)[-1], maxsplit=1)[0]
    given = sum(c.isdigit() for c in clock)  # 15; 15:19 or 1519; 15:19:05
    if given <= 2:
        return timedelta(minutes=59, seconds=59)
    return timedelta(seconds=59) if given <= 4 else timedelta()


def platform_name(text: str) -> str:
    """A `--platform` value as the archive names the platform, in any case; ValueError for a
    name that is none of them (a search for it would answer "no records", falsely)."""
    name = text.strip().casefold()
    name = PLATFORM_ALIASES.get(name, name)
    if name not in PLATFORMS:
        known = (
            p + "".join(f" (or {alias})" for alias, q in PLATFORM_ALIASES.items() if q == p)
            for p in PLATFORMS
        )
        raise ValueError(f"'{text}' is not a platform; expected one of: {', '.join(known)}")
    return name


def search_query(query: str) -> str:
    """A search's QUERY as given; ValueError for one that holds something but no word the
    index keeps (`-`, `…`, an emoji): the index keeps letters and digits alone, so such a
    query would answer "no records", falsely. Blank is every record; beside a word,
    punctuation is only not searched for."""
    if query.strip() and not any(_indexed(char) for char in query):
        raise ValueError(
            f"'{query}' has no letter or digit to search for: the index keeps words, not "
            'punctuation, symbols or emoji; give a word of the records, or "" for every record'
        )
    return query


def search_author(author: str) -> str:
    """A search's `--author` as given; ValueError for a blank one (`""`, spaces): every name
    holds it, so it would match every record, as though no author were given."""
    if not name_key(author):
        raise ValueError(
            f"'{author}' holds no name: it would match every record; give part of a name or "
            "an X @username, or leave --author out for every record"
        )
    return author


def _indexed(char: str) -> bool:
    """Whether the full-text index keeps the character in its words: SQLite's unicode61
    tokenizer's default categories, letters (L*), numbers (N*) and private use (Co)."""
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


# Scripts written without a space between words (Chinese, Japanese, Thai, Lao, Khmer,
# Burmese) or whose words take their particles without one (Korean, "민수가"): a name written
# in them, or among them, is found wherever its letters are ("谢谢王小明的问题", "谢谢Ann的"),
# where the full-text index, and a name elsewhere, reads a run of them as one word: the
# search finds a word of them wherever its letters are (`_unspaced_terms`).
UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul jamo (a syllable as the search reads it: decomposed)
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fdf"  # CJK radicals
    "\u3005-\u3007"  # 々 〆 〇
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3130-\u318f"  # Hangul compatibility jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK unified ideographs, extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # halfwidth Katakana
    "\U00020000-\U0003134f"  # CJK unified ideographs, extensions B to G
)
IN_UNSPACED = re.compile(f"[{UNSPACED}]")


def search_words(text: str) -> set[str]:
    """The words of a text as the full-text index compares them: split wherever it keeps no
    character (see `_indexed`), in any case, accents dropped (unicode61 removes them, so a
    search for `emile` finds "Émile")."""
    bare = _accents_dropped(text)
    return set("".join(c if _indexed(c) else " " for c in bare.casefold()).split())


def _accents_dropped(text: str) -> str:
    """`text` decomposed (NFD) without its accents, as unicode61 reads letters."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


# Where a text's words may be: runs of ASCII letters and digits (which are words, as the index
# reads them) and of any other characters but spaces (read one by one: see `word_spans`).
_MAYBE_WORDS = re.compile(r"(?:[A-Za-z0-9]|[^\x00-\x7f\s])+")


def word_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where each word of a text is written, as `search_words` splits words: a run of the
    characters the index keeps, with any accent typed as a character of its own (a Mac's
    "E" and U+0301), which `search_words` drops. `search_words(text[start:end])` is the word
    so found (`Maria` in "Thanks Maria's crew", "Émile" however typed)."""
    for run in _MAYBE_WORDS.finditer(text):
        if run[0].isascii():  # most words: found faster
            yield run.span()
            continue
        start = None
        for at, char in enumerate(run[0], run.start()):
            if _indexed(char) or unicodedata.combining(char):
                start = at if start is None else start
            elif start is not None:
                yield start, at
                start = None
        if start is not None:
            yield start, run.end()


# The full-text index's columns as one text, a line each.
FTS_COLUMNS_AS_ONE = " || char(10) || ".join(
    f"coalesce({column}, '')"
    for column in ("text", "author", "commenter", "username", "announcement")
)


def _fts_query(words: Iterable[str]) -> str:
    """Each word as a quoted term (all must match), so user input is never FTS syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def search_fold(text: str) -> str:
    """A text as the search compares it, letter by letter: in any case, accents dropped, as
    the full-text index reads its words (`search_words`), then composed again, so that a
    Hangul syllable (which NFD writes as its letters) is matched whole: 김미 is not in 김민수."""
    return unicodedata.normalize("NFC", _accents_dropped(text)).casefold()


def _query_terms(query: str) -> tuple[list[str], list[str]]:
    """A query's words for the full-text index, and those holding an unspaced script, which
    it keeps whole with the run they are written in ("谢谢王小明的问题" is one of its words):
    each of their runs of letters, found wherever it is written (`search_fold`)."""
    words, unspaced = [], []
    for word in query.split():
        if IN_UNSPACED.search(word):
            folded = search_fold(word)
            unspaced += "".join(c if _indexed(c) else " " for c in folded).split()
        else:
            words.append(word)
    return words, unspaced


# The apostrophes a name is typed with: a phone's keyboard gives "O’Neil" where a PC gives
# "O'Neil", and some keyboards "ʼ" (U+02BC) or "‘".
APOSTROPHES = "'\u2019\u2018\u02bc"
_STRAIGHT_APOSTROPHES = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))


def name_as_written(name: str) -> str:
    """A person's name however it was typed: its accents composed (a Mac may save "é" as e and
    a combining accent, U+0301), every apostrophe straight, its words one space apart."""
    composed = unicodedata.normalize("NFC", name).translate(_STRAIGHT_APOSTROPHES)
    return " ".join(composed.split())


def name_key(name: str) -> str:
    """A person's name as names are compared (`records search --author`, a legal hold's
    `authors`, a severed FOI copy): in any case, accented letters too, however its accents and
    apostrophes were typed and however it is spaced, so "riley  COLE " is "riley cole" and
    "Sam O’Neil" is "sam o'neil". Written as typed otherwise: no character is a wildcard."""
    return name_as_written(name).casefold()


def username_key(name: str) -> str:
    """An X @username, or a name given as one, as usernames are compared (`records search
    --author`, a legal hold's `authors`): as `name_key`, without its `@`."""
    return name_key(name).removeprefix("@")


def search(
    records_dir: Path,
    query: str = "",
    *,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    author: str | None = None,
) -> list[ArchiveRecord]:
    """Matching records, oldest first (`platform` as the archive names it: see
    `platform_name`; `author` as `search_author` passes it, checked by `records search`
    before it fetches the archive). Indexes first the records added since the index was
    brought up to date (building it whole when there is none yet: see `_bring_up_to_date`)."""
    _bring_up_to_date(records_dir)
    where, params = [], []
    words, unspaced = _query_terms(search_query(query))
    if words:
        where.append("records.id IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)")
        params.append(_fts_query(words))
    for term in unspaced:  # the columns the full-text index has, read letter by letter
        where.append(f"instr(search_fold({FTS_COLUMNS_AS_ONE}), ?) > 0")
        params.append(term)
    if platform:
        where.append("platform = ?")
        params.append(platform)
    if since:
        where.append("time >= ?")
        params.append(utc(since.isoformat()))
    if until:
        where.append("time <= ?")
        params.append(utc(until.isoformat()))
    if author is not None:
        # Or the commenter a moderation record is about (its author is the reviewer), or
        # their X @username.
        where.append(
            "(instr(name_key(coalesce(author, '')), ?) > 0"
            " OR instr(name_key(coalesce(commenter, '')), ?) > 0"
            " OR instr(name_key(coalesce(username, '')), ?) > 0)"
        )
        name = name_key(author)
        params += [name, name, username_key(author) or name]
    sql = f"SELECT {', '.join(COLUMNS)}, username, data FROM records"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY time, file, line"
    with sqlite3.connect(records_dir / INDEX) as db:
        db.create_function("name_key", 1, name_key, deterministic=True)
        db.create_function("search_fold", 1, search_fold, deterministic=True)
        rows = db.execute(sql, params).fetchall()
    db.close()
    return [
        ArchiveRecord(
            **dict(zip(COLUMNS, row[:-2], strict=True)), username=row[-2], data=json.loads(row[-1])
        )
        for row in rows
    ]
