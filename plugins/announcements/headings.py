"""Headings in an announcement's text, as the site's Markdown makes them and the build and the
content lint read them.

Python-Markdown makes a heading of any line starting with `#`: "#TrailBC crews are plowing
Glenmerry tonight." became a heading at the title's level, its hashtag's `#` gone, and "#1
priority" another. The site follows CommonMark instead (this module's Markdown extension,
`announcements.headings` in pelicanconf.py's MARKDOWN): `#` to `######` make a heading only
when a space, a tab or the line's end follows them.

Each heading also gets an id from its words (`## What to do` is `id="what-to-do"`), so that a
link in the text (`[what to do](#what-to-do)`) leads to it: this module's
`HeadingIdsExtension`, Python-Markdown's `toc` giving ids the theme's own never clash with.
One written after its words in braces (`## Road closures {#closures}`, Markdown's attribute
list, part of `extra`) is its id instead; like one written in HTML, the site drops it where
another element has first claim to it (`_id_claims`), and the content lint names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html import unescape
from typing import Any
from xml.etree import ElementTree as etree

from markdown import Markdown
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.extensions.toc import (
    TocExtension,
    TocTreeprocessor,
    remove_fnrefs,
    render_inner_html,
    slugify,
    strip_tags,
    unique,
)

from .lines import lines_of
from .model import first_line_naming, split_front_matter

# A heading's hashes at the start of a line, then a space, a tab or the line's end.
ATX_HEADING = re.compile(r"^(#{1,6})(?:[ \t]|$)")
# The line under a block's first line that makes it a heading, `=` at the title's level and
# `-` one below (Python-Markdown's rule: the first two lines of a block, no more).
SETEXT_UNDERLINE = re.compile(r"^(=+|-+)[ ]*$")
QUOTED = re.compile(r"^\s*(?:>\s*)+")  # a quotation's marks, which are not its text
_INDENTED_CODE = ("    ", "\t")

# A heading in rendered (cleaned) text: its level and its content.
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


class _SpacedHashHeaderProcessor(HashHeaderProcessor):
    """Python-Markdown's processor of `#` headings, wanting a space (or tab, or nothing) after
    the hashes, as CommonMark does."""

    RE = re.compile(
        r"(?:^|\n)(?P<level>#{1,6})(?=[ \t]|\n|$)"
        r"(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"
    )


class SpacedHeadingsExtension(Extension):
    """`#` makes a heading only when followed by a space: `#TrailBC` stays a hashtag."""

    def extendMarkdown(self, md: Markdown) -> None:
        # Registered under the name and priority of the processor it replaces.
        md.parser.blockprocessors.register(_SpacedHashHeaderProcessor(md.parser), "hashheader", 70)


def makeExtension(**kwargs: Any) -> SpacedHeadingsExtension:
    """How Markdown makes an extension it is given by name (`announcements.headings`)."""
    return SpacedHeadingsExtension(**kwargs)


# The ids the theme gives elements of a page that shows an announcement's or a page's text
# (base.html, article.html): a heading of the text taking one would make two elements of one
# id (invalid HTML), and the skip link or a section's label would lead to the heading instead.
THEME_IDS = frozenset(
    {
        "main",
        "withdrawn-heading",
        "event-heading",
        "share-heading",
        "council-heading",
        "council-text",
        "revisions-heading",
    }
)
# What Markdown's `smarty` makes of `--` and `---`: an id keeps them as the hyphens typed, so
# it is the same whether the text was read with typography or not.
_DASHES_AS_HYPHENS = str.maketrans({"\u2013": "-", "\u2014": "-"})


def heading_id(words: str, separator: str = "-") -> str:
    """The id a heading with these words gets: lower case ASCII letters and digits, words
    joined by hyphens (`What to do` is `what-to-do`), as Python-Markdown's `toc` makes them;
    one the theme uses gets `_1` after it, as a second heading of the same words does."""
    slug = slugify(words.translate(_DASHES_AS_HYPHENS), separator)
    return f"{slug}_1" if slug in THEME_IDS else slug


class _HeadingIdsTreeprocessor(TocTreeprocessor):
    """`toc`'s ids, worked out as `toc` does, without the table of contents it also builds
    and renders for every text (which the site never shows: most of `toc`'s time)."""

    def run(self, doc: etree.Element) -> None:
        headings = [element for element in doc.iter() if element.tag in _HEADING_TAGS]
        if not headings:
            return
        used = {element.attrib["id"] for element in doc.iter() if "id" in element.attrib}
        counters: dict[str, int] = {}
        for heading in headings:
            if "id" not in heading.attrib:  # one given in the text is kept, as `toc` keeps it
                words = unescape(strip_tags(render_inner_html(remove_fnrefs(heading), self.md)))
                heading.attrib["id"] = unique(self.slugify(words, self.sep), used, counters)


class HeadingIdsExtension(TocExtension):
    """An id on each heading (`announcements.headings:HeadingIdsExtension` in the site's
    MARKDOWN), from `heading_id`; no table of contents: a `[TOC]` in the text stays text."""

    TreeProcessorClass = _HeadingIdsTreeprocessor

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"marker": "", "slugify": heading_id, **kwargs})


# An element's opening tag in rendered (cleaned) text, which names tags in lower case and
# writes each attribute in double quotes; and its id.
_OPENING_TAG = re.compile(r"<([a-z][a-z0-9]*)\b[^>]*>")
_ID = re.compile(r'\sid="([^"]*)"')
_HEADING_TAGS = {f"h{level}" for level in range(1, 7)}


