"""What a line of a records file holds, checked as its writers give it: a line added by hand
with a field of another type (text for a number, a list for text) stops whoever reads it,
naming the field, what it holds and what was expected (`WrongType`, which
`chain.naming_line` turns into the file and line), instead of a TypeError later or a
misreading. Each kind of line has its own table, kept beside its writers: the moderation log's
(moderation/line_types.py), the comment archive's (archive/comments.py) and the syndication
ledger's (syndication/ledger.py); this is what they share."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from .chain import WrongType

# A field's test, and what it expects, as the message words it.
FieldType = tuple[Callable[[Any], bool], str]
FieldTypes = Mapping[str, FieldType]


def is_text(value: Any) -> bool:
    return isinstance(value, str)


def is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON's true is no number


TEXT: FieldType = (is_text, "text")
TEXT_OR_NULL: FieldType = (lambda v: v is None or is_text(v), "text or null")
WHOLE_NUMBER: FieldType = (is_whole_number, "a whole number")
TRUE_OR_FALSE: FieldType = (lambda v: isinstance(v, bool), "true or false")
LIST_OF_TEXT: FieldType = (
    lambda v: isinstance(v, list) and all(map(is_text, v)),
    "a list of text",
)
MAPPING_OR_NULL: FieldType = (lambda v: v is None or isinstance(v, dict), "a mapping or null")

# What every chained line has (`ChainFile._chained`): its number, when it was written, and
# the hash of the line before it.
CHAINED: dict[str, FieldType] = {"seq": WHOLE_NUMBER, "time": TEXT, "prev": TEXT}


def check_fields(line: Mapping[str, Any], types: FieldTypes, within: str = "") -> None:
    """WrongType for the first field of `line` that `types` has and it holds with another
    type (a field it lacks is not checked here); `within` names where `line` is in its
    record (`evidence.spam.`)."""
    for name, (fits, expected) in types.items():
        if name in line and not fits(line[name]):
            raise wrong_type(f"{within}{name}", line[name], expected)


def wrong_type(field: str, value: Any, expected: str) -> WrongType:
    return WrongType(f"whose '{field}' field is {json.dumps(value)}; expected {expected}")
