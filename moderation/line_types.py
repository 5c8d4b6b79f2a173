"""The type of each field of a moderation log line, as its writers give it: a line added by
hand with another (text for a number, a list for text) stops whoever reads it, naming the
field, instead of a TypeError later or a misreading. Read by the moderation commands
(moderation/log.py) and the records search (archive/index.py) alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from archive.chain import WrongType


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON's true is no number


# Each field of a line as its writers give it, where the line has it: a test and what it
# expects. Read otherwise, a line added by hand would stop a later step with a TypeError, or
# be misread ("strong": "yes" is not true).
TEXT = (_is_text, "text")
FIELD_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    **dict.fromkeys(("kind", "platform", "comment_id", "time"), TEXT),  # every line's
    "version": (_is_whole_number, "a whole number"),  # a classification's
    "action": TEXT,
    "categories": (lambda v: isinstance(v, list) and all(map(_is_text, v)), "a list of text"),
    "evidence": (lambda v: isinstance(v, dict), "a mapping of each category's evidence"),
    **dict.fromkeys(("op", "decision", "who", "reason", "result"), TEXT),  # a decision's
    "category": (lambda v: v is None or _is_text(v), "text or null"),
}
# Each category's evidence (`Evidence.as_dict`, and the notes for a person in moderation/run).
EVIDENCE_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "matched": (lambda v: isinstance(v, list), "a list"),
    "reason": TEXT,
    "clause": TEXT,
    "strong": (lambda v: isinstance(v, bool), "true or false"),
}
EVIDENCE_ENTRY = "a mapping of matched, reason, clause and strong"


def check_types(event: dict[str, Any]) -> None:
    """WrongType for the first field of a line, or of its evidence, not of its type (the
    records search reads the log by it too)."""
    for name, (fits, expected) in FIELD_TYPES.items():
        if name in event and not fits(event[name]):
            raise _wrong(name, event[name], expected)
    for category, entry in event.get("evidence", {}).items():
        if not isinstance(entry, dict):
            raise _wrong(f"evidence.{category}", entry, EVIDENCE_ENTRY)
        for name, (fits, expected) in EVIDENCE_TYPES.items():
            if name in entry and not fits(entry[name]):
                raise _wrong(f"evidence.{category}.{name}", entry[name], expected)


def _wrong(field: str, value: Any, expected: str) -> WrongType:
    return WrongType(f"whose '{field}' field is {json.dumps(value)}; expected {expected}")
