"""The page cache's fingerprints tell apart every difference a page could show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup
from pelican.paginator import Paginator
from pelican.urlwrappers import Category

from page_cache.fingerprint import Fingerprinter, Unfingerprintable


@dataclass(frozen=True)
class Item:
    title: str
    tags: tuple[str, ...] = ()


class Thing:
    def __init__(self, **attributes: object) -> None:
        self.__dict__.update(attributes)


def of(value: object) -> bytes:
    return Fingerprinter().of(value)


def test_equal_values_agree_across_builds_and_dict_order() -> None:
    when = datetime(2026, 11, 24, 12, tzinfo=ZoneInfo("America/Vancouver"))
    first = {"a": [1, "x", when], "b": Item("Pool", ("swim",))}
    second = {"b": Item("Pool", ("swim",)), "a": [1, "x", when]}
    assert of(first) == of(second)
    assert of(Thing(a=1, b=2)) == of(Thing(b=2, a=1))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("<b>", Markup("<b>")),  # escaped vs. not
        (1, "1"),
        (1, True),
        (["ab"], ["a", "b"]),
        ({"a": 1}, {"a": 2}),
        ({"a": "b"}, {"ab": ""}),
        (Item("Pool"), Item("Pool", ("swim",))),
        (Thing(title="Pool"), Thing(title="Pool", urgent=True)),
        (
            datetime(2026, 11, 24, 12, tzinfo=ZoneInfo("America/Vancouver")),
            datetime(2026, 11, 24, 12, tzinfo=ZoneInfo("UTC")),
        ),
    ],
)
def test_different_values_differ(one: object, other: object) -> None:
    assert of(one) != of(other)


def test_a_value_of_unknown_kind_is_refused_not_guessed() -> None:
    with pytest.raises(Unfingerprintable):
        of([1, object()])


def test_values_that_refer_to_each_other_are_refused_not_followed_forever() -> None:
    english, french = Thing(lang="en"), Thing(lang="fr")
    english.__dict__["translations"], french.__dict__["translations"] = [french], [english]
    with pytest.raises(Unfingerprintable):
        of(english)


def test_a_paginator_is_its_numbers_not_the_whole_list_it_pages() -> None:
    settings = {"DEFAULT_ORPHANS": 0, "PAGINATION_PATTERNS": []}
    first = Paginator("index.html", "", list(range(40)), settings, 20)
    edited = Paginator("index.html", "", [*range(39), 99], settings, 20)
    longer = Paginator("index.html", "", list(range(41)), settings, 20)
    assert of(first) == of(edited)
    assert of(first) != of(longer)


def test_the_settings_and_context_a_page_holds_are_not_part_of_it() -> None:
    assert of(Thing(title="Pool", settings={"A": 1}, _context={"x": 1})) == of(
        Thing(title="Pool", settings={"A": 2}, _context={"x": 2})
    )


def test_a_category_is_the_same_whether_or_not_its_slug_was_asked_for_yet() -> None:
    settings = {"SLUG_REGEX_SUBSTITUTIONS": [(r"\s+", "-")]}
    asked = Category("Public Notice", settings)
    assert asked.slug == "public-notice"
    assert of(asked) == of(Category("Public Notice", settings))
    assert of(asked) != of(Category("Service Change", settings))
