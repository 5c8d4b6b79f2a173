"""The syndication ledger: what was posted where, and every action taken, as records.

An append-only JSON Lines file under RECORDS_DIR (`syndication/ledger.jsonl`). Each remote
call is bracketed by two lines: an `intent` written (and flushed to disk) before the call,
and its outcome (`done`, `failed` or `deferred`) after. An intent without an outcome means
the process stopped mid-call; the next run looks on the platform before acting again. So
does a failure marked `uncertain`: a write that may have reached the platform (its answer
was lost and it has not appeared yet, or looking for it failed). An action a quota held back
before its call is noted by a lone `deferred` line with no `op`: it answers no intent, and
the next run plans exactly as it would without it; it is noted once, and again only when the
reason or the reset time changes (a daily cap may hold a post back for every run of a day). A
post found no longer on the platform though never withdrawn (deleted there by hand, or by the
platform) is noted by a lone `gone` line, written once. An intent found not carried out and
no longer wanted is closed by a `cancelled` outcome: a withdrawal interrupted before it took
the post (or an X reply) down, its announcement published again since (the post stays up), or
a create that never landed, its announcement no longer on the site or withdrawn since. The
outcome of each create, update and withdrawal carries the announcement's last change as the
build it acted on had it (`updated`), so that a run on an older build does not undo it
(`reconcile.built_before_last_run`), and the id of the post it made or changed (`remote_id`;
an update's outcome written before it did applies to the post recorded before it), so that
after two copies of the records are joined each post's lines are read as its own
(`Record.duplicates`).

Each line carries the SHA-256 of the line before it (`prev`), so any edit or deletion of
an earlier line is detectable (`verify`). Nothing is ever rewritten or removed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from archive.chain import ChainError, ChainFile, naming_line
from archive.line_types import (
    CHAINED,
    PLATFORM,
    TEXT,
    TEXT_OR_NULL,
    TIME_OR_NULL,
    TRUE_OR_FALSE,
    FieldType,
    at_least,
    check_fields,
    of,
    one_of,
)


class LedgerError(ChainError):
    """The ledger file is unreadable."""


# What a line's `action` names: the call it brackets (the plan's, syndication/reconcile.py: a
# create, an update, a withdrawal; the adoption of a post an interrupted create made), or for
# a `gone` note what found the post gone (`Ledger.gone`: collect, a run that looked for a
# second post, an update the platform refused).
CREATE, UPDATE, WITHDRAW, ADOPT = "create", "update", "withdraw", "adopt"
COLLECT, SYNDICATE = "collect", "syndicate"
ACTIONS = (CREATE, UPDATE, WITHDRAW, ADOPT, COLLECT, SYNDICATE)
# Each line's `phase`: an intent, its outcome (done, failed, deferred, cancelled), or a note
# that answers no call (deferred, gone).
PHASES = ("intent", "done", "failed", "deferred", "cancelled", "gone")


# Each field of a ledger line as its writers give it (`Ledger.intend`, `outcome`, `defer` and
# `gone`, with what syndication/syndicate.py and archive/collect.py record of each call),
# where the line has it. Read otherwise, a line added by hand would stop a later step with a
# TypeError ("remote_id": 5 as a post's id), or be misread ("uncertain": "no" is true, a
# phase or platform the code does not know is no post of it).
FIELD_TYPES: dict[str, FieldType] = {
    **CHAINED,
    "phase": one_of(PHASES),
    "announcement": TEXT,
    "platform": PLATFORM,
    "action": one_of(ACTIONS),
    "op": TEXT_OR_NULL,  # none for a note that answers no call (`defer`, `gone`)
    **dict.fromkeys(("remote_id", "url", "text", "reply_id", "reply_url"), TEXT),
    "reply_text": TEXT_OR_NULL,  # none where an edit had nothing new to tell on X
    # What a create or update brought the platform (`_sent`): an older ledger's line counted
    # the corrections told rather than naming them.
    **dict.fromkeys(("hash", "title"), TEXT_OR_NULL),
    "updated": TIME_OR_NULL,  # the manifest's, as the build wrote it
    "corrections": of(
        int,
        list,
        items=str,
        expected="a list of text or a whole number, 0 or more",
        values=at_least(0),
    ),
    "payload": of(dict, expected="a mapping"),  # exactly what a create sends
    "reason": TEXT_OR_NULL,
    "resume_at": TIME_OR_NULL,  # when a quota lets the platform be asked again
    **dict.fromkeys(("error", "note"), TEXT),
    "uncertain": TRUE_OR_FALSE,
}
# Of a create's payload, what an interrupted create's adoption takes from it (`_sent_by`).
PAYLOAD_TYPES: dict[str, FieldType] = {"hash": TEXT_OR_NULL}


def check_types(event: dict[str, Any]) -> None:
    """WrongType for the first field of a ledger line, or of its payload, not of the type its
    writers give it (the records search reads the ledger by it too)."""
    check_fields(event, FIELD_TYPES)
    check_fields(event.get("payload") or {}, PAYLOAD_TYPES, "payload.")


# How a message names a line of the ledger.
LINE = "ledger"


def check_line(event: dict[str, Any]) -> None:
    """WrongType for a field of a ledger line not of its type, KeyError for a field its
    readers take from it that it lacks: as every reader of the ledger reads it (the records
    search too)."""
    check_types(event)
    if missing := next((name for name in _read_of(event) if name not in event), None):
        raise KeyError(missing)


def _read_of(event: dict[str, Any]) -> tuple[str, ...]:
    """The fields a line's readers take from it that its writers always give it: every
    line's, the post a `gone` note or a create's outcome names, an intent's operation."""
    every = ("phase", "announcement", "platform", "action")
    phase, action = event.get("phase"), event.get("action")
    if phase == "gone" or (phase == "done" and action in (CREATE, ADOPT)):
        return (*every, "remote_id")
    return (*every, "op") if phase == "intent" else every


