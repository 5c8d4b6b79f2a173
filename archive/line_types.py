"""What a line of a records file holds, checked as its writers give it: a line added by hand
with a field of another type (text for a number, a list for text) stops whoever reads it,
naming the field, what it holds and what was expected (`WrongType`, which
`chain.naming_line` turns into the file and line), instead of a TypeError later or a
misreading. Each kind of line has its own table, kept beside its writers: the moderation log's
(moderation/line_types.py), the comment archive's (archive/comment_types.py) and the syndication
ledger's (syndication/ledger.py); this is what they share."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .chain import WrongType


@dataclass(frozen=True)
class FieldType:
    """The JSON types a field may hold, compared exactly (JSON's true is a bool, never a
    number; a reader gets only JSON's own types), what a list of it holds, and what the
    message says it expects. Tested by type rather than by a function: the records search
    checks every line of 100,000 comments when it indexes them."""

    types: frozenset[type]
    expected: str
    items: type | None = None  # the type of each item, when it holds a list

    def fits(self, value: Any) -> bool:
        kind = type(value)
        if kind not in self.types:
            return False
        return kind is not list or self.items is None or all(type(i) is self.items for i in value)


FieldTypes = Mapping[str, FieldType]


def of(*types: type, expected: str, items: type | None = None) -> FieldType:
    return FieldType(frozenset(types), expected, items)


TEXT = of(str, expected="text")
TEXT_OR_NULL = of(str, type(None), expected="text or null")
WHOLE_NUMBER = of(int, expected="a whole number")
TRUE_OR_FALSE = of(bool, expected="true or false")
LIST_OF_TEXT = of(list, items=str, expected="a list of text")
MAPPING_OR_NULL = of(dict, type(None), expected="a mapping or null")

# What every chained line has (`ChainFile._chained`): its number, when it was written, and
# the hash of the line before it.
CHAINED: dict[str, FieldType] = {"seq": WHOLE_NUMBER, "time": TEXT, "prev": TEXT}


def check_fields(line: Mapping[str, Any], types: FieldTypes, within: str = "") -> None:
    """WrongType for the first field of `line` that `types` has and it holds with another
    type (a field it lacks is not checked here); `within` names where `line` is in its
    record (`evidence.spam.`)."""
    for name, value in line.items():
        field = types.get(name)
        if field is not None and not field.fits(value):
            raise wrong_type(f"{within}{name}", value, field.expected)


def wrong_type(field: str, value: Any, expected: str) -> WrongType:
    return WrongType(f"whose '{field}' field is {json.dumps(value)}; expected {expected}")
