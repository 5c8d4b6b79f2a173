"""`invoke lint`: what may be published. Checks content before it goes out, each finding
with file:line, rule and a short fix hint.

Rules (severity per rule in `policy/lint.yml`: error, warning or off):
  personal-sin, personal-card, personal-phn   numbers that pass their checksum
  personal-email, personal-phone              contacts not on policy/public-contacts.yml
                                              (numbers' digits grouped by any space or
                                              dash, or not at all)
  private-address                             a street address marked as a private residence
                                              in its own sentence
  confidential                                "confidential", "in camera", "not for release"
  profanity                                   words from policy/wordlists/ (shared with moderation)
  image-alt, link-text, heading-order         accessibility, however the image, link or
                                              heading is written (Markdown, by reference, or
                                              HTML); the build refuses an image without alt
                                              text and a heading at the title's level too
  external-image                              an image on another site, which readers'
                                              browsers would fetch (the build refuses it too)
  image                                       an image of the site not linked with
                                              `{static}` (`images/x.png`), which the page
                                              would show broken: always an error, as the
                                              build refuses it
  broken-link                                 internal links (inline, by reference, named on
                                              its definition's line, or HTML's <a href>) to
                                              files or pages the build does not write (a
                                              draft's page among them), or not yet when the
                                              linking page goes up, and `#` links to no
                                              heading of the text (the lint alone finds a
                                              plain link to no page and a `#` link to no
                                              place: the build does not check them); as in the
                                              build, only in pages that show their links
                                              (not a draft, not a withdrawn announcement)
  duplicate-id                                an id written in HTML or in braces (`## Road
                                              closures {#closures}`) that the theme, a heading
                                              or an element before already has, which the
                                              build drops (two elements of one id are invalid)
  summary-length                              a summary X would cut (its post over 280 as X
                                              counts it), named on the title's line when the
                                              title is the longer
  placeholder                                 "TODO" left by `invoke new` in an announcement
                                              that is not a draft (the build refuses it too)
  youtube-tags                                `tags` YouTube refuses (400 invalidTags), in an
                                              announcement it gets (its video uploaded): `<`
                                              or `>` in a tag, or over 500 characters as it
                                              counts them (a comma between two tags, quotation
                                              marks around one with a space)
  empty-text                                  an announcement to be published (not a
                                              draft, not withdrawn) with no text below its
                                              front matter (a warning)
  invisible-character                         a control character (a page break pasted from a
                                              PDF, or written as `&#12;`) the feeds cannot
                                              carry, in a file that is not a draft (the build
                                              refuses it too)
  location, file name                         Markdown the build would never publish (outside
                                              announcements/ and pages/, or saved as other than
                                              `.md`) or would publish at an address its folder
                                              does not give, and links to files outside
                                              content/: always errors, as the build refuses them
  modified, correction                        a change dated after now (or after a scheduled
                                              announcement goes up), which the build refuses
  title, date, category, … (each field)       what the build refuses in a field (a category
                                              not allowed, a required field missing, a date
                                              it cannot read, a page's `template` the theme
                                              does not have): the fields are read by the
                                              build's own rules and named as it names them;
                                              always errors, as the build refuses them

The rules about what is said (personal information, confidential markers, words) read the
text as it is published: each paragraph of the body, and each field's value as the build reads
it, is one run of text whatever lines it was wrapped on (joined with a space), and a finding
names the line where what it found starts. A private residence is marked in the sentence that
gives its address, so that sentence of the run, not the run, is read for its marker. A
character reference in the body (`&nbsp;`, `&#64;`) is read as the character the page shows
in its place. Fenced code blocks are published as they are written (a reference as typed),
so those rules read them too; only the rules about Markdown's structure (headings, links,
images) pass over them.

A false positive is waived on its line (or the line above) with a reasoned marker, which the
lint reports:  <!-- lint-ok personal-phone: the Public Works after-hours line -->
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cached_property, partial
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar
from urllib.parse import unquote

import yaml

from announcements import misplaced_in, unpublishable_in
from announcements.addresses import announcement_address, slug_of
from announcements.headings import (
    ATX_HEADING,
    MAY_GIVE_AN_ID,
    QUOTED,
    THEME_IDS,
    heading_at_title_level,
    headings,
    headings_in_html,
    ids_in_attribute_lists,
)
from announcements.lines import line_at, lines_of
from announcements.links import (
    Release,
    shows_its_links,
    unpublished_link_message,
    unpublished_reason,
)
from announcements.model import (
    CATEGORIES,
    STATIC_PATHS,
    PageMeta,
    Problem,
    as_shown,
    changes_dated_later,
    first_line_naming,
    invisible_characters,
    is_outside_content,
    linked_file,
    parse_announcement,
    parse_page,
    placeholders,
    read_source,
    says_nothing,
    split_front_matter,
)
from announcements.reader import (
    colliding_ids_in_text,
    display_path,
    element_ids,
    ids_in_text,
    image_from_elsewhere,
    image_not_copied,
    image_without_alt,
    images_without_alt,
    is_copied_from_content,
    is_outside_site,
    link_addresses,
    link_outside_content,
    link_texts,
    sanitise,
    theme_templates,
)
from announcements.sentences import sentences
from archive.index import APOSTROPHES, CITY
from checks.policy_file import entry_line, key_line, named_alike, read_mapping, read_text
from syndication.posts import (
    YOUTUBE_TAG_REFUSED,
    YOUTUBE_TAGS_MAX,
    x_text,
    x_uncut_length,
    youtube_tags_length,
)
from syndication.text import X_MAX_LENGTH, x_length

SEVERITIES = ("error", "warning", "off")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it
DEFAULT_SEVERITY = {
    "personal-sin": "error",
    "personal-card": "error",
    "personal-phn": "error",
    "personal-email": "error",
    "personal-phone": "error",
    "private-address": "error",
    "confidential": "error",
    "profanity": "error",
    "image-alt": "error",
    "external-image": "error",
    "link-text": "warning",
    "heading-order": "error",
    "broken-link": "error",
    "summary-length": "warning",
    "placeholder": "error",
    "invisible-character": "error",
    "duplicate-id": "warning",
    "youtube-tags": "error",
    "empty-text": "warning",
}
# The word lists every policy has, and what comment moderation takes each for
# (policy/wordlists/README.md); any other list the City adds counts as insults there. The
# lint refuses the words of all.
WORDLIST_MEANINGS = {
    "profanity": "obscene",
    "sexual": "obscene",
    "slurs": "slur",
    "insults": "insult",
}
WORDLISTS = tuple(WORDLIST_MEANINGS)
WAIVER = re.compile(r"<!--\s*lint-ok\s+([a-z-]+)\s*:\s*(.+?)\s*-->")

# What may stand between the groups of a number as people type or paste it: any space (\s
# takes the no-break ones Word and PDFs put there, U+00A0 and U+202F) or any dash (the
# non-breaking hyphen U+2011, figure and en dashes, the minus sign…), not only ' ' and '-'.
DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
SEPARATOR = rf"[\s{DASHES}]"
SIN = re.compile(
    rf"(?<![\d{DASHES}])(\d{{3}}){SEPARATOR}?(\d{{3}}){SEPARATOR}?(\d{{3}})(?![\d{DASHES}])"
)
CARD = re.compile(rf"(?<!\d)(?:\d{SEPARATOR}?){{12,18}}\d(?!\d)")
PHN = re.compile(rf"(?<!\d)(9\d{{3}}){SEPARATOR}?(\d{{3}}){SEPARATOR}?(\d{{3}})(?!\d)")
# A North American number: area code and exchange each start with 2-9. Its separators are
# optional, as in "2505550142" or "tel:+12505550142"; a digit on either side makes it part
# of a longer number (an id such as 250555014212), not a phone number.
PHONE_SEPARATOR = rf"[.\s{DASHES}]"
PHONE = re.compile(
    rf"(?<![\d{DASHES}])(?:\+?1{PHONE_SEPARATOR}?)?\(?([2-9]\d{{2}})\)?{PHONE_SEPARATOR}?"
    rf"([2-9]\d{{2}}){PHONE_SEPARATOR}?(\d{{4}})(?!\d)"
)
# An overseas number, + and its country code (not 1, North America's: PHONE) and 8 to 15
# digits in all (E.164), grouped by any separator and with a trunk prefix or area code in
# brackets: "+44 7700 900123", "+33 (0)1 23 45 67 89", "tel:+447700900123".
INTERNATIONAL_PHONE = re.compile(
    rf"(?<![\w+])\+[2-9](?:{PHONE_SEPARATOR}?(?:\(\d{{1,4}}\)|\d)){{7,14}}(?!\d)"
)
# A number without its area code, as Trail writes its own ("368-5555", "364.1262"): an
# exchange (2-9) and four digits, apart. Not part of a longer number, a range's or decimal's
# ("No. 2024-1234", "2026-2027", "10:30-11:30", "$250-1000", "1.250 5000"), nor one with a unit
# or code written onto it ("800-1000m", "#250-1000"). In a notice of the City's it would still
# be taken for a range too often ("the 800-1000 block", "fees 250-1000"), so the content lint
# leaves it alone; the FOI export and comment moderation, reading what residents write, find it
# (PERSONAL_PHONE).
LOCAL_PHONE = re.compile(
    rf"(?<![\w{DASHES}.,:$#/+])[2-9]\d{{2}}{PHONE_SEPARATOR}\d{{4}}(?![\w{DASHES}%]|[.,:/]\d)"
)


def _any_of(*patterns: re.Pattern[str]) -> re.Pattern[str]:
    """One pattern finding what each of these does, the first of them where two start at one
    place."""
    return re.compile("|".join(f"(?:{pattern.pattern})" for pattern in patterns))


# The phone numbers the content lint finds in the City's notices: North American and overseas.
LINT_PHONE = _any_of(PHONE, INTERNATIONAL_PHONE)
# Those found in what residents write (the FOI export's severing, moderation's
# personal_information): also a number without its area code.
PERSONAL_PHONE = _any_of(PHONE, INTERNATIONAL_PHONE, LOCAL_PHONE)


def phone_key(number: str) -> str:
    """A phone number as the City's are compared with it: a North American number's ten digits
    (without the 1 before them), a number without its area code its seven, an overseas
    number + and its digits."""
    digits = _digits(number)
    if number.lstrip().startswith("+") and not digits.startswith("1"):
        return f"+{digits}"
    return digits[-10:]


def unicode_class(*categories: str) -> str:
    """A regular-expression class of the characters of these Unicode general categories
    ("Lu", "Ll", …), which Python's `re` cannot name (it has no \\p{Lu}). Those of the Basic
    Multilingual Plane, where the letters of every alphabet a Trail name is written in are."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if unicodedata.category(chr(code)) not in categories:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "[" + "".join(f"{chr(first)}-{chr(last)}" for first, last in ranges) + "]"


