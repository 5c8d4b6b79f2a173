"""`invoke records export`: an FOI response package.

For the records matching the request's queries: `records.json` and `records.csv`, a readable
`report.html` (each post with its corrections and withdrawal, or its deletion found on the
platform, its comments in thread order with every version and moderation history, and the git
history of the announcement), and
`MANIFEST.sha256` over every file (`sha256sum -c MANIFEST.sha256` checks it). Personal
information of third parties is flagged for the records officer: severing is a human decision
under FOIPPA s.22. With `--redact`, a severed copy is written beside the original set in
`redacted/`, each severing marked with its reason, and everything flagged is severed from every
record but what the City published on its own (its posts, corrections, withdrawals and X
update replies are public notices, given as published: a venue's address a resident asks
about stays in the City's post): a commenter's name and account id also where another
person's reply or a reviewer's reason gives them (as whole words, in any case), each word of
the name also on its own ("Thanks Maria", as the search reads words), any account
a comment mentions by @username but the City's own (policy/public-contacts.yml), the addresses
of what they attached (a photo's page and picture, which show who posted it) and contact
details also where the classifier quoted them, a street address a commenter or the City's
answer to them gives (an answer replies to a third party and may quote them), and
from the change notes of the announcements' git history (the City's record of a change, not
its notice: a note may say who asked for it, and how to reach them) and the request's
queries (which may search for a commenter by name, or by one word of it: each such word is
severed). A third party's comment id leads to its author on the platform, so the severed
copy numbers their comments instead (`comment-1`, `comment-2`, in export order), keeping each thread
together. Who is the City is the platform's word (`by_city`), never a name: one who calls
themselves "City of Trail" is a third party, severed in their own records, while the City's
name elsewhere and the ids of its posts, X update replies and answers are left as the City's,
also as the parent a resident's reply gives. The archive itself is never altered.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from announcements.addresses import slug_of
from announcements.model import invisible_characters_as_spaces
from checks.git_command import run_git
from checks.lint import (
    ADDRESS,
    CARD,
    EMAIL,
    PERSONAL_PHONE,
    PHN,
    SIN,
    USERNAME,
    LintConfigError,
    Policy,
    card_valid,
    phn_valid,
    sin_valid,
    street_addresses,
)
from moderation.function_words import STOPWORDS

from .comments import attachment_sources, how_removed
from .index import (
    APOSTROPHES,
    CITY_NAME,
    COLUMNS,
    IN_UNSPACED,
    UNKNOWN_ANNOUNCEMENT,
    UNSPACED,
    ArchiveRecord,
    city_time,
    name_as_written,
    name_key,
    search,
    search_words,
    username_key,
    word_spans,
)
from .pictures import ATTACHMENTS, kept, version_pictures

SEVERED = "[severed: FOIPPA s.22, {what} of a third party]"
# An account a text mentions (`@jordan_park`, on X and YouTube): not right after a word, so
# that an email address is not read as one.
MENTION = re.compile(rf"(?<![\w@+-])@({USERNAME})(?![\w@])")
# ... but not "@5pm" or "@ 8:30am", said for "at": a time, not an account.
A_TIME = re.compile(r"\d{1,2}(?::\d\d)?(?:am|pm)?", re.IGNORECASE)
# What an account a text mentions is flagged as: its @username, severed only so written (a
# mention of `@Trail` is no reason to sever "City of Trail"), unlike a commenter's own.
MENTIONED = "@username"
# What in a third party's comment identifies its author besides their name, as the platform
# gave it to `collect`: field and what it is. Each is flagged, and severed wherever it appears.
ACCOUNT_FIELDS = {"author_id": "account id", "author_username": "username"}  # X's @handle
# What a Finder finds as whole words (any case and spacing) rather than as written.
WHOLE_WORDS = ("name", *ACCOUNT_FIELDS.values(), MENTIONED)
# What a commenter attached (a photo, sticker, GIF, link preview) is kept with the addresses
# the platform gave it: its page (Facebook's photo.php?fbid=…) and its picture, both of which
# show who posted it. Flagged and severed like the name, as this.
ATTACHED = "attachment"
# What identifies a commenter wherever another record gives it (a reply, a reviewer's reason,
# the classifier's evidence quoting a photo's address).
IDENTIFYING = (*WHOLE_WORDS, ATTACHED)
# A comment's id, the id of what it answers and of the comment a removed reply went with: the
# platforms show a comment's author by its id (x.com/i/web/status/<id>, facebook.com/<id>),
# so the severed copy gives a stand-in.
COMMENT_IDS = ("comment_id", "parent_id", "removed_with")
PSEUDONYM = "comment-{number}"
# Where each archive line holds the hash of the line before it (see archive/chain.py).
CHAINED = "prev"
# The ids a post's ledger line gives what the City published under: the post, and on X the
# "Update:" reply that told of a change (residents answer it like the post).
POSTED_IDS = ("remote_id", "reply_id")
# A spreadsheet takes a cell that starts with one of these for a formula (OWASP: CSV
# injection): a comment could make the records officer's Excel fetch a link or run a command.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The CSV's column beside the archive's: what a comment version showed besides its text.
ATTACHMENT = "attachment"
# Where a package holds the pictures its comments showed, as the archive kept them.
PICTURES = "attachments"
# A kept picture's file as a comment line names it: its SHA-256 and the extension of its type.
PICTURE_FILE = re.compile(rf"{ATTACHMENTS.as_posix()}/([0-9a-f]{{64}})\.([a-z0-9]+)")


class ExportError(ValueError):
    """The package cannot be written where asked; the message names the path."""


@dataclass(frozen=True)
class PersonalInfo:
    record: str
    what: str
    value: str


def personal_information(record: ArchiveRecord) -> list[PersonalInfo]:
    """What in a record identifies a third party: comment authors, contact details or
    identity numbers in any text, including what the classifier quoted as its evidence, and
    street addresses in comments, the City's answers included ("we will check 1234 Hazelwood
    Drive"). The City's own posts and staff are not third parties."""
    if _published_by_the_city(record):
        return []  # its phone number and venues are the City's
    found = []
    person = _third_party(record)
    if person:
        found.append(PersonalInfo(record.key, "name", person))
    if _by_a_third_party(record):
        # The platform's account id identifies the person as surely as the name.
        found.extend(
            PersonalInfo(record.key, what, str(record.data[field]))
            for field, what in ACCOUNT_FIELDS.items()
            if str(record.data.get(field) or "").strip()
        )
    evidence = (record.data.get("evidence") or {}) if record.type == "moderation" else {}
    # The classifier keeps contact details as it found them: a phone number as bare digits,
    # which no pattern below would recognise, beside email and street addresses.
    for value in (evidence.get("personal_information") or {}).get("matched", []):
        found.append(PersonalInfo(record.key, _contact_kind(value), value))
    quoted = [m for e in evidence.values() for m in e.get("matched", []) if isinstance(m, str)]
    for text in (record.text, *quoted):
        found.extend(_in_text(record.key, text))
        found.extend(_mentioned(record.key, text))
    if record.type == "comment":  # the City's answers too: they may repeat a resident's home
        found.extend(_addresses(record.key, record.text))
    if _by_a_third_party(record):
        found.extend(_attached(record.key, record.data.get("attachment")))
        found.extend(_picture_kept(record.key, record.data.get("picture")))
    return list(dict.fromkeys(found))  # once each, though quoted in several places


