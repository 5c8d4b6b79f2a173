"""The content lint: each rule fires on a bad example and stays silent on a clean one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from invoke.context import Context
from invoke.exceptions import Exit

import tasks
from checks.lint import (
    THEME,
    Finding,
    LintConfigError,
    Policy,
    card_valid,
    lint,
    phn_valid,
    sin_valid,
)
from moderation.classifier import ModerationPolicy, classify
from publishing.build import BuildError, load_settings
from tests.conftest import BASIC, NOW, ROOT, Site, announcement, mp4

CLEAN_BODY = (
    "Crews flush mains on Laurel Crescent. Call City Hall at 250-364-1262 or email "
    "info@trail.ca. See the [comment guidelines]({filename}/pages/comment-guidelines.md) and the "
    "[events calendar](../events.ics).\n\n## What to do\n\nRun cold water.\n\n### If it stays "
    "brown\n\nCall us.\n"
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "announcements").mkdir(parents=True)
    (root / "pages").mkdir()
    (root / "pages" / "comment-guidelines.md").write_text("---\ntitle: Guidelines\n---\nBe kind.\n")
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    return root


def findings(content: Path, body: str, **fields: str) -> list[Finding]:
    path = content / "announcements" / "2026-11-20-item.md"
    path.write_text(announcement(**{**BASIC, **fields, "body": body}), encoding="utf-8")
    return [f for f in lint(content, content.parent / "policy") if f.path.endswith("item.md")]


def rules(found: list[Finding]) -> list[str]:
    return [f.rule for f in found if not f.waived]


def test_only_an_error_nobody_waived_blocks_publishing() -> None:
    error = Finding("content/a.md", 3, "personal-phone", "a private phone number")
    assert error.blocks_publishing
    assert not replace(error, severity="warning").blocks_publishing
    assert not replace(error, waived="the Public Works after-hours line").blocks_publishing


def test_clean_content_has_no_findings(content: Path) -> None:
    assert findings(content, CLEAN_BODY) == []


def test_the_sample_content_is_clean() -> None:
    found = lint(ROOT / "content", ROOT / "policy")
    errors = [f for f in found if f.blocks_publishing]
    assert errors == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("The applicant's SIN is 130 692 544.", "personal-sin"),
        ("Card 4111 1111 1111 1111 was charged.", "personal-card"),
        ("PHN 9698 658 215 on file.", "personal-phn"),
        ("Write to jane.doe@gmail.com for details.", "personal-email"),
        ("Call Jane at 250-555-0142 after 5.", "personal-phone"),
        ("The private residence at 1234 Hazelwood Drive was flooded.", "private-address"),
        ("This report is CONFIDENTIAL.", "confidential"),
        ("Discussed in camera on Monday.", "confidential"),
        ("Draft — not for release.", "confidential"),
        ("What a load of bullshit.", "profanity"),
        ("![](../images/map.png)", "image-alt"),
        ("For the schedule [click here](../events.html).", "link-text"),
        ("# A second title", "heading-order"),
        ("A second title\n==============", "heading-order"),
        ("## Start\n\n#### Skipped a level", "heading-order"),
        ("See [the map]({filename}/announcements/missing.md).", "broken-link"),
        ("See [the list](../category/parades.html).", "broken-link"),
    ],
)
def test_each_rule_fires_on_a_bad_example(content: Path, text: str, rule: str) -> None:
    found = findings(content, f"Intro.\n\n{text}\n")
    assert rule in rules(found), found
    finding = next(f for f in found if f.rule == rule)
    assert finding.path.endswith("announcements/2026-11-20-item.md") and finding.line >= 7
    assert str(finding).startswith(f"{finding.path}:{finding.line}: ")


@pytest.mark.parametrize(
    "text",
    [
        "Reference 130 692 545 is not a SIN (bad checksum).",
        "Order 4111 1111 1111 1112 fails the Luhn check.",
        "Ticket 9698 658 216 is not a PHN (bad check digit).",
        "Lot 1234 Hazelwood Drive is a City park.",  # an address, not marked private
        # A letter after a number or a hyphen in a name is no street address without the rest.
        "Homeowners may join the 5K Fun Run on Bay Avenue.",
        "The homeowners' meeting is on Nov. 24 at 7 pm in Room 2B.",
        "Homeowners on the COVID-19 list: 3 Mid-Week Sessions at City Hall.",
        "Call City Hall at 250-364-1262.",
        "Call City Hall at 250\u00a0364\u00a01262 or [by phone](tel:+12503641262).",  # still
        "Permit 250555014212 was issued on 20261124.",  # an ID and a date, not phone numbers
        # A notice's numbers that look like a local one (368-5555) are not taken for one: the
        # content lint leaves numbers without an area code to the FOI export and moderation.
        "Bylaw No. 2024-1234 applies 2026-2027 to the 800-1000 block, 8:30-4:30, fees $250.",
        "Temperatures +2 to +5, 2 000 000 litres, +15 % on V1R 4L3.",
        "The draft budget is available now.",
        "The Scunthorpe problem: grasshopper, Cockburn Street, assessment.",
        "<IMG SRC='{static}/images/map.png' ALT='Map of Glenmerry'>",  # alt in any quotes, any case
        "#TrailBC crews are plowing Glenmerry tonight.",  # a hashtag, not a heading
        "See [the rules][r], <a href='../events.ics'>dates</a>.\n\n[r]: ../comment-guidelines.html",
        "[s]: 2026-11-19-survy.html",  # a definition no link uses is not published
        "#1 priority: the hospital hill.",
        "Crews flush mains.\n\n---\n\nThe end.",  # a rule, not a heading
        "What to do\n----------\n\n### If it stays brown",  # level 3 after level 2
    ],
)
def test_valid_looking_but_harmless_text_is_silent(content: Path, text: str) -> None:
    assert findings(content, f"Intro.\n\n{text}\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "Call Jane at 250\u00a0555\u00a00142 after 5.",  # no-break spaces, as Word pastes them
        "Call Jane at 250\u202f555\u202f0142 after 5.",  # narrow no-break spaces
        "Call Jane at 250\u2011555\u20110142 after 5.",  # non-breaking hyphens
        "Call Jane at 250\u2013555\u20130142 after 5.",  # en dashes
        "Call Jane at 2505550142 after 5.",
        "[Call Jane](tel:+12505550142) after 5.",
        "Call Jane in London at +44 7700 900123 after 5.",  # an overseas number
        "[Call Jane](tel:+447700900123) after 5.",
        "Call Jane in Paris at +33 (0)1 23 45 67 89 after 5.",
    ],
)
def test_a_private_phone_number_is_found_however_its_digits_are_separated(
    content: Path, text: str
) -> None:
    assert rules(findings(content, f"Intro.\n\n{text}\n")) == ["personal-phone"]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Write to jean-françois.tremblay@shaw.ca for details.", "jean-françois.tremblay@shaw.ca"),
        ("Write to zoë@example.com.", "zoë@example.com"),
        ("Write to «josé@bücher.de», please.", "josé@bücher.de"),  # a domain in any alphabet
    ],
)
def test_an_email_address_in_any_alphabet_is_found_whole(
    content: Path, text: str, address: str
) -> None:
    (finding,) = findings(content, f"Intro.\n\n{text}\n")
    assert finding.rule == "personal-email"
    assert finding.message.startswith(f"'{address}' is not a City public contact"), finding


def test_a_sin_with_no_break_spaces_is_found(content: Path) -> None:
    text = "The applicant's SIN is 130\u00a0692\u00a0544."
    assert rules(findings(content, f"Intro.\n\n{text}\n")) == ["personal-sin"]


@pytest.mark.parametrize(
    ("text", "rule", "line"),
    [
        # An HTML editor or a CMS writes a no-break space as `&nbsp;`: the page shows
        # "250 555 0147", as it does the spaces typed.
        ("Call Jo Doe at 250&nbsp;555&nbsp;0147 after 5 p.m.", "personal-phone", 9),
        ("Questions to jo.doe&#64;example.org please.", "personal-email", 9),
        ("Ask for\njo.doe&#x40;example.org at the desk.", "personal-email", 10),  # wrapped
    ],
)
def test_the_lint_reads_character_references_as_the_page_shows_them(
    content: Path, text: str, rule: str, line: int
) -> None:
    found = findings(content, f"Intro.\n\n{text}\n")
    assert [(f.rule, f.line) for f in found] == [(rule, line)], found


@pytest.mark.parametrize(
    "text",
    [
        "Discussed in\u00a0camera on Monday.",  # a no-break space, as Word keeps words together
        "Discussed in&nbsp;camera on Monday.",
        "Discussed in\u2011camera on Monday.",  # a non-breaking hyphen
        "Draft: not&nbsp;for&nbsp;release.",
    ],
)
def test_a_confidential_marker_is_found_however_its_words_are_joined(
    content: Path, text: str
) -> None:
    assert rules(findings(content, f"Intro.\n\n{text}\n")) == ["confidential"]


def test_a_character_reference_in_a_code_block_is_read_as_typed(content: Path) -> None:
    # Markdown shows a code block as typed: `&#64;` there is not an at sign on the page.
    assert findings(content, "Intro.\n\n```\nuser&#64;example.org\n```\n") == []


@pytest.mark.parametrize(
    ("body", "fields", "rule", "line"),
    [
        ("The rezoning was discussed by Council in\ncamera on Monday.\n", {}, "confidential", 9),
        (
            "Crews pumped out the basement of the private residence\n"
            "at 1234 Hazelwood Drive on Monday.\n",
            {},
            "private-address",
            10,
        ),
        (
            "Questions about the fence go to its owner, Jane Doe, at 250 555\n0142 after 5 p.m.\n",
            {},
            "personal-phone",
            9,
        ),
        ("> Council met in\n> camera.\n", {}, "confidential", 9),  # a quotation, wrapped
        ("- Met in\n  camera on Monday.\n", {}, "confidential", 9),  # a list item, wrapped
        ("```\nSIN 130 692\n544\n```\n", {}, "personal-sin", 10),  # in a code block too
        (
            "Body.\n",
            {"summary": ">\n  Crews pumped out the home of\n  Jane Doe at 1234 Hazelwood Drive."},
            "private-address",
            7,
        ),
        (
            "Body.\n",
            {"summary": "Call Jane at 250\n  555 0142 after 5."},  # a plain value, wrapped
            "personal-phone",
            5,
        ),
        ("Body.\n", {"tags": "[water, in\n  camera]"}, "confidential", 6),
    ],
)
def test_the_lint_sees_what_a_line_break_splits(
    content: Path, body: str, fields: dict[str, str], rule: str, line: int
) -> None:
    """A paragraph or a folded YAML value is published as one sentence, whatever line it was
    wrapped on (the sample content is hard-wrapped): the finding is on the line where what it
    found starts (the body starts on line 7, after "Intro." and a blank line on 9)."""
    found = findings(content, f"Intro.\n\n{body}" if body != "Body.\n" else body, **fields)
    assert [(f.rule, f.line) for f in found if not f.waived] == [(rule, line)], found


@pytest.mark.parametrize(
    "text",
    [
        (
            "The tournament is at the Trail Memorial Centre, 1051 Victoria Street. The arena "
            "has been\nthe home of the Smoke Eaters since 1949."
        ),
        "Bring the form to City Hall, 1394 Pine Avenue. A homeowner\nmay apply once.",
        # "Ave." and "Dec." end no sentence; "2." before a capital does.
        "Apply at City Hall, 1394 Pine Ave. by Dec. 2. Each homeowner may apply once.",
    ],
)
def test_an_address_is_private_only_if_its_own_sentence_says_so(content: Path, text: str) -> None:
    # A paragraph is read as one run, but a private residence is marked in the sentence that
    # gives its address: a public building's address beside a sentence about a home is not.
    assert findings(content, f"Intro.\n\n{text}\n") == []


def test_a_time_and_a_street_in_capitals_are_not_a_homes_address(content: Path) -> None:
    # In capitals every word looks like a name: "3 HOURS ON BAY AVENUE" is not an address.
    text = "HOMEOWNERS: THE WATER IS OFF FOR 3 HOURS ON BAY AVENUE FROM 9 AM TO 12 PM TODAY."
    assert findings(content, f"Intro.\n\n{text}\n") == []


def test_an_address_is_private_when_its_sentence_says_so_past_an_abbreviation(
    content: Path,
) -> None:
    text = "Crews were at the home of\nJane Doe from 8 a.m. Monday at 1234 Hazelwood Dr. today."
    assert rules(findings(content, f"Intro.\n\n{text}\n")) == ["private-address"]


@pytest.mark.parametrize(
    "text",
    [
        "The homeowners at 1234 Hazelwood Drive were fined for the burning.",
        "The private residences at 1234 Hazelwood Drive and 1240 Hazelwood Drive were flooded.",
        "The private residence at 1530 McQueen Street was flooded.",
        "The private residence at 12 O'Neil Crescent was flooded.",
        "The private residence at 12 O\u02bcNeil Crescent was flooded.",  # a phone's apostrophe
        "The home of the Smiths, 1234 Hazelwood drive, was flooded.",
        "The private residence at 1234 Côté Crescent was flooded.",
        "The private residence at 1530 Émile Street was flooded.",
        "THE PRIVATE RESIDENCE AT 1530 ÉMILE STREET WAS FLOODED.",
        "The private residence at 1234A Hazelwood Drive was flooded.",  # a unit's letter
        "The private residence at 77 Saint-Laurent Avenue was flooded.",  # a hyphenated name
        "THE PRIVATE RESIDENCE AT 77 SAINT-LAURENT AVENUE WAS FLOODED.",
    ],
)
def test_a_private_residence_is_found_in_everyday_wording(content: Path, text: str) -> None:
    # A plural marker, a name with a capital inside it, a street type not capitalised, a
    # street named in French (its accents are letters of its name), a notice in capitals.
    assert set(rules(findings(content, f"Intro.\n\n{text}\n"))) == {"private-address"}


@pytest.mark.parametrize(
    "text",
    [
        "Homeowners may apply at City Hall, 1394 Pine Avenue.",
        "Homeowners may apply at City Hall, 1394 pine ave.",
        "The private residences near City Hall (1394  Pine Ave.) keep their parking.",
    ],
)
def test_a_city_address_on_public_contacts_is_never_a_private_residence(
    content: Path, text: str
) -> None:
    assert findings(content, f"Intro.\n\n{text}\n") == []
    # Beside it in the same sentence, a home's address is still found.
    beside = text.rstrip(".") + ", and so may the homeowners at 1234 Hazelwood Drive."
    assert rules(findings(content, f"Intro.\n\n{beside}\n")) == ["private-address"]


def test_an_unclosed_quotation_mark_is_named_by_its_line_and_field(content: Path) -> None:
    # Not at the closing '---', where YAML ran out of text looking for the closing one.
    found = findings(content, "Body.\n", title='"Water main flushing')
    assert [(f.line, f.rule, f.message) for f in found] == [
        (
            2,
            "title",
            'is not valid YAML (the " opening its value is not closed; end the value with " '
            'too: title: "Water main flushing")',
        )
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        # A known rule with a severity mistyped: not "expected a rule among …" (it is one).
        (
            "personal-sin: fatal",
            "personal-sin: 'fatal' is not a severity; expected error, warning or off",
        ),
        ("personal-sn: error", "personal-sn: is not a rule; expected one of personal-sin, "),
        # Not "'None' is not a severity": YAML reads a value left out as null.
        ("personal-sin:", "personal-sin: is empty; expected error, warning or off"),
        ("personal-sin: ''", "personal-sin: is empty; expected error, warning or off"),
    ],
)
def test_a_rule_or_severity_mistyped_in_lint_yml_is_named_for_what_it_is(
    content: Path, line: str, problem: str
) -> None:
    path = content.parent / "policy" / "lint.yml"
    path.write_text(f"# The lint's rules\nrules:\n  link-text: warning\n  {line}\n")
    with pytest.raises(LintConfigError) as refused:
        Policy.load(content.parent / "policy")
    assert str(refused.value).startswith(f"{path}:4: rules: {problem}")


def test_the_citys_accounts_on_public_contacts_must_be_usernames(content: Path) -> None:
    contacts = content.parent / "policy" / "public-contacts.yml"
    contacts.write_text("accounts:\n  - CityofTrail\n  - City of Trail\n")
    with pytest.raises(LintConfigError, match=r"public-contacts.yml:3: accounts\[1\]: 'City of"):
        Policy.load(content.parent / "policy")
    contacts.write_text("accounts:\n  - '@CityofTrail'\n")  # with its @ or without
    assert Policy.load(content.parent / "policy").public_accounts == {"cityoftrail"}


def test_a_city_address_the_lint_would_not_find_is_refused_in_public_contacts(
    content: Path,
) -> None:
    contacts = content.parent / "policy" / "public-contacts.yml"
    contacts.write_text("addresses:\n  - 1394 Pine Avenue\n  - City Hall, Pine\n")
    with pytest.raises(LintConfigError, match=r"public-contacts.yml:3: addresses\[1\]: 'City Hall"):
        lint(content, content.parent / "policy")


@pytest.mark.parametrize(
    ("listed", "problem"),
    [
        (
            "phones:\n  - 250-364-1262\n  - abc   # the Works yard\n",
            "3: phones[1]: 'abc' is not a phone number: a North American number as the lint "
            "finds one, its area code included (250-364-1262), or a three-digit service "
            "number (911)",
        ),
        (
            "emails:\n  - info@trail.ca\n\n  - notanemail\n",
            "4: emails[1]: 'notanemail' is not an email address as the lint finds one "
            "(info@trail.ca)",
        ),
        ("phones:\n  - 911\n  - {x: 1}\n", "3: phones[1]: expected one address or number"),
    ],
)
def test_an_entry_of_public_contacts_that_is_no_contact_stops_the_lint_naming_it(
    content: Path, monkeypatch: pytest.MonkeyPatch, listed: str, problem: str
) -> None:
    """A junk entry would pass silently, exempting nothing, while the City believed it did."""
    contacts = content.parent / "policy" / "public-contacts.yml"
    contacts.write_text(listed)
    monkeypatch.setattr(tasks, "ROOT", content.parent)
    with pytest.raises(Exit) as stopped:
        tasks.lint(Context())
    assert stopped.value.code == 2
    assert stopped.value.message == f"lint: {contacts}:{problem}"
    contacts.write_text(
        "phones: ['+1 (250) 364-1262', '250.364.1262', 911]\nemails: [Info@Trail.ca]\n"
    )
    policy = Policy.load(content.parent / "policy")
    assert (policy.public_phones, policy.public_emails) == (
        {"2503641262", "911"},
        {"info@trail.ca"},
    )


def test_a_waiver_covers_a_finding_split_across_lines_once(content: Path) -> None:
    text = (
        "<!-- lint-ok confidential: the name of the meeting, not a marking -->\n"
        "The Committee met in\ncamera on Monday.\n"
    )
    found = findings(content, text)
    assert [(f.rule, f.line, f.waived) for f in found] == [
        ("confidential", 8, "the name of the meeting, not a marking"),
    ]
    assert "'in camera'" in found[0].message


def test_personal_information_inside_a_fenced_code_block_is_found(site: Site) -> None:
    shutil.copytree(ROOT / "policy", site.root / "policy")
    site.add(
        "2026-11-20-item",
        body=(
            "Crews flush mains.\n\n```\nApplicant: SIN 130 692 544, "
            "jane.doe@gmail.com, 250-555-0142\n```\n"
        ),
    )
    site.build()
    assert "130 692 544" in site.read("announcements/2026-11-20-item.html")  # it is published
    found = {f.rule for f in lint(site.content, site.root / "policy") if not f.waived}
    assert {"personal-sin", "personal-email", "personal-phone"} <= found


def test_markdown_inside_a_fenced_code_block_is_text_not_structure(content: Path) -> None:
    text = "```\n# Not a heading\n[click here](missing.html) ![](map.png)\n```\n"
    assert findings(content, f"Intro.\n\n{text}") == []


def test_a_link_to_a_draft_is_reported_and_a_year_archive_is_a_page(site: Site) -> None:
    shutil.copytree(ROOT / "policy", site.root / "policy")
    site.add("2026-11-19-survey", title="Transit survey", status="draft")
    site.add(
        "2026-11-20-item",
        body="See [the survey](2026-11-19-survey.html) and [2026](../archives/2026.html).\n",
    )
    site.build()
    assert not (site.output / "announcements" / "2026-11-19-survey.html").exists()
    assert (site.output / "archives" / "2026.html").exists()
    broken = [
        f.message for f in lint(site.content, site.root / "policy") if f.rule == "broken-link"
    ]
    assert broken == [
        "'2026-11-19-survey.html' is a draft, which the site does not publish; "
        "link to it once it is published"
    ]


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("See [the survey][survey].\n\n[survey]: 2026-11-19-survy.html\n", 9),
        ("See [the survey].\n\n[The  Survey]: <2026-11-19-survy.html>\n", 9),
        ('See <a href="2026-11-19-survy.html">the survey</a>.\n', 7),
        ("Intro.\n\nSee <A HREF='{filename}2026-11-19-survy.md'>the survey</A>.\n", 9),
        ("See ![the map][map].\n\n[map]: {static}/images/mpa.png\n", 9),
    ],
)
def test_a_broken_link_is_reported_however_it_is_written(
    content: Path, body: str, line: int
) -> None:
    # By reference, where its address is (the definition's line), or in HTML, as inline.
    found = findings(content, body)
    assert [(f.rule, f.line) for f in found if not f.waived] == [("broken-link", line)], found


def test_a_link_to_a_place_on_the_page_that_is_not_there_is_reported(content: Path) -> None:
    # Headings have ids from their words (`## What to do` is #what-to-do), as the site gives
    # them; so do the theme's sections, and HTML may give one. A link to no id leads nowhere.
    body = (
        'Read [what to do](#what-to-do), <a href="#map">the map</a>, [sharing](#share-heading) '
        'and [the detour](#detour).\n\n## What to do\n\n<p id="map">Run cold water.</p>\n'
    )
    found = findings(content, body)
    assert [(f.line, f.rule) for f in found] == [(7, "broken-link")], found
    assert found[0].message.startswith("'#detour' leads to no heading of this text")
    assert "#what-to-do" in found[0].message


def test_a_footnote_is_neither_a_link_nor_its_definition(site: Site) -> None:
    # The site's Markdown (`extra`) makes `[^1]` a footnote: its definition is no address,
    # and a reference to it (`[the note][^1]`) no link by reference.
    shutil.copytree(ROOT / "policy", site.root / "policy")
    site.add(
        "2026-11-20-item",
        body=(
            "Crews flush mains on Bay Avenue.[^1] See [the note][^1] and [the map](#fn:1).\n\n"
            "[^1]: Not Bay Ave. in Glenmerry.\n"
        ),
    )
    site.build()
    assert 'id="fn:1"' in site.read("announcements/2026-11-20-item.html")
    assert lint(site.content, site.root / "policy") == []


def test_an_id_the_site_drops_is_named_at_its_line(content: Path) -> None:
    # The theme's, a heading's (from its words) or an earlier element's: the build drops it.
    body = (
        '<p id="main">Crews flush mains.</p>\n\n<p id="what-to-do">Run cold water.</p>\n\n'
        '## What to do\n\n<p id="map">Bay Avenue.</p>\n\n<p id="map">Cedar Avenue.</p>\n'
    )
    found = findings(content, body)
    assert [(f.line, f.rule) for f in found] == [
        (7, "duplicate-id"),
        (9, "duplicate-id"),
        (15, "duplicate-id"),
    ], found
    assert found[0].message.startswith("id 'main' is the theme's")
    assert found[1].message.startswith("id 'what-to-do' is a heading's")
    assert found[2].message.startswith("id 'map' is an earlier element's")


def test_a_heading_id_written_in_braces_is_kept_or_named_where_the_site_drops_it(
    site: Site,
) -> None:
    """`## Road closures {#closures}` (Markdown's attribute list) gives the heading that id in
    place of the one from its words, and a link to it passes. One the site drops (the theme's,
    or one a heading before has) is named at its line, as an id written in HTML is, not
    dropped without a word."""
    shutil.copytree(ROOT / "policy", site.root / "policy")
    body = (
        "See [the closures](#closures).\n\n## Road closures {#closures}\n\nBay Avenue.\n\n"
        "## Detours {: #main }\n\nVictoria Street.\n\n## Paving {#closures}\n\nCedar Avenue.\n"
    )
    site.add("2026-11-20-item", body=body)
    site.build()
    page = site.read("announcements/2026-11-20-item.html")
    assert '<h2 id="closures">Road closures</h2>' in page and "{" not in page.split("<main")[1]
    found = lint(site.content, site.root / "policy")
    assert [(f.line, f.rule) for f in found] == [(13, "duplicate-id"), (17, "duplicate-id")]
    assert found[0].message.startswith("id 'main' is the theme's")
    assert found[1].message.startswith("id 'closures' is a heading's")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("For the schedule [click here][s].\n\n[s]: ../events.html", 9),
        ("For the schedule [here].\n\n[Here]: ../events.html", 9),
        ('For the schedule <a href="../events.html">click here</a>.', 9),
        ("For the schedule <A HREF='../events.html'><b>Read more</b></A>.", 9),
    ],
    ids=["by-reference", "label-alone", "html", "html-upper-case"],
)
def test_vague_link_text_is_found_however_the_link_is_written(
    content: Path, text: str, line: int
) -> None:
    # As the broken-link rule reads links: by reference, or in HTML once cleaned.
    found = findings(content, f"Intro.\n\n{text}\n")
    assert [(f.line, f.rule) for f in found] == [(line, "link-text")], found


def test_a_reference_without_its_definition_is_text_not_a_vague_link(content: Path) -> None:
    assert findings(content, "Intro.\n\nSnow falls [here] first.\n") == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Intro.\n\n<h4>Skipped a level</h4>\n", 9),
        ("## Start\n\n<div>\n<H4 class='x'>Skipped a level</H4>\n</div>\n", 10),
        ("<h3>Skipped a level</h3>\n\n## Then right\n", 7),
        ("Intro.\n\n<h1>A second title</h1>\n", 9),
    ],
)
def test_a_skipped_heading_level_is_found_when_written_in_html(
    content: Path, text: str, line: int
) -> None:
    # In the order of the text, with the headings written in Markdown.
    found = findings(content, text)
    assert [(f.line, f.rule) for f in found] == [(line, "heading-order")], found


def test_headings_written_in_html_in_order_pass(content: Path) -> None:
    assert findings(content, "<h2>Start</h2>\n\n### Then\n\n<h4>And</h4>\n") == []


def test_a_filename_link_to_a_draft_is_reported(site: Site) -> None:
    # Pelican would write such a link as href="../", the home page: the build refuses it too.
    shutil.copytree(ROOT / "policy", site.root / "policy")
    site.add("2026-11-19-survey", title="Transit survey", status="draft")
    site.add("2026-11-20-item", body="See [the survey]({filename}2026-11-19-survey.md).\n")
    with pytest.raises(BuildError, match=r"2026-11-20-item\.md:7: link: .* is a draft"):
        site.build()
    (finding,) = [f for f in lint(site.content, site.root / "policy") if f.rule == "broken-link"]
    assert finding.message.startswith("'{filename}2026-11-19-survey.md' is a draft")


@pytest.mark.parametrize(
    "link",
    [
        "{static}/../notes.txt",
        "{attach}../../notes.txt",
        "{filename}/../notes.txt",
        "![The notes]({static}/images/../../notes.txt",
        "{static}/%2E%2E/notes.txt",
        "{static}//etc/hostname",
    ],
)
@pytest.mark.parametrize("status", ["published", "draft"])
def test_a_link_to_a_file_outside_content_is_reported_even_when_it_exists(
    content: Path, link: str, status: str
) -> None:
    # As the build refuses it, in a draft too: Pelican would copy what it names.
    (content.parent / "notes.txt").write_text("not for the public\n")
    markdown = f"{link})" if link.startswith("!") else f"[the notes]({link})"
    target = link.rpartition("(")[2]
    found = findings(content, f"See {markdown}.\n", status=status)
    text = (content / "announcements" / "2026-11-20-item.md").read_text()
    assert [(f.line, f.rule, f.message) for f in found] == [
        (
            text.splitlines().index(f"See {markdown}.") + 1,
            "broken-link",
            f"'{target}' is outside content/: the build would take the file from elsewhere on "
            "the machine that builds the site (and publish it beside the site); put the file "
            "in content/ and link it from there",
        )
    ]


@pytest.mark.parametrize(
    "linking",
    [
        {"status": "draft"},
        {"status": "withdrawn", "withdrawn_reason": "Replaced.", "modified": "2026-11-23 10:00"},
    ],
)
def test_a_page_that_shows_no_links_may_link_to_a_draft(
    site: Site, linking: dict[str, str]
) -> None:
    # A draft is not published, and a withdrawn announcement's page shows only its notice:
    # the build checks the links of neither, and the lint, by the same rule, neither (two
    # drafts that link to each other must not stop every `invoke publish`).
    shutil.copytree(ROOT / "policy", site.root / "policy")
    site.add("2026-11-19-survey", title="Transit survey", status="draft")
    site.add(
        "2026-11-20-results",
        title="Transit survey results",
        body=(
            "Results of [the survey]({filename}2026-11-19-survey.md), "
            "[as asked](2026-11-19-survey.html).\n"
        ),
        **linking,
    )
    site.build()
    found = lint(site.content, site.root / "policy", now=datetime.fromisoformat(NOW))
    assert [f for f in found if f.blocks_publishing] == []


def test_a_link_to_an_announcement_not_published_by_then_is_reported(site: Site) -> None:
    # As the build refuses it: its page is not there yet when the linking one goes up.
    shutil.copytree(ROOT / "policy", site.root / "policy")
    site.add("2026-12-01-survey", date="2026-12-01 09:00", title="Transit survey")
    link = "See [the survey]({filename}2026-12-01-survey.md).\n"
    site.add("2026-12-01-reminder", date="2026-12-01 09:00", body=link)  # goes up with it
    site.add("2026-11-30-early", date="2026-11-30 09:00", body=link)
    site.add("2026-11-20-item", body="See [the survey](2026-12-01-survey.html).\n")
    found = lint(site.content, site.root / "policy", now=datetime.fromisoformat(NOW))
    assert [(Path(f.path).name, f.message) for f in found if f.rule == "broken-link"] == [
        (
            "2026-11-20-item.md",
            "'2026-12-01-survey.html' is not published yet (scheduled for 2026-12-01 09:00); "
            "link to it once it is published",
        ),
        (
            "2026-11-30-early.md",
            "'{filename}2026-12-01-survey.md' is not published yet (scheduled for 2026-12-01 "
            "09:00, after this one at 2026-11-30 09:00); link to it once it is published",
        ),
    ]


def test_a_change_dated_after_now_is_reported_as_the_build_refuses_it(content: Path) -> None:
    path = content / "announcements" / "2026-11-20-item.md"
    path.write_text(announcement(**BASIC, modified="2026-12-20 10:00", correction="A fix."))

    def dated_later(now: str) -> list[tuple[int, str, bool]]:
        found = lint(content, content.parent / "policy", now=datetime.fromisoformat(now))
        return [(f.line, f.message, f.blocks_publishing) for f in found if f.rule == "modified"]

    assert dated_later(NOW) == [
        (
            6,
            "'2026-12-20 10:00' is after now (2026-11-24 12:00); expected when the change was "
            "made, which is published at once as made then (a change cannot be scheduled)",
            True,
        )
    ]
    assert dated_later("2026-12-20T10:00:00-08:00") == []


def test_an_all_day_event_given_a_time_for_its_end_is_an_error_saying_what_to_write(
    content: Path,
) -> None:
    path = content / "announcements" / "2026-11-20-fair.md"
    event = {"category": "city-event", "location": "Gyro Park"}
    path.write_text(
        announcement(**{**BASIC, **event, "event_start": "2026-12-05", "event_end": "2026-12-06"})
    )
    assert [f for f in lint(content, content.parent / "policy") if f.rule == "event_end"] == []
    path.write_text(
        announcement(
            **{**BASIC, **event, "event_start": "2026-12-05", "event_end": "2026-12-06 18:00"}
        )
    )
    (found,) = [f for f in lint(content, content.parent / "policy") if f.rule == "event_end"]
    assert (found.line, found.blocks_publishing) == (8, True)
    assert found.message.endswith(
        "write the last day alone, event_end: 2026-12-06, or give event_start its time too"
    )


def test_a_field_the_build_refuses_is_an_error_named_as_the_build_names_it(site: Site) -> None:
    """A category not among the allowed ones, a missing title, a date that cannot be read: the
    lint reads the fields with the build's own rules, so `invoke lint` stops on what the build
    would, naming each as the build does (file, line, field), and not only the build."""
    shutil.copytree(ROOT / "policy", site.root / "policy")
    fields = {**BASIC, "category": "Potholes", "date": "2026-11-31 09:00"}
    del fields["title"]
    site.write("announcements/2026-11-20-item.md", announcement(**fields))
    site.write("pages/about.md", "---\nheading: About\n---\nCall us.\n")
    with pytest.raises(BuildError) as refused:
        site.build()
    found = lint(site.content, site.root / "policy", now=datetime.fromisoformat(NOW))
    assert all(f.blocks_publishing for f in found)
    assert [f"{f.path}:{f.line}: {f.rule}: {f.message}" for f in found] == refused.value.problems
    assert [(f.line, f.rule) for f in found] == [
        (2, "date"),
        (2, "title"),  # no line of its own: named at the first of the fields
        (3, "category"),
        (2, "heading"),
        (2, "title"),
    ]


def test_a_page_template_the_theme_lacks_is_an_error_named_as_the_build_names_it(
    site: Site,
) -> None:
    """The build refuses a page's `template` the theme does not have, naming the file, line and
    field: the lint, run before each publish and by `invoke alert`, said all was well."""
    shutil.copytree(ROOT / "policy", site.root / "policy")
    site.write("pages/404.md", "---\ntitle: Page not found\ntemplate: nosuch\n---\nSorry.\n")
    with pytest.raises(BuildError) as refused:
        site.build()
    found = lint(site.content, site.root / "policy", now=datetime.fromisoformat(NOW))
    assert [(f.line, f.rule, f.severity) for f in found] == [(3, "template", "error")]
    assert [f"{f.path}:{f.line}: {f.rule}: {f.message}" for f in found] == refused.value.problems
    (finding,) = found
    assert finding.blocks_publishing
    assert str(finding).endswith(
        "404.md:3: error template: 'nosuch' is not one of the theme's templates: archive_year, "
        "archives, article, base, category, events, index, notfound, page"
    )


def test_a_page_template_the_theme_has_is_not_reported(content: Path) -> None:
    pages = content / "pages"
    (pages / "404.md").write_text("---\ntitle: Not found\ntemplate: notfound\n---\nSorry.\n")
    (pages / "about.md").write_text("---\ntitle: About\ntemplate: page\n---\nCall us.\n")
    assert lint(content, content.parent / "policy") == []


def test_the_lint_reads_the_templates_of_the_theme_the_build_uses() -> None:
    settings = load_settings(ROOT / "publishconf.py")
    assert Path(settings["THEME"]) == THEME
    assert not settings.get("THEME_TEMPLATES_OVERRIDES")


def test_the_lint_knows_the_pages_the_build_writes(site: Site) -> None:
    shutil.copytree(ROOT / "policy", site.root / "policy")
    event = {
        "category": "city-event",
        "event_start": "2026-11-28 10:00",
        "event_end": "2026-11-28 12:00",
        "location": "Trail Memorial Centre",
    }
    site.add("2026-11-18-fair", title="Craft fair", **event)
    withdrawn = {"status": "withdrawn", "withdrawn_reason": "Ice", "modified": "2026-11-23 10:00"}
    site.add("2026-11-17-skate", title="Skate", **withdrawn, **event)
    site.add("2025-06-02-old", date="2025-06-02 09:00")
    site.add("2024-03-04-gone", date="2024-03-04 09:00", **{**withdrawn, "modified": "2024-03-05"})
    video = site.add_video()
    targets = [
        "2026-11-18-fair.html",
        "2026-11-18-fair.ics",  # an event's calendar
        "2026-11-17-skate.html",  # a withdrawn announcement keeps its page
        "2026-11-17-skate.ics",  # and its calendar, as the cancellation
        "2025-06-02-old.ics",  # not an event
        "../archives/2025.html",
        "../archives/2024.html",  # its only announcement was withdrawn
        "../archives/2023.html",
        "../category/city-event.html",
        "../category/alert.html",  # nothing is published in it
        "../images/pixel.png",
        f"../{video}",  # the video goes to YouTube, not to the site
    ]
    site.add("2026-11-20-item", body=" ".join(f"[{t}]({t})" for t in targets) + "\n")
    site.build()
    found = lint(site.content, site.root / "policy")
    reported = {f.message.split("'")[1] for f in found if f.rule == "broken-link"}
    missing = {t for t in targets if not (site.output / "announcements" / t).resolve().exists()}
    assert reported == missing and len(missing) == 5


def test_the_lint_reports_links_to_listings_a_scheduled_announcement_has_not_made_yet(
    site: Site,
) -> None:
    # The year page and the category page are first written with the announcement, at its
    # time, as its calendar is: linked today, each would be a 404 until then.
    shutil.copytree(ROOT / "policy", site.root / "policy")
    site.add(
        "2027-01-15-fair",
        title="Winter fair",
        date="2027-01-15 08:00",
        category="regional-event",
        event_start="2027-02-01 10:00",
        event_end="2027-02-01 12:00",
        location="Gyro Park",
    )
    links = ["../archives/2027.html", "../category/regional-event.html", "2027-01-15-fair.ics"]
    site.add("2026-11-20-item", body=" ".join(f"[{t}]({t})" for t in links) + "\n")
    site.build()
    assert not any((site.output / "announcements" / t).resolve().exists() for t in links)
    found = lint(site.content, site.root / "policy", now=datetime.fromisoformat(NOW))
    assert {f.message.split("'")[1] for f in found if f.rule == "broken-link"} == set(links)
    # Linked from an announcement that goes up with it, each is there.
    site.add(
        "2027-01-15-item",
        date="2027-01-15 08:00",
        body=" ".join(f"[{t}]({t})" for t in links) + "\n",
    )
    found = lint(site.content, site.root / "policy", now=datetime.fromisoformat(NOW))
    assert {Path(f.path).name for f in found if f.rule == "broken-link"} == {"2026-11-20-item.md"}


def test_a_page_is_linked_at_the_address_the_build_writes_it_to(site: Site) -> None:
    shutil.copytree(ROOT / "policy", site.root / "policy")
    site.write("pages/contact-us.md", "---\ntitle: Contact\nslug: contact\n---\nCall us.\n")
    site.write("pages/plan.md", "---\ntitle: Snow plan\nstatus: draft\n---\nSoon.\n")
    council = "---\ntitle: Council\nsave_as: council/index.html\n---\nSee [about](about.html).\n"
    site.write("pages/council.md", council)  # about.html beside it: council/about.html
    targets = ["../contact.html", "../contact-us.html", "../plan.html", "../council/index.html"]
    site.add("2026-11-20-item", body=" ".join(f"[{t}]({t})" for t in targets) + "\n")
    site.build()
    found = lint(site.content, site.root / "policy")
    reported = {f.message.split("'")[1]: f.message for f in found if f.rule == "broken-link"}
    assert set(reported) == {"../contact-us.html", "../plan.html", "about.html"}
    assert (site.output / "contact.html").is_file()
    assert (site.output / "council" / "index.html").is_file()
    assert not (site.output / "contact-us.html").exists()
    assert not (site.output / "council" / "about.html").exists()
    assert "is a draft, which the site does not publish" in reported["../plan.html"]


def test_a_file_named_in_capitals_is_linked_at_the_address_the_build_writes(site: Site) -> None:
    """Pelican makes each address from the file name as a slug: lowercase, dots dropped."""
    shutil.copytree(ROOT / "policy", site.root / "policy")
    event = {
        "category": "city-event",
        "event_start": "2026-11-28 10:00",
        "event_end": "2026-11-28 12:00",
        "location": "Trail Memorial Centre",
    }
    site.add("2026-11-18-Craft.Fair", title="Craft fair", **event)
    site.write("pages/Snow.Plan.md", "---\ntitle: Snow plan\n---\nWe plough.\n")
    targets = [
        "2026-11-18-craftfair.html",
        "2026-11-18-craftfair.ics",
        "../snowplan.html",
        "2026-11-18-Craft.Fair.html",
        "2026-11-18-Craft.Fair.ics",
        "../Snow.Plan.html",
    ]
    site.add("2026-11-20-item", body=" ".join(f"[{t}]({t})" for t in targets) + "\n")
    site.build()
    found = lint(site.content, site.root / "policy")
    reported = {f.message.split("'")[1] for f in found if f.rule == "broken-link"}
    missing = {t for t in targets if not (site.output / "announcements" / t).resolve().exists()}
    assert reported == missing == set(targets[3:])


def test_checksums() -> None:
    assert sin_valid("130 692 544") and not sin_valid("130 692 545")
    assert not sin_valid("046 454 286")  # passes Luhn, but no SIN starts with 0
    assert not sin_valid("846 454 283")  # never starts with 8
    assert card_valid("4111111111111111") and not card_valid("4111111111111112")
    assert phn_valid("9698658215") and not phn_valid("9698658216")


def test_a_summary_too_long_for_x_is_a_warning(content: Path) -> None:
    found = findings(content, "Body.\n", summary="word " * 70)
    (finding,) = found
    assert (finding.rule, finding.severity, finding.line) == ("summary-length", "warning", 5)


def test_a_summary_too_long_for_x_names_the_field_the_platform_its_count_and_the_limit(
    content: Path,
) -> None:
    """X counts each of these characters as 2: 130 of them are 260 as X counts. Cut at a
    word, the summary (one word to X, without spaces) is left out whole."""
    summary = "水道本管の洗浄を行います。" * 10
    (finding,) = findings(content, "Body.\n", summary=summary)
    # "Water main flushing in Glenmerry. " 34, the summary 260, the guidelines and link 68.
    assert finding.message == (
        "summary: too long for X: the post (title, summary, guidelines and link) counts 362 "
        "as X counts, over X's limit of 280; cut 82 from the title (it counts 32) or the "
        "summary (260); it would be cut to: 'Water main flushing in Glenmerry…'"
    )


def test_a_title_that_crowds_the_summary_out_of_x_is_named_on_its_own_line(
    content: Path,
) -> None:
    """X cuts the post's end, the summary: when the title is the longer, the title is what to
    shorten, and the finding says so on the title's line, with how much to cut."""
    title = "Water main flushing in Glenmerry, Sunningdale, Shaver's Bench, Tadanac, " * 3
    summary = BASIC["summary"]
    # The post: the title, ". ", the summary, then the guidelines and the link (68: each
    # link counts 23).
    length = len(title.strip()) + 2 + len(summary) + 68
    (finding,) = findings(content, "Body.\n", title=f'"{title.strip()}"')
    assert (finding.rule, finding.line) == ("summary-length", 2)
    assert finding.message.startswith("title: too long for X: the post (title, summary, ")
    assert f"counts {length} as X counts, over X's limit of 280" in finding.message
    assert (
        f"cut {length - 280} from the title (it counts {len(title.strip())}) or the summary "
        f"({len(summary)})" in finding.message
    )
    assert summary not in finding.message  # X would have cut it


# YouTube counts a comma between tags, and a tag with a space as if quoted: 31 tags of 13
# characters with a space are 31 * 15 + 30 commas = 495; one more comma and 4 letters is 500.
SPACED_TAGS = ", ".join(f"water main {n:02d}" for n in range(31))
TAGS_OVER = (
    "tags: 501 characters as YouTube counts them (a comma between two tags, quotation marks "
    "around a tag with a space), over its limit of 500; remove or shorten some, or the "
    "video's upload fails"
)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"tags": f"[{SPACED_TAGS}, pipe]"}, []),
        ({"tags": f"[{SPACED_TAGS}, pipes]"}, [(7, TAGS_OVER)]),
        (
            {"tags": "\n  - bridge\n  - <deck\n  - deck > road"},
            [
                (
                    9,
                    "tags: '<deck' holds '<', which YouTube refuses in a tag; remove it, or the "
                    "video's upload fails",
                ),
                (
                    10,
                    "tags: 'deck > road' holds '>', which YouTube refuses in a tag; remove "
                    "it, or the video's upload fails",
                ),
            ],
        ),
        # Not sent to YouTube: no upload to fail.
        ({"tags": "[<deck]", "syndicate": "[facebook]"}, []),
        ({"tags": "[<deck]", "status": "draft"}, []),
    ],
)
def test_tags_youtube_refuses_are_refused_for_an_announcement_it_gets(
    content: Path, fields: dict[str, str], expected: list[tuple[int, str]]
) -> None:
    (content / "videos").mkdir()
    (content / "videos" / "tour.mp4").write_bytes(mp4())
    found = findings(content, "Body.\n", video="videos/tour.mp4", **fields)
    assert [(f.line, f.message) for f in found if f.rule == "youtube-tags"] == expected
    assert all(f.blocks_publishing for f in found if f.rule == "youtube-tags")
    # Without a video nothing goes to YouTube: the tags are the site's alone.
    (content / "announcements" / "2026-11-20-item.md").unlink()
    assert [f for f in findings(content, "Body.\n", **fields) if f.rule == "youtube-tags"] == []


