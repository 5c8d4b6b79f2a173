"""The moderation record: every classification, decision and action, hash-chained in
RECORDS_DIR/archive/moderation.jsonl. Who decided, when, under which clause, and why.

A decision is written twice, as the syndication ledger writes a post: an `intent` line before
the platform is asked, and the `decision` line with its result after. An intent with no
decision means the run stopped mid-call: the platform may have applied it, so the comment may
be hidden by the City, and the next `invoke moderate` settles it. Logs written before intents
were recorded have only decision lines, and read as before."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.chain import ChainFile, naming_line
from archive.comments import CommentState

from .classifier import CLAUSES, Decision
from .line_types import CLASSIFICATION, DECISION, INTENT, check_types

# How the review queue marks a hidden comment its author has changed since.
EDITED_SINCE_HIDDEN = "hidden, edited since"
# How it marks a comment the classifier hid under rules that no longer let it hide, and the
# evidence that says so.
HIDDEN_UNDER_EARLIER_POLICY = "hidden under an earlier policy"
EARLIER_POLICY = "hidden_under_earlier_policy"
# How a decision's result starts when the platform's answer to it was lost (a 5xx, a dropped
# connection): a failure, tried again as any is, but one the platform may have applied.
ANSWER_LOST = "failed: the platform's answer was lost, so whether it applied it is not known"


@dataclass
class Status:
    """Where a comment stands: the classifier's view of its latest version and any decision
    taken."""

    platform: str
    comment_id: str
    version: int
    action: str  # the classifier's: keep, review or hide
    categories: list[str]
    evidence: dict[str, Any]
    # The last decision applied on the platform, and the version it was taken on (its line's
    # `version`: the latest collected, which the reviewer was shown, and which may be newer
    # than the one classified): a new version leaves it in force there (the author's edit
    # does not unhide a comment).
    decision: str | None = None  # hide or keep
    decided_by: str | None = None
    reason: str | None = None
    category: str | None = None  # the policy's reason for a hide
    decided_version: int | None = None
    # The last decision taken on this version, applied or not, and its result when the
    # platform refused it.
    tried_by: str | None = None
    failed: str | None = None
    # When each version was last classified or decided about: what a decision about a person
    # was based on is kept at least a year after it (FOIPPA s.31).
    last_moderated: dict[int, str] = field(default_factory=dict)
    # The classifier's hide, read again under the policy in force, is no longer one it may
    # make: it stays hidden until a person decides (the program never unhides).
    hidden_under_earlier_policy: bool = False
    # A decision sent to the platform whose result was never recorded (the run stopped
    # mid-call): its intent line, with who, why and the category.
    intent: dict[str, Any] | None = None
    # A hide whose answer was lost (ANSWER_LOST) since the last decision applied: the
    # platform may have applied it.
    hide_maybe_applied: bool = False

    @property
    def decided_this_version(self) -> bool:
        """Decided on the version classified, or on a later one collected since (which the
        reviewer was shown before `invoke moderate` classified it)."""
        decided = self.decided_version
        return self.decision is not None and decided is not None and decided >= self.version

    @property
    def edited_since_hidden(self) -> bool:
        """Hidden, and its author has changed it since: whether it stays hidden is for a
        person to decide, never for the program to undo or forget."""
        return self.hidden and not self.decided_this_version

    @property
    def awaiting_review(self) -> bool:
        review = self.action == "review" and not self.decided_this_version
        return review or self.edited_since_hidden or self.hidden_under_earlier_policy

    @property
    def why_review(self) -> list[str]:
        """What a reviewer is asked to look at: the categories found, what else the evidence
        names (contact details, a comment the platform holds back), and an edit since a hide
        or a hide the policy no longer allows."""
        marks = [EDITED_SINCE_HIDDEN] if self.edited_since_hidden else []
        if self.hidden_under_earlier_policy:
            marks.append(HIDDEN_UNDER_EARLIER_POLICY)
        others = [n for n in self.evidence if n not in self.categories and n != EARLIER_POLICY]
        return marks + self.categories + others

    @property
    def hidden(self) -> bool:
        return self.decision == "hide"

    @property
    def maybe_hidden(self) -> bool:
        """Hidden, or a hide was sent whose result was never recorded or whose answer was lost
        (a 5xx, a dropped connection): the platform may have applied it, so the comment may be
        hidden by the City (never taken for its author's deletion)."""
        sent = self.intent is not None and self.intent["decision"] == "hide"
        return self.hidden or sent or self.hide_maybe_applied


def review_queue(
    statuses: Iterable[Status], comments: Mapping[tuple[str, str], CommentState]
) -> tuple[list[Status], list[Status]]:
    """(queue, gone): the comments awaiting review, and apart from them those gone from the
    platform before anyone reviewed them (deleted by their authors, or removed with the
    comment they replied to), which leave nothing on the platform to decide."""
    queue: list[Status] = []
    gone: list[Status] = []
    for status in statuses:
        if status.awaiting_review:
            (gone if _deleted(status, comments) else queue).append(status)
    return queue, gone


def _deleted(status: Status, comments: Mapping[tuple[str, str], CommentState]) -> bool:
    comment = comments.get((status.platform, status.comment_id))
    return comment is not None and comment.deleted


class ModerationLog:
    def __init__(self, records_dir: Path) -> None:
        self.chain = ChainFile(records_dir / "archive" / "moderation.jsonl")

    def statuses(self) -> dict[tuple[str, str], Status]:
        """Each comment's status, from every line of the log. ChainError, naming the file,
        line and field, for a line without a field its kind has (valid JSON, so written by
        hand: the log's writers give every line them all), as the records commands say it."""
        found: dict[tuple[str, str], Status] = {}
        # In the order things happened: two copies of the archive joined (a reviewer's
        # decision pushed while CI ran) put one copy's lines after the other's, whatever their
        # times. Within one copy, that is the file's order.
        for number, event in sorted(self.chain.reading(), key=lambda n: str(n[1].get("time", ""))):
            with naming_line(self.chain.path, number, "moderation"):
                _read(event, found)
        return found

    def hidden(self) -> frozenset[tuple[str, str]]:
        return frozenset(k for k, s in self.statuses().items() if s.hidden)

    def maybe_hidden(self) -> frozenset[tuple[str, str]]:
        """The comments hidden, and those a hide was sent for that a stopped run never
        recorded: either may be missing from a listing that leaves hidden comments out."""
        return frozenset(k for k, s in self.statuses().items() if s.maybe_hidden)

    def classified(
        self, platform: str, version: int, decision: Decision, on: CommentState | None = None
    ) -> None:
        self.chain.append(
            {
                "kind": CLASSIFICATION,
                "platform": platform,
                "comment_id": decision.id,
                **_where(on),
                "version": version,
                "action": decision.action,
                "categories": list(decision.categories),
                "evidence": decision.evidence,
            }
        )

    def intend(
        self,
        platform: str,
        comment_id: str,
        decision: str,
        who: str,
        reason: str,
        category: str | None,
        on: CommentState | None = None,
        version: int | None = None,
    ) -> str:
        """Record a decision before the platform is asked to apply it, flushed, so that a run
        killed mid-call leaves who, why and the clause behind, and the comment version it is
        about. Returns its operation id, which its `decided` line repeats."""
        operation = uuid.uuid4().hex
        self.chain.append(
            {
                "kind": INTENT,
                "op": operation,
                **_decision(platform, comment_id, decision, who, reason, category),
                **_version(version),
                **_where(on),
            }
        )
        return operation

    def decided(
        self,
        platform: str,
        comment_id: str,
        decision: str,
        who: str,
        reason: str,
        category: str | None,
        result: str,
        operation: str | None = None,
        on: CommentState | None = None,
        version: int | None = None,
    ) -> None:
        self.chain.append(
            {
                "kind": DECISION,
                **({"op": operation} if operation else {}),
                **_decision(platform, comment_id, decision, who, reason, category),
                **_version(version),
                "result": result,
                **_where(on),
            }
        )


# What an intent holds for the decision line that answers it, or the run that settles it.
INTENT_FIELDS = ("op", "decision", "who", "reason", "category")


def _read(event: dict[str, Any], found: dict[tuple[str, str], Status]) -> None:
    """What one line of the log says of its comment, taken into `found`, read in order;
    KeyError for a field its kind has that it lacks, WrongType for one not of its type."""
    check_types(event)
    key, time = (event["platform"], event["comment_id"]), event["time"]
    if event["kind"] == CLASSIFICATION:
        found[key] = _classified(event, found.get(key))
        found[key].last_moderated[event["version"]] = time
    elif event["kind"] == INTENT and key in found:
        # Its fields are read later (by its decision, or the next run): lacking one, the line
        # is named now, not the line or run that reads it.
        if missing := next((name for name in INTENT_FIELDS if name not in event), None):
            raise KeyError(missing)
        status = found[key]
        status.last_moderated[_about(event, status)] = time
        status.tried_by, status.intent = event["who"], event
    elif event["kind"] == DECISION and key in found:
        status = found[key]
        status.last_moderated[_about(event, status)] = time
        status.tried_by = event["who"]
        if status.intent is not None and status.intent["op"] == event.get("op"):
            status.intent = None  # its result is known
        # A decision the platform refused changed nothing there: the comment is as it was,
        # so only an applied one counts.
        if event["result"] != "applied":
            status.failed = event["result"]
            if event["decision"] == "hide" and event["result"].startswith(ANSWER_LOST):
                status.hide_maybe_applied = True
            return
        status.hide_maybe_applied = False  # what was applied last is what is in force
        status.decision, status.decided_by = event["decision"], event["who"]
        status.reason, status.failed = event["reason"], None
        status.category = event.get("category")
        status.hidden_under_earlier_policy = False  # decided again since
        status.decided_version = _about(event, status)  # the version it was taken on


def _about(event: dict[str, Any], status: Status) -> int:
    """The comment version an intent or decision is about: its line's `version`, or for a
    line written before decisions named it, the version classified when it was taken."""
    version = event.get("version")
    return status.version if version is None else int(version)


def _version(version: int | None) -> dict[str, int]:
    """An intent's or decision's `version`, when known: the comment version it is about."""
    return {} if version is None else {"version": version}


def _where(comment: CommentState | None) -> dict[str, str]:
    """Which announcement and post the comment is on, when known: a moderation record is
    filed under them after the comment's own lines are disposed of, as its retention may
    keep the decisions longer (not who wrote it: that stays with the comment's lines)."""
    if comment is None:
        return {}
    return {"announcement": comment.announcement, "post_id": comment.post_id}


def _decision(
    platform: str, comment_id: str, decision: str, who: str, reason: str, category: str | None
) -> dict[str, Any]:
    """What an intent and its decision line both say: which comment, what, who, why, and the
    policy's clause."""
    return {
        "platform": platform,
        "comment_id": comment_id,
        "decision": decision,
        "who": who,
        "reason": reason,
        "category": category,
        "clause": CLAUSES.get(category or "", None),
    }


def _classified(event: dict[str, Any], earlier: Status | None) -> Status:
    """A comment's status once a version is classified: the classifier's view of it, and the
    decision in force on the platform from an earlier version, which an edit does not undo."""
    status = Status(
        event["platform"],
        event["comment_id"],
        event["version"],
        event["action"],
        event["categories"],
        event["evidence"],
    )
    status.hidden_under_earlier_policy = EARLIER_POLICY in event["evidence"]
    if earlier is not None:
        status.decision, status.decided_by = earlier.decision, earlier.decided_by
        status.reason, status.decided_version = earlier.reason, earlier.decided_version
        status.category, status.last_moderated = earlier.category, earlier.last_moderated
        status.intent = earlier.intent  # sent about the comment, whichever its version
        status.hide_maybe_applied = earlier.hide_maybe_applied  # in force until decided
    return status