def _contact_kind(value: str) -> str:
    """What one of the classifier's personal_information matches is."""
    if EMAIL.fullmatch(value):
        return "email address"
    return "street address" if ADDRESS.fullmatch(value) else "phone number"


def _published_by_the_city(record: ArchiveRecord) -> bool:
    """A notice the City published on its own: a post, its correction or withdrawal, its X
    "Update:" reply. No third party's words, and public: given as published, though a resident
    repeats what it says (the venue's address). The City's answers to residents are not: they
    reply to a third party and may repeat what that person told of themselves ("we will check
    1234 Hazelwood Drive"), so they are read and severed like any comment."""
    return record.type == "post"


def _by_a_third_party(record: ArchiveRecord) -> bool:
    """A comment the platform does not say the City wrote (`by_city`: its Page, account or
    channel answering), for anyone can call themselves "City of Trail"; named or not, for a
    platform may give no name (Graph leaves out `from` where the token may not read it), while
    its account id and photo still lead to whoever wrote it."""
    return record.type == "comment" and not record.data.get("by_city")


def _third_party(record: ArchiveRecord) -> str:
    """The name of the third party a record is by or about ('' for none): a comment's author,
    unless the City wrote it (see `_by_a_third_party`); a moderation record's commenter (the
    City's own answers are never moderated)."""
    if _by_a_third_party(record):
        name = record.author
    elif record.type == "moderation":
        name = record.commenter
    else:
        return ""
    return name if name.strip() else ""


# A word of a longer name says whose it is on its own unless it is an initial ("J" of "J
# Park"), a number, or a word of the City's own name ("Trail Mom"): those are never severed
# alone, nor would a release read with every "a" or "Trail" taken out. A function word of one
# ("Will Parker", "Mom of Three") is severed alone only where it is written with a capital
# ("Thanks Will", not "crews will"). A name of one word is severed wherever it is written, in
# any case, as a whole name is. Words as the search reads them: accents dropped.
FUNCTION_WORDS = frozenset(w for word in STOPWORDS for w in search_words(word))
NEVER_ALONE = frozenset(search_words(CITY_NAME))


def _names_someone_alone(word: str) -> bool:
    return len(word) > 1 and not word.isdigit() and word not in NEVER_ALONE


def _one_word(item: PersonalInfo) -> bool:
    """A name of one word, which is severed wherever it is written, as a whole name is."""
    return len(search_words(item.value)) == 1


def _the_citys_name(item: PersonalInfo) -> bool:
    """A commenter's name that is the City's own: theirs in their own records, but anywhere
    else (a post, an answer, a reply to them) the City's, which is no third party's."""
    return item.what == "name" and name_key(item.value) == name_key(CITY_NAME)


# Where a name may begin and end: never inside a word of other letters or digits (`Ann`, not
# `Annual`), but beside or inside a run of an unspaced script.
BEGINS = rf"(?:(?<![^\W{UNSPACED}])|(?=[{UNSPACED}]))"
ENDS = rf"(?:(?![^\W{UNSPACED}])|(?<=[{UNSPACED}]))"


def _as_searched(text: str) -> tuple[str, list[int]]:
    """The text as `search_words` reads its letters (accents dropped, in any case), with the
    place in `text` of each character of it."""
    letters, places = [], []
    for at, char in enumerate(text):
        for part in unicodedata.normalize("NFD", char):
            if not unicodedata.combining(part):
                folded = part.casefold()
                letters.append(folded)
                places.extend([at] * len(folded))
    return "".join(letters), places


