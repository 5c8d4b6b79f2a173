"""The announcement content model: YAML front matter in, validated fields or problems out.

Pure functions only (no Pelican but its slug rule, no I/O but the existence checks of
referenced files), so the rules can be tested directly and reused by the content lint and
`invoke new`.

A file looks like::

    ---
    title: Water main flushing in Glenmerry
    date: 2026-11-20 09:00
    category: service-change
    summary: Crews flush water mains in Glenmerry next week; water may be discoloured.
    ---
    Markdown body...

Every problem names the file, the line and the field, and says what is expected.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import warnings
from calendar import monthrange
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from html import unescape
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

import nh3
import yaml
from PIL import Image

from .addresses import slugified
from .file_versions import once_per_version
from .lines import line_at, lines_of
from .videos import video_problem

CATEGORIES: dict[str, str] = {
    "public-notice": "Public notices",
    "capital-project": "Capital projects",
    "city-event": "City events",
    "regional-event": "Greater Trail Area events",
    "service-change": "Service changes",
    "alert": "Alerts",
}
EVENT_CATEGORIES = frozenset({"city-event", "regional-event"})
# As messages name them: "city-event or regional-event", in CATEGORIES' order.
EVENT_CATEGORIES_NAMED = " or ".join(c for c in CATEGORIES if c in EVENT_CATEGORIES)
PLATFORMS = ("facebook", "twitter", "youtube")
DEFAULT_PLATFORMS = ("facebook", "twitter")
STATUSES = ("draft", "published", "withdrawn")
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
# The formats, as Pillow names them, the build writes again without what else their file says
# (images.py); an MPO is a phone's JPEG. An image in any other would go out as it is.
PUBLISHED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "GIF", "WEBP"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".avi", ".mpeg", ".mpg"})
# Pelican's STATIC_PATHS in pelicanconf.py: the only content it copies to the site as is.
STATIC_PATHS = ("images",)
# Pelican's ARTICLE_PATHS and PAGE_PATHS: the folders whose Markdown it reads.
MARKDOWN_PATHS = ("announcements", "pages")

ANNOUNCEMENT_FIELDS = (
    "title",
    "date",
    "category",
    "summary",
    "modified",
    "tags",
    "image",
    "image_alt",
    "event_start",
    "event_end",
    "location",
    "expires",
    "urgent",
    "status",
    "withdrawn_reason",
    "correction",
    "syndicate",
    "video",
)
PAGE_FIELDS = ("title", "summary", "slug", "save_as", "url", "template", "status", "modified")
PAGE_STATUSES = ("published", "hidden", "draft")

# A published file's address is its path as named, and Pelican links it unescaped: anything
# beyond these characters (a space, an accent, '#', '?') would make invalid HTML and broken
# links on the page, in the feeds and in social posts.
_ADDRESS_SAFE = re.compile(r"[A-Za-z0-9._/-]+\Z")
ADDRESS_SAFE_EXPECTED = (
    "file names must not contain spaces or characters that need escaping in a URL; "
    "rename the file using only letters a-z, digits, '-', '_' and '.'"
)
PAGE_ADDRESS_EXPECTED = (
    "needs escaping in a URL; give an address of only letters a-z, digits, '-', '_', '.' and '/'"
)

# What `invoke new` writes where the CEC has something to fill in. Only a draft may keep it: it
# would otherwise reach the page, the feeds and every platform ("TODO, where it happens").
# One word in capitals, matched as written: no notice says it, while "WHAT TO DO:" heads many
# an emergency notice, which must never be refused for it.
PLACEHOLDER = "TODO"
PLACEHOLDER_LEFT = (
    f"'{PLACEHOLDER}' marks a part left to fill in or check; do so and remove the mark, or keep "
    "'status: draft' until it is ready"
)
_PLACEHOLDER = re.compile(rf"(?<!\w){re.escape(PLACEHOLDER)}(?!\w)")

# Control characters (Unicode's Cc: C0, DEL and C1) other than tab and line breaks, and what
# else XML 1.0 cannot hold (surrogates, U+FFFE, U+FFFF). Invisible in an editor, they come with
# text pasted from a PDF or Word (a page break is a form feed), and lxml refuses to write a feed
# that holds one: the build would stop, naming nothing.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Overrides and isolates of the text's direction: valid HTML, but text after one reads
# backwards or out of order, so a change note (written elsewhere, shown as it was) shows them
# as spaces, as records search writes them out (archive.index.CONTROL).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

# What a word processor or a phone's keyboard types where YAML needs a plain space or colon,
# and an editor shows as one. After a field's colon or in a line's indentation, YAML then fails
# a line or more below, with a message that says nothing of it ("could not find expected ':'").
_LOOKALIKES = {
    "\u00a0": ("a no-break space (U+00A0)", "a plain space"),
    "\u202f": ("a narrow no-break space (U+202F)", "a plain space"),
    "\uff1a": ("a full-width colon (U+FF1A)", "':'"),
}
_LOOKALIKE = re.compile(
    r"^[ \u00a0\u202f]*?(?:[A-Za-z0-9_-]+(?::(?=[\u00a0\u202f])|(?=\uff1a)))?([\u00a0\u202f\uff1a])"
)

# A character reference as Markdown passes it through to the page (markdown.serializers'
# own pattern): `&nbsp;`, `&#64;`, `&#x1B;`. Without its `;`, Markdown writes the `&` as text.
CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)


def as_shown(markdown_text: str) -> str:
    """Text of the body with each character reference as the character the page shows in its
    place (`250&nbsp;555` is "250 555"): what a reader sees, and the feeds carry."""
    if "&" not in markdown_text:  # most text: no reference to look for
        return markdown_text
    return CHARACTER_REFERENCE.sub(lambda found: shown_character(found[0]), markdown_text)


@lru_cache(maxsize=1024)
def shown_character(reference: str) -> str:
    """What one character reference shows, read as the build's HTML cleaner (and a browser)
    reads it: `&#11;` is a vertical tab, which `html.unescape` would drop, `&#0;` U+FFFD, and a
    name HTML does not know is shown as typed."""
    return unescape(nh3.clean(reference))


# The years an announcement's times may fall in. Anything else is a slip ("9999" for "never"),
# and near years 1 and 9999 a change of offset leaves the dates Python can hold.
YEARS = range(1900, 3000)

# libyaml's loader when PyYAML was built with it (its wheels are): same nodes, much faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DATE_ONLY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*\Z")
_BARE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")  # a line end only to an old Mac's editor
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one field of one file."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


def read_source(path: Path, name: str) -> tuple[str | None, Problem | None]:
    """A content file's text, or why it cannot be read as text: not UTF-8, with the line of
    the first byte that is not (an editor saving as Windows-1252, say). A byte-order mark, as
    some Windows editors write, is dropped."""
    try:
        return path.read_bytes().decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        data = bytes(error.object)  # after any byte-order mark, as `start` counts
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        message = f"byte 0x{byte:02x} is not UTF-8; save the file with the UTF-8 encoding"
        return None, Problem(name, line, "encoding", message)


class ContentError(Exception):
    """Raised when content files do not follow the content model."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# A day alone, named so where a field called `date` hides the type (in Announcement).
