"""Golden examples for the shared text rules and the platform texts."""

from __future__ import annotations

import pytest
from twitter_text import parse_tweet

from syndication import text as text_rules
from syndication.posts import (
    YOUTUBE_TITLE_MAX,
    content_hash,
    facebook_message,
    x_text,
    x_update_text,
    youtube_description,
    youtube_title,
)
from syndication.text import ELLIPSIS, fit, utf8_length, x_length

URL = "https://trail.ca/announcements/2026-11-20-glenmerry-water-main-flushing.html"
GUIDELINES = "https://trail.ca/comment-guidelines.html"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello", 5),
        ("", 0),
        (URL, 23),  # any URL counts 23, long or short
        ("http://a.b", 23),
        ("See " + URL + " now", 4 + 23 + 4),
        ("café", 4),  # Latin with accents weighs 1
        ("e\u0301", 1),  # NFC: e + combining acute is one character
        ("“quotes” – dash", 15),  # general punctuation in the light ranges weighs 1
        ("…", 2),  # but the ellipsis (U+2026) is outside them and weighs 2
        ("雪", 2),  # CJK weighs 2
        ("🚧", 2),  # emoji weigh 2
        # Golden values from X's own twitter-text 3.1.0 (npm), parseTweet().weightedLength:
        ("See https://trail.ca/water.", 28),  # the full stop is not part of the link
        ("Details at www.trail.ca or call 250-364-1262.", 56),  # a bare domain is a link
        ("Register at trail.com today", 41),
        ("Write to info@trail.ca for details.", 35),  # an address is not
        ("Crews start at 7 a.m. on Nov. 30, e.g. on Laurel St.", 52),
        ("Open 9 a.m.–4 p.m. (see https://trail.ca/hours).", 49),
        ("Map: https://trail.ca/map.html, then (https://trail.ca/b).", 61),
        ("Visit RDKB.com, www.rdkb.com/water and https://www.rdkb.com/a?b=c#d!", 83),
        ("Call 250.364.1262 or see trail.ca.", 49),
        ("Family 👨\u200d👩\u200d👧 day ❤️ at Gyro Park", 29),  # a joined emoji weighs 2
        ("Canada 🇨🇦 Day", 13),
        ("Thumbs 👍🏽 up", 12),
        ("Keycap 1️⃣", 9),
        ("日本語のテキスト", 16),
        ("#hashtag @mention $CASH", 23),
        ("https://trail.ca/" + "a" * 300, 23),
        ("Register at https://trail.ca/rec—spaces are limited", 54),  # a dash ends a link
        ("See https://trail.ca/rec’s page", 34),
        ("Smoke Eaters® night", 19),  # a bare ® weighs 1 (twitter-text-parser: 2)
        ("Smoke Eaters®\ufe0f night", 20),  # as an emoji, 2
        # A domain's name may hold accented Latin letters: a link all the same.
        ("Details at Québec.ca today", 40),
        ("Register at müller.de today", 41),
        ("See montréal.ca and québec.ca/eau today", 61),
    ],
)
def test_x_length_counts_like_x(text: str, expected: int) -> None:
    assert x_length(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Crews flush water mains in Glenmerry from Nov. 30; tap water may be discoloured.",
        f"Water main flushing.\n{URL}\nComment guidelines: {GUIDELINES}",
        "Café Montréal — naïve résumé “quoted” ‘x’ • bullet… 🚧 雪",
        "Crews start at 7 a.m. on Nov. 30, e.g. on Laurel St. (see the map)",
    ],
)
def test_the_quick_count_agrees_with_twitter_text_where_it_is_used(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unused(text: str) -> int:
        raise AssertionError("measured by twitter-text")

    monkeypatch.setattr(text_rules, "twitter_text_length", unused)
    assert x_length(text) == parse_tweet(text).weightedLength  # quick, and the same count


@pytest.mark.parametrize(
    "text",
    [
        "Infos : https://www.quebec.ca/recherche?q=sécurité routière.",  # ends at the é
        "Map: https://trail.ca/?q=é then call us",
        "See https://ja.wikipedia.org/wiki/日本 today",  # ends at the 日
        "See https://el.wikipedia.org/wiki/Ελλάδα today",
        "See https://fr.wikipedia.org/wiki/Montréal today",  # the whole link
    ],
)
def test_a_link_with_letters_outside_ascii_is_counted_as_x_counts_it(text: str) -> None:
    # twitter-text ends a link at some of them (in a query, or Greek and CJK in a path) and
    # counts the rest as words, which the quick count cannot tell.
    assert x_length(text) == parse_tweet(text).weightedLength


def test_a_post_with_bare_domains_fits_as_x_counts_it() -> None:
    summary = (
        "Crews flush water mains in Glenmerry from Nov. 30; details and a map at www.trail.ca, "
        "www.trail.ca/water, www.rdkb.com and www.bcgov.ca/flush. " + "More words follow. " * 20
    )
    text = x_text("Water main flushing", summary, URL, GUIDELINES)
    assert 270 < parse_tweet(text).weightedLength <= 280


def test_a_post_with_accented_bare_domains_fits_as_x_counts_it() -> None:
    summary = (
        "Residents travelling east can check road conditions at Québec.ca, Montréal.ca and "
        "Lévis.ca before leaving; " + "crews will be out on every highway this week. " * 5
    )
    text = x_text("Winter travel advisory", summary, URL, GUIDELINES)
    assert 270 < parse_tweet(text).weightedLength <= 280


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short enough", 20, "Short enough"),
        ("Crews flush water mains in Glenmerry", 20, "Crews flush water…"),
        ("Crews flush water mains in Glenmerry", 17, "Crews flush…"),
        ("Roads close, detours follow", 13, "Roads close…"),  # trailing comma dropped
        ("Supercalifragilistic", 8, "Superca…"),  # a lone first word is the only mid-word cut
        ("  two\n\nlines ", 20, "two\n\nlines"),  # what fits keeps its line breaks
        ("  spaced   out\ntext ", 12, "spaced out…"),
    ],
)
def test_fit_cuts_at_word_boundaries(text: str, limit: int, expected: str) -> None:
    assert fit(text, limit) == expected
    assert len(fit(text, limit)) <= limit