# A capital of any alphabet: a name begins with one ("Côté", "Émile", not only "Cote").
CAPITAL = unicode_class("Lu", "Lt")
# A small letter of any alphabet, or an accent typed as a character of its own (the "é" of a
# file saved decomposed, e + U+0301): the rest of a name's word.
SMALL = unicode_class("Ll", "Mn")
# An accent typed as a character of its own (the "É" of a file saved decomposed, E + U+0301).
ACCENT = unicode_class("Mn")
# An email address, in any alphabet (RFC 6531: "zoë@example.com", "josé@bücher.de") as well as
# ASCII. Its name starts and ends with a letter, digit or _ (with . % + ' - inside), and its
# domain's labels start with a letter or digit; its last label is letters (or an IDN's `xn--…`). So
# the punctuation around it is not taken for part of it: "(zoë@example.com)." nor the whole
# severed for a part ("jean-françois.tremblay@…", not "…ois.tremblay@…"). An accent typed as a
# character of its own (a Mac's e + U+0301) is part of the letter before it.
MARKS = ACCENT[1:-1]  # its ranges, to go in a class with others
# Each part is as long as RFC 5321 lets it be (a name 64 characters, a label 63, counted
# twice over for accents typed apart), which keeps a search through a long comment of dots or
# hyphens ("a.a.a.…") from trying each start to the comment's end: linear, not quadratic.
EMAIL_LABEL = rf"[^\W_](?:[\w\-{MARKS}]{{0,124}}[\w{MARKS}])?"
EMAIL = re.compile(
    rf"(?<!\w)\w(?:[\w.%+'\-{MARKS}]{{0,126}}[\w{MARKS}])?"
    rf"@(?:{EMAIL_LABEL}\.){{1,16}}(?:xn--[A-Za-z0-9-]{{1,59}}|[^\W\d_](?:[^\W\d_]|[{MARKS}]){{1,124}})"
)
# A word of a street's name: a capital, and another inside it too (McQueen, MacDonald,
# O'Neil, with any apostrophe a keyboard types; Saint-Laurent, with a hyphen, also a
# non-breaking one), in any alphabet (Côté). The street's type may be in any case: "1234
# Hazelwood drive" is written too.
HYPHENS = "\\-\u2010\u2011"
STREET_NAME_WORD = rf"{CAPITAL}{SMALL}*(?:[{APOSTROPHES}{HYPHENS}]?{CAPITAL}{SMALL}+)*"
# The same word written in capitals, as a comment shouted or a notice's heading has it
# ("1205 ÉMILE STREET", "12 O'NEIL CRESCENT"). In capitals every word looks like a name, so
# the words that join a phrase are not one: "FOR 3 HOURS ON BAY AVENUE" is a time and a street.
PHRASE_WORD = r"(?:AM|PM|AT|ON|IN|OF|OFF|FOR|TO|FROM|BY|NEAR|ALONG|AND|OR|THE)\b"
CAPITALS_STREET_NAME_WORD = (
    rf"(?!{PHRASE_WORD}){CAPITAL}{ACCENT}*(?:[{APOSTROPHES}{HYPHENS}]?{CAPITAL}{ACCENT}*)*"
)
# A street's name is written one way throughout: in "at 10 AM Bay Avenue", "AM" is the time,
# not the start of the name.
STREET_NAME = rf"(?:(?:{STREET_NAME_WORD}\s+){{1,3}}|(?:{CAPITALS_STREET_NAME_WORD}\s+){{1,3}})"
# A house's number, with the letter of a unit that shares it ("1234A", "1234a").
HOUSE_NUMBER = r"\b\d{1,5}[A-Za-z]?"
ADDRESS = re.compile(
    rf"{HOUSE_NUMBER}\s+{STREET_NAME}(?i:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|"
    r"Crescent|Cres|Place|Pl|Way|Lane|Ln|Court|Ct|Boulevard|Blvd|Terrace|Close)\b\.?"
)


# A street type's short form: a City address is the same written "Ave." or "Avenue".
STREET_TYPE_SHORT = {
    "street": "st",
    "avenue": "ave",
    "road": "rd",
    "drive": "dr",
    "crescent": "cres",
    "place": "pl",
    "lane": "ln",
    "court": "ct",
    "boulevard": "blvd",
}


def address_key(address: str) -> str:
    """A street address as the City's are compared with it: case, spacing, a full stop after
    it and the street type's long or short form do not matter."""
    words = address.rstrip(".").lower().split()
    return " ".join(STREET_TYPE_SHORT.get(word, word) for word in words)


