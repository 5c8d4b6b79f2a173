"""Retention: how long each type of record is kept, and legal holds (policy/retention.yml).

`invoke records retention --dry-run` lists what is due for disposition. Held records are never
listed; disposition itself is the records officer's act under the City's records procedure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from checks.policy_file import key_line, read_mapping
from moderation.log import ModerationLog
from syndication.config import REQUIRED

from .chain import ChainFile
from .comment_types import PICTURE_LINE
from .index import (
    CITY,
    FILES,
    ArchiveRecord,
    every_line_record,
    name_key,
    picture_line_records,
    platform_name,
    username_key,
)
from .pictures import VersionKey, kept_file, picture_lines

# FOIPPA s.31: information used to decide about a person is kept at least a year: a calendar
# year, so a record made 2027-03-01 is kept to 2028-03-01 (365 days would end on the leap day).
MINIMUM_YEARS = {"moderation": 1}
# Each period is given in whole years (the retention bylaw's unit) or in days.
UNITS = {"periods_years": "years", "periods_days": "days"}
SETTINGS = (*UNITS, "legal_holds")
# The longest period taken: longer is surely a slip (10000 for 10), and past the calendar's
# year 9999 it could not be counted.
MAXIMUM = {"years": 200, "days": 73_000}
# What a hold may name, and what each is a list of (for the error when it is not).
HOLD_FIELDS = {
    "announcements": "announcement names",
    "platforms": f"platforms among {', '.join(REQUIRED)}",
    "authors": "comment author names or X @usernames",
}


class RetentionError(ValueError):
    """policy/retention.yml is malformed or breaks a legal minimum."""


@dataclass(frozen=True)
class Hold:
    name: str
    announcements: frozenset[str]
    platforms: frozenset[str]
    authors: frozenset[str]  # as the policy writes them

    @cached_property
    def author_keys(self) -> frozenset[str]:
        """The authors as `records search --author` compares names (in any case, however
        spaced): the records officer writes a hold with the name as they searched for it."""
        return frozenset(name_key(author) for author in self.authors)

    @cached_property
    def username_keys(self) -> frozenset[str]:
        """The authors as X @usernames, with or without their `@`, as `records search
        --author` also finds them: an X commenter is known by it, whatever name they show."""
        return frozenset(filter(None, (username_key(author) for author in self.authors)))

    def holds(self, record: ArchiveRecord) -> bool:
        """Whether the hold names the record itself (see `_Held` for what else it holds)."""
        return (
            record.announcement in self.announcements
            or self.holds_author(record)
            or (record.platform in self.platforms)
        )

    def holds_author(self, record: ArchiveRecord) -> bool:
        """Whether the record is by or about an author the hold names, by the name or X
        @username this line shows. An author's hold covers the moderation records about their
        comments too."""
        return (
            name_key(record.author) in self.author_keys
            or name_key(record.commenter) in self.author_keys
            or username_key(record.username) in self.username_keys
        )


class _Held:
    """Which records the policy's holds hold: those a hold names, and for a hold on an author,
    every line of every comment by that commenter and everything about them, whatever name
    each line showed: a commenter is their platform account (`author_id`), and a version
    written under another display name ("Riley C." before "Riley Cole") is theirs all the
    same."""

    def __init__(self, policy: RetentionPolicy, records: Iterable[ArchiveRecord]) -> None:
        self.holds = policy.holds
        records = list(records)
        named = [r for r in records if r.comment_id and any(h.holds_author(r) for h in self.holds)]
        accounts = {account for r in named if (account := _account(r))}
        self.comments = {(r.platform, r.comment_id) for r in named} | {
            (r.platform, r.comment_id) for r in records if r.comment_id and _account(r) in accounts
        }

    def __call__(self, record: ArchiveRecord) -> bool:
        return any(hold.holds(record) for hold in self.holds) or (
            bool(record.comment_id) and (record.platform, record.comment_id) in self.comments
        )


def _account(record: ArchiveRecord) -> tuple[str, str] | None:
    """The platform account a comment line is by, where the platform named it."""
    author_id = record.data.get("author_id") if record.type == "comment" else None
    return (record.platform, str(author_id)) if author_id else None


@dataclass(frozen=True)
class RetentionPolicy:
    periods: dict[str, relativedelta]
    holds: tuple[Hold, ...]

    @classmethod
    def load(cls, path: Path) -> RetentionPolicy:
        """The policy, checked: a mistyped or misspelt entry would hold nothing, silently, so
        each is refused with its file, field and what was expected."""
        data = read_mapping(path, RetentionError, SETTINGS)
        given = {setting: _periods(data, setting, path) for setting in UNITS}
        periods = {}
        for kind in FILES:
            settings = [setting for setting in UNITS if kind in given[setting]]
            if not settings:
                raise RetentionError(
                    f"{path}: periods_days: {kind}: expected a number of days "
                    f"(or periods_years: {kind}: a number of years)"
                )
            if len(settings) > 1:
                raise RetentionError(
                    f"{path}: {kind}: given in both periods_years and periods_days; "
                    "expected one period"
                )
            (setting,) = settings
            periods[kind] = _period(given[setting][kind], setting, kind, path)
        holds = data.get("legal_holds") or []
        if not isinstance(holds, list):
            raise RetentionError(f"{path}: legal_holds: expected a list of holds")
        return cls(
            periods,
            tuple(_hold(hold, f"{path}: legal_holds[{i}]") for i, hold in enumerate(holds)),
        )


def _periods(data: dict[str, Any], setting: str, path: Path) -> dict[str, Any]:
    """One setting's periods by record type, each type a known one."""
    periods = data.get(setting) or {}
    if not isinstance(periods, dict):
        raise RetentionError(
            f"{path}: {setting}: expected {UNITS[setting]} for each of {', '.join(FILES)}"
        )
    for kind in periods:
        if kind not in FILES:
            raise RetentionError(f"{path}: {setting}: {kind}: unknown; expected {', '.join(FILES)}")
    return periods