class Retitled(NamedTuple):
    """What a reply telling a new headline changed: the headline and hash recorded before it,
    and those after it."""

    title: str | None
    hash: str | None
    told: str | None
    told_hash: str | None


@dataclass
class Record:
    """The state of one announcement on one platform, folded from the ledger's lines."""

    announcement: str
    platform: str
    remote_id: str | None = None
    url: str | None = None
    text: str | None = None
    hash: str | None = None
    # The notes of the corrections the platform was told; a count where an older ledger's line
    # recorded only how many (the announcement's first that many: see `told_corrections`).
    corrections: int | list[str] = 0
    title: str | None = None  # the headline the platform was last given (None: not recorded)
    withdrawn: bool = False
    pending: dict[str, Any] | None = None  # an intent with no outcome yet
    replies: list[str] = field(default_factory=list)
    reply_text: dict[str, str] = field(default_factory=dict)  # each reply's, by its id
    withdrawn_replies: list[str] = field(default_factory=list)  # taken down with the post
    # What each reply told (X), by its id: the correction notes it added to what the post was
    # told, and where it told a new headline, the headline and hash recorded before it. A reply
    # a withdrawal took down while its post stayed up (published again before the post went)
    # no longer tells them: they are told again (`_untell`).
    told_by_reply: dict[str, tuple[list[str], Retitled | None]] = field(default_factory=dict)
    # The headline and hash before the replies up telling new ones: what the post tells once
    # every such reply is taken down.
    own_headline: tuple[str | None, str | None] | None = None
    gone: str | None = None  # a post id found no longer on the platform, though not withdrawn
    # Further posts of it, made while this one was up (by a run on a stale copy of the records,
    # joined since), each with its link: kept in no step, taken down by a withdrawal.
    duplicates: dict[str, str | None] = field(default_factory=dict)
    # Its other posts the City withdrew: earlier ones, each withdrawn before it was posted
    # again, and second posts (`duplicates`) a withdrawal took down with the first. On X and
    # YouTube their comments stay public (X leaves a deleted post's replies up, YouTube's video
    # is private), and are collected as the present post's are; on Facebook they went with it.
    withdrawn_posts: list[str] = field(default_factory=list)
    # The latest change of the announcement a run carried out here (the manifest's `updated`
    # of the build it read); None where the ledger's lines do not record it (older code).
    updated: str | None = None
    # A withdrawal begun since its last post was made: a deletion done (X: a reply first),
    # recording the withdrawal's `updated` before the post itself is down.
    withdrawing: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def posted(self) -> bool:
        return self.remote_id is not None

    @property
    def removed_elsewhere(self) -> bool:
        """The post was found deleted on the platform itself (by hand, or by the platform),
        never withdrawn: it is not up, and nothing the system sends can reach it."""
        return self.posted and self.gone == self.remote_id and not self.withdrawn

    @property
    def replies_up(self) -> list[str]:
        """The City's replies (X updates) not yet taken down by a withdrawal."""
        return [reply for reply in self.replies if reply not in self.withdrawn_replies]

    @property
    def reply_texts(self) -> list[str]:
        """The texts of the City's replies still up: X refuses a reply that repeats one, not
        one a withdrawal took down (a reinstated announcement's post is told again)."""
        up = self.replies_up
        return [text for reply, text in self.reply_text.items() if reply in up]

    def require_remote_id(self) -> str:
        if self.remote_id is None:
            raise ValueError(f"{self.announcement} has no post on {self.platform} to change")
        return self.remote_id

    def apply(self, event: dict[str, Any]) -> None:
        """Fold one ledger line (of this announcement on this platform) into the state."""
        self.history.append(event)
        phase, action = event["phase"], event["action"]
        if phase == "intent":
            self.pending = event
            return
        if event.get("op") is None:  # a note (`Ledger.defer`, `Ledger.gone`): no call answered
            if phase == "gone" and event["remote_id"] in self.duplicates:
                del self.duplicates[event["remote_id"]]  # deleted by hand, as the run asks
            elif phase == "gone":
                self.gone = event["remote_id"]
            return
        if not event.get("uncertain"):
            # An uncertain failure may have reached the platform: the intent stays open,
            # so the next run looks for its effect before acting again.
            self.pending = None
        if phase == "cancelled" and action == "withdraw":
            self.withdrawing = False  # called off: published again since
        if phase != "done":
            return
        self.updated = latest(self.updated, event.get("updated"))
        # A withdrawal begun, until a post is made or edited again (see also "cancelled").
        self.withdrawing = action == "withdraw"
        if action in (CREATE, ADOPT) and self._up_as_another(event["remote_id"]):
            # Two copies of the records each posted it, then were joined: the first post is
            # kept in step, the other named by each run until it is taken down.
            self.duplicates[event["remote_id"]] = event.get("url")
        elif action in (CREATE, ADOPT):
            if self.withdrawn and self.remote_id not in (None, event["remote_id"]):
                self.withdrawn_posts.append(self.remote_id)  # published again: a new post
            self.remote_id = event["remote_id"]
            self.url = event.get("url")
            self.text = event.get("text")
            self.hash = event.get("hash")
            self.corrections = event.get("corrections", 0)
            self.title = event.get("title")
            self.withdrawn = False
        elif action == "update" and self._of_another_post(event):
            # A change a run on a stale copy of the records made to its own post, joined since
            # as a second one: the post kept in step was not told it. A reply (X) it sent is
            # still the City's, not a comment, and goes with the rest when withdrawn.
            if event.get("reply_id"):
                self.replies.append(event["reply_id"])
        elif action == "update":
            before = (self.corrections, self.title, self.hash)
            self.text = event.get("text", self.text)
            self.hash = event.get("hash", self.hash)
            self.corrections = event.get("corrections", self.corrections)
            self.title = event.get("title", self.title)
            if event.get("reply_id"):
                self.replies.append(event["reply_id"])
                if event.get("reply_text"):
                    self.reply_text[event["reply_id"]] = event["reply_text"]
                told = self._told_anew(*before)
                if told[1] is not None and not self._retitled_by_replies():
                    self.own_headline = (told[1].title, told[1].hash)
                self.told_by_reply[event["reply_id"]] = told
        elif action == "withdraw" and event.get("reply_id"):
            self.withdrawn_replies.append(event["reply_id"])
            self._untell(event["reply_id"])
        elif action == "withdraw" and event.get("remote_id") in self.duplicates:
            # Taken down as the first is: its comments are the withdrawn post's, not orphans.
            del self.duplicates[event["remote_id"]]
            self.withdrawn_posts.append(event["remote_id"])
        elif action == "withdraw":
            self.withdrawn = True

    def _told_anew(
        self, corrections: int | list[str], title: str | None, hash: str | None
    ) -> tuple[list[str], Retitled | None]:
        """What a reply told, from what the post had been told before it (`corrections`,
        `title`, `hash`) and after: the notes it added (none known where an older ledger
        counted them), and the headline and hash before it where it told a new headline."""
        notes = (
            [note for note in self.corrections if note not in corrections]
            if isinstance(self.corrections, list) and isinstance(corrections, list)
            else []
        )
        retitled = title is not None and self.title != title
        return notes, Retitled(title, hash, self.title, self.hash) if retitled else None

    def _retitled_by_replies(self) -> list[tuple[str, Retitled]]:
        """The replies up that told a new headline, oldest first, with what each told."""
        return [(reply, told) for reply, (_, told) in self.told_by_reply.items() if told]

    def _untell(self, reply: str) -> None:
        """A reply taken down: what it told is no longer told, so that the post, if it stays
        up (published again before a withdrawal took it down), is told it again. A post the
        withdrawal takes down is posted anew, told everything, if published again."""
        retitled = self._retitled_by_replies()
        notes, headline = self.told_by_reply.pop(reply, ([], None))
        if notes and isinstance(self.corrections, list):
            self.corrections = [note for note in self.corrections if note not in notes]
        if headline is None or retitled[-1][0] != reply:
            return  # it told no headline, or one a later reply up tells over
        # The headline the latest reply still up told, else the post's own: replies taken down
        # oldest first must not leave one a reply already taken down told.
        earlier = retitled[:-1]
        if earlier:
            self.title, self.hash = earlier[-1][1].told, earlier[-1][1].told_hash
        elif self.own_headline is not None:
            self.title, self.hash = self.own_headline

    def _of_another_post(self, event: dict[str, Any]) -> bool:
        """Whether a line names a post other than the one kept in step (a second post). One
        that names none (written before update lines did) is of the record's post as then."""
        named = event.get("remote_id")
        return named is not None and named != self.remote_id

    def _up_as_another(self, remote_id: str) -> bool:
        """Whether another post of the announcement is up, as far as the ledger knows, when
        `remote_id` is recorded as made."""
        return (
            self.posted
            and remote_id != self.remote_id
            and not self.withdrawn
            and self.gone != self.remote_id
        )