def street_addresses(text: str) -> list[str]:
    """Each street address ADDRESS finds in `text`, without a full stop after it (that of an
    abbreviation, "Dr.", or of the sentence): as a reviewer or a severed copy shows it."""
    return [match[0].rstrip(".") for match in ADDRESS.finditer(text)]


# In the plural too: "the homeowners at", "the private residences at".
PRIVATE_MARKERS = re.compile(
    r"\b(private residences?|residences? of|homes? of|lives at|homeowners?)\b", re.IGNORECASE
)
# A marker's words may be joined as a number's groups are (SEPARATOR): Word and HTML editors
# keep them together with a no-break space (`&nbsp;`) or a non-breaking hyphen.
NOT_FOR_RELEASE = rf"not{SEPARATOR}for{SEPARATOR}release"
CONFIDENTIAL = re.compile(
    rf"\b(confidential|in{SEPARATOR}camera|draft\s*[-–—]+\s*{NOT_FOR_RELEASE}|{NOT_FOR_RELEASE})\b",
    re.IGNORECASE,
)
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
HTML_IMG = re.compile(r"<img\b", re.IGNORECASE)
HTML_IMG_SRC = re.compile(r"""<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
# An image by reference, `![alt][label]` or `![label]`, and a reference's definition. A label
# starting with `^` is a footnote's (the site's Markdown, `extra`, has footnotes): `[^1]: Not
# Bay Ave.` defines a note, not an address, and `[^1]` in the text is its number, not a link.
IMAGE_REFERENCE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?(?!\()")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)([^\]]+)\]:\s*<?([^\s>]+)")
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)[^)]*\)")
# A link by reference, `[text][label]`, `[label][]` or `[label]`: not an image's (`![`), nor
# its label (`][label]`), nor a definition (`[label]:`), nor an inline link (`[text](`), nor a
# footnote's number (`[^1]`; before one, `[text]` may still be a reference alone).
LINK_REFERENCE = re.compile(r"(?<![!\]\\])\[(?!\^)([^\]]+)\](?:\[(?!\^)([^\]]*)\])?(?![(:])")
HTML_LINK = re.compile(r"<a\b", re.IGNORECASE)
HTML_HEADING = re.compile(r"<h[1-6]\b", re.IGNORECASE)
HTML_ID = re.compile(r"\sid\s*=", re.IGNORECASE)
VAGUE_LINK_TEXT = {"click here", "here", "read more", "more", "link", "this link", "click"}
FENCE = re.compile(r"^\s*(```|~~~)")
# pelicanconf.py's ARCHIVE_YEAR_SAVE_AS: the page of each year that has announcements.
ARCHIVE_YEAR_SAVE_AS = "archives/{year}.html"
# pelicanconf.py's CATEGORY_SAVE_AS: the page of each category that has announcements.
CATEGORY_SAVE_AS = "category/{slug}.html"
# pelicanconf.py's ARTICLE_PATHS: the folder of announcements.
ARTICLE_PATH = "announcements"
# pelicanconf.py's PAGE_SAVE_AS: where a page without its own `save_as` is written.
PAGE_SAVE_AS = "{slug}.html"
# pelicanconf.py's THEME (no THEME_TEMPLATES_OVERRIDES): whose templates a page may name.
THEME = Path(__file__).resolve().parent.parent / "theme"


class LintConfigError(Exception):
    """A file in policy/ is malformed; the message names it."""


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    rule: str
    message: str
    severity: str = "error"
    waived: str | None = None  # the reason, when waived

    @property
    def blocks_publishing(self) -> bool:
        """An error nobody has waived: `invoke lint`, CI and `invoke alert` stop on it."""
        return self.severity == "error" and not self.waived

    def __str__(self) -> str:
        if self.waived:
            return f"{self.path}:{self.line}: waived {self.rule}: {self.waived}"
        return f"{self.path}:{self.line}: {self.severity} {self.rule}: {self.message}"


@dataclass
class Policy:
    severity: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    public_emails: set[str] = field(default_factory=set)
    public_phones: set[str] = field(default_factory=set)
    public_addresses: set[str] = field(default_factory=set)  # address_key of each
    public_accounts: set[str] = field(default_factory=set)  # @usernames, casefolded, no @
    words: set[str] = field(default_factory=set)  # every list's: the lint refuses them alike
    wordlists: dict[str, set[str]] = field(default_factory=dict)  # by list, for moderation

    @classmethod
    def load(cls, policy_dir: Path) -> Policy:
        policy = cls()
        path = policy_dir / "lint.yml"
        rules = _yaml(path, ("rules",)).get("rules") or {}
        if not isinstance(rules, dict):
            raise LintConfigError(
                f"{_rule_at(path)}: rules: expected each rule with its severity, e.g. "
                "link-text: warning"
            )
        *others, last = SEVERITIES
        for rule, value in rules.items():
            severity = "off" if value is False else value  # YAML reads a bare `off` as false
            if rule not in DEFAULT_SEVERITY:
                raise LintConfigError(
                    f"{_rule_at(path, rule)}: rules: {rule}: is not a rule; expected one of "
                    f"{', '.join(DEFAULT_SEVERITY)}, each set to {', '.join(SEVERITIES)}"
                )
            if severity not in SEVERITIES:
                written = "is empty" if value in (None, "") else f"'{value}' is not a severity"
                raise LintConfigError(
                    f"{_rule_at(path, rule)}: rules: {rule}: {written}; expected "
                    f"{', '.join(others)} or {last}"
                )
            policy.severity[rule] = severity
        path = policy_dir / "public-contacts.yml"
        contacts = _yaml(path, ("emails", "phones", "addresses", "accounts"))
        policy.public_emails = {e.lower() for e in _emails_listed(path, contacts, "emails")}
        policy.public_phones = {phone_key(p) for p in _phones_listed(path, contacts, "phones")}
        policy.public_addresses = {
            address_key(a) for a in _street_addresses_listed(path, contacts, "addresses")
        }
        policy.public_accounts = _accounts_listed(path, contacts, "accounts")
        policy.wordlists = load_wordlists(policy_dir / "wordlists")
        policy.words = set().union(*policy.wordlists.values())
        return policy

    def is_public_contact(self, value: str) -> bool:
        """Whether an email address, street address or phone number is one the City publishes
        (policy/public-contacts.yml): City Hall's, not a person's."""
        if EMAIL.fullmatch(value):
            return value.lower() in self.public_emails
        if ADDRESS.fullmatch(value):
            return address_key(value) in self.public_addresses
        key = phone_key(value)
        if len(key) == 7:  # without its area code, as Trail writes the City's own: 364-1262
            return any(len(phone) == 10 and phone.endswith(key) for phone in self.public_phones)
        return key in self.public_phones

    @cached_property
    def any_word(self) -> re.Pattern[str]:
        """Matches where any listed word stands as a whole word (regex alternation backtracks
        through every word at each place, so no match means none of them is there)."""
        words = "|".join(re.escape(w) for w in sorted(self.words)) or "(?!)"
        return re.compile(rf"(?<![\w-])(?:{words})(?![\w-])")

    @cached_property
    def word_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """Each listed word, in order, with a pattern matching it as a whole word (compiled
        once, not for every line; the words are set when the policy is loaded)."""
        return [(w, re.compile(rf"(?<![\w-]){re.escape(w)}(?![\w-])")) for w in sorted(self.words)]


def _rule_at(path: Path, *rule: object) -> str:
    """`lint.yml` with the line of `rules:`, or of the rule `rule` under it, for a message."""
    line = key_line(path, ("rules", *(str(name) for name in rule)), LintConfigError)
    return f"{path}:{line}" if line else str(path)


def _yaml(path: Path, keys: Sequence[str]) -> dict[str, Any]:
    """An optional policy file's settings ({} without it: the lint's defaults). One saved
    under a like name (`lint.yaml`) is named rather than passed over."""
    if not path.exists() and not named_alike(path):
        return {}
    return read_mapping(path, LintConfigError, keys)


def _listed(path: Path, config: dict[str, Any], key: str) -> list[str]:
    """A policy list of addresses or numbers, each as text (YAML reads 911 as a number)."""
    items = config.get(key) or []
    if not isinstance(items, list):
        raise LintConfigError(f'{path}: {key}: expected a list (one "- " line each)')
    for number, item in enumerate(items):
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise _entry_error(path, key, number, "expected one address or number")
    return [str(item) for item in items]


def _entry_error(path: Path, key: str, number: int, problem: str) -> LintConfigError:
    """A policy list's entry refused, named by its file, line and place in the list."""
    line = entry_line(path, key, number, LintConfigError)
    return LintConfigError(f"{path}{f':{line}' if line else ''}: {key}[{number}]: {problem}")