def _typed(char: str) -> str:
    """A pattern for a character of a value (as `name_as_written` gives it) as it may be
    typed in a text: a space as any spacing, an apostrophe as any apostrophe ("O’Neil" on a
    phone), an accented letter composed or as its letter and accent (as a Mac may save it)."""
    if char == " ":
        return r"\s+"
    if char == "'":
        return f"[{APOSTROPHES}]"
    decomposed = unicodedata.normalize("NFD", char)
    if decomposed != char:
        return f"(?:{re.escape(char)}|{re.escape(decomposed)})"
    return re.escape(char)


def _tree(values: Iterable[str], as_written: bool = True) -> str:
    """The values as one pattern that shares their common starts (Jordan Park, Jordan Lee:
    `Jordan\\s+(?:Lee|Park)`): with thousands of commenters, a scan still costs about as much
    as for one name, where a plain alternation tries every name at every letter. Each value
    as it may be typed (see `_typed`), or with `as_written` false, as it is."""
    root: dict[str, Any] = {}
    for value in values:
        node = root
        for char in name_as_written(value) if as_written else value:
            node = node.setdefault(char, {})
        node[""] = {}  # a value ends here

    def pattern(node: dict[str, Any]) -> str:
        typed = _typed if as_written else re.escape
        branches = [typed(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return pattern(root)


class Finder:
    """Where the items' values appear in a text, in one pass: a value inside another, or inside
    a mark already made, is never found twice. A commenter's name and account id are found as
    whole words in any case and spacing (`jordan  park`, not `Jordan Parker`), with any
    apostrophe (`O’Neil` on a phone) and accents composed or not, and each word of a name on
    its own, as the search reads words (`Maria`, `LOPEZ's`, `emile`; not `Marianne`), after
    the rest, and in a script written without spaces wherever its letters are ("谢谢王小明的
    问题", see `UNSPACED`); contact details and numbers as written, in any case."""

    def __init__(self, items: Iterable[PersonalInfo]) -> None:
        self.items: dict[tuple[bool, str], PersonalInfo] = {}
        for item in items:
            if item.value.strip() and not _the_citys_name(item):
                self.items.setdefault((item.what in WHOLE_WORDS, name_key(item.value)), item)
        # A name of one word, as the search reads words (`Maria`, or one a reply gives of a
        # longer name), is found as each name's words are, after everything else (`maria` in
        # maria@example.com is of the email address).
        words = [
            i.value
            for (whole, _), i in self.items.items()
            if whole and not (i.what == "name" and _one_word(i))
        ]
        exact = [i.value for (whole, _), i in self.items.items() if not whole]
        alternatives = []
        if words:  # greedy: the longest name that ends where a word ends
            alternatives.append(rf"(?P<words>{BEGINS}{_tree(words)}{ENDS})")
        if exact:
            alternatives.append(f"(?P<exact>{_tree(exact)})")
        self.pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None
        # A name identifies its commenter by any one of its words, as a search finds it
        # (`Casey` finds Casey Demo) and as a reply addresses them ("Thanks Maria"): each
        # word, as the search reads words, with the name it is of.
        self.name_words: dict[str, PersonalInfo] = {}
        self._with_a_capital: set[str] = set()  # severed alone only so written (see above)
        for item in self.items.values():
            if item.what == "name":
                words_of_name = search_words(item.value)
                if len(words_of_name) > 1:  # a name of one word is the whole name
                    words_of_name = set(filter(_names_someone_alone, words_of_name))
                    self._with_a_capital |= words_of_name & FUNCTION_WORDS
                for word in sorted(words_of_name):
                    self.name_words.setdefault(word, item)
        # A name of one word is severed however written, whichever name its word was kept for.
        self._with_a_capital -= {
            word
            for item in self.items.values()
            if item.what == "name" and _one_word(item)
            for word in search_words(item.value)
        }
        self._names_of: dict[str, PersonalInfo | None] = {}
        # A text of ASCII alone, whose words are its runs of letters and digits, holds a word
        # of a name where this finds it: most texts, which do not, are not read word by word.
        spelled = [word for word in self.name_words if word.isascii()]
        self._spelled = re.compile(
            rf"(?<![A-Za-z0-9]){_tree(spelled)}(?![A-Za-z0-9])" if spelled else "(?!)",
            re.IGNORECASE,
        )
        # A word of a name inside a run of an unspaced script, which the search reads as one
        # word: found in the run as the search reads its letters.
        self._within = re.compile(
            f"{BEGINS}{_tree(self.name_words, as_written=False)}{ENDS}"
            if self.name_words
            else "(?!)"
        )

    def find(self, text: str) -> Iterator[PersonalInfo]:
        yield from (item for _, _, item in self._found(text))

    def sever(self, text: str) -> str:
        pieces, last = [], 0
        for start, end, item in self._found(text):
            pieces += [text[last:start], SEVERED.format(what=item.what)]
            last = end
        return "".join([*pieces, text[last:]])

    def _found(self, text: str) -> Iterator[tuple[int, int, PersonalInfo]]:
        """Where in the text each value is (start, end, the item found), in the order
        written: what the pattern finds and, outside it, each word of a flagged name as a
        word apart (`Maria` and `Maria's`, not `Marianne`), as that name, valued as written."""
        matches = list(self.pattern.finditer(text)) if self.pattern is not None else []
        last = 0
        for match in [*matches, None]:
            start = len(text) if match is None else match.start()
            gap = text[last:start]
            if self.name_words and not (gap.isascii() and not self._spelled.search(gap)):
                for begin, end in word_spans(gap):
                    word = text[last + begin : last + end]
                    named = self._name_of(word)
                    if named is not None:
                        yield last + begin, last + end, replace(named, value=word)
                    else:
                        for start_in, end_in, item in self._in_unspaced(word):
                            found = word[start_in:end_in]
                            yield (
                                last + begin + start_in,
                                last + begin + end_in,
                                replace(item, value=found),
                            )
            if match is not None:
                yield match.start(), match.end(), self._item(match)
                last = match.end()

    def _in_unspaced(self, word: str) -> Iterator[tuple[int, int, PersonalInfo]]:
        """Where in a word of an unspaced script's run ("谢谢王小明的问题") a word of a flagged
        name is written (start, end, the name), as the search reads letters; none in a word
        without such a script, whose name words are words apart."""
        if not IN_UNSPACED.search(word):
            return
        letters, places = _as_searched(word)
        for match in self._within.finditer(letters):
            first, last = match.start(), match.end() - 1
            # Whole characters of the word only: a Hangul syllable is read as its letters.
            if (first and places[first - 1] == places[first]) or (
                last + 1 < len(places) and places[last + 1] == places[last]
            ):
                continue
            start, end = places[first], places[last] + 1
            while end < len(word) and unicodedata.combining(word[end]):
                end += 1  # an accent typed after the letter is of the name
            if match[0] in self._with_a_capital and not word[start].isupper():
                continue
            yield start, end, self.name_words[match[0]]

    def _name_of(self, word: str) -> PersonalInfo | None:
        """The flagged name a word of a text is a word of, as the search compares words."""
        if word not in self._names_of:  # once each word as written: a text repeats its words
            self._names_of[word] = next(
                (
                    self.name_words[w]
                    for w in search_words(word)
                    if w in self.name_words
                    and (w not in self._with_a_capital or word[:1].isupper())
                ),
                None,
            )
        return self._names_of[word]

    def sever_query(self, query: str) -> str:
        """A search's query severed: what `sever` severs, and each word of it (as the search
        reads words: any case, accents dropped) that is a word of a flagged name, the rest
        kept (`Laurel Casey`: `Laurel [severed: …]`)."""
        pieces, last = [], 0
        for match in self.pattern.finditer(query) if self.pattern is not None else []:
            severed = SEVERED.format(what=self._item(match).what)
            pieces += [self._name_words_severed(query[last : match.start()]), severed]
            last = match.end()
        return "".join([*pieces, self._name_words_severed(query[last:])])

    def _name_words_severed(self, text: str) -> str:
        name = SEVERED.format(what="name")

        def severed(word: str) -> str:
            if self._name_of(word):
                return name
            pieces, last = [], 0
            for start, end, _ in self._in_unspaced(word):
                pieces += [word[last:start], name]
                last = end
            return "".join([*pieces, word[last:]])

        return re.sub(r"\S+", lambda m: severed(m[0]), text)

    def _item(self, match: re.Match[str]) -> PersonalInfo:
        whole, found = match.lastgroup == "words", match.group(0)
        item = self.items.get((whole, name_key(found)))
        if item is None:  # the pattern ignores case by other rules than casefold() (ı and i)
            item = next(
                i
                for (w, _), i in self.items.items()
                if w == whole and re.fullmatch(_tree([i.value]), found, re.IGNORECASE)
            )
        return item


def _strings(value: Any) -> Iterator[str]:
    """Every text in a record's data."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | dict):
        for inner in value.values() if isinstance(value, dict) else value:
            yield from _strings(inner)


def mentions(records: list[ArchiveRecord], finder: Finder) -> list[PersonalInfo]:
    """Each record where the finder's values appear (a name in another person's reply, a
    reviewer's reason, the classifier's evidence), with what it found there."""
    found: list[PersonalInfo] = []
    for record in (r for r in records if not _published_by_the_city(r)):
        for text in (record.text, record.author, record.commenter, *_strings(record.data)):
            found.extend(PersonalInfo(record.key, i.what, i.value) for i in finder.find(text))
    return found


CONTACT_DETAILS = ("email address", "phone number", "street address")


def _public_contacts(project: Path) -> Policy:
    try:
        return Policy.load(project / "policy")
    except LintConfigError as error:
        raise ExportError(str(error)) from None


def _in_text(key: str, text: str) -> list[PersonalInfo]:
    """Contact details and identity numbers in one text."""
    found = []
    for match in EMAIL.finditer(text):
        found.append(PersonalInfo(key, "email address", match.group(0)))
    for match in PERSONAL_PHONE.finditer(text):
        found.append(PersonalInfo(key, "phone number", match.group(0)))
    for pattern, valid, what in (
        (SIN, sin_valid, "Social Insurance Number"),
        (PHN, phn_valid, "Personal Health Number"),
    ):
        found.extend(
            PersonalInfo(key, what, m.group(0)) for m in pattern.finditer(text) if valid(m.group(0))
        )
    for match in CARD.finditer(text):
        if card_valid(match.group(0)):
            found.append(PersonalInfo(key, "card number", match.group(0)))
    return found


def _mentioned(key: str, text: str) -> list[PersonalInfo]:
    """The accounts a text mentions by @username (a reply on X starts with those it answers):
    each leads to a person as surely as their name, though they never commented here. The
    City's own accounts are told apart by the caller (`_the_citys_accounts`)."""
    return [
        PersonalInfo(key, MENTIONED, match.group(0))
        for match in MENTION.finditer(text)
        if not A_TIME.fullmatch(match.group(1))
    ]


def _the_citys_accounts(records: list[ArchiveRecord], contacts: Policy) -> set[str]:
    """The City's @usernames, casefolded: those policy/public-contacts.yml lists, and those
    its own answers were given under (`by_city`)."""
    answering = {
        username_key(str(r.data.get("author_username") or ""))
        for r in records
        if r.data.get("by_city")
    }
    return (contacts.public_accounts | answering) - {""}


def _addresses(key: str, text: str) -> list[PersonalInfo]:
    """Street addresses in a comment: where a resident says they live ("my house, 1234
    Hazelwood Drive"), or the City's answer says it for them. The content lint's pattern,
    without its private-residence marker: an address in a conversation with a resident is
    most often theirs, while the City's posts name work sites and are not read here."""
    return [PersonalInfo(key, "street address", found) for found in street_addresses(text)]


def _attached(key: str, attachment: Any) -> list[PersonalInfo]:
    """The addresses of what a comment's author attached, as `collect` kept them: its
    picture and its page."""
    if not isinstance(attachment, dict):
        return []
    return [PersonalInfo(key, ATTACHED, a) for a in attachment_sources(attachment) if a.strip()]


def _picture_kept(key: str, picture: Any) -> list[PersonalInfo]:
    """The picture a comment's author attached, as the archive keeps it: its file and its
    SHA-256 (which a copy of the picture could be matched against) are theirs, as its link is."""
    if not kept(picture):
        return []
    values = (str(picture.get("file") or ""), str(picture["sha256"]))
    return [PersonalInfo(key, ATTACHED, value) for value in values if value.strip()]


def package_picture(data: dict[str, Any]) -> str:
    """Where a package holds the picture a comment version showed (`attachments/<sha256>.<ext>`),
    when the archive kept it; '' when it did not, or its record names it no more (severed)."""
    picture = data.get("picture")
    if not kept(picture):
        return ""
    found = PICTURE_FILE.fullmatch(str(picture.get("file") or ""))
    if not found or found[1] != picture["sha256"]:
        return ""
    return f"{PICTURES}/{found[1]}.{found[2]}"


def picture_shown(data: dict[str, Any]) -> str:
    """What the package says of the picture a comment version showed: the file that holds it,
    why the archive has none (`not kept: the link answered 404 (expired)`), or its severing;
    '' when there was no picture to keep."""
    picture = data.get("picture")
    if not isinstance(picture, dict):
        return ""
    held = package_picture(data)
    if held:
        return held
    if picture.get("not_kept"):
        return f"picture not kept: {picture.get('why') or picture['not_kept']}"
    return str(picture.get("file") or "")  # severed


def _with_later_picture(
    record: ArchiveRecord, pictures: dict[tuple[str, str, int], dict[str, Any]]
) -> ArchiveRecord:
    """A comment version with its picture, as a later collect kept it (`comment_picture`
    line) when its own line could not: the record the package gives holds it."""
    if not record.is_comment_version:
        return record
    found = pictures.get(record.version)
    if found is None or kept(record.data.get("picture")):
        return record
    return replace(record, data={**record.data, "picture": found})


def _copy_pictures(records_dir: Path, folder: Path, records: list[ArchiveRecord]) -> set[str]:
    """The pictures the records showed and the archive kept, copied into the package; the
    package paths of those copied (one missing from the archive is not: `records verify`
    names it)."""
    copied = set()
    for record in records:
        held = package_picture(record.data)
        if held and held not in copied:
            source = records_dir / ATTACHMENTS / Path(held).name
            if source.is_file():
                (folder / PICTURES).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, folder / held)
                copied.add(held)
    return copied