def _period(value: Any, setting: str, kind: str, path: Path) -> relativedelta:
    """A record type's period, never shorter than the law's minimum for it."""
    unit = UNITS[setting]
    if not isinstance(value, int) or isinstance(value, bool):
        raise RetentionError(f"{path}: {setting}: {kind}: expected a number of {unit}")
    if not 1 <= value <= MAXIMUM[unit]:
        line = key_line(path, (setting, kind), RetentionError)
        where = f"{path}:{line}" if line is not None else str(path)
        bound = f"at least 1 {unit[:-1]}" if value < 1 else f"at most {MAXIMUM[unit]} {unit}"
        raise RetentionError(f"{where}: {setting}: {kind}: {value}: expected {bound}")
    minimum_years = MINIMUM_YEARS.get(kind, 0)
    # No year is shorter than 365 days; the calendar year is still kept (_kept_until).
    minimum = minimum_years if unit == "years" else minimum_years * 365
    if value < minimum:
        raise RetentionError(f"{path}: {setting}: {kind}: at least {minimum} {unit} (FOIPPA s.31)")
    return relativedelta(years=value) if unit == "years" else relativedelta(days=value)


def _hold(entry: Any, where: str) -> Hold:
    expected = f"name and {', '.join(HOLD_FIELDS)}"
    if not isinstance(entry, dict):
        raise RetentionError(f"{where}: expected a mapping with {expected}")
    for key in entry:
        if key != "name" and key not in HOLD_FIELDS:
            raise RetentionError(f"{where}.{key}: unknown; expected {expected}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RetentionError(f"{where}.name: expected the hold's name (e.g. the FOI request)")
    named: dict[str, frozenset[str]] = {}
    for key, what in HOLD_FIELDS.items():
        values = [] if entry.get(key) is None else entry[key]
        # A bare value (`authors: Riley Cole`) is refused rather than read letter by letter.
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            raise RetentionError(f"{where}.{key}: expected a list of {what}")
        if key == "platforms":
            try:  # as `records search --platform` takes them: `X`, `Facebook`
                values = [platform_name(value) for value in values]
            except ValueError:
                raise RetentionError(f"{where}.{key}: expected a list of {what}") from None
        named[key] = frozenset(values)
    if not any(named.values()):
        raise RetentionError(f"{where}: holds nothing; expected {', '.join(HOLD_FIELDS)}")
    return Hold(name, named["announcements"], named["platforms"], named["authors"])


def due_for_disposition(
    records_dir: Path, policy: RetentionPolicy, now: datetime
) -> list[ArchiveRecord]:
    """The records past their period and held by no hold, in file order, each comment version
    or deletion followed by its repeats and the lines a later collect wrote about its picture
    (`_with_later_lines`). An intent, written before a call to a platform, is due with the
    lines that answer it (its `op`), when all are; one no line answers (its run stopped
    mid-call) by its own time. A repeat of a comment's version or deletion (a second collect
    wrote it again) is due with the line it repeats. A ledger line that published nothing (a
    failed, cancelled or deferred outcome, an update that sent nothing new) is part of its
    post's history: due once its own period has passed and every record of the post's
    announcement on that platform is due; with none, by its own time."""
    moderated = _moderated_versions(records_dir)
    records = [record for record in every_line_record(records_dir) if record.time]
    pictures = list(picture_line_records(records_dir))
    held = _Held(policy, [*records, *pictures])
    past = {
        record.key
        for record in records
        if not held(record) and _kept_until(record, policy, moderated) <= now
    }
    posts: dict[tuple[str, str], list[str]] = {}  # each post's records, by announcement
    for record in records:
        if record.type == "post" and not record.is_intent and not record.published_nothing:
            posts.setdefault((record.announcement, record.platform), []).append(record.key)
    ready = past - {  # past, but part of the history of a post not all due
        record.key
        for record in records
        if record.published_nothing
        and not all(key in past for key in posts.get((record.announcement, record.platform), []))
    }
    answers: dict[tuple[str, str], list[str]] = {}  # each call's outcome lines, by its `op`
    for record in records:
        if not record.is_intent and record.data.get("op"):
            answers.setdefault((record.type, record.data["op"]), []).append(record.key)

    def goes(record: ArchiveRecord) -> bool:
        if record.repeats:
            return not held(record) and f"{record.file}:{record.repeats}" in past
        outcomes = (
            answers.get((record.type, record.data.get("op", ""))) if record.is_intent else None
        )
        if outcomes:
            return not held(record) and all(key in ready for key in outcomes)
        return record.key in ready

    return _with_later_lines(pictures, [record for record in records if goes(record)], held)


def _with_later_lines(
    pictures: Iterable[ArchiveRecord], due: list[ArchiveRecord], held: _Held
) -> list[ArchiveRecord]:
    """`due`, each comment version or deletion followed by its repeats (due with it), and
    each version by the lines a later collect wrote about its picture (`comment_picture`):
    they name its author, the comment and the picture's file, so they go with it, due when it
    is and held when it is (and never one a hold names itself)."""
    repeats: dict[str, list[ArchiveRecord]] = {}
    for record in due:
        if record.repeats:
            repeats.setdefault(f"{record.file}:{record.repeats}", []).append(record)
    due = [record for record in due if not record.repeats]
    versions = {record.version: record for record in due if record.is_comment_version}
    later: dict[VersionKey, list[ArchiveRecord]] = {}
    for record in pictures:
        version = versions.get(record.version)
        if version is None:
            continue
        record = replace(record, username=version.username)  # whose comment: the version's
        if not held(record):
            later.setdefault(record.version, []).append(record)
    listed = []
    for record in due:
        listed.append(record)
        listed.extend(repeats.pop(record.key, []))
        if record.is_comment_version:
            listed.extend(later.pop(record.version, []))
    return listed


def line_note(record: ArchiveRecord) -> str:
    """What the dry run says of a line listed with another, after it: a picture's line
    (`picture_line_of`), a repeat of a comment's version or deletion, an intent, a ledger line
    that published nothing; '' for any other record."""
    if record.repeats:
        return f"a second collect's copy of line {record.repeats}, due with it"
    if record.is_intent:
        return "intent, written before the call: due with its outcome, or alone if none"
    if record.published_nothing:
        return (
            f"{record.data.get('phase')}, published nothing: due with its post's records, "
            "or alone if none"
        )
    return picture_line_of(record)


def picture_line_of(record: ArchiveRecord) -> str:
    """What a `comment_picture` record is about, as the dry run lists it after its version
    (the line itself has no text); '' for any other record."""
    if record.data.get("kind") != PICTURE_LINE:
        return ""
    return (
        f"what a later collect found of the picture of version {record.data.get('version')} "
        f"of comment {record.comment_id}"
    )


@dataclass(frozen=True)
class PictureDue:
    """A picture file kept with the records (`archive/attachments/…`) whose every comment
    version that showed it is due for disposition: it goes with them."""

    file: str
    records: tuple[ArchiveRecord, ...]  # the comment versions it belongs to


def pictures_due(records_dir: Path, due: Iterable[ArchiveRecord]) -> list[PictureDue]:
    """The picture files that go with the comment versions `due` (`due_for_disposition`):
    each only when every line that names it is due (every version that showed it, every later
    line that kept it), so a picture of a held comment, or one another comment still kept
    showed too (the same picture is one file), is kept."""
    due = list(due)
    versions = {r.version: r for r in due if r.is_comment_version and not r.repeats}
    later_lines = {r.line for r in due if r.data.get("kind") == PICTURE_LINE}
    shown_by: dict[str, list[tuple[VersionKey, bool]]] = {}
    for line in picture_lines(ChainFile(records_dir / FILES["comment"]).reading()):
        file = kept_file(line.picture)
        if file is not None:
            goes = line.version in versions and (
                line.kind != PICTURE_LINE or line.number in later_lines
            )
            shown_by.setdefault(file, []).append((line.version, goes))
    return [
        PictureDue(file, tuple(versions[key] for key in dict.fromkeys(k for k, _ in lines)))
        for file, lines in sorted(shown_by.items())
        if all(goes for _, goes in lines)
    ]


def hold_warnings(records: Iterable[ArchiveRecord], policy: RetentionPolicy) -> list[str]:
    """What the records officer should know of the holds' names, said as warnings: an
    announcement or author that no record has holds nothing (a name mistyped, or not the one
    the archive uses), and nothing else would say so; a name written without its `@` that is
    also an X commenter's @username, not their name, holds that commenter's records too."""
    announcements, people, usernames = set(), set(), set()
    shown: dict[str, set[str]] = {}  # each X username: the names its commenter showed
    for record in records:
        announcements.add(record.announcement)
        people |= {name_key(record.author), name_key(record.commenter)}
        usernames.add(username_key(record.username))
        if record.username and record.commenter:  # a moderation record's author: its reviewer
            shown.setdefault(username_key(record.username), set()).add(name_key(record.commenter))
    usernames.discard("")  # not an X commenter's record
    warnings = []
    for hold in policy.holds:
        warnings += [
            f"legal hold '{hold.name}': announcements: '{name}' {NOTHING}"
            for name in sorted(hold.announcements)
            if name not in announcements
        ]
        written = {name_key(author) for author in hold.authors}
        for name in sorted(hold.authors):
            if name_key(name) not in people and username_key(name) not in usernames:
                warnings.append(f"legal hold '{hold.name}': authors: '{name}' {NOTHING}")
            elif _also_a_username(name, shown) and f"@{username_key(name)}" not in written:
                warnings.append(
                    f"legal hold '{hold.name}': authors: '{name}' also holds the records of the "
                    f"X commenter @{username_key(name)}: a name written without its @ is "
                    "compared as an X username too, so a hold keeps more, never less (write "
                    f"'@{username_key(name)}' for that X commenter)"
                )
    return warnings


NOTHING = "is in no record of the archive; it holds nothing"


def _also_a_username(name: str, shown: Mapping[str, set[str]]) -> bool:
    """Whether a hold's author, written without its `@`, is an X commenter's @username who
    showed another name: the hold takes in their records besides any of that name."""
    return not name_key(name).startswith("@") and bool(
        shown.get(username_key(name), set()) - {name_key(name)}
    )


def _moderated_versions(records_dir: Path) -> dict[tuple[str, str, int], datetime]:
    """Each comment version a classification or decision was based on, and when the latest
    of them was made."""
    return {
        (status.platform, status.comment_id, version): datetime.fromisoformat(time)
        for status in ModerationLog(records_dir).statuses().values()
        for version, time in status.last_moderated.items()
    }


def _kept_until(
    record: ArchiveRecord,
    policy: RetentionPolicy,
    moderated: dict[tuple[str, str, int], datetime],
) -> datetime:
    """When a record's retention period ends: its own period from when it was made, never
    before the law's minimum for its type, and for a comment version a decision was based on,
    not before the minimum for moderation records has passed since the latest of them
    (FOIPPA s.31 keeps what a decision about a person used, not only the decision)."""
    made = datetime.fromisoformat(record.time)
    kept = max(_after(made, policy.periods[record.type]), _minimum_end(made, record.type))
    if record.type != "comment":
        return kept
    version = record.data.get("version", 0)  # none on the line saying its author deleted it
    decided = moderated.get((record.platform, record.comment_id, version))
    if decided is None:
        return kept
    return max(kept, _minimum_end(decided, "moderation"))


def _minimum_end(start: datetime, kind: str) -> datetime:
    """When the law's minimum for a type of record, in calendar years, ends (a year from
    29 February ends on 28 February, the last day of that month)."""
    return _after(start, relativedelta(years=MINIMUM_YEARS.get(kind, 0)))


def _after(start: datetime, period: relativedelta) -> datetime:
    """When a period from `start` ends, in UTC: counted in City time, where its years and days
    are calendar ones (a record made 2028-02-28 18:00 in Trail, the 29th in UTC, and kept a
    year is due 2029-02-28 18:00 in Trail; 30 days across the clocks' change end at the same
    clock time), never the UTC date's. A clock time the change skips or repeats on the last
    day is read as the later of its two readings: never early."""
    end = start.astimezone(CITY) + period
    return max(end.replace(fold=fold).astimezone(UTC) for fold in (0, 1))