def test_a_reasoned_waiver_silences_a_finding_and_is_reported(content: Path) -> None:
    text = (
        "<!-- lint-ok personal-phone: the Public Works after-hours line -->\n"
        "After hours call 250-555-0100.\n"
    )
    (finding,) = findings(content, text)
    assert finding.waived == "the Public Works after-hours line"
    assert str(finding).endswith("waived personal-phone: the Public Works after-hours line")


def test_severity_comes_from_policy(content: Path) -> None:
    (content.parent / "policy" / "lint.yml").write_text(
        "rules:\n  link-text: off\n  profanity: warning\n"
    )
    found = findings(content, "[Click here](../events.html). Bullshit.\n")
    assert [(f.rule, f.severity) for f in found] == [("profanity", "warning")]


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        (
            "lint.yml",
            "# The lint's rules\nrules: 42\n",
            ":2: rules: expected each rule with its severity, e.g. link-text: warning",
        ),
        ("lint.yml", "rule:\n  link-text: off\n", ": rule: unknown; expected rules"),
        ("public-contacts.yml", "emails: 42\n", ': emails: expected a list (one "- " line each)'),
        ("public-contacts.yml", "email:\n  - a@trail.ca\n", ": email: unknown; expected emails"),
    ],
)
def test_invoke_lint_names_the_file_and_field_of_a_malformed_policy(
    content: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, problem: str
) -> None:
    policy = content.parent / "policy" / name
    policy.write_text(text)
    monkeypatch.setattr(tasks, "ROOT", content.parent)
    with pytest.raises(Exit) as stopped:
        tasks.lint(Context())
    assert stopped.value.code == 2
    assert str(stopped.value.message).startswith(f"lint: {policy}{problem}")