# A three-digit service number (911, 811): no area code, listed for clarity.
SERVICE_NUMBER = re.compile(r"[2-9]11")


def _phones_listed(path: Path, config: dict[str, Any], key: str) -> list[str]:
    """The City's phone numbers, each one the lint would find as written, or a service number
    such as 911 (else a mistyped entry, `abc`, would exempt nothing, silently)."""
    phones = [phone.strip() for phone in _listed(path, config, key)]
    for number, phone in enumerate(phones):
        if not (PHONE.fullmatch(phone) or SERVICE_NUMBER.fullmatch(phone)):
            raise _entry_error(
                path,
                key,
                number,
                f"'{phone}' is not a phone number: a North American number as the lint finds "
                "one, its area code included (250-364-1262), or a three-digit service number "
                "(911)",
            )
    return phones


def _emails_listed(path: Path, config: dict[str, Any], key: str) -> list[str]:
    """The City's email addresses, each one the lint would find as written."""
    emails = [email.strip() for email in _listed(path, config, key)]
    for number, email in enumerate(emails):
        if not EMAIL.fullmatch(email):
            raise _entry_error(
                path,
                key,
                number,
                f"'{email}' is not an email address as the lint finds one (info@trail.ca)",
            )
    return emails


# An account's @username as a comment mentions it: X's (letters, digits, _; up to 15) and
# YouTube's handles (also . and -, up to 30, in any alphabet), neither starting nor ending
# with . or -.
USERNAME = r"\w(?:[\w.-]{0,28}\w)?"


def _accounts_listed(path: Path, config: dict[str, Any], key: str) -> set[str]:
    """The City's own accounts by @username, casefolded and without the @ (so `@CityofTrail`
    and `cityoftrail` are one): mentioned in a comment, they are no third party's."""
    accounts = set()
    for number, account in enumerate(_listed(path, config, key)):
        name = account.strip().removeprefix("@")
        if not re.fullmatch(USERNAME, name):
            raise _entry_error(
                path,
                key,
                number,
                f"'{account}' is not an @username as a comment mentions one: letters, digits "
                "and _ (also . and - inside), as @CityofTrail",
            )
        accounts.add(name.casefold())
    return accounts


def _street_addresses_listed(path: Path, config: dict[str, Any], key: str) -> list[str]:
    """The City's street addresses, each one the lint would find as written (else it would
    never match, and the City would believe its address exempt)."""
    addresses = _listed(path, config, key)
    for number, address in enumerate(addresses):
        if not ADDRESS.fullmatch(address.strip()):
            raise _entry_error(
                path,
                key,
                number,
                f"'{address}' is not a street address as the lint finds one: a number, the "
                "street's name and its type (1394 Pine Avenue)",
            )
    return [address.strip() for address in addresses]


def load_wordlists(folder: Path) -> dict[str, set[str]]:
    """The words of each list in `folder` (every `.txt`), by its name (`insults` for
    insults.txt): one word or phrase per line; `#` starts a comment. Shared with comment
    moderation, which reads the WORDLISTS for what each holds: one of them deleted or renamed
    would drop its words from both, silently, so it is refused instead."""
    required = [folder / f"{name}.txt" for name in WORDLISTS]
    listed = sorted({*required, *folder.glob("*.txt")})
    return {path.stem: _words(path) for path in listed}


def _words(path: Path) -> set[str]:
    """One list's words, in lower case. A byte-order mark (Notepad's "UTF-8 with BOM") is
    dropped, not read into the first word."""
    words: set[str] = set()
    for line in read_text(path, LintConfigError).splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(word)
    return words


# Checksums


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in _digits(number)]
    if len(digits) < 2:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def sin_valid(number: str) -> bool:
    """A Social Insurance Number: nine digits, Luhn, never starting with 0 or 8."""
    digits = _digits(number)
    return len(digits) == 9 and digits[0] not in "08" and luhn_valid(digits)


def card_valid(number: str) -> bool:
    digits = _digits(number)
    issuers = (
        "4",
        "51",
        "52",
        "53",
        "54",
        "55",
        "34",
        "37",
        "6011",
        "65",
        "22",
        "23",
        "24",
        "25",
        "26",
        "27",
    )
    return 13 <= len(digits) <= 19 and digits.startswith(issuers) and luhn_valid(digits)


def phn_valid(number: str) -> bool:
    """A BC Personal Health Number: 10 digits starting with 9, modulus-11 check digit."""
    digits = [int(d) for d in _digits(number)]
    if len(digits) != 10 or digits[0] != 9:
        return False
    weights = (2, 4, 8, 5, 10, 9, 7, 3)
    total = sum((d * w) % 11 for d, w in zip(digits[1:9], weights, strict=True))
    check = 11 - total % 11
    return check < 10 and check == digits[9]


# The checks


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    in_body: bool
    in_code: bool  # in a fenced code block, or one of its fences

    @property
    def is_markup(self) -> bool:
        """A body line Markdown reads for structure (headings, links, images). Inside a fenced
        code block it shows the text as is: published all the same, but never a link."""
        return self.in_body and not self.in_code


@dataclass(frozen=True)
class Passage:
    """Text the site publishes as one run (a paragraph, a field's value) whatever lines it was
    wrapped on, with where each of those lines starts in it, to name the line of a match."""

    text: str
    starts: tuple[int, ...]  # where each line's part starts in `text`, in order
    numbers: tuple[int, ...]  # and that line's number in the file

    def line_at(self, offset: int) -> int:
        return self.numbers[bisect_right(self.starts, offset) - 1]


def _joined(parts: Sequence[tuple[int, str]]) -> Passage:
    """Lines (number, text) read as one run: joined with a space, as a wrapped paragraph or a
    folded YAML value is shown."""
    starts, offset = [], 0
    for _, part in parts:
        starts.append(offset)
        offset += len(part) + 1
    return Passage(" ".join(p for _, p in parts), tuple(starts), tuple(n for n, _ in parts))


def _read(text: str) -> tuple[list[Line], dict[str, Any], list[Passage]]:
    """The file's lines, its fields as the build reads them, and every run of text it
    publishes: each field's value, then each paragraph of the body."""
    parts = split_front_matter(text)
    front: dict[str, Any] = {}
    passages: list[Passage] = []
    body_start = 1
    if parts:
        front, passages = _front_matter(parts[0], first=2)  # after the opening '---'
        body_start = parts[2]
    lines = []
    fenced = False
    for number, raw in enumerate(lines_of(text), start=1):
        in_body = number >= body_start
        fence = in_body and FENCE.match(raw) is not None
        lines.append(Line(number, raw, in_body, in_code=fenced or fence))
        if fence:
            fenced = not fenced
    passages.extend(_paragraphs(line for line in lines if line.in_body))
    return lines, front, passages


