"""Announcement pages show their git history and a share kit for Council."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import lxml.etree
import pytest
from icalendar import Calendar

import revisions
from checks.lint import Policy
from publishing.build import build_site, caches_beside
from revisions import History, NoteChecks, Revision, check_notes, read_history, unpublishable
from tests.conftest import NOW, ROOT, SITEURL, Site


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-C",
            str(folder),
            "-c",
            "user.name=Jane Employee",
            "-c",
            "user.email=jane.employee@example.org",
            *args,
        ],
        check=True,
        capture_output=True,
    )


def test_each_page_shows_its_revisions_without_personal_emails(site: Site) -> None:
    git(site.root, "init", "-q", "-b", "main")
    path = site.add("2026-11-20-flushing")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce Glenmerry water main flushing")
    path.write_text(path.read_text().replace("next week", "from Monday"))
    git(site.root, "commit", "-q", "-am", "Give the start day of the flushing")
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    section = page.split('id="revisions-heading"')[1].split("</section>")[0]
    assert section.index("Give the start day of the flushing") < section.index(
        "Announce Glenmerry water main flushing"
    )
    assert "jane.employee@example.org" not in page and "Jane Employee" not in page
    assert (
        "https://github.com/city-of-trail/announcements/commits/main/"
        "content/announcements/2026-11-20-flushing.md" in section
    )


def test_a_change_note_with_personal_information_is_shown_as_updated_and_reported(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    """A pushed commit cannot be amended, so the page withholds its note instead of failing
    every build from now on, and the build names the commit (never the note) to the CEC."""
    git(site.root, "init", "-q", "-b", "main")
    path = site.add("2026-11-20-flushing")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce flushing; questions to info@trail.ca")
    path.write_text(path.read_text().replace("next week", "from Monday"))
    git(
        site.root,
        "commit",
        "-q",
        "-am",
        "Start day per resident Jo Doe, 250-555-0147, jo@example.org",
    )
    private = subprocess.run(
        ["git", "-C", str(site.root), "rev-parse", "--short=10", "HEAD"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    with caplog.at_level(logging.INFO, logger="revisions"):
        site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    section = page.split('id="revisions-heading"')[1].split("</section>")[0]
    assert "555-0147" not in page and "jo@example.org" not in page and "Jo Doe" not in page
    assert section.index(": Updated</li>") < section.index(
        ": Announce flushing; questions to info@trail.ca</li>"  # a City contact: shown as written
    )
    (report,) = [r.getMessage() for r in caplog.records if r.name == "revisions"]
    assert private in report and "personal-email" in report and "personal-phone" in report
    assert "555-0147" not in report and "jo@example.org" not in report


def test_a_change_note_with_control_characters_shows_them_as_spaces(site: Site) -> None:
    """Git keeps a commit message as typed: one pasted from Word carries its manual line break
    (U+000B), one from a coloured terminal its escape sequences (U+001B). HTML forbids both
    (the Nu HTML Checker: "Forbidden code point"); the page showed them as they were."""
    git(site.root, "init", "-q", "-b", "main")
    site.add("2026-11-20-flushing")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce the flushing\x0bin Glenmerry \x1b[1mnow\x1b[0m")
    # A right-to-left override makes what follows it read backwards on the page.
    site.add("2026-11-20-flushing", summary="Crews flush mains from 8 a.m. to 4 p.m.")
    git(site.root, "commit", "-q", "-am", "Fix the \u202etimes\u202c")
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    assert ": Announce the flushing in Glenmerry  [1mnow [0m</li>" in page
    assert "\x0b" not in page and "\x1b" not in page
    assert "\u202e" not in page and "\u202c" not in page


def test_a_change_note_is_withheld_for_what_it_discloses_as_the_policy_says() -> None:
    policy = Policy.load(ROOT / "policy")
    assert unpublishable("Correct applicant's SIN 130 692 544 to a file number", policy) == [
        "personal-sin"
    ]
    assert unpublishable("Use file number 130 692 545 (not a SIN: bad checksum)", policy) == []
    assert unpublishable("Call City Hall at 250-364-1262 for details", policy) == []
    # Describing a change is not marking a secret.
    assert unpublishable("Remove confidential figures from the budget notice", policy) == []
    policy.severity["personal-phone"] = "off"
    assert unpublishable("Call the contractor at 250-555-0147", policy) == []


def test_each_change_note_is_checked_once_per_policy() -> None:
    policy = Policy.load(ROOT / "policy")
    when = datetime(2026, 11, 20, tzinfo=UTC)
    history = {"a.md": [Revision("c1", when, "Call the contractor at 250-555-0147")]}
    checked = check_notes(history, policy)
    assert checked.broken == {"c1": ["personal-phone"]}
    # A verdict made under this policy is kept, not made again (a stand-in shows which)...
    kept = NoteChecks(checked.policy, {"c1": ["profanity"]})
    assert check_notes(history, policy, kept).broken == {"c1": ["profanity"]}
    # ...and a new commit is checked on its own.
    history["b.md"] = [Revision("c2", when, "Fix a typo")]
    assert check_notes(history, policy, kept).broken == {"c1": ["profanity"], "c2": []}
    # A change to the policy checks every note again.
    policy.severity["personal-phone"] = "off"
    assert check_notes(history, policy, kept).broken == {"c1": [], "c2": []}


def test_a_policy_change_applies_to_change_notes_on_a_cached_rebuild(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy)
    monkeypatch.setattr(revisions, "POLICY_DIR", policy)
    git(site.root, "init", "-q", "-b", "main")
    site.add("2026-11-20-flushing")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce flushing; the contractor: 250-555-0147")
    site.build(cached=True)
    assert ": Updated</li>" in site.read("announcements/2026-11-20-flushing.html")
    lint = policy / "lint.yml"
    lint.write_text(lint.read_text().replace("personal-phone: error", "personal-phone: off"))
    site.build(cached=True)
    page = site.read("announcements/2026-11-20-flushing.html")
    assert "the contractor: 250-555-0147</li>" in page


def test_outside_git_there_is_simply_no_history(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    assert "<ol reversed>" not in page


def test_the_share_kit_gives_council_an_in_my_opinion_text(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    url = f"{SITEURL}/announcements/2026-11-20-flushing.html"
    assert f"readonly>In my opinion: {url}</textarea>" in page
    assert '<label for="council-text">' in page
    assert 'href="../council-sharing.html"' in page


def test_a_file_named_with_an_accent_keeps_its_revisions_and_calendar_sequence(
    site: Site,
) -> None:
    # Git quotes such a name in a list of names ("2026-11-20-f\303\252te.md") unless asked not to.
    git(site.root, "init", "-q", "-b", "main")
    path = site.add("2026-11-20-fête", title="Fête de Noël", category="city-event",
                    event_start="2026-12-05 10:00", event_end="2026-12-05 16:00",
                    location="Jubilee Park")  # fmt: skip
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce the festival")
    site.build(cached=True)
    path.write_text(path.read_text(encoding="utf-8").replace("16:00", "17:00"), "utf-8")
    git(site.root, "commit", "-q", "-am", "It ends at 5 p.m.")
    for output in (site.output, site.root / "full"):  # read since the last build, and whole
        site.build(cached=output == site.output, output=output)
        page = site.read("announcements/2026-11-20-fete.html", output)
        section = page.split('id="revisions-heading"')[1].split("</section>")[0]
        assert section.index("It ends at 5 p.m.") < section.index("Announce the festival")
        assert "SEQUENCE:2" in site.read("announcements/2026-11-20-fete.ics", output)


def head(folder: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_history_is_read_again_only_from_the_last_commit_it_saw(site: Site) -> None:
    git(site.root, "init", "-q", "-b", "main")
    path = site.add("2026-11-20-flushing")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce flushing")
    first = read_history(site.content)
    assert first is not None and first.head == head(site.root) and first.prefix == "content/"
    assert [r.note for r in first.revisions["announcements/2026-11-20-flushing.md"]] == [
        "Announce flushing"
    ]
    # A revision git never had: kept only if the earlier history is merged, not read again.
    marker = Revision("0" * 40, datetime(2020, 1, 1, tzinfo=UTC), "remembered")
    remembered = History(first.head, first.prefix, {"announcements/old.md": [marker]})

    path.write_text(path.read_text().replace("next week", "from Monday"))
    git(site.root, "commit", "-q", "-am", "Give the start day")
    later = read_history(site.content, remembered)
    assert later is not None and later.head == head(site.root)
    assert later.revisions["announcements/old.md"] == [marker]
    assert [r.note for r in later.revisions["announcements/2026-11-20-flushing.md"]] == [
        "Give the start day"  # only what came since: the first commit is the cache's to hold
    ]
    assert read_history(site.content, later) is later  # nothing new: nothing read

    git(site.root, "commit", "-q", "--amend", "-m", "Give the start day of the flushing")
    rewritten = read_history(site.content, later)  # its head is no longer in the history
    assert rewritten is not None and "announcements/old.md" not in rewritten.revisions
    assert [r.note for r in rewritten.revisions["announcements/2026-11-20-flushing.md"]] == [
        "Give the start day of the flushing",
        "Announce flushing",
    ]


def test_cached_builds_show_each_new_commit(site: Site) -> None:
    git(site.root, "init", "-q", "-b", "main")
    path = site.add("2026-11-20-flushing")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce flushing")
    site.build(cached=True)
    path.write_text(path.read_text().replace("next week", "from Monday"))
    git(site.root, "commit", "-q", "-am", "Give the start day")
    site.build(cached=True)
    page = site.read("announcements/2026-11-20-flushing.html")
    section = page.split('id="revisions-heading"')[1].split("</section>")[0]
    assert section.index("Give the start day") < section.index("Announce flushing")
    full = site.root / "full"
    site.build(output=full)
    assert page == site.read("announcements/2026-11-20-flushing.html", full)


def test_a_shallow_clone_shows_only_the_revisions_it_fetched(site: Site, tmp_path: Path) -> None:
    """The commit a shallow clone is cut at looks as if it added every file: its note must not
    appear on every page as a revision. Fetched whole, the clone shows the whole history."""
    git(site.root, "init", "-q", "-b", "main")
    path = site.add("2026-11-20-flushing")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce flushing")
    path.write_text(path.read_text().replace("next week", "from Monday"))
    git(site.root, "commit", "-q", "-am", "Give the start day")
    (site.root / "tasks.py").write_text("# tooling\n")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Speed up the deploy script")
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{site.root}", str(clone)],
                   check=True, capture_output=True)  # fmt: skip

    def revisions_shown() -> str:
        output = clone / "output"
        overrides = {"PATH": str(clone / "content"), "SITEURL": SITEURL, "BUILD_TIME": NOW}
        build_site(ROOT / "publishconf.py", output, overrides, caches_beside(output))
        page = (output / "announcements" / "2026-11-20-flushing.html").read_text()
        return page.split('id="revisions-heading"')[1].split("</section>")[0]

    section = revisions_shown()  # cut at the last commit, which git shows adding every file
    assert "<li>" not in section and "Speed up the deploy script" not in section
    git(clone, "fetch", "-q", "--unshallow")
    section = revisions_shown()
    assert section.index("Give the start day") < section.index("Announce flushing")
    assert "Speed up the deploy script" not in section


def test_an_events_calendar_sequence_grows_with_each_revision_and_never_goes_back(
    site: Site,
) -> None:
    """RFC 5545: calendars take a revision of an event only when its SEQUENCE grows. Withdrawn
    (cancelled), then reinstated a week later, then its text edited (a cached rebuild too)."""
    git(site.root, "init", "-q", "-b", "main")
    event = {
        "category": "city-event",
        "title": "Holiday light-up in Gyro Park",
        "event_start": "2026-12-05 17:00",
        "event_end": "2026-12-05 19:00",
        "location": "Gyro Park",
    }
    withdrawn = {
        "status": "withdrawn",
        "withdrawn_reason": "Postponed for the snow storm.",
        "modified": "2026-11-21 10:00",
    }
    moved = {**event, "event_start": "2026-12-12 17:00", "event_end": "2026-12-12 19:00"}
    sequences = []
    for fields in (event, {**event, **withdrawn}, moved, {**moved, "body": "Bring a mug."}):
        site.add("2026-11-20-light-up", **fields)
        git(site.root, "add", ".")
        git(site.root, "commit", "-q", "-m", "Revise the light-up")
        site.build(cached=True)
        (line,) = [x for x in site.read("events.ics").splitlines() if x.startswith("SEQUENCE:")]
        sequences.append(int(line.removeprefix("SEQUENCE:")))
    assert sequences == sorted(set(sequences)), sequences  # each one higher
    own = site.read("announcements/2026-11-20-light-up.ics").splitlines()
    assert f"SEQUENCE:{sequences[-1]}" in own
    full = site.root / "full"
    site.build(output=full)
    assert site.read("events.ics", full) == site.read("events.ics")


SKATE_NIGHT = {
    "title": "Skate night at the Trail Memorial Centre",
    "date": "2026-11-14 09:00",
    "category": "city-event",
    "summary": "Free public skating with music, skates to borrow at the door.",
    "event_start": "2026-12-04 18:00",
    "event_end": "2026-12-04 20:00",
    "location": "Trail Memorial Centre",
}


def section_of_revisions(page: str) -> str:
    return page.split('id="revisions-heading"')[1].split("</section>")[0]


def test_a_renamed_event_keeps_its_revisions_and_its_sequence_goes_on_growing(
    site: Site,
) -> None:
    """Renamed at its address (capitals and dots are not part of it) and withdrawn in one
    commit: its history is the file's under both names. Counted from the rename, SEQUENCE
    went back from 3 to 1, and calendars kept the event the cancellation was to remove
    (RFC 5545 §3.8.7.4); the page lost the revisions made before it (a record's history)."""
    git(site.root, "init", "-q", "-b", "main")
    notes = ["Announce skate night", "Skates to borrow at the door", "It ends at 8 p.m."]
    for note, end in zip(notes, ("19:00", "19:30", "20:00"), strict=True):
        site.add("2026-11-14-Skate.Night", **{**SKATE_NIGHT, "event_end": f"2026-12-04 {end}"})
        git(site.root, "add", ".")
        git(site.root, "commit", "-q", "-m", note)
    site.build(cached=True)
    assert "SEQUENCE:3" in site.read("announcements/2026-11-14-skatenight.ics")
    git(site.root, "mv", "content/announcements/2026-11-14-Skate.Night.md",
        "content/announcements/2026-11-14-skatenight.md")  # fmt: skip
    withdrawn = {
        "status": "withdrawn",
        "withdrawn_reason": "The ice plant is under repair.",
        "modified": "2026-11-20 10:00",
    }
    site.add("2026-11-14-skatenight", **SKATE_NIGHT, **withdrawn)
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Withdraw skate night")
    full = site.root / "full"
    for output in (site.output, full):  # read since the last build, and whole
        site.build(cached=output == site.output, output=output)
        own = site.read("announcements/2026-11-14-skatenight.ics", output).splitlines()
        assert "SEQUENCE:4" in own and "STATUS:CANCELLED" in own
        section = section_of_revisions(
            site.read("announcements/2026-11-14-skatenight.html", output)
        )
        shown = [section.index(note) for note in ["Withdraw skate night", *reversed(notes)]]
        assert shown == sorted(shown), section
    assert site.read("events.ics", full) == site.read("events.ics")
    page = "announcements/2026-11-14-skatenight.html"
    assert site.read(page, full) == site.read(page)


def notes_of(history: History | None, path: str) -> list[str]:
    assert history is not None
    return [r.note for r in history.revisions.get(f"announcements/{path}", [])]


def test_renames_are_followed_read_whole_or_since_the_last_build(site: Site) -> None:
    """Chained over several names and back, across reads of the history in parts."""
    git(site.root, "init", "-q", "-b", "main")
    body = "Crews flush the water mains of Glenmerry, street by street, from 8 a.m. to 4 p.m."
    site.add("a", body=body)
    site.add("x", title="Holiday hours", body="City Hall closes at noon on December 24.")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce")
    first = read_history(site.content)
    announcements = site.content / "announcements"

    def rename(old: str, new: str) -> None:
        git(site.root, "mv", str(announcements / f"{old}.md"), str(announcements / f"{new}.md"))

    rename("a", "b")
    git(site.root, "commit", "-q", "-m", "Rename a to b")
    second = read_history(site.content, first)
    site.add("x", title="Holiday hours", body="City Hall closes at 1 p.m. on December 24.")
    git(site.root, "commit", "-q", "-am", "Close at 1 p.m.")
    rename("b", "c")
    git(site.root, "commit", "-q", "-m", "Rename b to c")
    rename("c", "a")
    git(site.root, "commit", "-q", "-m", "Rename c back to a")
    for history in (read_history(site.content, second), read_history(site.content)):
        assert notes_of(history, "a.md") == [
            "Rename c back to a", "Rename b to c", "Rename a to b", "Announce"
        ]  # fmt: skip
        assert notes_of(history, "x.md") == ["Close at 1 p.m.", "Announce"]
        # A name a file left keeps its history, as a deleted file's does.
        assert notes_of(history, "c.md") == notes_of(history, "a.md")


def test_a_new_file_is_not_given_the_history_of_another(site: Site) -> None:
    """Only what git finds to be a rename is one: a file deleted and another created at the
    same address later, or a file replaced in one commit by another of other words, is new."""
    git(site.root, "init", "-q", "-b", "main")
    site.add("2026-11-14-Skate.Night", **SKATE_NIGHT)
    site.add("2026-11-20-flushing")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce skate night and flushing")
    site.build(cached=True)
    announcements = site.content / "announcements"
    (announcements / "2026-11-14-Skate.Night.md").unlink()
    git(site.root, "commit", "-q", "-am", "Take skate night down")
    site.add("2026-11-14-skatenight", **SKATE_NIGHT)
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce skate night again")
    (announcements / "2026-11-20-flushing.md").unlink()
    open_house = {
        "title": "Budget open house",
        "summary": "Come ask about the 2027 budget.",
        "body": "Council presents the draft budget at City Hall on Thursday at 7 p.m.",
    }
    site.add("2026-11-21-budget", **open_house)
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "Replace the flushing notice by the open house")
    full = site.root / "full"
    for output in (site.output, full):
        site.build(cached=output == site.output, output=output)
        own = site.read("announcements/2026-11-14-skatenight.ics", output)
        assert "SEQUENCE:1" in own.splitlines()
        section = section_of_revisions(
            site.read("announcements/2026-11-14-skatenight.html", output)
        )
        assert "Announce skate night again" in section and "Take skate night down" not in section
        assert "Announce skate night and" not in section
        section = section_of_revisions(site.read("announcements/2026-11-21-budget.html", output))
        assert "Replace the flushing" in section and "Announce skate night and" not in section