def _id_claims(html: str) -> list[tuple[re.Match[str], str | None]]:
    """Each id attribute of rendered (cleaned) text, in order, with who has first claim to it
    if not its element: the theme, whose ids the skip link and sections' labels lead to; a
    heading, whose id a link made from its words leads to; or an element before it."""
    elements = [
        (tag.group(1), found)
        for tag in _OPENING_TAG.finditer(html)
        if (found := _ID.search(html, tag.start(), tag.end()))
    ]
    heading_of: dict[str, re.Match[str]] = {}
    for tag, found in elements:
        if tag in _HEADING_TAGS:
            heading_of.setdefault(found.group(1), found)
    claims: list[tuple[re.Match[str], str | None]] = []
    seen: set[str] = set()
    for _, found in elements:
        name = found.group(1)
        if name in THEME_IDS:
            claims.append((found, "the theme's"))
        elif heading_of.get(name, found) is not found:
            claims.append((found, "a heading's"))
        elif name in seen:
            claims.append((found, "an earlier element's"))
        else:
            claims.append((found, None))
            seen.add(name)
    return claims


# An attribute list as `attr_list` finds one (`{#closures}`, `{: #map .note }`, `{id=map}`),
# and a quick look for one that may give an id, as most lines give none.
_ATTRIBUTE_LIST = re.compile(AttrListTreeprocessor.BASE_RE)
MAY_GIVE_AN_ID = re.compile(r"\{[^}\n]*(?:#|id\s*=)")


def ids_in_attribute_lists(line: str) -> list[str]:
    """The ids a line of Markdown writes in attribute lists, as `attr_list` reads them: after
    a heading's words, a block's last line or an inline element (`## Road closures {#closures}`)."""
    if not MAY_GIVE_AN_ID.search(line):
        return []
    return [
        str(value)
        for found in _ATTRIBUTE_LIST.finditer(line)
        for name, value in get_attrs_and_remainder(found.group(1))[0]
        if name == "id"
    ]


def colliding_ids(html: str) -> list[tuple[str, str]]:
    """(id, whose it is) of each id of rendered (cleaned) text that the site drops, in order."""
    return [(found.group(1), owner) for found, owner in _id_claims(html) if owner]


def without_colliding_ids(html: str) -> str:
    """Rendered (cleaned) text with each id another element has first claim to dropped: two
    elements of one id are invalid HTML, and a link could lead to either (see `_id_claims`).
    Python-Markdown keeps HTML written in the text as it is, so only here can it be seen."""
    kept, end = [], 0
    for found, owner in _id_claims(html):
        if owner:
            kept.append(html[end : found.start()])
            end = found.end()
    return "".join(kept) + html[end:]


def heading_at_title_level(heading: str) -> str:
    """What is wrong with a heading at the title's level in the text, said the same by the
    build and the content lint."""
    return (
        f"'{heading}' is a heading at the level of the page's title, which must be the page's "
        f"only one (screen readers take it for the page's name); make it '## {heading}'"
    )


def headings(lines: Iterable[tuple[int, str | None]]) -> Iterator[tuple[int, int, str]]:
    """(line, level, text) of each heading written in the text's `lines`, as the site's
    Markdown makes them: `#` to `######` then a space, or a block's first line with a line of
    `=` (level 1) or `-` (level 2) under it, in a quotation too. Each line comes with its
    number and its text, or None where Markdown does not read it (front matter, code)."""
    first: tuple[int, str] | None = None  # a block's first line, while it is the only one
    opens_block = True  # the next line starts a block
    for number, line in lines:
        text = QUOTED.sub("", line) if line is not None else None
        if text is None:
            first, opens_block = None, True
        elif atx := ATX_HEADING.match(text):
            yield number, len(atx.group(1)), text[atx.end() :].strip().rstrip("#").strip()
            first, opens_block = None, True  # Markdown reads the lines after it anew
        elif first is not None and (underline := SETEXT_UNDERLINE.match(text)):
            yield first[0], 1 if underline.group(1).startswith("=") else 2, first[1].strip()
            first, opens_block = None, True
        else:
            blank = not text.strip()
            starts = opens_block and not blank and not text.startswith(_INDENTED_CODE)
            first = (number, text) if starts else None
            opens_block = blank


def headings_in_html(html: str) -> list[tuple[int, str]]:
    """(level, text) of each heading in rendered (cleaned) text, in order."""
    return [
        (int(match.group(1)), unescape(_TAG.sub("", match.group(2))).strip())
        for match in _HEADING.finditer(html)
    ]


def headings_at_title_level(html: str) -> list[str]:
    """The text of each heading at the page title's level (h1) in rendered (cleaned) text: the
    page's title is its one h1, so the text's headings start at h2 (`##`)."""
    return [text for level, text in headings_in_html(html) if level == 1]


def lines_of_title_level_headings(text: str, html: str) -> list[tuple[int, str]]:
    """(line, text) of each heading at the title's level in `html`, rendered from the file
    `text`: its line is the one writing it as such a heading, and its text as written there
    (an apostrophe, emphasis or `--` comes out otherwise in `html`); else the first line
    holding its words (written in HTML)."""
    parts = split_front_matter(text)
    start = parts[2] if parts else 1
    body = lines_of(text)[start - 1 :]
    written: dict[str, tuple[int, str]] = {}
    for number, level, words in headings(enumerate(body, start)):
        if level == 1:
            written.setdefault(_letters(words), (number, words))
    return [
        written.get(_letters(heading)) or (first_line_naming(text, heading), heading)
        for heading in headings_at_title_level(html)
    ]


def _letters(words: str) -> str:
    """Words as both Markdown and its rendering spell them: letters and digits only (smart
    quotes, dashes and emphasis marks differ between the two)."""
    return "".join(character for character in words.casefold() if character.isalnum())