def _front_matter(source: str, first: int) -> tuple[dict[str, Any], list[Passage]]:
    """The fields of front matter starting on line `first`, and the text of each value."""
    lines = lines_of(source)
    loader = YAML_LOADER(source)
    try:
        root = loader.get_single_node()
        front = loader.construct_document(root) if root is not None else {}
    except (yaml.YAMLError, ValueError, TypeError):
        # The build refuses it, naming why; what it says is still checked, line by line.
        return {}, [_joined([(first + i, line.strip())]) for i, line in enumerate(lines)]
    finally:
        loader.dispose()
    passages = [_value(node, source, lines, first) for node in _scalars(root)]
    return (front if isinstance(front, dict) else {}), passages


def _scalars(root: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    """Every value in a YAML document (not the field names), in lists and mappings too."""
    pending, seen = [root], set()
    while pending:
        node = pending.pop()
        if node is None or id(node) in seen:  # an alias names a node already seen
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            yield node
        elif isinstance(node, yaml.MappingNode):
            pending.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)


def _value(node: yaml.ScalarNode, source: str, lines: list[str], first: int) -> Passage:
    """A value as the build reads it (a folded or wrapped one is one line), with each line of
    the file it was written on found in it, in order (one not found, such as `summary: >` or
    an escape, leaves its text to the line before). `lines` are the lines of `source`, the
    front matter starting on line `first`; its marks' own line numbers count otherwise."""
    text = str(node.value).replace("\n", " ")  # a literal block (`|`) is shown as one line too
    start, end = node.start_mark.index, node.end_mark.index
    begins = line_at(source, start) - 1  # the index in `lines` of the value's first line
    # and of its last: the end's character before it, as a block ends where the next begins
    ends = line_at(source, max(start, end - 1)) - 1
    starts, numbers = [0], [first + begins]
    offset = 0
    for index in range(begins + 1, min(ends, len(lines) - 1) + 1):
        part = lines[index].strip().strip("'\"")
        found = text.find(part, offset) if part else -1
        if found >= 0:
            starts.append(found)
            numbers.append(first + index)
            offset = found + len(part)
    return Passage(text, tuple(starts), tuple(numbers))


def _paragraphs(lines: Iterable[Line]) -> Iterator[Passage]:
    """The body's runs of text: lines between blank lines, headings and code fences, without
    their indentation and quotation marks ('>'). A fenced block is a run of its own."""
    run: list[tuple[int, str]] = []
    for line in lines:
        part = (QUOTED.sub("", line.text) if line.is_markup else line.text).strip()
        ends = (
            not part  # a blank line, in a quotation too
            or FENCE.match(line.text) is not None
            or (line.is_markup and ATX_HEADING.match(line.text) is not None)
        )
        if ends and run:
            yield _joined(run)
            run = []
        part = WAIVER.sub("", part).strip()  # a waiver's words are not published
        if line.is_markup:  # a code block shows `&#64;` as typed; the rest of the page, `@`
            part = as_shown(part)
        if ends and part:
            yield _joined([(line.number, part)])  # a heading, or a fence's info string
        elif part:
            run.append((line.number, part))
    if run:
        yield _joined(run)


def check_file(
    path: Path, content_dir: Path, policy: Policy, site: SitePaths, name: str | None = None
) -> list[Finding]:
    """Every finding for one Markdown file, waivers applied."""
    name = name or str(path)
    text, unreadable = read_source(path, name)
    if text is None:
        assert unreadable is not None
        return [Finding(name, unreadable.line, unreadable.field, unreadable.message)]
    lines, front, passages = _read(text)
    raw: list[tuple[int, str, str]] = []
    for passage in passages:
        raw.extend(_text_findings(passage, policy))
    for line in lines:
        if line.is_markup:
            raw.extend((line.number, rule, message) for rule, message in _markup_findings(line))
    raw.extend(_vague_links_by_reference(lines))
    raw.extend(_heading_findings(lines))
    raw.extend(_image_source_findings(lines))
    source = path.relative_to(content_dir).as_posix()
    if source.startswith(f"{ARTICLE_PATH}/") and front.get("status") != "draft":
        # Named by its field, as the build names it: the rule alone does not say which.
        raw.extend(
            (p.line, "placeholder", f"{p.field}: {p.message}") for p in placeholders(name, text)
        )
        later = changes_dated_later(name, text, CITY, site.now)
        raw.extend((p.line, p.field, p.message) for p in later)
        raw.extend(_youtube_tag_findings(name, text, lines, front, content_dir))
        if front.get("status") != "withdrawn":  # whose page shows only its notice
            raw.extend(_empty_text_findings(text))
    for p in invisible_characters(name, text):
        # One in a field is named by it, as the build names it; the text's read as before.
        named = p.message if p.field == "text" else f"{p.field}: {p.message}"
        raw.append((p.line, "invisible-character", named))
    # Relative links lead from where the page is written.
    output_dir = PurePosixPath(site.pages.get(source, announcement_address(path))).parent
    targets = _link_targets(lines)
    for number, target in targets:
        raw.extend((number, r, m) for r, m in _outside_content_findings(target, source))
        if site.shows_links_of(source):
            raw.extend(
                (number, rule, msg)
                for rule, msg in _link_findings(target, content_dir, source, output_dir, site)
            )
    if site.shows_links_of(source):
        raw.extend(_fragment_findings(targets, text))
    raw.extend(_id_findings(lines, text))
    raw.extend(_summary_findings(lines, front))
    raw.extend(_refused_fields(site.refused.get(source, ()), raw))
    waivers = {n: WAIVER.findall(t) for n, t in ((ln.number, ln.text) for ln in lines)}
    findings = []
    for number, rule, message in raw:
        severity = policy.severity.get(rule, "error")
        if severity == "off":
            continue
        reason = next(
            (r for n in (number, number - 1) for w_rule, r in waivers.get(n, []) if w_rule == rule),
            None,
        )
        findings.append(Finding(name, number, rule, message, severity, reason))
    return sorted(set(findings))


def _refused_fields(
    refused: Iterable[Problem], found: Iterable[tuple[int, str, str]]
) -> Iterator[tuple[int, str, str]]:
    """The fields the build refuses in a file (read by its own rules, so that the lint stops
    on what it would), each named as the build names it, by its field: those the lint has
    `found` already under a rule of its own (a placeholder, an invisible character) once,
    whether its message names the field or not."""
    named = {(number, message) for number, _, message in found}
    return (
        (p.line, p.field, p.message)
        for p in refused
        if not {(p.line, p.message), (p.line, f"{p.field}: {p.message}")} & named
    )


def text_findings(text: str, policy: Policy) -> list[tuple[str, str]]:
    """(rule, message) for each thing a text published on its own (a commit's change note)
    must not say, read as one run like a paragraph."""
    return [(rule, message) for _, rule, message in _text_findings(_joined([(0, text)]), policy)]


