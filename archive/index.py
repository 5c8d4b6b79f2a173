"""The archive's records, read from its append-only files, and a SQLite full-text index of them.

The files are the records; `index.sqlite` is only a way to find them, rebuilt from the files
at any time (`invoke records reindex`) and never the source of truth. The index remembers the
size and time of each file it was built from, and a search rebuilds it when they differ, so a
search or an FOI export always sees every record collected or moderated before it.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from syndication.config import REQUIRED

from .chain import ChainFile
from .comments import Repeats, how_removed

# The City's time zone: dates a records officer types (`--from 2026-11-24`) are City days,
# and `invoke new`/`status` read announcement times in it. pelicanconf.TIMEZONE must agree
# (a test checks); it is spelled here because the records tools run without the site settings.
CITY = ZoneInfo("America/Vancouver")

# Which file holds which type of record, relative to RECORDS_DIR.
FILES = {
    "post": Path("syndication") / "ledger.jsonl",
    "comment": Path("archive") / "comments.jsonl",
    "moderation": Path("archive") / "moderation.jsonl",
}
# The moderation report (moderation/report.py), the archive's one file that is not chained.
REPORT = Path("moderation") / "report.html"
INDEX = "index.sqlite"
# Who the City's own posts are by (and its Page or channel when it replies to a comment).
CITY_NAME = "City of Trail"
# An index built with other columns, or from other lines (before corrections and withdrawals
# were records) or texts (before a decision said keep or hide) or times (before an edit was
# dated when it was made) or with a comment twice (collected by two runs at once, before a
# repeat counted once) or with the City's deleted answer as a third party's (before deletion
# lines said whose the comment was), is rebuilt before it is searched.
SCHEMA = 7
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

    @property
    def key(self) -> str:
        return f"{self.file}:{self.line}"

    def summary(self, width: int = 100) -> str:
        """One line for `invoke records search`: when, what, where, who wrote it, the start
        of the text, and the file and line that hold the record."""
        who = f"{self.author}: " if self.author else ""
        text = " ".join(self.text.split())[:width]
        where = f"{self.platform:<9} {self.announcement}"
        when = city_time(self.time)
        return printable(f"{when}  {self.type:<10} {where}  {who}{text}  ({self.key})")


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
    post_ids: dict[tuple[str, str], str] = {}
    comment_posts: dict[tuple[str, str], tuple[str, str, str]] = {}
    repeats = Repeats()
    citys_answers: set[tuple[str, str]] = set()
    for kind, chain in chains(records_dir).items():
        name = str(FILES[kind])
        for number, line in enumerate(chain.events(), start=1):
            if kind == "comment" and repeats.of_earlier(line):
                continue
            event = _whose_comment(line, citys_answers) if kind == "comment" else line
            record = _record(kind, name, number, event, post_ids, comment_posts)
            if record is not None:
                yield record


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
    if action in ("create", "adopt"):
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
    comment_posts: dict[tuple[str, str], tuple[str, str, str]],
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
        text = _posted_text(event)
        if text is None:
            return None
        # An update's line names the post it changed; one written before it did, the post
        # named before it.
        key = (event["announcement"], event["platform"])
        if event.get("remote_id"):
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
        comment_posts[key] = (event["announcement"], event["post_id"], author)
        text = event.get("text", "") if event["kind"] == "comment" else f"[{how_removed(event)}]"
        return ArchiveRecord(
            **common,
            announcement=event["announcement"],
            post_id=event["post_id"],
            comment_id=event["comment_id"],
            author=author,
            commenter=author,
            text=text,
        )
    if event.get("kind") == "intent":
        return None  # told again by its decision line, with whether the platform applied it
    # A moderation record is about someone's comment: it carries where the comment was and
    # whose it is (legal holds on an author hold these too), while its author is the reviewer.
    announcement, post_id, commenter = comment_posts.get(
        (event["platform"], event["comment_id"]), ("", "", "")
    )
    return ArchiveRecord(
        **common,
        announcement=announcement,
        post_id=post_id,
        comment_id=event["comment_id"],
        author=event.get("who", ""),
        commenter=commenter,
        text=_moderation_text(event),
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
    decision, keep or hide, whether the platform applied it, and why (`decision: hide
    (failed: …): reason`). A kept comment and a hidden one, or a hide the platform refused and
    one it applied, must not read alike."""
    if event["kind"] == "classification":
        categories = ", ".join(event.get("categories", []))
        found = f" ({categories})" if categories else ""
        return f"classification: {event.get('action', '')}{found}"
    result = f" ({event['result']})" if event.get("result") else ""
    reason = f": {event['reason']}" if event.get("reason") else ""
    return f"{event['kind']}: {event.get('decision', '')}{result}{reason}"


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