def test_fit_never_cuts_a_url() -> None:
    text = f"Details {URL} and more words"
    # On X the URL counts 23 and the ellipsis 2: 8 + 23 + 2 = 33.
    assert fit(text, 33, x_length) == f"Details {URL}{ELLIPSIS}"
    assert fit(text, 32, x_length) == f"Details{ELLIPSIS}"
    assert fit(text, 60, len) == f"Details{ELLIPSIS}"
    assert fit(URL, 10) == ""


def test_x_text_fits_280_and_ends_with_the_canonical_link() -> None:
    long_summary = "Public Works crews will flush water mains across Glenmerry. " * 10
    text = x_text("Water main flushing in Glenmerry", long_summary, URL, GUIDELINES)
    assert x_length(text) <= 280
    assert text.endswith("\n" + URL)
    assert f"Comment guidelines: {GUIDELINES}" in text
    lead = text.split("\n")[0]
    assert lead.startswith("Water main flushing in Glenmerry. Public Works crews")
    assert lead.endswith(ELLIPSIS) and not lead.endswith(" " + ELLIPSIS)


def test_x_text_of_a_short_urgent_alert_is_whole() -> None:
    text = x_text("Boil water advisory", "Boil tap water in Sunningdale.", URL, GUIDELINES, True)
    assert text == (
        "URGENT: Boil water advisory. Boil tap water in Sunningdale.\n"
        f"Comment guidelines: {GUIDELINES}\n{URL}"
    )


def test_x_update_text_carries_the_note_the_guidelines_and_link() -> None:
    text = x_update_text("The closure is Friday, not Thursday.", URL, GUIDELINES)
    assert text == (
        f"Update: The closure is Friday, not Thursday.\nComment guidelines: {GUIDELINES}\n{URL}"
    )
    long = x_update_text("word " * 100, URL, GUIDELINES)
    assert x_length(long) <= 280 and long.endswith(f"Comment guidelines: {GUIDELINES}\n{URL}")


def test_facebook_message_has_the_link_and_guidelines() -> None:
    message = facebook_message("Title", "Summary here.", URL, GUIDELINES, False)
    assert message == (
        f"Title. Summary here.\n\nRead more: {URL}\n\n"
        f"Comments are welcome within our guidelines: {GUIDELINES}"
    )


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        ("Pool closed", "Pool closed. Crews are out."),
        ("Have your say on the budget!", "Have your say on the budget! Crews are out."),
        ("Council says \u201cyes!\u201d", "Council says \u201cyes!\u201d Crews are out."),
        ('Mayor: "Thank you, Trail."', 'Mayor: "Thank you, Trail." Crews are out.'),
        ("Pool closed (until Monday.)", "Pool closed (until Monday.) Crews are out."),
        ("What comes next\u2026", "What comes next\u2026 Crews are out."),
        ("立即撤离！", "立即撤离！ Crews are out."),  # a CJK stop
    ],
)
def test_a_title_that_ends_a_sentence_gets_no_second_full_stop(title: str, lead: str) -> None:
    """A title ending in a stop before a closing quote or bracket, or in an ellipsis, ends its
    sentence as one ending in . ! or ? does: "yes!\u201d. Crews" is wrong in every post."""
    message = facebook_message(title, "Crews are out.", URL, GUIDELINES, False)
    assert message.startswith(lead + "\n\n")
    assert x_text(title, "Crews are out.", URL, GUIDELINES).startswith(lead + "\n")


def test_corrections_come_first_in_editable_posts() -> None:
    message = facebook_message(
        "Title", "Summary.", URL, GUIDELINES, False, ["Friday, not Thursday."]
    )
    assert message.startswith("Correction: Friday, not Thursday.\n\nTitle. Summary.")
    description = youtube_description("Summary.", URL, GUIDELINES, ["New time: 7 p.m."])
    assert description.startswith("Correction: New time: 7 p.m.\n\nSummary.")


def test_youtube_title_and_description_respect_the_limits() -> None:
    title = youtube_title("Council <live> budget meeting " * 10)
    assert len(title) <= YOUTUBE_TITLE_MAX and "<" not in title and ">" not in title
    description = youtube_description("é" * 6000, URL, GUIDELINES)
    assert utf8_length(description) <= 5000
    assert description.endswith(f"Read more: {URL}\n\nComment guidelines: {GUIDELINES}")


def test_content_hash_is_stable_and_sensitive() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})
    assert content_hash({}).startswith("sha256:")