def _text_findings(passage: Passage, policy: Policy) -> Iterator[tuple[int, str, str]]:
    """What one run of published text must not say, each on the line where it starts."""
    text, line = passage.text, passage.line_at
    for match in SIN.finditer(text):
        if sin_valid(match.group(0)):
            yield (
                line(match.start()),
                "personal-sin",
                f"'{match.group(0)}' is a valid Social Insurance Number; remove it",
            )
    for match in CARD.finditer(text):
        if card_valid(match.group(0)):
            yield (
                line(match.start()),
                "personal-card",
                f"'{match.group(0)}' is a valid card number; remove it",
            )
    for match in PHN.finditer(text):
        if phn_valid(match.group(0)):
            yield (
                line(match.start()),
                "personal-phn",
                f"'{match.group(0)}' is a valid BC Personal Health Number; remove it",
            )
    for match in EMAIL.finditer(text):
        if not policy.is_public_contact(match.group(0)):
            yield (
                line(match.start()),
                "personal-email",
                (
                    f"'{match.group(0)}' is not a City public contact; remove it "
                    "or add it to policy/public-contacts.yml"
                ),
            )
    for match in LINT_PHONE.finditer(text):
        if not policy.is_public_contact(match.group(0)):
            yield (
                line(match.start()),
                "personal-phone",
                (
                    f"'{match.group(0)}' is not a City public contact; remove "
                    "it or add it to policy/public-contacts.yml"
                ),
            )
    if PRIVATE_MARKERS.search(text):  # one search; most runs mark no residence
        for match in _private_addresses(text, policy):
            yield (
                line(match.start()),
                "private-address",
                (
                    f"'{match.group(0)}' is marked as a private residence; "
                    "give the block or street, not the house"
                ),
            )
    for match in CONFIDENTIAL.finditer(text):
        yield (
            line(match.start()),
            "confidential",
            f"'{match.group(0)}' marks material not meant for publication",
        )
    lowered = text.lower()
    if policy.any_word.search(lowered):  # one search; most runs hold none of the words
        # lower() lengthens a few letters (İ): then the run's first line is named
        at = line if len(lowered) == len(text) else lambda _: passage.numbers[0]
        for word, pattern in policy.word_patterns:
            if word in lowered:
                for match in pattern.finditer(lowered):
                    yield (
                        at(match.start()),
                        "profanity",
                        f"'{word}' is on the City's list of words not to publish",
                    )


def _private_addresses(text: str, policy: Policy) -> Iterator[re.Match[str]]:
    """Each street address in a sentence that marks a private residence, unless it is one of
    the City's ("Homeowners may apply at City Hall, 1394 Pine Avenue"). The sentence, not
    the run: "the home of the Smoke Eaters" says nothing of the arena's address in the
    sentence before."""
    for start, end in sentences(text):
        if PRIVATE_MARKERS.search(text, start, end):
            for match in ADDRESS.finditer(text, start, end):
                if not policy.is_public_contact(match[0]):
                    yield match


def _markup_findings(line: Line) -> Iterator[tuple[str, str]]:
    """Images and links in one line of Markdown."""
    text = WAIVER.sub("", line.text)
    for match in IMAGE.finditer(text):
        if says_nothing(as_shown(match.group(1))):  # `![&#8203;]` too, a zero-width space
            yield "image-alt", image_without_alt(match.group(2).strip("<>"))
    if HTML_IMG.search(text):  # read as the build reads it, once cleaned (any quotes, any case)
        for address in images_without_alt(sanitise(text)):
            yield "image-alt", image_without_alt(address)
    words = [match.group(1) for match in LINK.finditer(text)]
    if HTML_LINK.search(text):  # read as the build reads it, once cleaned (any quotes, any case)
        words += link_texts(sanitise(text))
    for link in words:
        if _is_vague(link):
            yield "link-text", _vague_link_text(link)


def _is_vague(link_text: str) -> bool:
    return link_text.strip().lower().strip(".!") in VAGUE_LINK_TEXT


def _vague_link_text(link_text: str) -> str:
    return f"link text '{link_text}' says nothing out of context; name where it goes"


def _vague_links_by_reference(lines: list[Line]) -> Iterator[tuple[int, str, str]]:
    """Links by reference (`[click here][s]`, `[here]`) with vague text, on the line of their
    text: only those whose label is defined are links (`[here]` alone is text)."""
    defined = _definitions(lines)
    for line in (ln for ln in lines if ln.is_markup):
        for match in LINK_REFERENCE.finditer(line.text):
            if _label(match.group(2) or match.group(1)) in defined and _is_vague(match.group(1)):
                yield line.number, "link-text", _vague_link_text(match.group(1))


def _headings(lines: Sequence[Line]) -> Iterator[tuple[int, int, str]]:
    """(line, level, text) of each heading in the order of the text: as the site's Markdown
    makes them, or written in HTML (`<h4>`, read as the build reads it once cleaned)."""
    markup = [line for line in lines if line.is_markup]
    written = headings((line.number, line.text if line.is_markup else None) for line in lines)
    in_html = [
        (line.number, level, text)
        for line in markup
        if HTML_HEADING.search(line.text)
        for level, text in headings_in_html(sanitise(line.text))
    ]
    return iter(sorted([*written, *in_html], key=lambda heading: heading[0]))


def _heading_findings(lines: list[Line]) -> Iterator[tuple[int, str, str]]:
    previous = 1  # the page title is the h1
    for number, level, text in _headings(lines):
        if level == 1:  # refused by the build too
            yield number, "heading-order", heading_at_title_level(text)
        elif level > previous + 1:
            yield (
                number,
                "heading-order",
                (f"heading level {level} follows level {previous}; use {'#' * (previous + 1)}"),
            )
        previous = level


def _image_sources(lines: list[Line]) -> list[tuple[int, str]]:
    """(line, address) of each image: in Markdown, by reference (on the line of the
    definition, where the address is) or in HTML."""
    found: list[tuple[int, str]] = []
    for line in (ln for ln in lines if ln.is_markup):
        found += [(line.number, m.group(2).strip("<>")) for m in IMAGE.finditer(line.text)]
        found += [
            (line.number, next(g for g in m.groups() if g is not None))
            for m in HTML_IMG_SRC.finditer(line.text)
        ]
    return found + _by_reference(lines, IMAGE_REFERENCE)


def _image_source_findings(lines: list[Line]) -> Iterator[tuple[int, str, str]]:
    """Images a reader's browser would fetch from another site, and images of the site not
    linked with `{static}` (shown broken), as the build refuses them."""
    for number, address in _image_sources(lines):
        if is_outside_site(address):
            yield number, "external-image", image_from_elsewhere(address)
        elif not is_copied_from_content(address):
            yield number, "image", image_not_copied(address)


def _label(text: str) -> str:
    """A reference's label as Markdown matches it: case and runs of spaces do not count."""
    return " ".join(text.lower().split())


def _by_reference(lines: list[Line], reference: re.Pattern[str]) -> list[tuple[int, str]]:
    """(line, address) of each definition (`[label]: address`) that a reference `reference`
    finds uses (its label is group 2, or group 1 when written `[label]` alone): on the line of
    the definition, where the address is written. A definition nothing uses is not
    published."""
    definitions = _definitions(lines)
    referenced = {
        _label(m.group(2) or m.group(1))
        for line in lines
        if line.is_markup
        for m in reference.finditer(line.text)
    }
    return sorted(definitions[label] for label in referenced if label in definitions)


def _definitions(lines: list[Line]) -> dict[str, tuple[int, str]]:
    """Each reference's definition (`[label]: address`) by its label: (line, address). The
    first of a label counts, as in Markdown."""
    definitions: dict[str, tuple[int, str]] = {}
    for line in (ln for ln in lines if ln.is_markup):
        if definition := REFERENCE_DEFINITION.match(line.text):
            definitions.setdefault(_label(definition.group(1)), (line.number, definition.group(2)))
    return definitions


def _link_targets(lines: list[Line]) -> list[tuple[int, str]]:
    """(line, address as written) of each link and image in the body: inline, by reference
    (on the line of its definition), or a link in HTML (`<a href>`, as the build reads it once
    cleaned: any quotes, any case). An image not linked with `{static}` is left out: it is
    refused as such (see _image_source_findings), not as a link to no page."""
    found: list[tuple[int, str]] = []
    for line in (ln for ln in lines if ln.is_markup):
        text = line.text
        found += [(line.number, m.group(2)) for m in LINK.finditer(text)]
        found += [
            (line.number, m.group(2))
            for m in IMAGE.finditer(text)
            if is_copied_from_content(m.group(2).strip("<>"))
        ]
        if HTML_LINK.search(text):
            found += [(line.number, address) for address in link_addresses(sanitise(text))]
    images = [(n, a) for n, a in _by_reference(lines, IMAGE_REFERENCE) if is_copied_from_content(a)]
    return found + _by_reference(lines, LINK_REFERENCE) + images


