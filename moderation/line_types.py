"""The type of each field of a moderation log line, as its writers give it (ModerationLog's
`classified`, `intend` and `decided`): a line added by hand with another stops whoever reads
it, naming the field (archive/line_types.py). Read by the moderation commands
(moderation/log.py) and the records search (archive/index.py) alike."""

from __future__ import annotations

from typing import Any

from archive.line_types import (
    CHAINED,
    LIST_OF_TEXT,
    TEXT,
    TEXT_OR_NULL,
    TRUE_OR_FALSE,
    WHOLE_NUMBER,
    FieldType,
    check_fields,
    of,
    wrong_type,
)

# Each field of a line as its writers give it, where the line has it. Read otherwise, a line
# added by hand would stop a later step with a TypeError, or be misread ("strong": "yes" is
# not true).
FIELD_TYPES: dict[str, FieldType] = {
    **CHAINED,
    **dict.fromkeys(("kind", "platform", "comment_id"), TEXT),  # every line's
    **dict.fromkeys(("announcement", "post_id"), TEXT),  # where the comment is, when known
    "version": WHOLE_NUMBER,  # a classification's
    "action": TEXT,
    "categories": LIST_OF_TEXT,
    "evidence": of(dict, expected="a mapping of each category's evidence"),
    **dict.fromkeys(("op", "decision", "who", "reason", "result"), TEXT),  # a decision's
    **dict.fromkeys(("category", "clause"), TEXT_OR_NULL),
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