def latest(*moments: str | None) -> str | None:
    """The latest of ISO 8601 times with their offsets (compared as moments, not as text);
    None if none is given."""
    given = [moment for moment in moments if moment]
    return max(given, key=datetime.fromisoformat, default=None)


class Ledger:
    """Append-only, hash-chained, safe to share between the threads of one run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.chain = ChainFile(path)

    @classmethod
    def in_records(cls, records_dir: Path) -> Ledger:
        return cls(records_dir / "syndication" / "ledger.jsonl")

    def events(self) -> Iterator[dict[str, Any]]:
        """Each line's record, its fields of the types its writers give them. LedgerError,
        naming the file, line and field, for a line (valid JSON, so written by hand) without
        a field every line has, or with one not of its type."""
        try:
            for number, event in self.chain.reading():
                with naming_line(self.path, number, LINE):
                    check_line(event)
                yield event
        except ChainError as error:
            raise LedgerError(str(error)) from None

    def verify(self) -> list[str]:
        return self.chain.verify()

    def append(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.chain.append(event)

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
    ) -> dict[str, Any]:
        return self.append(
            {
                "phase": phase,
                "op": operation,
                "announcement": announcement,
                "platform": platform,
                "action": action,
                **details,
            }
        )

    def defer(self, announcement: str, platform: str, action: str, **details: Any) -> None:
        """Note an action not attempted because the platform's quota ran out earlier in the
        run, so that `invoke status` lists it (the caller notes it once per hold, not once per
        run)."""
        self.append(
            {
                "phase": "deferred",
                "op": None,
                "announcement": announcement,
                "platform": platform,
                "action": action,
                **details,
            }
        )

    def gone(
        self,
        announcement: str,
        platform: str,
        remote_id: str,
        found_by: str = COLLECT,
        **details: Any,
    ) -> None:
        """Note that the post is no longer on the platform though the City never withdrew it
        (deleted there by hand, or taken down by the platform itself), so that the records
        say when it was found gone, and by what: collect, or an update the platform refused."""
        self.append(
            {
                "phase": "gone",
                "op": None,
                "announcement": announcement,
                "platform": platform,
                "action": found_by,
                "remote_id": remote_id,
                **details,
            }
        )

    def remote_ids(self, platform: str, other_than: str) -> set[str]:
        """Every post and reply ever recorded on `platform` for announcements other than
        `other_than`, withdrawn ones included."""
        return {
            str(event[key])
            for event in self.events()
            if event["platform"] == platform
            and event["announcement"] != other_than
            and event["phase"] == "done"
            for key in ("remote_id", "reply_id")
            if event.get(key)
        }

    def records(self) -> dict[tuple[str, str], Record]:
        """Fold every line into the current state per (announcement, platform)."""
        records: dict[tuple[str, str], Record] = {}
        for event in self.events():
            key = (event["announcement"], event["platform"])
            records.setdefault(key, Record(*key)).apply(event)
        return records