def commit_at(folder: Path, when: str, note: str) -> None:
    """A commit of everything, authored and committed at `when` (ISO 8601)."""
    environment = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(folder), "add", "."], check=True)
    subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=Jane Employee", "-c",
         "user.email=jane.employee@example.org", "commit", "-q", "-m", note],
        check=True, capture_output=True, env=environment,
    )  # fmt: skip


def stamps(site: Site, output: Path) -> tuple[datetime, datetime, datetime, datetime]:
    """The event's DTSTAMP and LAST-MODIFIED (its own .ics and events.ics agreeing), its
    entry's <updated> in the all-announcements Atom feed, and that feed's own."""
    own = Calendar.from_ical(site.read("announcements/2026-11-14-skate-night.ics", output))
    every = Calendar.from_ical(site.read("events.ics", output))
    (event,) = own.walk("VEVENT")
    (listed,) = every.walk("VEVENT")
    assert listed.to_ical() == event.to_ical()
    atom = lxml.etree.fromstring((output / "feeds/all.atom.xml").read_bytes())
    space = {"a": "http://www.w3.org/2005/Atom"}
    (entry,) = atom.xpath("a:entry/a:updated/text()", namespaces=space)
    (feed,) = atom.xpath("a:updated/text()", namespaces=space)
    return (
        event.decoded("dtstamp"),
        event.decoded("last-modified"),
        datetime.fromisoformat(entry),
        datetime.fromisoformat(feed),
    )