class StandIns:
    """The stand-in of each third party's comment id, by platform and id (see `pseudonyms`),
    and, made once an export, a pattern finding each platform's ids written in a text (a
    platform's answer quoted in a decision's result, "Object with ID '…' does not exist")."""

    def __init__(self, stand_ins: dict[tuple[str, str], str]) -> None:
        self.by_id = stand_ins
        by_platform: dict[str, dict[str, str]] = defaultdict(dict)
        for (platform, comment_id), stand_in in stand_ins.items():
            by_platform[platform][comment_id] = stand_in
        self._written = {
            platform: (ids, _whole_words(sorted(ids, key=len, reverse=True)))
            for platform, ids in by_platform.items()
        }

    def in_text(self, platform: str, text: str) -> str:
        """`text` with each of the platform's ids it writes given as its stand-in."""
        if platform not in self._written:
            return text
        ids, pattern = self._written[platform]
        return pattern.sub(lambda m: ids[m[0]], text)


def _whole_words(words: list[str]) -> re.Pattern[str]:
    """A pattern finding each of `words` (longest first) as a whole word."""
    return re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, words))})(?![\w-])")


def pseudonyms(records: list[ArchiveRecord]) -> StandIns:
    """A stand-in for the id of each third party's comment, by platform and id: `comment-1`,
    `comment-2`, in the order the export first gives it (as a comment, a reply's parent, the
    comment a removed reply went with, or a moderation record's subject). Everything but the
    City's own posts, replies and answers gets one, so that a reply to a comment outside these
    records does not keep its parent's id."""
    citys = _the_citys_ids(records)
    found: dict[tuple[str, str], str] = {}
    for record in records:
        if record.type == "post":
            continue
        for comment_id in (record.data.get(field) for field in COMMENT_IDS):
            key = (record.platform, str(comment_id or ""))
            if comment_id and key not in citys and key not in found:
                found[key] = PSEUDONYM.format(number=len(found) + 1)
    return StandIns(found)


