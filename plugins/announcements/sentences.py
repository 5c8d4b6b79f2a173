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
# Chinese and Japanese full stops, ! and ? (and the fullwidth full stop): CJK writes no space
# after them, and has no capitals, so each ends a sentence wherever it is.
CJK_STOPS = ("\u3002", "\uff01", "\uff1f", "\uff0e")  # 。！？．
SENTENCE_STOPS = (".", "!", "?", *CJK_STOPS)
# After a stop, still the same sentence: `"Boil it."`, `「立即离开。」`.
CLOSING = "\"')\u201d\u2019\u300d\u300f\uff09"
OPENING = "\"'(\u201c\u2018\u300c\u300e\uff08"
WORD = re.compile(r"\S+")
_SHOUTED = frozenset(word.upper() for word in ABBREVIATIONS)
_STOPS = "".join(CJK_STOPS)
# A CJK stop (or a run of them, `？！`) and the closing quotes after it. `sentences` skips one
# between two digits, where the fullwidth full stop is a decimal point (`１．５`).
_CJK_END = re.compile(rf"[{_STOPS}]+[{re.escape(CLOSING)}]*")
_NEXT = re.compile(r"\S")
# Chinese characters, kana: the text of a sentence written in Chinese or Japanese.
_CJK_TEXT = re.compile(
    "[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Where each sentence of `text` starts and ends in it, in order, whatever spaces and
    line breaks are between its words. A sentence ends at . ! or ? followed by a word
    starting with a capital or a digit, except after an abbreviation; and at a CJK stop
    (。！？．) whatever follows it, a space or not."""
    ends = {
        word.end()
        for word, following in pairwise(WORD.finditer(text))
        if ends_sentence(word.group(), following.group())
    }
    ends.update(
        match.end()
        for match in _CJK_END.finditer(text)
        if not text[match.start() - 1 : match.start()].isdigit()
        or not text[match.end() : match.end() + 1].isdigit()
    )
    start = 0
    for end in sorted(ends):
        following = _NEXT.search(text, end)
        if following is None:  # nothing after it: the last sentence ends there anyway
            break
        yield start, end
        start = following.start()
    yield start, len(text)


def full_stop(sentence: str) -> str:
    """The full stop `sentence` takes when it has none: 。 after Chinese or Japanese (its last
    character one of theirs, a closing quote aside), . after any other."""
    last = sentence.rstrip().rstrip(CLOSING)[-1:]
    return "\u3002" if _CJK_TEXT.match(last) else "."


def ends_sentence(word: str, following: str) -> bool:
    """Whether a sentence ends with `word`, when `following` is the next word."""
    if not word.rstrip(CLOSING).endswith(SENTENCE_STOPS):
        return False
    if word.rstrip(CLOSING).endswith(CJK_STOPS):
        return True
    if is_abbreviation(word):
        return False
    start = following.lstrip(OPENING)[:1]
    return start.isupper() or start.isdigit()


def is_abbreviation(word: str) -> bool:
    """Whether `word` is one of ABBREVIATIONS, in brackets or quotes too ("(8 a.m. to 5 p.m.)")."""
    bare = word.lstrip(OPENING).rstrip(CLOSING)
    return bare in ABBREVIATIONS or (bare.isupper() and bare in _SHOUTED)