@pytest.mark.parametrize(
    ("name", "added"),
    [
        ("wordlists/profanity.txt", b"c\xe2lisse\n"),  # Notepad's "ANSI" (Windows-1252)
        ("public-contacts.yml", b"  - 250-364-1262   # H\xf4tel de ville\n"),
    ],
)
def test_a_policy_file_not_saved_as_utf8_stops_the_lint_naming_it(
    content: Path, monkeypatch: pytest.MonkeyPatch, name: str, added: bytes
) -> None:
    policy = content.parent / "policy" / name
    line = len(policy.read_bytes().splitlines()) + 1
    policy.write_bytes(policy.read_bytes() + added)
    monkeypatch.setattr(tasks, "ROOT", content.parent)
    with pytest.raises(Exit) as stopped:  # not a UnicodeDecodeError's traceback
        tasks.lint(Context())
    assert stopped.value.code == 2
    byte = next(b for b in added if b > 0x7F)
    assert stopped.value.message == (
        f"lint: {policy}:{line}: encoding: byte 0x{byte:02x} is not UTF-8; "
        "save the file with the UTF-8 encoding"
    )


def test_a_lint_policy_saved_under_another_name_is_named_not_passed_over(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without lint.yml the lint applies its defaults; a lint.yaml beside it is a mistake.
    policy = content.parent / "policy" / "lint.yml"
    policy.rename(policy.with_suffix(".yaml"))
    monkeypatch.setattr(tasks, "ROOT", content.parent)
    with pytest.raises(Exit) as stopped:
        tasks.lint(Context())
    assert stopped.value.code == 2
    assert (
        stopped.value.message == f"lint: {policy}: not found; lint.yaml is there: name it lint.yml"
    )


def test_invoke_lint_exits_non_zero_with_file_line_and_rule(content: Path) -> None:
    (content / "announcements" / "2026-11-20-item.md").write_text(
        announcement(**{**BASIC, "body": "Email jane.doe@gmail.com.\n"})
    )
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "lint", "--content", str(content)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "2026-11-20-item.md:7: error personal-email: 'jane.doe@gmail.com'" in run.stderr


def test_an_announcement_with_no_text_is_a_warning_on_the_line_after_its_front_matter(
    content: Path,
) -> None:
    """Its page and posts would say nothing beyond the title and summary. A warning, not a
    refusal: the README asks for the text but requires only the fields; a draft may be empty,
    and a withdrawn one's page shows only its notice."""
    for body in ("", "\n\n", "<!-- to write -->\n", "\u200b\n"):
        found = findings(content, body)
        assert [(f.line, f.rule, f.severity) for f in found] == [(7, "empty-text", "warning")]
        assert found[0].message.startswith("no text below the front matter")
    assert findings(content, "", status="draft") == []
    withdrawn = {"status": "withdrawn", "withdrawn_reason": "Postponed", "modified": BASIC["date"]}
    assert findings(content, "", **withdrawn) == []
    assert findings(content, "Crews flush mains.\n") == []
    waived = findings(content, "<!-- lint-ok empty-text: the summary says it all -->\n")
    assert [(f.rule, f.waived) for f in waived] == [("empty-text", "the summary says it all")]
    assert "  empty-text: warning\n" in (ROOT / "policy" / "lint.yml").read_text()


def test_the_pre_commit_hook_is_valid_and_runs_the_lint() -> None:
    config = ROOT / ".pre-commit-config.yaml"
    check = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "entry: .venv/bin/invoke lint" in config.read_text()


def test_a_file_not_in_utf8_is_one_finding_naming_its_line(content: Path) -> None:
    path = content / "announcements" / "2026-11-20-item.md"
    text = announcement(**{**BASIC, "title": "Café hours", "body": CLEAN_BODY})
    path.write_bytes(text.encode("cp1252"))
    (found,) = [f for f in lint(content, content.parent / "policy") if f.path.endswith("item.md")]
    assert (found.line, found.rule, found.severity) == (2, "encoding", "error")
    assert "byte 0xe9 is not UTF-8" in found.message


def test_an_invisible_control_character_is_named_by_its_line(content: Path) -> None:
    """A page break pasted from a PDF, in the text or written as a YAML escape in a field: the
    feeds cannot carry either, and the build refuses both; a draft's wait until it is to be
    published."""
    body = "Crews flush mains on Monday.\x0cCall City Hall at 250-364-1262.\n\nRun cold water.\n"
    found = findings(content, body, location='"Glenmerry\\vPark"')
    invisible = [(f.line, f.rule, f.severity) for f in found if "U+000" in f.message]
    assert invisible == [(6, "invisible-character", "error"), (8, "invisible-character", "error")]
    assert "remove it" in found[0].message
    assert findings(content, body, status="draft") == []


def test_an_invisible_control_character_in_a_field_is_named_by_its_field(content: Path) -> None:
    """README, "Fields": as the build names it, `file:line: field: problem`; one in the text
    reads as before, without a field."""
    body = "Crews flush mains on Monday.\x0cCall City Hall at 250-364-1262.\n\nRun cold water.\n"
    found = findings(content, body, location='"Glenmerry\\vPark"', title="Flushing\x0cdone")
    invisible = [str(f) for f in found if f.rule == "invisible-character"]
    name = str(content / "announcements" / "2026-11-20-item.md")
    assert [i.split(": U+")[0] for i in invisible] == [
        f"{name}:2: error invisible-character: title",
        f"{name}:6: error invisible-character: location",
        f"{name}:8: error invisible-character",
    ], invisible
    assert invisible[0].startswith(
        f"{name}:2: error invisible-character: title: U+000C is an invisible control character"
    )


def test_an_invisible_control_character_written_as_a_reference_is_named_by_its_line(
    content: Path,
) -> None:
    # The page and the feeds get the character `&#12;` stands for, as the build refuses it.
    found = findings(content, "Intro.\n\nPage one&#12;page two.\n")
    assert [(f.line, f.rule) for f in found] == [(9, "invisible-character")], found
    assert found[0].message.startswith("U+000C, written '&#12;', is an invisible control")


@pytest.mark.parametrize(
    ("body", "fields", "line"),
    [
        ("Intro,\u2028still the intro.\n\nCall Jane at 250-555-0142 after 5.\n", {}, 9),
        ("Intro.\x0bStill.\x0cStill.\n\nCall Jane at 250-555-0142 after 5.\n", {}, 9),
        # In the fields: YAML's own line count breaks at U+2028 too.
        ("Intro.\n\nCall Jane at 250-555-0142 after 5.\n", {"title": '"Flushing\u2028done"'}, 9),
        ("Intro.\n", {"title": '"Flushing\u2028done"', "summary": "Call Jane at 250-555-0142."}, 5),
    ],
)
def test_findings_name_lines_as_an_editor_counts_them(
    content: Path, body: str, fields: dict[str, str], line: int
) -> None:
    """A line ends only at a line feed, as git and every editor count lines: a U+2028 (a line
    separator, allowed), a vertical tab or a form feed (refused, but named too) before a
    finding does not move it a line down."""
    found = findings(content, body, **fields)
    assert [f.line for f in found if f.rule == "personal-phone"] == [line], found


def test_an_announcement_the_build_would_never_publish_is_an_error(content: Path) -> None:
    """Saved under a name the build does not read (here in capitals), as the build names it."""
    (content / "announcements" / "2026-11-20-flushing.MD").write_text(announcement(**BASIC))
    (finding,) = lint(content, content.parent / "policy")
    assert finding.blocks_publishing
    assert str(finding) == (
        f"{content}/announcements/2026-11-20-flushing.MD:1: error file name: the build reads "
        "only files ending in .md, so it would never be published; rename it to "
        "2026-11-20-flushing.md"
    )


def test_an_image_the_site_cannot_publish_safely_is_an_error(content: Path) -> None:
    """Everything in content/images/ is published: a photo the site does not write again goes
    out with where it was taken, an SVG with its script. Named as the build names it, by name
    and by what the file begins with; a text file beside the photos is no image."""
    images = content / "images"
    images.mkdir()
    (images / "photo.jfif").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    (images / "map.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    (images / "scan.jpg").write_bytes(b"II*\x00")  # a TIFF
    (images / "notes.txt").write_text("Photo credits.\n")
    found = [str(f) for f in lint(content, content.parent / "policy")]
    assert found == [
        f"{content}/images/map.svg:1: error image: is an image saved as SVG, which can hold a "
        "script that would run for anyone opening its address on the City's site; export it "
        "as PNG",
        f"{content}/images/photo.jfif:1: error file name: is an image saved as JPEG, but the "
        "site publishes an image, without what its file says besides the picture, only from a "
        "file ending in .gif, .jpeg, .jpg, .png or .webp; rename it to photo.jpg",
        f"{content}/images/scan.jpg:1: error image: is an image saved as TIFF, which the site "
        "does not publish: it would go out as it is, with what its file says besides the "
        "picture (where it was taken, whose camera took it); save it as JPEG, PNG or WebP",
    ]


def test_a_file_that_can_run_a_script_on_the_site_is_an_error(content: Path) -> None:
    """A web page or a script in content/images/ would run on the City's site for anyone
    opening its address. Named as the build names it, by name and by what the file begins
    with; a text or a table beside the photos holds no script."""
    images = content / "images"
    images.mkdir()
    (images / "notice.html").write_text("<p>Hi</p><script>alert(1)</script>")
    (images / "map.js").write_text("alert(1)")
    (images / "notice").write_text("<!doctype html><script>alert(1)</script>")
    (images / "credits.txt").write_text("Photos by the Parks crew.\n")
    (images / "budget.csv").write_text("item,amount\n")
    found = [str(f) for f in lint(content, content.parent / "policy")]
    page = (
        "which can hold a script that would run for anyone opening its address on the City's "
        "site; publish its content as an announcement or a page, or as a PDF"
    )
    assert found == [
        f"{content}/images/map.js:1: error file: is a script (JavaScript), which a page could "
        "load to run it on the City's site; the site publishes no script from content/: remove "
        "it, and publish what it shows as an announcement or a page",
        f"{content}/images/notice:1: error file: is a web page (HTML), {page}",
        f"{content}/images/notice.html:1: error file: is a web page (HTML), {page}",
    ]


def test_an_image_linked_from_outside_content_is_named_for_the_link_alone(content: Path) -> None:
    """What a link out of content/ points to is never read: the link is the problem."""
    (content / "images").mkdir()
    elsewhere = content.parent / "drawing.svg"
    elsewhere.write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    (content / "images" / "map.png").symlink_to(elsewhere)
    found = [(f.path, f.rule) for f in lint(content, content.parent / "policy")]
    assert found == [(f"{content}/images/map.png", "location")]


def test_every_listed_word_in_a_line_is_named_even_inside_a_listed_phrase(content: Path) -> None:
    (content.parent / "policy" / "wordlists" / "extra.txt").write_text("road closed\nclosed\n")
    found = findings(content, "The road closed early; the enclosed map shows it.")
    words = [f.message.split("'")[1] for f in found if f.rule == "profanity"]
    assert words == ["closed", "road closed"]  # each word once, in order; not "enclosed"


def test_a_word_list_saved_with_a_bom_keeps_its_first_word(content: Path) -> None:
    # Notepad's "UTF-8 with BOM" and Windows line endings, the list starting with a word: the
    # byte-order mark would be read as part of it, and the word never match.
    words = content.parent / "policy" / "wordlists" / "insults.txt"
    words.write_bytes(b"\xef\xbb\xbfscumbag\r\nidiot\r\n")
    assert "profanity" in rules(findings(content, "Crews met a scumbag at the hydrant.\n"))
    policy = ModerationPolicy.load(content.parent / "policy")
    decision = classify("c1", "The mayor is a scumbag", "Road closure on Bay Avenue", policy)
    assert "derogatory" in decision.categories