def _the_citys_ids(records: list[ArchiveRecord]) -> set[tuple[str, str]]:
    """By platform, the ids of what the City published (its posts and X update replies) and
    of its answers to comments (`by_city`): its public records, which keep their ids."""
    ids = {(r.platform, r.post_id) for r in records if r.post_id}
    ids |= {
        (r.platform, str(r.data[field]))
        for r in records
        if _published_by_the_city(r)
        for field in POSTED_IDS
        if r.data.get(field)
    }
    ids |= {(r.platform, r.comment_id) for r in records if r.data.get("by_city")}
    return ids


def sever(record: ArchiveRecord, finder: Finder, stand_ins: StandIns) -> ArchiveRecord:
    """A copy of the record with each of the finder's values replaced by a marked severing,
    wherever it appears: text, author, and every value of the record's data; the third
    party's name it is by or about, whatever that name is; and each comment id by its
    stand-in (see `pseudonyms`); without the hash of the archive line before it. What the
    City published on its own is given as published (it has no comment ids to stand in
    for)."""
    if _published_by_the_city(record):
        return record

    def severed(value: Any) -> Any:
        if isinstance(value, str):
            # A comment's id written in a text leads to its author as its field does.
            return stand_ins.in_text(record.platform, finder.sever(value))
        if isinstance(value, list):
            return [severed(v) for v in value]
        if isinstance(value, dict):
            return {k: severed(v) for k, v in value.items()}
        return value

    data = severed(record.data)
    evidence = record.data.get("evidence")
    if record.type == "moderation" and isinstance(evidence, dict):
        # The classifier lists some of a comment's words one by one (off-topic: the words it
        # shares no subject by), so a name is quoted there apart, `avery` and `lee`: each
        # word of a name is severed, as in the request's queries.
        data["evidence"] = {
            category: {
                **data["evidence"][category],
                "matched": [
                    stand_ins.in_text(record.platform, finder.sever_query(word))
                    if isinstance(word, str)
                    else severed(word)
                    for word in found["matched"]
                ],
            }
            if isinstance(found, dict) and isinstance(found.get("matched"), list)
            else data["evidence"][category]
            for category, found in evidence.items()
        }
    # The hash of the archive line before it, as it was: a guess at what was severed (a
    # street and number) put in its place would be checked against it. Of no use here
    # either: a severed line is no longer the one the chain holds.
    data.pop(CHAINED, None)
    for field, what in ACCOUNT_FIELDS.items():
        accounts = {i.value for i in finder.items.values() if i.what == what}
        if record.type == "comment" and str(record.data.get(field)) in accounts:
            data[field] = SEVERED.format(what=what)  # whatever its type
    for field in COMMENT_IDS:
        stand_in = stand_ins.by_id.get((record.platform, str(record.data.get(field))))
        if stand_in:
            data[field] = stand_in
    names = {"text": severed(record.text), "author": severed(record.author)}
    names["commenter"] = severed(record.commenter)
    if _third_party(record):  # also one the finder leaves to the City (see _the_citys_name)
        name = SEVERED.format(what="name")
        names["commenter"] = name
        if record.type == "comment":
            names["author"] = data["author"] = name
        if record.username:  # searched by, never exported as a column: severed all the same
            names["username"] = SEVERED.format(what=ACCOUNT_FIELDS["author_username"])
    comment_id = stand_ins.by_id.get((record.platform, record.comment_id), record.comment_id)
    return ArchiveRecord(**{**asdict(record), **names, "comment_id": comment_id, "data": data})


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell as a spreadsheet shows it: one that starts like a formula gets a leading `'`
    (text, not evaluated). Only the CSV: the JSON and the report keep the text as written."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def attachment_shown(data: dict[str, Any]) -> tuple[str, list[str]]:
    """What a comment version showed besides its text, as the archive keeps it: the kind of
    attachment (a photo, sticker, GIF, a link with its title) and where to see it; ('', [])
    for none. A comment may be only a picture, and a swapped picture is a new version."""
    attachment = data.get("attachment")
    if not isinstance(attachment, dict) or not attachment:
        return "", []
    kind = str(attachment.get("type") or "attachment")
    title = attachment.get("title")
    return (f'{kind} "{title}"' if title else kind), attachment_sources(attachment)


