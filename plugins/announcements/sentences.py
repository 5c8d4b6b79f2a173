"""Where a sentence of the City's text ends, as its notices write it. Shared by `invoke alert`
(a summary is an alert's first sentence) and the content lint (a private residence is marked
in the sentence that gives its address).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

# Words whose full stop does not end a sentence, as notices write them: times, dates and
# street names come first in an alert ("Starting 8 a.m. Tuesday", "from Nov. 30"). As
# written, or all in capitals as a notice may shout it ("BAY AVE. CLOSED FROM 8 A.M."), but
# not otherwise: "Avoid the sun. Drink water." is two sentences.
ABBREVIATIONS = frozenset(
    {
        *("a.m.", "p.m."),
        *("Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept."),
        *("Oct.", "Nov.", "Dec."),
        *("Mon.", "Tue.", "Tues.", "Wed.", "Thu.", "Thur.", "Thurs.", "Fri.", "Sat.", "Sun."),
        *("Ave.", "St.", "Dr.", "Rd.", "Blvd.", "Cres.", "Hwy.", "No."),
        *("approx.", "e.g.", "i.e.", "etc.", "Mr.", "Mrs.", "Ms."),
    }
)
SENTENCE_STOPS = (".", "!", "?")
CLOSING = "\"')\u201d\u2019"  # after a stop, still the same sentence: `"Boil it."`
OPENING = "\"'(\u201c\u2018"
WORD = re.compile(r"\S+")
_SHOUTED = frozenset(word.upper() for word in ABBREVIATIONS)


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Where each sentence of `text` starts and ends in it, in order, whatever spaces and
    line breaks are between its words. A sentence ends at . ! or ? followed by a word
    starting with a capital or a digit, except after an abbreviation."""
    start = 0
    for word, following in pairwise(WORD.finditer(text)):
        if ends_sentence(word.group(), following.group()):
            yield start, word.end()
            start = following.start()
    yield start, len(text)


def ends_sentence(word: str, following: str) -> bool:
    """Whether a sentence ends with `word`, when `following` is the next word."""
    if not word.rstrip(CLOSING).endswith(SENTENCE_STOPS):
        return False
    if is_abbreviation(word):
        return False
    start = following.lstrip(OPENING)[:1]
    return start.isupper() or start.isdigit()


def is_abbreviation(word: str) -> bool:
    """Whether `word` is one of ABBREVIATIONS, in brackets or quotes too ("(8 a.m. to 5 p.m.)")."""
    bare = word.lstrip(OPENING).rstrip(CLOSING)
    return bare in ABBREVIATIONS or (bare.isupper() and bare in _SHOUTED)