# The links Pelican resolves to a file in content/ (see announcements.links).
INTRASITE_MARKERS = ("{filename}", "{static}", "{attach}")


def _link_findings(
    link: str,
    content_dir: Path,
    source: str,
    output_dir: PurePosixPath,
    site: SitePaths,
) -> Iterator[tuple[str, str]]:
    """Whether a link in `source` (its path in content/) leads to what the site will not
    have."""
    target = link.split("#", 1)[0]
    if not target or is_outside_site(target):
        return  # external (any scheme, in any case: HTTP:, mailto:, tel:; or //host) or an anchor
    for marker in INTRASITE_MARKERS:
        if target.startswith(marker):
            path, folder = target[len(marker) :], posixpath.dirname(source)
            linked = linked_file(path, folder)
            if is_outside_content(path, folder):
                pass  # reported in every file: see _outside_content_findings
            elif not (content_dir / linked).resolve().exists():
                yield "broken-link", f"'{link}' points to a file that does not exist"
            elif reason := site.unpublished(linked, source):
                yield "broken-link", unpublished_link_message(link, reason)
            return
    resolved = (
        _normalise(output_dir / target)
        if not target.startswith("/")
        else _normalise(PurePosixPath(target.lstrip("/")))
    )
    if reason := site.unwritten(resolved, source):
        yield "broken-link", unpublished_link_message(link, reason)
    elif resolved not in site.paths:
        yield "broken-link", f"'{link}' is not a page of the site"


def _fragment_findings(targets: list[tuple[int, str]], text: str) -> Iterator[tuple[int, str, str]]:
    """Each link to a place on its own page (`#what-to-do`) that is not there: no heading of
    the text (nor footnote, nor element written in HTML) has that id, and neither does the
    theme. The browser stays where it is, and a screen reader's user is left guessing."""
    fragments = [(n, t) for n, t in targets if t.startswith("#")]
    if not fragments:
        return  # most texts link to no place on their page: none is rendered for them
    parts = split_front_matter(text)
    ids = ids_in_text(parts[1] if parts else text) | THEME_IDS
    for number, link in fragments:
        if unquote(link[1:]) not in ids:
            own = ", ".join(f"#{i}" for i in sorted(ids - THEME_IDS)) or "none"
            yield (
                number,
                "broken-link",
                f"'{link}' leads to no heading of this text (the places it has: {own}); "
                "link to one of them, or give the heading those words",
            )


def _id_findings(lines: list[Line], text: str) -> Iterator[tuple[int, str, str]]:
    """Each id written in the text, in HTML or in braces (`## Road closures {#closures}`), that
    the site drops, as the build does (the theme's, a heading's or an earlier element's), named
    on the line that writes it."""
    markup = [
        line
        for line in lines
        if line.is_markup and (HTML_ID.search(line.text) or MAY_GIVE_AN_ID.search(line.text))
    ]
    if not markup:
        return  # most texts write no id: none is rendered for them
    parts = split_front_matter(text)
    dropped = colliding_ids_in_text(parts[1] if parts else text)
    # The last lines writing an id are those dropped, but where a heading has it first.
    dropped_times = Counter(name for name, _ in dropped)
    lines_of: dict[str, list[int]] = {
        name: [ln.number for ln in markup if name in _ids_written(ln.text)][-count:]
        or [first_line_naming(text, name)]
        for name, count in dropped_times.items()
    }
    for name, owner in dropped:
        written = lines_of[name]
        number = written.pop(0) if len(written) > 1 else written[0]
        yield (
            number,
            "duplicate-id",
            f"id '{name}' is {owner} on the page: the site drops it here, as two elements of "
            f"one id are invalid HTML (a link to #{name} leads to the other); choose another",
        )


def _ids_written(line: str) -> list[str]:
    """The ids a line of the text writes, in HTML or in an attribute list."""
    return element_ids(sanitise(line)) + ids_in_attribute_lists(line)


def _outside_content_findings(link: str, source: str) -> Iterator[tuple[str, str]]:
    """Whether a link in `source` leads to a file outside content/, whether or not it exists
    there, as the build refuses it in any file, a draft's too: Pelican copies what a draft
    links with {static} all the same."""
    target = link.split("#", 1)[0]
    marker = next((m for m in INTRASITE_MARKERS if target.startswith(m)), None)
    if marker and is_outside_content(target[len(marker) :], posixpath.dirname(source)):
        yield "broken-link", link_outside_content(link)


def _normalise(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


# Every link counts 23 on X, whatever its address: this one stands for the page's and the
# guidelines' alike.
ANY_URL = "https://example.invalid/announcements/x.html"


@dataclass(frozen=True)
class TooLongForX:
    """An X post over X's limit, each part as X counts it: X cuts it at its end, so the
    summary (what people must do, in an alert) goes first, however long the title."""

    length: int  # the whole post: title, summary, guidelines and link
    title: int
    summary: int
    cut_to: str  # the text before the guidelines, as X would show it

    @property
    def over(self) -> int:
        return self.length - X_MAX_LENGTH


def too_long_for_x(title: str, summary: str, urgent: bool) -> TooLongForX | None:
    """The one rule for the length of an announcement's X post, the lint's (`summary-length`)
    and `invoke alert`'s, which refuses before writing what the lint only warns of; None
    when it fits."""
    length = x_uncut_length(title, summary, ANY_URL, ANY_URL, urgent)
    if length <= X_MAX_LENGTH:
        return None
    lead = x_text(title, summary, ANY_URL, ANY_URL, urgent).split("\n")[0]
    return TooLongForX(length, x_length(title), x_length(summary), lead)


def _summary_findings(lines: list[Line], front: dict[str, Any]) -> Iterator[tuple[int, str, str]]:
    summary, title = front.get("summary"), front.get("title")
    if not isinstance(summary, str) or not isinstance(title, str):
        return
    post = too_long_for_x(title, summary, bool(front.get("urgent")))
    if post is None:
        return
    # Named by the longer of the two, on its line: a long title crowds out a short summary,
    # which is then not the one to blame. The count and the limit are X's (the whole post,
    # its characters weighed, each link 23), so the CEC can tell how much to cut.
    field = "title" if post.title > post.summary else "summary"
    line = next((ln.number for ln in lines if ln.text.startswith(f"{field}:")), 1)
    yield (
        line,
        "summary-length",
        f"{field}: too long for X: the post (title, summary, guidelines and link) counts "
        f"{post.length} as X counts, over X's limit of {X_MAX_LENGTH}; cut {post.over} from "
        f"the title (it counts {post.title}) or the summary ({post.summary}); it would be cut "
        f"to: '{post.cut_to}'",
    )


# An HTML comment, which the page does not show (a waiver is one).
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)


def _empty_text_findings(text: str) -> Iterator[tuple[int, str, str]]:
    """An announcement with no text below its front matter, named on the line after it: its
    page and posts would say nothing beyond the title and summary."""
    parts = split_front_matter(text)
    if parts and says_nothing(HTML_COMMENT.sub("", parts[1])):
        yield (
            parts[2],
            "empty-text",
            "no text below the front matter: the page would show only the title and summary; "
            "write the announcement in plain language: what, where, when, what to do",
        )