def _attachment_cell(data: dict[str, Any], copied: set[str]) -> str:
    """`attachment_shown` as one CSV cell: `photo: <picture> <page>`, then the package's file
    that holds the picture (`; kept as attachments/<sha256>.jpg`) or why there is none."""
    kind, sources = attachment_shown(data)
    if not kind:
        return ""
    return " ".join([f"{kind}:", *sources]) + _kept_note(data, copied)


def _kept_note(data: dict[str, Any], copied: set[str]) -> str:
    shown = picture_shown(data)
    if not shown:
        return ""
    if package_picture(data) and shown not in copied:
        return f"; picture file {Path(shown).name} missing from the archive"
    return f"; kept as {shown}" if package_picture(data) else f"; {shown}"


def announcement_source(project: Path, announcement: str) -> str:
    """The file of the announcement whose id (its page's slug) is `announcement`, as a path in
    the project: the one in content/announcements/ the build gives that slug, else the one
    named by it (a file since removed, whose history git keeps)."""
    folder = project / "content" / "announcements"
    named = folder / f"{announcement}.md"
    if not named.is_file():  # named otherwise, such as in capitals, which the slug is not
        named = next((p for p in folder.glob("*.md") if slug_of(p) == announcement), named)
    return named.relative_to(project).as_posix()


