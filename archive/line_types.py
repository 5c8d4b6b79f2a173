"""What a line of a records file holds, checked as its writers give it: a line added by hand
with a field of another type (text for a number, a list for text), or of its type but a value
its writers never give (a time of "x", a platform or phase the code does not know, a negative
version), stops whoever reads it, naming the field, what it holds and what was expected
(`WrongType`, which
`chain.naming_line` turns into the file and line), instead of a TypeError later or a
misreading. Each kind of line has its own table, kept beside its writers: the moderation log's
(moderation/line_types.py), the comment archive's (archive/comment_types.py) and the syndication
ledger's (syndication/ledger.py); this is what they share."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syndication.config import REQUIRED

from .chain import WrongType


@dataclass(frozen=True)
class FieldType:
    """The JSON types a field may hold, compared exactly (JSON's true is a bool, never a
    number; a reader gets only JSON's own types), what a list of it holds, the values it
    takes, and what the message says it expects. Tested by type, then by a set lookup or
    one parse, never a pattern: the records search checks every line of 100,000 comments
    when it indexes them."""

    types: frozenset[type]
    expected: str
    items: type | None = None  # the type of each item, when it holds a list
    # Whether a value of its type is one its writers give (a set's `__contains__`, or a test
    # such as `is_moment`); null, where a field may hold it, is not asked. None: any.
    values: Callable[[Any], bool] | None = None

    def fits(self, value: Any) -> bool:
        kind = type(value)
        if kind not in self.types:
            return False
        if (
            kind is list
            and self.items is not None
            and any(type(i) is not self.items for i in value)
        ):
            return False
        return self.values is None or value is None or self.values(value)


FieldTypes = Mapping[str, FieldType]


def of(
    *types: type,
    expected: str,
    items: type | None = None,
    values: Callable[[Any], bool] | frozenset[Any] | None = None,
) -> FieldType:
    """A field's type; `values`, the set of values it takes or a test of one."""
    if isinstance(values, frozenset):
        values = values.__contains__
    return FieldType(frozenset(types), expected, items, values)


def one_of(names: Iterable[str], null: bool = False) -> FieldType:
    """Text that is one of `names` (the code's own constant: a platform, a kind of line), or
    null if `null`."""
    names = tuple(names)
    listed = f"one of {', '.join(names)}{', or null' if null else ''}"
    kinds = (str, type(None)) if null else (str,)
    return of(*kinds, expected=listed, values=frozenset(names))


def is_moment(value: str) -> bool:
    """Whether `value` is an ISO 8601 time with its offset, as every writer stamps one (a
    date alone, or a time without an offset, cannot be placed among the others)."""
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def at_least(least: int) -> Callable[[Any], bool]:
    """A test of a whole number (or of a list, which passes: its items are typed) not below
    `least`."""
    return lambda value: type(value) is not int or value >= least


TEXT = of(str, expected="text")
TEXT_OR_NULL = of(str, type(None), expected="text or null")
COUNT = of(int, expected="a whole number, 0 or more", values=at_least(0))
# A version of a comment, counted from 1 (`CommentArchive.record`), or a line's number.
ORDINAL = of(int, expected="a whole number, 1 or more", values=at_least(1))
TIME = of(str, expected="an ISO 8601 time with its offset", values=is_moment)
TIME_OR_NULL = of(
    str, type(None), expected="an ISO 8601 time with its offset, or null", values=is_moment
)
TRUE_OR_FALSE = of(bool, expected="true or false")
LIST_OF_TEXT = of(list, items=str, expected="a list of text")
MAPPING_OR_NULL = of(dict, type(None), expected="a mapping or null")
# The platform a line is about, as the archive names it (X under its name before 2023).
PLATFORM = one_of(REQUIRED)

# What every chained line has (`ChainFile._chained`): its number, when it was written (`now`),
# and the hash of the line before it.
CHAINED: dict[str, FieldType] = {"seq": ORDINAL, "time": TIME, "prev": TEXT}


def check_fields(line: Mapping[str, Any], types: FieldTypes, within: str = "") -> None:
    """WrongType for the first field of `line` that `types` has and it holds with another
    type, or with a value its writers never give (a field it lacks is not checked here);
    `within` names where `line` is in its record (`evidence.spam.`)."""
    for name, value in line.items():
        field = types.get(name)
        if field is not None and not field.fits(value):
            raise wrong_type(f"{within}{name}", value, field.expected)


def wrong_type(field: str, value: Any, expected: str) -> WrongType:
    return WrongType(f"whose '{field}' field is {json.dumps(value)}; expected {expected}")