def _youtube_tag_findings(
    name: str, text: str, lines: list[Line], front: dict[str, Any], content_dir: Path
) -> Iterator[tuple[int, str, str]]:
    """Tags YouTube would refuse (400 invalidTags) in an announcement it gets, found here so
    that its video's upload never fails at syndication time."""
    if not front.get("tags") or not front.get("video"):
        return  # most files: nothing goes to YouTube, or no tags with it
    item, _ = parse_announcement(name, text, CITY, content_dir)
    if item is None or item.status != "published" or "youtube" not in item.posted_on:
        return  # refused by the build (named for that), or never uploaded
    field_line = next((ln.number for ln in lines if ln.text.startswith("tags:")), 1)
    for tag in item.tags:
        refused = " and ".join(f"'{c}'" for c in YOUTUBE_TAG_REFUSED if c in tag)
        if refused:
            line = next(
                (ln.number for ln in lines[field_line - 1 :] if not ln.in_body and tag in ln.text),
                field_line,
            )
            yield (
                line,
                "youtube-tags",
                f"tags: '{tag}' holds {refused}, which YouTube refuses in a tag; remove it, or "
                "the video's upload fails",
            )
    length = youtube_tags_length(item.tags)
    if length > YOUTUBE_TAGS_MAX:
        yield (
            field_line,
            "youtube-tags",
            f"tags: {length} characters as YouTube counts them (a comma between two tags, "
            f"quotation marks around a tag with a space), over its limit of {YOUTUBE_TAGS_MAX}; "
            "remove or shorten some, or the video's upload fails",
        )


@dataclass(frozen=True)
class SitePaths:
    """What the built site will hold, for checking links before it is built."""

    paths: frozenset[str]  # every path the build writes, scheduled announcements' once due
    pages: Mapping[str, str]  # each announcement's and page's file in content/: its address
    files: Mapping[str, str]  # each announcement's and page's address and calendar: its file
    releases: Mapping[str, Release]  # when each announcement's and page's file goes up
    now: datetime
    # Files whose page shows none of their links (drafts, withdrawn announcements).
    without_links: frozenset[str] = frozenset()
    # Each year's and category's page: first written with its earliest announcement.
    listings: Mapping[str, Release] = field(default_factory=dict)
    # Each announcement's and page's file the build refuses: what is wrong with its fields.
    refused: Mapping[str, tuple[Problem, ...]] = field(default_factory=dict)

    def shows_links_of(self, source: str) -> bool:
        """Whether anyone will follow the links of `source`: as the build, the lint checks
        the links of only the pages that show them."""
        return source not in self.without_links

    def unpublished(self, target: str | None, source: str) -> str | None:
        """Why the file `source` may not link to the file `target` (paths in content/), as
        the build refuses it: a draft, or one scheduled after `source` goes up."""
        return self._not_yet(self.releases.get(target or ""), source)

    def unwritten(self, address: str, source: str) -> str | None:
        """Why the file `source` may not link to the site's page at `address`, by the same
        rule: an announcement or page not published by then, or a year's or category's page
        that only announcements scheduled after `source` would make."""
        if address in self.listings:
            return self._not_yet(self.listings[address], source)
        return self.unpublished(self.files.get(address), source)

    def _not_yet(self, release: Release | None, source: str) -> str | None:
        if release is None:
            return None
        return unpublished_reason(release, self.releases.get(source, Release()), self.now, CITY)


def site_paths(content_dir: Path, now: datetime) -> SitePaths:
    """Every path the built site will have, announcements read as the build reads them."""
    paths = {
        "index.html",
        "events.html",
        "archives.html",
        "events.ics",
        "sitemap.xml",
        "robots.txt",
    }
    for feed in ("all", "urgent", *CATEGORIES):
        paths |= {f"feeds/{feed}.atom.xml", f"feeds/{feed}.rss.xml"}
    pages: dict[str, str] = {}
    files: dict[str, str] = {}
    releases: dict[str, Release] = {}
    without_links: set[str] = set()
    refused: dict[str, tuple[Problem, ...]] = {}
    first_listed: dict[str, datetime] = {}  # each year's and category's page: when first
    for path in (content_dir / ARTICLE_PATH).glob("*.md"):
        page = announcement_address(path)
        calendar = str(PurePosixPath(page).with_suffix(".ics"))  # as the feeds plugin writes it
        file = path.relative_to(content_dir).as_posix()
        pages[file] = page
        item, problems = _read_as_built(path, parse_announcement)
        if item is None:
            refused[file] = problems
            paths.add(page)  # the build refuses it, naming why: its links are not the problem
            continue
        releases[file] = Release(item.date, draft=item.status == "draft")
        if not shows_its_links(item.status):
            without_links.add(file)
        written = {page, calendar} if item.is_event else {page}
        files |= dict.fromkeys(written, file)
        # A withdrawn one keeps its page and, an event, its calendar (as the cancellation).
        if item.status != "draft":
            paths |= written
        if item.status == "published":
            # Its year's and category's pages list it: the build writes each from its first.
            year = ARCHIVE_YEAR_SAVE_AS.format(year=item.date.astimezone(CITY).year)
            for listing in (year, CATEGORY_SAVE_AS.format(slug=item.category)):
                first_listed[listing] = min(item.date, first_listed.get(listing, item.date))
    paths |= set(first_listed)
    read_page = partial(parse_page, templates=theme_templates(THEME))  # as the build reads it
    for path in (content_dir / "pages").glob("*.md"):
        file = path.relative_to(content_dir).as_posix()
        meta, problems = _read_as_built(path, read_page)
        page = pages[file] = _page_address(meta, slug_of(path))
        if meta is None:
            refused[file] = problems
            paths.add(page)  # refused by the build, as above
            continue
        releases[file] = Release(draft=meta.status == "draft")
        if not shows_its_links(meta.status):
            without_links.add(file)
        files[page] = file
        if meta.status != "draft":
            paths.add(page)
    for folder in STATIC_PATHS:  # the only other files Pelican copies to the site
        for path in (content_dir / folder).rglob("*"):
            if path.is_file():
                paths.add(path.relative_to(content_dir).as_posix())
    listings = {listing: Release(date) for listing, date in first_listed.items()}
    return SitePaths(
        frozenset(paths), pages, files, releases, now, frozenset(without_links), listings, refused
    )


T = TypeVar("T")  # an announcement's or a page's fields


def _read_as_built(
    path: Path, parse: Callable[[str, str, tzinfo], tuple[T | None, list[Problem]]]
) -> tuple[T | None, tuple[Problem, ...]]:
    """The fields of an announcement or page (`parse_announcement`, `parse_page`) as the build
    reads them, or None and what is wrong with them, named as the build names it. Only the
    text is read: the files `image:` and `video:` name are the build's to open. A file not
    saved as UTF-8 is None with no problem: `check_file` names it."""
    name = display_path(path)
    text, _ = read_source(path, name)
    if text is None:
        return None, ()
    item, problems = parse(name, text, CITY)
    return item, tuple(problems)


def _page_address(page: PageMeta | None, slug: str) -> str:
    """Where the build writes a page: its `save_as`, else at its slug (`slug`, its file name's,
    unless it gives one)."""
    if page is not None and page.save_as:
        return _normalise(PurePosixPath(page.save_as))
    return PAGE_SAVE_AS.format(slug=page.slug if page is not None and page.slug else slug)


def lint(
    content_dir: Path,
    policy_dir: Path,
    files: Iterable[Path] | None = None,
    now: datetime | None = None,
) -> list[Finding]:
    """Every finding in `files` (default: every Markdown file in `content_dir`); `now`, for
    what is published by then, is the current time unless given."""
    policy = Policy.load(policy_dir)
    site = site_paths(content_dir, now or datetime.now(UTC))
    # Files the build refuses before reading them (Markdown it would never publish, an image
    # it cannot publish safely): the whole folder's, as the build finds them; the files given
    # are read as they are.
    refused = [] if files else [*misplaced_in(content_dir), *unpublishable_in(content_dir)]
    findings = [
        Finding(problem.path, problem.line, problem.field, problem.message) for problem in refused
    ]
    for path in sorted(files or content_dir.rglob("*.md")):
        findings.extend(check_file(path, content_dir, policy, site, display_path(path)))
    return findings