def test_an_event_moved_without_modified_is_dated_by_the_commit_that_moved_it(
    site: Site,
) -> None:
    """A new time committed without `modified`: calendars and feed readers see a later
    DTSTAMP, LAST-MODIFIED and <updated> (the commit's time), the same on every build of it."""
    git(site.root, "init", "-q", "-b", "main")
    site.add("2026-11-14-skate-night", **SKATE_NIGHT)
    commit_at(site.root, "2026-11-14T09:00:00-08:00", "Announce skate night")
    site.build(cached=True)
    before = stamps(site, site.output)
    assert set(before) == {datetime(2026, 11, 14, 17, tzinfo=UTC)}  # as published
    site.add("2026-11-14-skate-night", **{**SKATE_NIGHT, "event_start": "2026-12-04 19:00",
                                          "event_end": "2026-12-04 21:00"})  # fmt: skip
    moved = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
    commit_at(site.root, moved.isoformat(), "Skate night starts at 7 p.m.")
    full, again = site.root / "full", site.root / "again"
    for output in (site.output, full, again):  # read since the last build, whole, whole again
        site.build(cached=output == site.output, output=output)
        after = stamps(site, output)
        assert set(after) == {moved}, after
        assert all(a > b for a, b in zip(after, before, strict=True))
    for path in ("events.ics", "announcements/2026-11-14-skate-night.ics", "feeds/all.atom.xml"):
        assert (
            (full / path).read_bytes()
            == (again / path).read_bytes()
            == (site.output / path).read_bytes()
        ), path