Day = date


@dataclass(frozen=True)
class Correction:
    """A public note of what was corrected, and when."""

    date: datetime
    note: str


@dataclass(frozen=True)
class Preview:
    """How an announcement's page presents itself wherever it is previewed or shared: its
    title, description and image tags, and its JSON-LD."""

    headline: str
    description: str
    image: str | None = None  # its path in content/, with its alt text
    image_alt: str | None = None


@dataclass(frozen=True)
class Announcement:
    """The validated front matter of one announcement."""

    title: str
    date: datetime
    category: str
    summary: str
    modified: datetime | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    # An event's times, City time; an all-day event's from the start of its first day to the
    # end of its last (the next midnight), so that everything ordering or dating events by
    # them needs no second rule. `first_day` and `last_day` (inclusive) are its days as given.
    event_start: datetime | None = None
    event_end: datetime | None = None
    first_day: Day | None = None
    last_day: Day | None = None
    location: str | None = None
    expires: datetime | None = None
    urgent: bool = False
    status: str = "published"
    withdrawn_reason: str | None = None
    corrections: tuple[Correction, ...] = ()
    syndicate: tuple[str, ...] = DEFAULT_PLATFORMS
    video: str | None = None

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]

    @property
    def is_event(self) -> bool:
        return self.category in EVENT_CATEGORIES

    @property
    def all_day(self) -> bool:
        """An event given as days alone (`event_start: 2026-12-05`): shown without times."""
        return self.first_day is not None

    @property
    def is_run_by_city(self) -> bool:
        """An event the City organizes: a `regional-event` (Greater Trail Area) is run by
        others and only announced."""
        return self.category == "city-event"

    @property
    def withdrawn(self) -> bool:
        return self.status == "withdrawn"

    @property
    def posted_on(self) -> tuple[str, ...]:
        """The platforms it is posted to: those `syndicate` names, YouTube only with a video
        to upload (the build refuses `youtube` without one; the manifest and `invoke status`
        both read this)."""
        return tuple(p for p in self.syndicate if p != "youtube" or self.video)

    def preview(self, expired_on: str | None = None) -> Preview:
        """The title and summary, as shown wherever the page is previewed or shared: a
        withdrawn notice says so and why, and an expired one (`expired_on`: when, as the page
        says it) that it expired, so a link pasted or shared again never presents either as
        current. A withdrawn one shows no image: its page shows only the notice."""
        if self.withdrawn:
            return Preview(f"Withdrawn: {self.title}", self.withdrawn_reason or self.summary)
        image = (self.image, self.image_alt)
        if expired_on is not None:
            said = f"This notice expired on {expired_on}. {self.summary}"
            return Preview(f"Expired: {self.title}", said, *image)
        return Preview(self.title, self.summary, *image)

    @property
    def updated(self) -> datetime:
        """When the announcement last changed in public: the latest of its publication, its
        modification and its corrections (a dated correction need not move `modified`)."""
        changes = [self.date, *(c.date for c in self.corrections)]
        return max(changes if self.modified is None else [*changes, self.modified])

    def dates_a_change_later(self, now: datetime) -> bool:
        """Whether, to be published, it dates a change after it can have been made as of
        `now` (`changes_dated_later` names each)."""
        return self.status != "draft" and self.updated > latest_change(self.date, now)

    def is_expired(self, now: datetime) -> bool:
        return self.expires is not None and self.expires <= now

    def left_at(self, end: datetime) -> datetime:
        """When it left a list at `end`, once passed (its expiry; an event's end, leaving the
        upcoming ones): then, or at its latest correction if that came later, which may have
        moved `end` back. It was shown until the correction was published, so dating its
        leaving by the new, earlier `end` would turn a list's date back; the content cannot
        tell a correction to `end` from one to the text, so either dates it. A withdrawal is
        no correction: it takes the announcement out of a list at its own time."""
        corrected = [c.date for c in self.corrections] if self.withdrawn else [self.updated]
        return max([end, *corrected])

    def changed(self, now: datetime) -> datetime:
        """When the announcement last changed in public as of `now`: its last update, or its
        expiry once passed (its page and every list then say it expired, and an urgent alert
        leaves the alert box and the urgent feed). A withdrawn one says only that."""
        expired = self.expires if self.is_expired(now) and not self.withdrawn else None
        return self.updated if expired is None else max(self.updated, expired)


@dataclass(frozen=True)
class PageMeta:
    """The validated front matter of a standalone page (guidelines, about, 404)."""

    title: str
    summary: str | None = None
    slug: str | None = None
    save_as: str | None = None
    url: str | None = None
    template: str | None = None
    status: str = "published"
    modified: datetime | None = None


@dataclass
class _Fields:
    """Front matter nodes by field name, with the line each starts on."""

    path: str
    nodes: dict[str, yaml.Node] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    first_line: int = 1
    front: str = ""  # the front matter's text, from `first_line` on

    def problem(self, name: str, message: str, line: int | None = None) -> None:
        self.problems.append(
            Problem(self.path, line or self.lines.get(name, self.first_line), name, message)
        )

    def line_of(self, mark: yaml.Mark) -> int:
        """The file's line of a place in the front matter, as an editor numbers it."""
        return self.first_line - 1 + line_at(self.front, mark.index)


class _FieldError(ValueError):
    """A field's value is wrong; the message says what is expected."""


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front matter, body, line the body starts on), or None without front matter."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None
    body_line = line_at(text, match.end())
    return match.group(1), text[match.end() :], body_line


def placeholder_lines(text: str) -> list[int]:
    """The lines of a file that still hold the placeholder: in a field, in a comment beside
    one (`# TODO: check`: nobody has checked that value yet) or in the text."""
    if PLACEHOLDER not in text:  # most files: one scan, no lines
        return []
    return [n for n, line in enumerate(lines_of(text), 1) if _PLACEHOLDER.search(line)]


def placeholders(path: str, text: str) -> list[Problem]:
    """Each placeholder left in a file, named by line and field as the build names it: none
    in a draft, which may keep them."""
    return _found(path, text, _placeholders_left)