def announcement_history(project: Path, announcement: str) -> list[dict[str, str]]:
    """The git history of the announcement's source file: date and change note of each commit."""
    source = announcement_source(project, announcement)
    # Each commit's record starts at \x01: a note may hold what ends a line for Python's
    # `splitlines` (a vertical tab pasted from Word, or a carriage return).
    log = ("log", "--follow", "--format=%x01%h%x00%aI%x00%s", "--", source)
    result = run_git("-C", str(project), *log, error=ExportError)
    history = []
    for record in result.stdout.split("\x01")[1:]:
        commit, date, note = record.rstrip("\n").split("\x00", 2)
        history.append(
            {"commit": commit, "date": date, "note": invisible_characters_as_spaces(note)}
        )
    return history


def _thread(records: list[ArchiveRecord]) -> list[dict[str, Any]]:
    """Comments in thread order (parents before replies, then by time, then as collected),
    with their versions and moderation history gathered under each."""
    comments: dict[str, dict[str, Any]] = {}
    for record in records:
        if record.type == "comment":
            entry = comments.setdefault(
                record.comment_id,
                {
                    "id": record.comment_id,
                    "platform": record.platform,
                    "author": record.author,
                    "parent": record.data.get("parent_id"),
                    "time": record.time,
                    "versions": [],
                    "moderation": [],
                },
            )
            entry["versions"].append(record)
            entry["time"] = min(entry["time"], record.time) if record.time else entry["time"]
    for record in records:
        if record.type == "moderation" and record.comment_id in comments:
            comments[record.comment_id]["moderation"].append(record)
    replies: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    # Comments of one time (platforms date them to the second) in the archive's order, as
    # collected: never by their ids, which the severed copy gives as stand-ins.
    for comment in sorted(comments.values(), key=lambda c: c["time"]):
        # A parent that is not a comment starts a thread: none (Facebook, YouTube), the post
        # itself (on X a direct reply's parent is the City's tweet), or a comment outside
        # these records. Its replies are followed down like any other's.
        replies[comment["parent"] if comment["parent"] in comments else None].append(comment)
    ordered: list[dict[str, Any]] = []

    def add(parent: str | None, depth: int) -> None:
        for child in replies[parent]:
            ordered.append({**child, "depth": depth})
            add(child["id"], depth + 1)

    add(None, 0)
    return ordered


# What the flags table gives as the record a change note in an announcement's history is
# of: its commit, as the report's history names it.
COMMIT_RECORD = "commit {commit}"
History = list[dict[str, str]]


def histories(project: Path, announcements: Iterable[str]) -> dict[str, History]:
    """The git history of each announcement (see `announcement_history`); none for records
    filed under no known announcement."""
    return {
        a: announcement_history(project, a) if a != UNKNOWN_ANNOUNCEMENT else []
        for a in announcements
    }


def in_change_notes(history: dict[str, History]) -> list[PersonalInfo]:
    """Contact details and identity numbers, and the accounts mentioned by @username, in the
    change notes of the announcements' histories: a note is the City's record of a change to
    its notice, not the notice, and may say who asked for it and how to reach them ("as Avery
    Lee asked (250-555-0199)"). Each is flagged as of its commit. A street address is not
    read in a note, which names the notice's venues and work sites as the post does."""
    found = []
    for revisions in history.values():
        for revision in revisions:
            key, note = COMMIT_RECORD.format(commit=revision["commit"]), revision["note"]
            found.extend([*_in_text(key, note), *_mentioned(key, note)])
    return found


def _severed_history(history: History, finder: Finder) -> History:
    """An announcement's history with what the finder finds in its change notes severed: a
    commenter's name, their contact details, as in every record but the City's posts."""
    return [{**revision, "note": finder.sever(revision["note"])} for revision in history]


def _section(announcement: str, records: list[ArchiveRecord], history: History) -> dict[str, Any]:
    """What report.html shows of one announcement: its posts, its comments in thread order,
    the decisions about comments it has no line of, and its history in git."""
    thread = _thread(records)
    return {
        "id": announcement,
        "posts": [r for r in records if r.type == "post"],
        "thread": thread,
        "unthreaded": _unthreaded(records, thread),
        "history": history,
    }


def _unthreaded(records: list[ArchiveRecord], thread: list[dict[str, Any]]) -> list[ArchiveRecord]:
    """Moderation records about a comment the package has no line of (disposed of before
    the decisions about it, or never collected): shown apart, never left out."""
    shown = {c["id"] for c in thread}
    return [r for r in records if r.type == "moderation" and r.comment_id not in shown]


def _check_free(out: Path) -> None:
    try:
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out}: is a file; give a new or empty folder for the package")
        if out.is_dir() and any(out.iterdir()):
            raise ExportError(f"{out}: is not empty; give a new or empty folder for the package")
    except OSError as error:
        raise ExportError(f"{out}: cannot use it for the package ({error.strerror})") from None


