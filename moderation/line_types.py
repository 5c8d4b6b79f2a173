"""The type of each field of a moderation log line, and the values it takes, as its writers
give it (ModerationLog's `classified`, `intend` and `decided`): a line added by hand with
another, or another value, stops whoever reads it, naming the field (archive/line_types.py).
Read by the moderation commands (moderation/log.py) and the records search (archive/index.py)
alike."""

from __future__ import annotations

from typing import Any

from archive.line_types import (
    CHAINED,
    LIST_OF_TEXT,
    ORDINAL,
    PLATFORM,
    TEXT,
    TEXT_OR_NULL,
    TRUE_OR_FALSE,
    FieldType,
    check_fields,
    of,
    one_of,
    wrong_type,
)

from .terms import ACTIONS, CATEGORIES, DECISIONS

# Each kind of line: the classifier's view of a version of a comment, a decision sent to the
# platform, and the decision with its result (`ModerationLog`).
CLASSIFICATION, INTENT, DECISION = "classification", "intent", "decision"
KINDS = (CLASSIFICATION, INTENT, DECISION)
# Each field of a line as its writers give it, where the line has it. Read otherwise, a line
# added by hand would stop a later step with a TypeError, or be misread ("strong": "yes" is
# not true, a decision "unhide" is not a hide, a kind the log does not know is no record).
FIELD_TYPES: dict[str, FieldType] = {
    **CHAINED,
    "kind": one_of(KINDS),  # every line's
    "platform": PLATFORM,
    "comment_id": TEXT,
    **dict.fromkeys(("announcement", "post_id"), TEXT),  # where the comment is, when known
    # A classification's: the comment's version; an intent's and a decision's, the version
    # it is about (none on lines written before they said it).
    "version": ORDINAL,
    "action": one_of(ACTIONS),
    "categories": LIST_OF_TEXT,
    "evidence": of(dict, expected="a mapping of each category's evidence"),
    "decision": one_of(DECISIONS),  # a decision's, and its intent's
    **dict.fromkeys(("op", "who", "reason", "result"), TEXT),
    "category": one_of(CATEGORIES, null=True),  # the policy's reason for a hide
    "clause": TEXT_OR_NULL,
}
# Each category's evidence (`Evidence.as_dict`, and the notes for a person in moderation/run).
EVIDENCE_TYPES: dict[str, FieldType] = {
    "matched": of(list, expected="a list"),
    "reason": TEXT,
    "clause": TEXT,
    "strong": TRUE_OR_FALSE,
}
EVIDENCE_ENTRY = "a mapping of matched, reason, clause and strong"


def check_types(event: dict[str, Any]) -> None:
    """WrongType for the first field of a line, or of its evidence, not of its type (the
    records search reads the log by it too)."""
    check_fields(event, FIELD_TYPES)
    for category, entry in event.get("evidence", {}).items():
        if not isinstance(entry, dict):
            raise wrong_type(f"evidence.{category}", entry, EVIDENCE_ENTRY)
        check_fields(entry, EVIDENCE_TYPES, f"evidence.{category}.")