def invisible_character(character: str, reference: str | None = None) -> str:
    """What is wrong with an invisible character, typed or written as a character `reference`
    (`&#12;`, which is all the CEC sees of it), said the same by the build and the lint."""
    written = f", written '{reference}'," if reference else ""
    return (
        f"U+{ord(character):04X}{written} is an invisible control character, which the feeds "
        "cannot carry; remove it (one is often pasted with text from a PDF or a Word document)"
    )


def first_invisible_character(text: str) -> str | None:
    """The first invisible control character in `text` the build refuses, or None."""
    found = _INVISIBLE.search(text)
    return found.group() if found else None


def invisible_characters(path: str, text: str) -> list[Problem]:
    """Each invisible character in a file, named by line and field as the build names it:
    none in a draft, which is never published (it must not stop an urgent alert)."""
    return _found(path, text, _invisible_characters_left)


def invisible_characters_as_spaces(text: str) -> str:
    """`text` with each invisible character as a space: for text published as it was written
    elsewhere, a commit's change note, which no build can refuse (a pushed commit cannot be
    amended) but no page may hold (HTML forbids them)."""
    return _BIDI_CONTROLS.sub(" ", _INVISIBLE.sub(" ", text))


def first_line_naming(text: str, words: str) -> int:
    """The first line of a file's text (after its front matter) that holds `words`; the
    text's first line when it is written otherwise (escaped, or split across lines)."""
    parts = split_front_matter(text)
    start = parts[2] if parts else 1
    lines = lines_of(text)[start - 1 :]
    return next((n for n, line in enumerate(lines, start) if words in line), start)


def _found(path: str, text: str, look: Callable[[_Fields, str], None]) -> list[Problem]:
    """What `look` finds in a file that is not a draft, named by line and field as the build
    names it, without the front matter's own problems."""
    fields = _compose(path, text)
    if _is_draft(fields):
        return []
    found = replace(fields, problems=[])
    look(found, text)
    return found.problems


def _compose(path: str, text: str) -> _Fields:
    fields = _Fields(path)
    parts = split_front_matter(text)
    bare = _BARE_CARRIAGE_RETURN.search(text) if parts is None else None
    if bare and split_front_matter(_BARE_CARRIAGE_RETURN.sub("\n", text)) is not None:
        # An editor ends a line there; git, the build and every message's line numbers do not
        # (see announcements.lines), so the front matter it shows is none to them.
        fields.problem(
            "front matter",
            "its lines end in a carriage return alone (old Mac line ends), which the build does "
            "not read as line ends; save the file with LF (Unix) or CRLF (Windows) line ends",
            line_at(text, bare.start()),
        )
        return fields
    if parts is None:
        fields.problem(
            "front matter", "expected the file to start with a '---' line, the fields, then '---'"
        )
        return fields
    front, _body, _ = parts
    fields.first_line, fields.front = 2, front
    try:
        root = _front_matter_tree(front)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = fields.line_of(mark) if mark is not None else fields.first_line
        reason = getattr(error, "problem", None) or str(error)
        name = "front matter"  # or the field whose value YAML read as its own syntax
        lines, index = lines_of(front), line - fields.first_line
        if opened := unclosed_quote(error, front):  # named where it opens, not where YAML ran out
            mark = opened[0]
            line = fields.line_of(mark)
            index = line - fields.first_line
        if lookalike := _lookalike(lines[: index + 1] if mark is not None else lines):
            found, hint = lookalike
            line, reason = fields.first_line + found, f"{reason}; {hint}"
        elif opened:
            name, reason = _unclosed_quote_named(lines, index, opened[0].column, opened[1])
        elif mark is not None and index < len(lines) and "\t" in lines[index]:
            reason += "; this line has a tab: indent and space with spaces only"
        elif mark is not None and (quoted := _quoted_value(lines, index, mark.column)):
            name, value = quoted
            reason += (
                '; write the value in double quotes, each \\ and " in it after a \\: '
                f"{name}: {value}"
            )
        fields.problem(name, f"is not valid YAML ({reason})", line)
        return fields
    if root is None:
        return fields
    if not isinstance(root, yaml.MappingNode):
        fields.problem("front matter", "expected 'field: value' lines")
        return fields
    for key_node, value_node in root.value:
        name = str(key_node.value)
        line = fields.line_of(key_node.start_mark)
        if name in fields.nodes:
            fields.problem(name, f"is given twice (first on line {fields.lines[name]})", line)
            continue
        fields.nodes[name] = value_node
        fields.lines[name] = line
    return fields


@lru_cache(maxsize=8)
def _front_matter_tree(front: str) -> yaml.Node | None:
    """A file's front matter as YAML nodes, which nothing changes once read. Each file is
    read so up to four times in a row (its fields, placeholders, invisible characters, the
    dates of its changes: in the lint, each for itself); YAML reads it once. An error is not
    kept, so each caller hears it."""
    # YAML refuses an invisible character typed in a value with a message naming no line
    # or field: read it as a space, and `_invisible_characters_left` names where it is.
    return yaml.compose(_INVISIBLE.sub(" ", front), Loader=_LOADER)


_FIELD_NAME = re.compile(r"([A-Za-z_]+):")


def unclosed_quote(error: yaml.YAMLError, text: str) -> tuple[yaml.Mark, str] | None:
    """Where a quoted value opens in the YAML `text` (its mark, and its quotation mark) when
    YAML found none closing it: YAML reads on across the lines below for one, and reports the
    end of the text, a line or more below the mistake."""
    mark = getattr(error, "context_mark", None)
    if not (
        mark is not None
        and getattr(error, "context", None) == "while scanning a quoted scalar"
        and getattr(error, "problem", None) == "found unexpected end of stream"
    ):
        return None
    quote = text[mark.index : mark.index + 1]  # libyaml's marks keep no text of their own
    return mark, quote if quote in ("'", '"') else '"'


def unclosed_quote_reason(quote: str) -> str:
    """What is wrong with a quotation mark `unclosed_quote` found, and what to do."""
    return f"the {quote} on this line is not closed; close it, or remove it"


def _unclosed_quote_named(lines: list[str], index: int, column: int, quote: str) -> tuple[str, str]:
    """(field, what is wrong and what to do) for a quotation mark not closed at `column` of
    line `index` of the front matter: the field whose value it opens, with the value as it
    should be written when it is on that line alone; the front matter when the line starts
    with no field (an entry of a list)."""
    written = _written_value(lines, index)
    if written is None or column < written[1]:
        return "front matter", unclosed_quote_reason(quote)
    name, _, value = written
    if not value.startswith(quote):  # inside the value: `[water, "pools]`
        return name, unclosed_quote_reason(quote)
    reason = f"the {quote} opening its value is not closed; end the value with {quote}"
    goes_on = index + 1 < len(lines) and lines[index + 1][:1] in (" ", "\t")
    if goes_on or value.endswith("\\"):  # where it ends is the writer's to say
        return name, f"{reason} where it ends"
    return name, f"{reason} too: {name}: {value}{quote}"