def _write_set(
    records_dir: Path,
    folder: Path,
    records: list[ArchiveRecord],
    request: str,
    queries: list[str],
    flags: list[PersonalInfo],
    history: dict[str, History],
    redacted: bool,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    copied = _copy_pictures(records_dir, folder, records)
    rows = [{k: getattr(r, k) for k in COLUMNS} for r in records]
    (folder / "records.json").write_text(
        json.dumps(
            {
                "request": request,
                "queries": queries,
                "redacted": redacted,
                "records": [{**row, "data": r.data} for row, r in zip(rows, records, strict=True)],
            },
            indent=2,
            ensure_ascii=False,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    # With a byte-order mark: Excel reads a CSV without one as Windows-1252 ("Ã‰mile Roy").
    with (folder / "records.csv").open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=(*COLUMNS, ATTACHMENT))
        writer.writeheader()
        for row, record in zip(rows, records, strict=True):
            cells = {**row, ATTACHMENT: _attachment_cell(record.data, copied)}
            writer.writerow({k: spreadsheet_cell(v) for k, v in cells.items()})
    by_announcement: dict[str, list[ArchiveRecord]] = defaultdict(list)
    for record in records:
        by_announcement[record.announcement].append(record)
    flagged = {f.record for f in flags}
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(default=True),
    )
    env.filters["city_time"] = city_time  # as `invoke records search` shows times
    env.filters["attachment_shown"] = attachment_shown
    env.filters["kept_note"] = lambda data: _kept_note(data, copied).removeprefix("; ")
    env.globals["copied"] = copied
    env.filters["package_picture"] = package_picture
    env.filters["how_removed"] = how_removed  # as `invoke records search` words a removal
    html = env.get_template("foi-report.html").render(
        request=request,
        queries=queries,
        redacted=redacted,
        flags=flags,
        flagged=flagged,
        announcements=[_section(a, rs, history[a]) for a, rs in sorted(by_announcement.items())],
    )
    (folder / "report.html").write_text(html, encoding="utf-8")


def _manifest(folder: Path) -> None:
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "MANIFEST.sha256"):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(folder).as_posix()}\n")
    (folder / "MANIFEST.sha256").write_text("".join(lines), encoding="utf-8")


def export(
    records_dir: Path,
    project: Path,
    request: str,
    queries: list[str],
    out: Path,
    redact: bool = False,
) -> dict[str, Any]:
    """Write the package into OUT, a new or empty folder; return a summary (records, flags)."""
    _check_free(out)
    found: dict[str, ArchiveRecord] = {}
    for query in queries or [""]:
        for record in search(records_dir, query):
            found[record.key] = record
    # A matching comment brings its post and the rest of its thread, for context. Records
    # filed under no known announcement are no thread: each comes in only when it matches.
    touched = {r.announcement for r in found.values()}
    threads = touched - {UNKNOWN_ANNOUNCEMENT}
    for record in search(records_dir, ""):
        if record.announcement in threads:
            found.setdefault(record.key, record)
    records = sorted(found.values(), key=lambda r: (r.time, r.file, r.line))
    # The pictures a later collect kept, each with the version it belongs to.
    pictures = version_pictures(records_dir)
    records = [_with_later_picture(record, pictures) for record in records]
    order = {r.key: n for n, r in enumerate(records)}
    # A City Hall number or address a resident quotes is the City's, not theirs: not severed.
    # So is the City's own account a resident mentions (`@CityofTrail`).
    contacts = _public_contacts(project)
    citys_accounts = _the_citys_accounts(records, contacts)
    # The announcements' histories in git, whose change notes may name who asked for a change.
    history = histories(project, {r.announcement for r in records})
    found_in = [item for record in records for item in personal_information(record)]
    flags = [
        item
        for item in [*found_in, *in_change_notes(history)]
        if not (item.what in CONTACT_DETAILS and contacts.is_public_contact(item.value))
        and not (item.what == MENTIONED and username_key(item.value) in citys_accounts)
    ]
    # A commenter's own @username is severed wherever it is written (as a whole word), so a
    # mention of them is flagged as theirs already.
    usernames = {
        username_key(f.value) for f in flags if f.what == ACCOUNT_FIELDS["author_username"]
    }
    flags = [f for f in flags if not (f.what == MENTIONED and username_key(f.value) in usernames)]
    # A commenter's name, account id or photo identifies them wherever it is given: in another
    # person's reply, a reviewer's reason, the classifier's evidence. Flagged in each record
    # that gives it.
    people = Finder(f for f in flags if f.what in IDENTIFYING)
    in_notes = [
        PersonalInfo(COMMIT_RECORD.format(commit=revision["commit"]), i.what, i.value)
        for revisions in history.values()
        for revision in revisions
        for i in people.find(revision["note"])
    ]
    flags = list(dict.fromkeys([*flags, *mentions(records, people), *in_notes]))
    flags.sort(key=lambda f: order.get(f.record, len(order)))  # change notes after records
    # One package per folder, written whole or not at all: into a new folder beside OUT that
    # takes its name at the end (a second request's manifest must not vouch for the first's
    # files, and a stopped export must not leave half a package where a whole one is expected).
    staging = out.resolve().with_name(f".{out.resolve().name}.{os.getpid()}.partial")
    try:
        _write_set(records_dir, staging, records, request, queries, flags, history, redacted=False)
        if redact:
            # Everything flagged is severed from every record but the City's own posts: what
            # identifies a commenter, and what they wrote about themselves, also where the
            # classifier, a reviewer or the City's answer quoted it.
            finder, stand_ins = Finder(flags), pseudonyms(records)
            severed = [sever(r, finder, stand_ins) for r in records]
            # The request's own words too: it may search for a commenter by name.
            asked = [finder.sever_query(query) for query in queries]
            # The announcements' change notes too: the City's record, not its notice.
            notes = {a: _severed_history(h, finder) for a, h in history.items()}
            _write_set(
                records_dir,
                staging / "redacted",
                severed,
                request,
                asked,
                flags,
                notes,
                redacted=True,
            )
        _manifest(staging)
        if out.is_dir():
            out.rmdir()  # empty: checked above
        staging.rename(out)
    except OSError as error:
        raise ExportError(f"{out}: cannot write the package ({error.strerror})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # left only when the export stopped
    # `(unknown announcement)` files records under no announcement: it is none to count.
    return {"records": len(records), "flags": len(flags), "announcements": len(threads)}
