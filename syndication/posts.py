"""What each platform receives for an announcement. Pure functions.

Every post ends with (or carries) the canonical link and links the comment guidelines, as the
City's policy asks. The texts are written into the build's `syndication.json` manifest, so
what CI posts is exactly what was built and reviewed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from announcements.sentences import CLOSING, SENTENCE_STOPS

from .text import ELLIPSIS, X_MAX_LENGTH, fit, utf8_length, x_length

YOUTUBE_TITLE_MAX = 100
YOUTUBE_DESCRIPTION_MAX_BYTES = 5000
YOUTUBE_TAGS_MAX = 500  # characters, as `youtube_tags_length` counts them
YOUTUBE_TAG_REFUSED = "<>"  # characters YouTube refuses in a tag (400 invalidTags)
FACEBOOK_MESSAGE_MAX = 63206


def _lead(title: str, summary: str, urgent: bool) -> str:
    prefix = "URGENT: " if urgent else ""
    # A title may end its sentence itself, also inside quotes or brackets (`Say "yes!"`) or
    # trailing off (`…`): a full stop after it would be a second one.
    ends = title.rstrip(CLOSING).endswith((*SENTENCE_STOPS, ELLIPSIS))
    return f"{prefix}{title} {summary}" if ends else f"{prefix}{title}. {summary}"


def _x_post(lead: str, ending: str) -> str:
    """At most 280 as X counts: `ending` whole, and as much of `lead` as leaves room for it."""
    return fit(lead, X_MAX_LENGTH - x_length(ending), x_length) + ending


def _x_ending(url: str, guidelines: str) -> str:
    """How every post of the City's on X ends: the comment guidelines, then the canonical
    link, last (which is what marks a post as the announcement's own)."""
    return f"\nComment guidelines: {guidelines}\n{url}"


def x_text(title: str, summary: str, url: str, guidelines: str, urgent: bool = False) -> str:
    """At most 280 as X counts, ending with the canonical link."""
    return _x_post(_lead(title, summary, urgent), _x_ending(url, guidelines))


def x_uncut_length(
    title: str, summary: str, url: str, guidelines: str, urgent: bool = False
) -> int:
    """The post `x_text` writes, as X counts it before any cut: over X_MAX_LENGTH, it is cut."""
    return x_length(_lead(title, summary, urgent) + _x_ending(url, guidelines))


def x_update_text(note: str, url: str, guidelines: str) -> str:
    """The reply that carries a correction to an X post (posts cannot be edited). Residents
    answer it as they answer the post, so it links the guidelines, and ends as the post does."""
    return _x_post(f"Update: {note}", _x_ending(url, guidelines))


def x_update_text_without_guidelines(note: str, url: str) -> str:
    """A reply as it was written before replies linked the guidelines: what earlier runs may
    have sent, and recorded, to be recognised on X and in the ledger."""
    return _x_post(f"Update: {note}", f"\n{url}")


def read_more(url: str) -> str:
    """The line that carries the canonical link in a Facebook message and a YouTube
    description: what marks a text as the announcement's own post, not one that mentions it."""
    return f"Read more: {url}"


def correction_lines(corrections: Sequence[str]) -> str:
    """Corrections shown first, so a reader of an edited post sees what changed."""
    return "".join(f"Correction: {note}\n\n" for note in corrections)


def facebook_message(
    title: str,
    summary: str,
    url: str,
    guidelines: str,
    urgent: bool,
    corrections: Sequence[str] = (),
) -> str:
    lead = fit(_lead(title, summary, urgent), FACEBOOK_MESSAGE_MAX // 2)
    return (
        f"{correction_lines(corrections)}{lead}\n\n{read_more(url)}\n\n"
        f"Comments are welcome within our guidelines: {guidelines}"
    )


def youtube_title(title: str) -> str:
    """YouTube refuses titles over 100 characters and the characters < and >."""
    return fit(title.replace("<", "‹").replace(">", "›"), YOUTUBE_TITLE_MAX)


def youtube_description(
    summary: str, url: str, guidelines: str, corrections: Sequence[str] = ()
) -> str:
    tail = f"\n\n{read_more(url)}\n\nComment guidelines: {guidelines}"
    room = YOUTUBE_DESCRIPTION_MAX_BYTES - utf8_length(tail)
    clean = (correction_lines(corrections) + summary).replace("<", "‹").replace(">", "›")
    return fit(clean, room, utf8_length) + tail


def youtube_tags_length(tags: Sequence[str]) -> int:
    """Tags as YouTube counts them against YOUTUBE_TAGS_MAX: a comma between two, and
    quotation marks around a tag with a space (`Foo-Baz` is 7, `Foo Baz` 9)."""
    return sum(len(tag) + (2 if " " in tag else 0) for tag in tags) + max(len(tags) - 1, 0)


def content_hash(data: Any) -> str:
    """A stable hash of JSON-able data (keys sorted), to tell when a post must change."""
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(encoded.encode("utf-8")).hexdigest()