def _quoted_value(lines: list[str], index: int, column: int) -> tuple[str, str] | None:
    """(field, its value in double quotes) when YAML stopped inside the value of the field on
    line `index`, having read part of it as its own syntax (`: `, a leading quotation mark,
    `*`, `@`, an apostrophe in single quotes); None when it stopped elsewhere (at a field's
    name, having read past the end of the one above)."""
    written = _written_value(lines, index)
    if written is None or column < written[1]:
        return None
    name, _, value = written
    if value.startswith(("[", "{")):
        return None  # quoted, a list would be one line of text split at its commas: no fix
    if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]  # the quotes it was written in, which did not hold it
    return name, _double_quoted(value)


def _written_value(lines: list[str], index: int) -> tuple[str, int, str] | None:
    """The field whose name starts line `index` of the front matter, the column its value
    starts after, and the value as written; None for a line that starts with no field."""
    found = _FIELD_NAME.match(lines[index]) if 0 <= index < len(lines) else None
    if found is None:
        return None
    return found.group(1), found.end(), lines[index][found.end() :].strip()


def _double_quoted(value: str) -> str:
    """`value` as YAML reads it whole, whatever it holds."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _comment_taken_for_value(fields: _Fields, name: str, node: yaml.Node) -> str:
    """For a field YAML read as empty because its value starts with `#` (`title: #1 pick`:
    a `#` after a space starts a comment in YAML), how to write it; else nothing."""
    if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
        return ""
    written = _written_value(lines_of(fields.front), fields.lines.get(name, 0) - fields.first_line)
    value = written[2] if written else ""
    if not value.startswith("#"):
        return ""
    return (
        f" ({value} reads as a comment: in YAML a # after a space starts one); write the "
        f"value in double quotes: {name}: {_double_quoted(value)}"
    )


def _lookalike(lines: list[str]) -> tuple[int, str] | None:
    """The first of the front matter's `lines` (its index) with a no-break space or a
    full-width colon where YAML needs a plain one (see `_LOOKALIKES`), and what to do."""
    for index, line in enumerate(lines):
        if match := _LOOKALIKE.match(line):
            what, plain = _LOOKALIKES[match.group(1)]
            return index, f"this line has {what}: retype it as {plain}"
    return None


# Field parsers: each takes a YAML node and returns a value or raises _FieldError.


def says_nothing(text: str) -> bool:
    """Whether `text` gives a reader, or a screen reader, nothing: only spaces and invisible
    format characters (a zero-width space, a word joiner, a direction mark), as an emptied
    field of a word processor may keep."""
    return all(character.isspace() or unicodedata.category(character) == "Cf" for character in text)


def _text(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        raise _FieldError("expected text")
    value = str(node.value).strip()
    if says_nothing(value):
        raise _FieldError("expected text, got an empty value")
    return value


# A line break in a value, with the spaces around it and any blank lines after it.
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n][ \t\r\n]*")


def _one_line(node: yaml.Node) -> str:
    """A title or summary, on one line: written as a YAML block (`|`, or `>` with a blank
    line) it keeps its line breaks, which the page shows as spaces in one line or paragraph,
    but a post, a feed reader or a calendar would break it there. A blank line is a space too:
    a summary is one paragraph on the page, so it is one in every post."""
    return _LINE_BREAKS.sub(" ", _text(node))


def _datetime_parser(tz: tzinfo) -> Callable[[yaml.Node], datetime]:
    def parse(node: yaml.Node) -> datetime:
        return parse_datetime(_text(node), tz)

    return parse


def parse_datetime(value: str, tz: tzinfo) -> datetime:
    """Parse an ISO 8601 date-time; one without an offset is local time in `tz`.

    A local time skipped when clocks go forward is refused: Python would keep it as written
    with the old offset, so the page would show it while calendars showed an hour later. A
    time that happens twice when clocks go back is the first (daylight) one.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _FieldError(
            f"'{value}' is not a date; expected YYYY-MM-DD HH:MM, optionally with an offset "
            "such as -08:00 (without one, City time applies)"
        ) from None
    if parsed.year not in YEARS:
        raise _FieldError(
            f"'{value}' is out of range; expected a year from {YEARS[0]} to {YEARS[-1]}"
        )
    if parsed.tzinfo is None:
        gap = _skipped(parsed, tz)
        if gap is not None:
            start, end = (f"{t.hour}:{t.minute:02d}" for t in gap)
            raise _FieldError(
                f"'{value}' does not exist in City time: clocks go forward from {start} to "
                f"{end} on {gap[0]:%Y-%m-%d}; expected a time before {start} or from {end}, "
                "or one with an offset"
            )
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def parse_event_time(value: str, tz: tzinfo) -> datetime | date:
    """An event's start or end: a date alone (`2026-12-05`) is a day, of an all-day event;
    anything else a time, as `parse_datetime` reads it (and refuses what it refuses)."""
    day = is_day_alone(value)
    if day:
        value = value.strip()
    try:
        datetime.fromisoformat(value)
    except ValueError:
        # Not "give a time": a day alone that does not exist (a 30-day month's 31st) is an
        # all-day event's day mistyped, to which a time would be refused.
        if day:
            raise _FieldError(
                f"'{value}' is not a date: {_no_such_day(value)}; expected a day of the "
                "calendar, YYYY-MM-DD"
            ) from None
        raise _FieldError(
            f"'{value}' is not a date; expected YYYY-MM-DD HH:MM, optionally with an offset "
            "such as -08:00 (without one, City time applies), or a date alone, YYYY-MM-DD, "
            "for an all-day event"
        ) from None
    if day:
        return parse_datetime(value, UTC).date()  # checked as a date; no time, so no zone
    return parse_datetime(value, tz)


def _no_such_day(value: str) -> str:
    """Why a date alone written YYYY-MM-DD is not one: its month, or the days in its month
    (in numbers: month names would follow the building machine's locale)."""
    year, month, _ = (int(part) for part in value.split("-"))
    if not 1 <= month <= 12:
        return "a month is 01 to 12"
    return f"{year:04d}-{month:02d} has {monthrange(year, month)[1]} days"


def is_day_alone(value: str) -> bool:
    """Whether a time as written is a date without a time (`2026-12-05`)."""
    return _DATE_ONLY.match(value) is not None


def start_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tz)


