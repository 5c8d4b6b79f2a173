"""Text rules shared by every platform: length as each platform counts it, and cutting at a
word boundary. Pure functions, tested with golden examples in tests/test_syndication_text.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

ELLIPSIS = "…"
# X counts every URL as 23 characters, whatever its length (t.co wrapping).
X_URL_LENGTH = 23
X_MAX_LENGTH = 280
# A URL runs to the next space; an ellipsis we append after one is not part of it.
URL = re.compile(r"https?://[^\s…]+", re.IGNORECASE)
# twitter-text v3: code points in these ranges weigh 1; everything else (CJK, emoji...) weighs 2,
# so a text weighs its length plus one for each code point outside them (counted by the regex
# engine: the manifest measures every announcement's post on every build).
_X_HEAVY = re.compile(r"[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")


# Where twitter-text counts what the quick count does not see as it does: an emoji of several
# code points, which weighs 2 in all (joined 👨‍👩‍👧, ❤️ with its variation selector, skin tones,
# flags, keycaps, tag sequences), a URL ending in punctuation, or a bare domain (not inside a
# URL, an address or a longer word). Every post is measured, so the checks are cheap first.
_JOINED_EMOJI = re.compile(
    "[\u200d\ufe0e\ufe0f\u20e3\U0001f1e6-\U0001f1ff\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]"
)
# A © or ® without the emoji variation selector: X's library weighs it 1, as the rest of
# Latin-1; twitter-text-parser takes it for an emoji and weighs it 2.
_BARE_MARK = re.compile("[\u00a9\u00ae](?!\ufe0f)")
# What twitter-text takes as part of a link; a character outside these ends the link there
# (an em dash or a curly apostrophe right after it), which the quick count does not see. Only
# ASCII: twitter-text ends a link at some letters beyond it and not others (at the é of a
# query, "?q=sécurité", and at Greek or CJK in a path, but not at the é of "/wiki/Montréal"),
# so a link holding any is measured by twitter-text itself.
_LINK_CHARACTERS = re.compile(r"[\w\-.~:/?#\[\]@!$&'()*+,;=%]+", re.ASCII)
_DOTTED_WORD = re.compile(r"[^\W_]\.[^\W\d_]{2}")
# What twitter-text takes as a domain's name besides a-z and digits: the Latin letters with
# accents (its `latinAccentChars`), so "Québec.ca" and "müller.de" are links, counted 23.
_DOMAIN_NAME = (
    "a-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257"
    "\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_BARE_DOMAIN = re.compile(
    rf"(?<![\w/@.-])[{_DOMAIN_NAME}][{_DOMAIN_NAME}-]*(?:\.[{_DOMAIN_NAME}-]+)*\.[a-z]{{2,}}"
    r"(?![\w-])",
    re.IGNORECASE,
)


@cache
def _twitter_text() -> Any:
    """twitter-text's parser, imported when first needed: its patterns take a fifth of a
    second to compile, and most builds never need them."""
    from twitter_text import parse_tweet

    return parse_tweet


def _x_weight(text: str) -> int:
    return len(text) + len(_X_HEAVY.findall(text))


def x_length(text: str) -> int:
    """Length of a post as X counts it: NFC code points, weighted, every URL as 23.

    X finds links by twitter-text's rules: a bare domain ("www.trail.ca") is a link, and
    punctuation ending a sentence is not part of one ("…/water."), nor some letters beyond
    ASCII ("?q=sécurité" ends at the é). Text where that matters
    is measured by twitter-text itself (a port of X's library: exact, but about a
    millisecond a call); the rest, nearly every post, by the quick count below, which gives
    the same answer for it.
    """
    if not text.isascii() and _JOINED_EMOJI.search(text):
        return twitter_text_length(text)
    text = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for match in URL.finditer(text):
        words = text[position : match.start()]
        if not _ends_link(match.group()) or _has_bare_domain(words):
            return twitter_text_length(text)
        length += _x_weight(words) + X_URL_LENGTH
        position = match.end()
    if _has_bare_domain(text[position:]):
        return twitter_text_length(text)
    return length + _x_weight(text[position:])


def _ends_link(url: str) -> bool:
    """Whether twitter-text takes the whole URL as a link: every character one a link may
    hold, and the last not punctuation ending a sentence (`.`, `,`, `)`)."""
    return (url[-1].isalnum() or url[-1] in "/#=-_") and bool(_LINK_CHARACTERS.fullmatch(url))


def _has_bare_domain(words: str) -> bool:
    return bool(_DOTTED_WORD.search(words) and _BARE_DOMAIN.search(words))


def twitter_text_length(text: str) -> int:
    """A post's length by X's own rules: twitter-text-parser (a port of X's twitter-text),
    where it differs from X's library (twitter-text 3.1, npm) corrected to that."""
    return int(_twitter_text()(text).weightedLength) - len(_BARE_MARK.findall(text))


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def fit(text: str, limit: int, length: Callable[[str], int] = len) -> str:
    """`text` if it fits in `limit`, else cut at a word boundary with an ellipsis.

    Text that fits is returned as it is (line breaks kept); cut text is joined by single
    spaces. Never cuts inside a word or a URL: a word (or URL) that does not fit is dropped whole.
    A single first word longer than the limit is the only thing ever cut mid-word.
    """
    text = text.strip()
    if length(text) <= limit:
        return text
    words = text.split()
    # The most words that fit, by bisection: a measure can be slow (see `x_length`).
    low, high = 0, len(words) - 1  # words[:low] fits; words[:high + 1] does not
    while low < high:
        middle = (low + high + 1) // 2
        if length(" ".join(words[:middle]) + ELLIPSIS) <= limit:
            low = middle
        else:
            high = middle - 1
    kept = words[:low]
    if not kept:
        # Nothing fits whole: the only case where we cut a word, and never a URL.
        first = words[0]
        if URL.fullmatch(first):
            return ""
        while first and length(first + ELLIPSIS) > limit:
            first = first[:-1]
        return first + ELLIPSIS if first else ""
    return " ".join(kept).rstrip(",;:.-–—") + ELLIPSIS