def _indexed_sources(index: Path) -> list[tuple[str, int, int]] | None:
    """What the index was built from; None when there is no index or it has other columns."""
    if not index.exists():
        return None
    try:
        with sqlite3.connect(index) as db:
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                return None
            rows = db.execute("SELECT file, size, mtime_ns FROM sources ORDER BY file").fetchall()
        db.close()
    except sqlite3.DatabaseError:
        return None
    return [(str(file), int(size), int(mtime_ns)) for file, size, mtime_ns in rows]


class SearchIndexError(RuntimeError):
    """The search index could not be built (a full disk, say); the message says where and why."""


def reindex(records_dir: Path) -> int:
    """Rebuild the search index from the files; return how many records it holds.
    SearchIndexError when it cannot be built: then the index is as it was."""
    target = records_dir / INDEX
    # Read before the records: a record added while they are read makes the next search
    # rebuild again rather than miss it.
    sources = _sources(records_dir)
    records_dir.mkdir(parents=True, exist_ok=True)
    building = records_dir / f".{INDEX}.{os.getpid()}.building"
    building.unlink(missing_ok=True)
    try:
        count = _build_index(building, records_dir, sources)
        building.replace(target)
    except (sqlite3.Error, OSError) as error:
        raise SearchIndexError(
            f"cannot build the search index in {records_dir} (RECORDS_DIR): {error}; the records "
            "themselves are untouched, and the next search builds the index again"
        ) from error
    finally:
        building.unlink(missing_ok=True)  # half built: of no use, and it holds the space
    return count


def _build_index(building: Path, records_dir: Path, sources: list[tuple[str, int, int]]) -> int:
    """Write the index of the archive's records into the file `building`; return how many."""
    db = sqlite3.connect(building)
    try:
        with db:
            db.executescript(
                """
                CREATE TABLE sources (file TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER);
                CREATE TABLE records (id INTEGER PRIMARY KEY, type TEXT, file TEXT, line INTEGER,
                  time TEXT, platform TEXT, announcement TEXT, post_id TEXT, comment_id TEXT,
                  author TEXT, commenter TEXT, text TEXT, data TEXT);
                CREATE VIRTUAL TABLE records_fts USING fts5(text, author, announcement,
                  content='records', content_rowid='id', tokenize='unicode61');
                CREATE INDEX records_time ON records(time);
                """
            )
            rows = [
                (*(getattr(r, c) for c in COLUMNS), json.dumps(r.data, ensure_ascii=False))
                for r in read_records(records_dir)
            ]
            db.executemany(
                f"INSERT INTO records ({', '.join(COLUMNS)}, data)"
                f" VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
                rows,
            )
            db.executemany("INSERT INTO sources VALUES (?, ?, ?)", sources)
            db.execute(f"PRAGMA user_version = {SCHEMA}")
            db.execute("INSERT INTO records_fts(records_fts) VALUES ('rebuild')")
    finally:
        db.close()
    return len(rows)


def date_bound(text: str, *, end: bool = False) -> datetime:
    """A `--from`/`--to` value as a time: a date alone is that day in City time, from its
    first second (`end=False`) or to its last (`end=True`); a time without an offset is
    City time too. ValueError for one that is no time, or that has no time in UTC, where the
    archive keeps its times (the last hours of the year 9999 in Trail)."""
    try:
        bound = _as_time(text, end=end)
        bound.astimezone(UTC)
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
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=CITY)
    if end:  # times are kept to the second
        return datetime.combine(day + timedelta(days=1), time(), CITY) - timedelta(seconds=1)
    return datetime.combine(day, time(), CITY)


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


def _fts_query(query: str) -> str:
    """Each word as a quoted term (all must match), so user input is never FTS syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())


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
    `platform_name`). Reindexes first when the archive has changed since the index was built
    (or there is none yet)."""
    if _indexed_sources(records_dir / INDEX) != sorted(_sources(records_dir)):
        reindex(records_dir)
    where, params = [], []
    if query.strip():
        where.append("records.id IN (SELECT rowid FROM records_fts WHERE records_fts MATCH ?)")
        params.append(_fts_query(query))
    if platform:
        where.append("platform = ?")
        params.append(platform)
    if since:
        where.append("time >= ?")
        params.append(utc(since.isoformat()))
    if until:
        where.append("time <= ?")
        params.append(utc(until.isoformat()))
    if author:
        where.append("instr(name_key(coalesce(author, '')), ?) > 0")
        params.append(name_key(author))
    sql = f"SELECT {', '.join(COLUMNS)}, data FROM records"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY time, file, line"
    with sqlite3.connect(records_dir / INDEX) as db:
        db.create_function("name_key", 1, name_key, deterministic=True)
        rows = db.execute(sql, params).fetchall()
    db.close()
    return [
        ArchiveRecord(**dict(zip(COLUMNS, row[:-1], strict=True)), data=json.loads(row[-1]))
        for row in rows
    ]