def _skipped(local: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
    """The (start, end) of the clocks-forward gap that a naive local time falls in, if any."""
    aware = local.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local:
        return None
    before, after = aware.utcoffset(), local.replace(tzinfo=tz, fold=1).utcoffset()
    if before is None or after is None:
        return None
    # The clocks changed less than the gap's length before `local` in UTC, on a minute.
    change = local - after
    while change.replace(tzinfo=UTC).astimezone(tz).utcoffset() != after:
        change += timedelta(minutes=1)
    return change + before, change + after


# What YAML reads as true or false unquoted (PyYAML's YAML 1.1), in any case.
YAML_BOOLEANS = frozenset({"true", "false", "yes", "no", "on", "off"})


def _boolean(node: yaml.Node) -> bool:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        return str(node.value).lower() in {"true", "yes", "on"}
    if not isinstance(node, yaml.ScalarNode):  # a list or a mapping: its nodes, not its text
        raise _FieldError("expected true or false")
    if node.style in ("'", '"') and node.value.lower() in YAML_BOOLEANS:
        # `urgent: "true"`: not "'true' is not true or false", which says nothing to fix.
        raise _FieldError(
            f"'{node.value}' is in quotes, which makes it text, not true or false; write it "
            f"without them: urgent: {node.value}"
        )
    raise _FieldError(f"'{node.value}' is not true or false")


def _string_list(node: yaml.Node) -> tuple[str, ...]:
    """A YAML list, or one comma-separated line."""
    if isinstance(node, yaml.SequenceNode):
        items = [_text(item) for item in node.value]
    elif isinstance(node, yaml.ScalarNode):
        items = [part.strip() for part in _text(node).split(",") if part.strip()]
    else:
        raise _FieldError("expected a list")
    return tuple(items)


def _choice(options: Iterable[str]) -> Callable[[yaml.Node], str]:
    allowed = tuple(options)

    def parse(node: yaml.Node) -> str:
        value = _text(node)
        if value not in allowed:
            raise _FieldError(f"'{value}' is not one of: {', '.join(allowed)}")
        return value

    return parse


def _address(node: yaml.Node) -> str:
    """A page's `slug`, `save_as` or `url`: Pelican writes it into the page's address as it is,
    in links, the feeds and the sitemap, so it may hold nothing that needs escaping there."""
    value = _text(node)
    if not is_address_safe(value):
        raise _FieldError(f"'{value}' {PAGE_ADDRESS_EXPECTED}")
    return value


def _file_in(
    content_dir: Path | None,
    suffixes: frozenset[str],
    kind: str,
    published_in: Sequence[str] | None = None,
) -> Callable[[yaml.Node], str]:
    """A file under the content folder; with `published_in` (STATIC_PATHS), one of those,
    as the site links to it: a file anywhere else is never copied to the site."""

    def parse(node: yaml.Node) -> str:
        written = _text(node)
        value = written.lstrip("/")  # from content/, as Pelican reads a leading "/"
        if Path(value).suffix.lower() not in suffixes:
            raise _FieldError(
                f"'{written}' is not {kind} file; expected one of {', '.join(sorted(suffixes))}"
            )
        if not _is_under(value, ["."]):
            raise _FieldError(f"'{written}' is outside content/; expected a path inside content/")
        if published_in is not None and not _is_under(value, published_in):
            where = " or ".join(f"{folder.strip('/')}/" for folder in published_in)
            raise _FieldError(
                f"'{written}' would not be published with the site; expected a file under {where}"
            )
        if published_in is not None and not is_address_safe(value):
            raise _FieldError(f"'{written}': {ADDRESS_SAFE_EXPECTED}")
        if content_dir is not None:
            target = content_dir / value
            if not target.is_file():
                raise _FieldError(f"'{written}' does not exist; expected a path inside content/")
            if not target.resolve().is_relative_to(content_dir.resolve()):
                # A link committed to git would publish or upload whatever it points to.
                raise _FieldError(
                    f"'{written}' is a link to a file outside content/; put the file itself there"
                )
            if kind == "an image" and (unreadable := image_problem(target)):
                raise _FieldError(f"'{written}' {unreadable}")
            if kind == "a video" and (held := video_problem(target)):
                # YouTube gets the file as it is: never with where it was taken, or by whom.
                raise _FieldError(f"'{written}' {held}")
        return value

    return parse


def is_address_safe(path: str) -> bool:
    """Whether a file published at `path` has an address that needs no escaping."""
    return _ADDRESS_SAFE.match(path) is not None


def linked_file(path: str, from_folder: str) -> str:
    """The file a `{filename}`, `{static}` or `{attach}` link names, relative to content/, as
    Pelican looks it up: from content/ when the path starts with '/', else from the linking
    file's folder."""
    return posixpath.normpath(path[1:] if path.startswith("/") else f"{from_folder}/{path}")


def is_outside_content(path: str, from_folder: str) -> bool:
    """Whether such a link names a file outside content/, as written or with its escapes
    undone (Pelican tries both): one it would read from elsewhere on the machine that builds,
    and copy a `{static}` or `{attach}` one as far outside the output folder."""
    linked = [linked_file(written, from_folder) for written in (path, unquote(unescape(path)))]
    return any(posixpath.isabs(file) or not _is_under(file, ["."]) for file in linked)


def _is_under(value: str, folders: Sequence[str]) -> bool:
    path = PurePosixPath(posixpath.normpath(value))  # `images/../x.png` is not under images/
    return path.parts[:1] != ("..",) and any(
        path.is_relative_to(PurePosixPath(posixpath.normpath(folder))) for folder in folders
    )


class UnreadableImage(Exception):
    """An image file the build does not open; the message says why, after its name."""


@contextmanager
def opened_image(path: str) -> Iterator[Image.Image]:
    """An image file opened as the build opens every image, or UnreadableImage. One saved in
    a format the build does not write again (PUBLISHED_FORMATS), whatever its name, is refused,
    as it would be published as it is. Pillow refuses one of more than twice its
    MAX_IMAGE_PIXELS and only warns above that (decoding it could take the memory of the
    machine that builds: a decompression bomb); both are refused, as no page needs so many
    pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format not in PUBLISHED_FORMATS:
                    raise UnreadableImage(not_published_as(str(image.format)))
                yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnreadableImage(_too_many_pixels(str(error))) from None
    except (OSError, ValueError, SyntaxError):
        raise UnreadableImage("cannot be read as an image") from None


# Pillow's names of formats, as people write them.
_FORMAT_NAMES = {"JPEG2000": "JPEG 2000", "WEBP": "WebP", "MPO": "JPEG"}


def not_published_as(kind: str) -> str:
    """Why an image saved as `kind` (TIFF, HEIF...), not one of PUBLISHED_FORMATS, is refused."""
    kind = _FORMAT_NAMES.get(kind, kind)
    return (
        f"is an image saved as {kind}, which the site does not publish: it would go out as it "
        "is, with what its file says besides the picture (where it was taken, whose camera took "
        "it); save it as JPEG, PNG or WebP"
    )


def _too_many_pixels(pillows_message: str) -> str:
    """Pillow's "Image size (182000000 pixels) exceeds limit of ...", said for the CEC."""
    counted = re.search(r"\((\d+) pixels\)", pillows_message)
    pixels = f"{int(counted[1]) // 1_000_000} million" if counted else "too many"
    limit = Image.MAX_IMAGE_PIXELS or 0
    return (
        f"has {pixels} pixels, too many to open safely (more than {limit // 1_000_000} "
        "million); scale it down to the size a page shows (2,000 pixels across is plenty) "
        "and save it again"
    )


@once_per_version
def image_problem(path: Path) -> str | None:
    """Why the image file at `path` cannot be published (see `opened_image`), or None."""
    try:
        with opened_image(str(path)) as image:
            image.verify()
    except UnreadableImage as error:
        return str(error)
    return None


def _parse(fields: _Fields, name: str, parser: Callable[[yaml.Node], Any]) -> Any:
    node = fields.nodes.get(name)
    if node is None:
        return None
    try:
        return parser(node)
    except _FieldError as error:
        fields.problem(name, f"{error}{_comment_taken_for_value(fields, name, node)}")
        return None


def _corrections(
    fields: _Fields, tz: tzinfo, modified: datetime | None, published: datetime | None
) -> tuple[Correction, ...]:
    """`correction:` is one note (dated by `modified`, which may not precede `date`) or a list
    of {date, note}, each after the announcement's `date`: nothing is corrected before it was
    published."""
    node = fields.nodes.get("correction")
    if node is None:
        return ()
    if isinstance(node, yaml.ScalarNode):
        note = _parse(fields, "correction", _text)
        if note is None:
            return ()
        if modified is None:
            fields.problem(
                "correction",
                "needs 'modified:' to say when the correction was made "
                "(or give a list of {date, note})",
            )
            return ()
        return (Correction(modified, note),)
    if not isinstance(node, yaml.SequenceNode):
        fields.problem("correction", "expected a note, or a list of {date, note}")
        return ()
    corrections = []
    for line, written, correction in _listed_corrections(fields, tz, node):
        if published is not None and correction.date < published:
            fields.problem(
                "correction",
                f"'{_text(written)}' {_before_date(written, correction.date, published)}; expected "
                "when the correction was made, after the announcement was published",
                line,
            )
        corrections.append(correction)
    return tuple(sorted(corrections, key=lambda c: c.date))


def _listed_corrections(
    fields: _Fields, tz: tzinfo, node: yaml.SequenceNode
) -> Iterator[tuple[int, yaml.Node, Correction]]:
    """Each entry of a list of {date, note} that reads as one, with its line and its date as
    written; the problem of each that does not is noted in `fields`."""
    for item in node.value:
        line = fields.line_of(item.start_mark)
        entry = (
            {str(k.value): v for k, v in item.value} if isinstance(item, yaml.MappingNode) else {}
        )
        if set(entry) != {"date", "note"}:
            fields.problem("correction", "each entry needs exactly 'date' and 'note'", line)
            continue
        try:
            correction = Correction(_datetime_parser(tz)(entry["date"]), _text(entry["note"]))
        except _FieldError as error:
            fields.problem("correction", str(error), line)
            continue
        yield line, entry["date"], correction


def latest_change(published: datetime, now: datetime) -> datetime:
    """The latest an announcement published at `published` can date a change (`modified`, a
    correction), as of `now`: now, or when it goes up if that is later (what changes before
    then is never seen changed)."""
    return max(now, published)


def changes_dated_later(path: str, text: str, tz: tzinfo, now: datetime) -> list[Problem]:
    """Each change an announcement to be published dates after it can have been made (see
    `latest_change`; `now` is the build's time, or the lint's), named by line and field.

    A change is published as made at its time: one dated ahead (a month mistyped) would say
    today "Correction, December 20", move the feeds' and the sitemap's times ahead, and take
    them back once put right. A draft's are checked once it is to be published; a file the
    model refuses is named for that, not here.
    """
    fields = _compose(path, text)
    if fields.problems or _is_draft(fields):
        return []
    when = _datetime_parser(tz)
    published = _parse(fields, "date", when)
    if published is None:
        return []
    latest = latest_change(published, now)
    changes: list[tuple[str, int, yaml.Node, datetime]] = []
    modified = _parse(fields, "modified", when)
    if modified is not None:
        changes.append(("modified", fields.lines["modified"], fields.nodes["modified"], modified))
    listed = fields.nodes.get("correction")
    if isinstance(listed, yaml.SequenceNode):  # a single note is dated by `modified`
        changes.extend(
            ("correction", line, date, correction.date)
            for line, date, correction in _listed_corrections(fields, tz, listed)
        )
    until = "the announcement goes up" if published > now else "now"
    return [
        Problem(
            path,
            line,
            name,
            f"'{_text(node)}' is after {until} ({latest.astimezone(tz):%Y-%m-%d %H:%M}); "
            "expected when the change was made, which is published at once as made then (a "
            "change cannot be scheduled)",
        )
        for name, line, node, moment in changes
        if moment > latest
    ]


def _before_date(node: yaml.Node, when: datetime, published: datetime) -> str:
    """Why a change's time is refused: a day alone on the announcement's own day reads as its
    midnight, which is why it is before, and the time is what is missing."""
    local = published.astimezone(when.tzinfo)
    if is_day_alone(str(node.value)) and when.date() == local.date():
        return (
            f"is before date: a day alone is its midnight, and the announcement is from "
            f"{local:%H:%M} that day; give the time too, e.g. '{local:%Y-%m-%d %H:%M}' or later"
        )
    return "is before date"


def _unknown_fields(fields: _Fields, known: Iterable[str]) -> None:
    allowed = tuple(known)
    for name in fields.nodes:
        if name not in allowed:
            fields.problem(name, f"is not a known field; expected one of: {', '.join(allowed)}")


def _required(fields: _Fields, names: Iterable[str], why: str = "") -> None:
    for name in names:
        if name not in fields.nodes:
            fields.problem(name, f"is required{why}")


def parse_announcement(
    path: str,
    text: str,
    tz: tzinfo,
    content_dir: Path | None = None,
    static_paths: Sequence[str] = STATIC_PATHS,
) -> tuple[Announcement | None, list[Problem]]:
    """Validate an announcement's front matter.

    `path` is how the file is named in messages; `content_dir` (when given) is where
    `image` and `video` paths must exist; `image` must be under one of `static_paths`
    (Pelican's STATIC_PATHS), which the site publishes. A video only goes to YouTube, from
    the content folder, so it may be anywhere in it.
    """
    fields = _compose(path, text)
    if fields.problems:
        return None, fields.problems
    _unknown_fields(fields, ANNOUNCEMENT_FIELDS)
    _required(fields, ("title", "date", "category", "summary"))

    when = _datetime_parser(tz)

    def event_time(node: yaml.Node) -> datetime | date:
        return parse_event_time(_text(node), tz)

    values: dict[str, Any] = {
        "title": _parse(fields, "title", _one_line),
        "date": _parse(fields, "date", when),
        "category": _parse(fields, "category", _choice(CATEGORIES)),
        "summary": _parse(fields, "summary", _one_line),
        "modified": _parse(fields, "modified", when),
        "tags": _tags(fields),
        "image": _parse(
            fields, "image", _file_in(content_dir, IMAGE_SUFFIXES, "an image", static_paths)
        ),
        "image_alt": _parse(fields, "image_alt", _text),
        "event_start": _parse(fields, "event_start", event_time),
        "event_end": _parse(fields, "event_end", event_time),
        "location": _parse(fields, "location", _text),
        "expires": _parse(fields, "expires", when),
        "urgent": bool(_parse(fields, "urgent", _boolean)),
        "status": _parse(fields, "status", _choice(STATUSES)) or "published",
        "withdrawn_reason": _parse(fields, "withdrawn_reason", _text),
        "video": _parse(fields, "video", _file_in(content_dir, VIDEO_SUFFIXES, "a video")),
    }
    values["corrections"] = _corrections(fields, tz, values["modified"], values["date"])
    values["syndicate"] = _syndicate(fields, has_video=values["video"] is not None)
    _check_together(fields, values)
    if values["category"] in EVENT_CATEGORIES or not values["category"]:
        # Another category's event fields are refused as such: not read as a span besides.
        values.update(_event_span(fields, values["event_start"], values["event_end"], tz))
    if values["status"] != "draft":
        _placeholders_left(fields, text)
        _invisible_characters_left(fields, text)
    if fields.problems:
        return None, fields.problems
    return Announcement(**values), []


def _tags(fields: _Fields) -> tuple[str, ...]:
    """The topics, each of which Pelican names by a slug of it (as it names a file), stopping
    the whole build on one it cannot make, naming no file: so refused here, on its line."""
    tags = _parse(fields, "tags", _string_list)
    if not tags:
        return ()
    node = fields.nodes["tags"]
    # A list's items are the tags, each on its own line; one line's are all on the field's.
    nodes = node.value if isinstance(node, yaml.SequenceNode) else [node] * len(tags)
    for tag, item in zip(tags, nodes, strict=True):
        if not slugified(tag):
            fields.problem("tags", _unnamed_tag(tag), fields.line_of(item.start_mark))
    return tags


def _unnamed_tag(tag: str) -> str:
    """What is wrong with a tag Pelican can make no slug of, and what to write instead: its
    words out of angle brackets (`<deck>`), where that leaves any."""
    words = tag.replace("<", " ").replace(">", " ").strip()
    instead = f"as '{words}', " if slugified(words) else ""
    return (
        f"'{tag}' has no letter or digit the build can name it by (it drops anything in angle "
        "brackets, as HTML, and punctuation and symbols); write the topic in letters or digits, "
        f"{instead}or remove the tag"
    )


def _syndicate(fields: _Fields, has_video: bool) -> tuple[str, ...]:
    """Explicit platforms, or Facebook and X (plus YouTube when there is a video)."""
    default = (*DEFAULT_PLATFORMS, "youtube") if has_video else DEFAULT_PLATFORMS
    if "syndicate" not in fields.nodes:
        return default
    platforms = _parse(fields, "syndicate", _string_list)
    if platforms is None:
        return default
    chosen: list[str] = []
    for name in platforms:
        if name not in PLATFORMS:
            fields.problem(
                "syndicate", f"'{name}' is not a platform; expected any of: {', '.join(PLATFORMS)}"
            )
        elif name not in chosen:
            chosen.append(name)
    if "youtube" in chosen and not has_video:
        fields.problem("syndicate", "youtube needs a 'video:' file to upload")
    return tuple(chosen)


def _check_together(fields: _Fields, values: dict[str, Any]) -> None:
    """Rules that span fields; only checked where each field parsed on its own."""
    if values["category"] in EVENT_CATEGORIES:
        _required(
            fields,
            ("event_start", "event_end", "location"),
            f" for a {values['category']} announcement",
        )
    elif values["category"]:
        # Only an event's page, feeds and calendar show them: kept, they would vanish unseen.
        for name in ("event_start", "event_end", "location"):
            if name in fields.nodes:
                fields.problem(
                    name,
                    f"is only for an event (category {EVENT_CATEGORIES_NAMED}), not a "
                    f"{values['category']} announcement, whose page, feeds and calendar would "
                    "not show it; give the event's category, or remove the field",
                )
    if values["image"] and "image_alt" not in fields.nodes:
        fields.problem(
            "image_alt",
            "is required with 'image:'; add it after the image and describe the image for "
            "people who cannot see it",
            fields.lines.get("image"),
        )
    if values["image_alt"] and "image" not in fields.nodes:
        fields.problem("image_alt", "is given without 'image:'")
    if values["status"] == "withdrawn" and "withdrawn_reason" not in fields.nodes:
        fields.problem(
            "withdrawn_reason",
            "is required with 'status: withdrawn'; say publicly why it was withdrawn",
        )
    if values["withdrawn_reason"] and values["status"] != "withdrawn":
        fields.problem("withdrawn_reason", "is only allowed with 'status: withdrawn'")
    if values["status"] == "withdrawn" and "modified" not in fields.nodes:
        # Leaving the feeds and lists is a change to each, dated by `modified`; without it
        # their updated time (Atom, RSS, the sitemap) would go back to what they still list.
        fields.problem(
            "modified",
            "is required with 'status: withdrawn'; give when it was withdrawn, City time",
            fields.lines.get("status"),
        )
    date, modified, expires = values["date"], values["modified"], values["expires"]
    if date and modified and modified < date:
        fields.problem(
            "modified",
            f"{_before_date(fields.nodes['modified'], modified, date)}; expected the time of the "
            "latest change",
        )
    if date and expires and expires <= date:
        fields.problem("expires", "is not after date; expected when the notice stops applying")


def _event_span(
    fields: _Fields, start: datetime | date | None, end: datetime | date | None, tz: tzinfo
) -> dict[str, Any]:
    """An event's fields as the Announcement holds them: times, and for an all-day event
    (days alone) its first and last day too. An end that does not follow the start, or a day
    alone for one and a time for the other, is a problem of `event_end`."""
    if start is None or end is None:
        return {"event_start": start, "event_end": end}  # each missing or refused already
    start_written, end_written = (_text(fields.nodes[n]) for n in ("event_start", "event_end"))
    if isinstance(start, datetime) != isinstance(end, datetime):
        # The day offered for a time is its day in City time, as the page would show it, not
        # the day of an offset it was written with.
        start, end = (t.astimezone(tz) if isinstance(t, datetime) else t for t in (start, end))
        if isinstance(start, datetime):
            fields.problem(
                "event_end",
                f"'{end_written}' is a date alone, but event_start '{start_written}' has a "
                f"time; give the time it ends too, as event_end: {end:%Y-%m-%d} HH:MM, or, for "
                f"an all-day event, write the first day alone, event_start: {start:%Y-%m-%d}",
            )
        else:
            fields.problem(
                "event_end",
                f"'{end_written}' has a time, but event_start '{start_written}' is a date alone "
                f"(an all-day event); write the last day alone, event_end: {end:%Y-%m-%d}, or "
                "give event_start its time too",
            )
        return {"event_start": None, "event_end": None}
    if isinstance(start, datetime) and isinstance(end, datetime):
        if end <= start:
            when = "before" if end < start else "the same time as"
            fields.problem("event_end", f"is {when} event_start; expected the end after the start")
        return {"event_start": start, "event_end": end}
    if end < start:
        fields.problem(
            "event_end",
            "is before event_start; expected the last day of the all-day event, on or after "
            "its first day",
        )
    # The last day is inclusive: the event ends as the day after it begins.
    return {
        "event_start": start_of_day(start, tz),
        "event_end": start_of_day(end + timedelta(days=1), tz),
        "first_day": start,
        "last_day": end,
    }


def _placeholders_left(fields: _Fields, text: str) -> None:
    """Each line of an announcement to be published that `invoke new` left to fill in, named
    by its field."""
    left = placeholder_lines(text)
    if not left:
        return
    field_on = _field_on_line(fields, text)
    for number in left:
        fields.problem(field_on(number), PLACEHOLDER_LEFT, number)


def _invisible_characters_left(fields: _Fields, text: str) -> None:
    """Each invisible character in a file to be published: typed (named by its line and
    field), written as a character reference in the text (`&#12;`: the page and the feeds get
    the character itself), or as an escape in a quoted value (`"\\v"`, named by the value's
    line)."""
    if _INVISIBLE.search(text):  # most files: one scan, no lines
        field_on = _field_on_line(fields, text)
        for found in _INVISIBLE.finditer(text):
            number = line_at(text, found.start())
            fields.problem(field_on(number), invisible_character(found.group()), number)
    for number, reference, character in _invisible_references(text):
        fields.problem("text", invisible_character(character, reference), number)
    for name, node in fields.nodes.items():
        for value in _scalars(node):
            escaped = _INVISIBLE.search(str(value.value))
            if escaped:
                line = fields.line_of(value.start_mark)
                fields.problem(name, invisible_character(escaped.group()), line)


def _invisible_references(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, reference, character) of each character reference in a file's text (below its
    front matter, whose values are shown as typed) that stands for an invisible character."""
    if "&#" not in text:  # most files: no numeric reference, the only kind that writes one
        return
    parts = split_front_matter(text)
    body_start = len(text) - len(parts[1]) if parts else 0
    code = _code_spans(text, body_start)
    for found in CHARACTER_REFERENCE.finditer(text, body_start):
        character = shown_character(found.group())
        if _INVISIBLE.fullmatch(character) and not _inside(found.start(), code):
            yield line_at(text, found.start()), found.group(), character


# A fenced code block (from its opening fence to its closing one, or the end) and a code span
# on one line: Markdown shows a reference in them as typed (`&#12;`), never the character.
_FENCED_CODE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,}).*?(?:^[ ]{0,3}\1[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")


def _code_spans(text: str, start: int) -> list[tuple[int, int]]:
    """Where `text` (from `start`) holds code, as (start, end) of each block or span."""
    blocks = [found.span() for found in _FENCED_CODE.finditer(text, start)]
    spans = [
        found.span()
        for found in _CODE_SPAN.finditer(text, start)
        if not _inside(found.start(), blocks)
    ]
    return blocks + spans


def _inside(index: int, spans: list[tuple[int, int]]) -> bool:
    return any(begin <= index < end for begin, end in spans)


def _field_on_line(fields: _Fields, text: str) -> Callable[[int], str]:
    """The field a line of a file belongs to: the one starting on or above it, or `text`
    below the front matter."""
    parts = split_front_matter(text)
    body_line = parts[2] if parts else 1
    starts = sorted((line, name) for name, line in fields.lines.items())

    def field_on(number: int) -> str:
        above = [name for line, name in starts if line <= number]
        return "text" if number >= body_line or not above else above[-1]

    return field_on


def _scalars(node: yaml.Node) -> Iterable[yaml.ScalarNode]:
    """Every value in a field: the field's own, or each in its list or mapping."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for _key, value in node.value:
            yield from _scalars(value)


def _is_draft(fields: _Fields) -> bool:
    status = fields.nodes.get("status")
    return isinstance(status, yaml.ScalarNode) and str(status.value).strip() == "draft"


def parse_page(
    path: str, text: str, tz: tzinfo, templates: Collection[str] | None = None
) -> tuple[PageMeta | None, list[Problem]]:
    """Validate a standalone page's front matter; its `template`, when `templates` are given
    (the theme's), one of them."""
    fields = _compose(path, text)
    if fields.problems:
        return None, fields.problems
    _unknown_fields(fields, PAGE_FIELDS)
    _required(fields, ("title",))
    values = {name: _parse(fields, name, _text) for name in ("title", "summary", "template")}
    if templates is not None and values["template"] not in (None, *templates):
        # Else Pelican stops on it, naming neither the page nor the field.
        fields.problem(
            "template",
            f"'{values['template']}' is not one of the theme's templates: "
            f"{', '.join(sorted(templates))}",
        )
    values |= {name: _parse(fields, name, _address) for name in ("slug", "save_as", "url")}
    values["status"] = _parse(fields, "status", _choice(PAGE_STATUSES)) or "published"
    values["modified"] = _parse(fields, "modified", _datetime_parser(tz))
    if values["status"] != "draft":
        _invisible_characters_left(fields, text)
    if fields.problems:
        return None, fields.problems
    return PageMeta(**values), []
