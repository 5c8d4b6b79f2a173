"""The content model: every kind of bad front matter is named by file, line and field."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from pelican.settings import DEFAULT_CONFIG, get_settings_from_file, read_settings

from announcements.addresses import ANNOUNCEMENT_URL, SLUG_SETTINGS
from announcements.model import (
    MARKDOWN_PATHS,
    Announcement,
    Problem,
    changes_dated_later,
    invisible_characters,
    parse_announcement,
    parse_datetime,
    parse_page,
    placeholders,
    split_front_matter,
)
from announcements.reader import TEXT_MARKDOWN_EXTENSIONS
from archive.index import CITY
from tests.conftest import BASIC, PNG, ROOT, announcement, apple_metadata, mp4, mp4_box, place_taken

PATH = "content/announcements/2026-11-20-flushing.md"


def test_the_site_and_the_commands_share_the_city_time_zone() -> None:
    # The site reads times in pelicanconf's TIMEZONE; `invoke new`, `status` and records
    # searches in archive.index.CITY. Were they to differ, a post would go live at another hour.
    settings = get_settings_from_file(str(ROOT / "pelicanconf.py"))
    assert settings["TIMEZONE"] == CITY.key


def test_the_site_and_the_commands_read_markdown_from_the_same_folders() -> None:
    # `invoke status` names what the build refuses in content/ from MARKDOWN_PATHS.
    settings = get_settings_from_file(str(ROOT / "pelicanconf.py"))
    assert (*settings["ARTICLE_PATHS"], *settings["PAGE_PATHS"]) == MARKDOWN_PATHS


def test_text_taken_from_the_body_is_read_with_the_sites_markdown_but_typography() -> None:
    # `invoke alert`'s summary is the first sentence of its body as the page reads it.
    settings = get_settings_from_file(str(ROOT / "pelicanconf.py"))
    extensions = settings["MARKDOWN"]["extensions"]
    assert tuple(e for e in extensions if e != "markdown.extensions.smarty") == (
        TEXT_MARKDOWN_EXTENSIONS
    )


def test_the_commands_give_the_addresses_the_site_gives() -> None:
    # `invoke preview`, `invoke alert`, the content lint and the FOI report make addresses
    # from file names with Pelican's own slug settings, which the site's settings keep.
    settings = read_settings(str(ROOT / "publishconf.py"))  # as the build reads them
    assert {name: settings[name] for name in SLUG_SETTINGS} == {
        name: DEFAULT_CONFIG[name] for name in SLUG_SETTINGS
    }
    assert settings["SLUGIFY_SOURCE"] == "basename"
    assert settings["ARTICLE_URL"] == settings["ARTICLE_SAVE_AS"] == ANNOUNCEMENT_URL


def problems_for(content_dir: Path | None = None, **fields: str) -> list[Problem]:
    text = announcement(**{**BASIC, **fields})
    item, problems = parse_announcement(PATH, text, CITY, content_dir)
    assert (item is None) == bool(problems)
    return problems


def only_problem(content_dir: Path | None = None, **fields: str) -> Problem:
    problems = problems_for(content_dir, **fields)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_valid_announcement_parses_with_city_time_and_defaults() -> None:
    item, problems = parse_announcement(PATH, announcement(**BASIC), CITY)
    assert problems == []
    assert item is not None
    assert item.title == "Water main flushing in Glenmerry"
    assert item.date.utcoffset() == timedelta(hours=-8)  # naive means City time (PST)
    assert item.category_label == "Service changes"
    assert item.status == "published"
    assert item.syndicate == ("facebook", "twitter")
    assert item.urgent is False
    assert item.updated == item.date


def test_an_explicit_offset_is_kept() -> None:
    item, _ = parse_announcement(
        PATH, announcement(**{**BASIC, "date": "2026-07-01 09:00-07:00"}), CITY
    )
    assert item is not None
    assert item.date.utcoffset() == timedelta(hours=-7)


def test_a_time_skipped_when_clocks_go_forward_is_refused() -> None:
    """2:30 a.m. on 2027-03-14 never happens in Trail: page and calendar would disagree."""

    def event_from(start: str) -> list[Problem]:
        return problems_for(
            category="city-event",
            event_start=start,
            event_end="2027-03-14 04:00",
            location="Gyro Park",
        )

    (problem,) = event_from("2027-03-14 02:30")
    assert (problem.field, problem.line) == ("event_start", 6)
    assert problem.message == (
        "'2027-03-14 02:30' does not exist in City time: clocks go forward from 2:00 to 3:00 on "
        "2027-03-14; expected a time before 2:00 or from 3:00, or one with an offset"
    )
    for start in ("2027-03-14 01:59", "2027-03-14 03:00", "2027-03-14 02:30-08:00"):
        assert event_from(start) == []


def test_a_time_that_happens_twice_when_clocks_go_back_is_the_first() -> None:
    item, problems = parse_announcement(
        PATH, announcement(**{**BASIC, "date": "2026-11-01 01:30"}), CITY
    )
    assert problems == [] and item is not None
    assert item.date.utcoffset() == timedelta(hours=-7)  # 1:30 a.m. PDT, then PST follows


@pytest.mark.parametrize("missing", ["title", "date", "category", "summary"])
def test_a_missing_required_field_is_named(missing: str) -> None:
    fields = {k: v for k, v in BASIC.items() if k != missing}
    item, problems = parse_announcement(PATH, announcement(**fields), CITY)
    assert item is None
    assert [(p.field, p.path) for p in problems] == [(missing, PATH)]
    assert str(problems[0]).startswith(f"{PATH}:")
    assert f": {missing}: is required" in str(problems[0])


def test_an_unknown_category_names_the_line_and_the_choices() -> None:
    problem = only_problem(category="parade")
    assert problem.field == "category"
    assert problem.line == 4  # '---' is line 1, then title, date, category
    assert "'parade' is not one of: public-notice, capital-project" in problem.message
    assert str(problem) == f"{PATH}:4: category: {problem.message}"


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01 09:00", "2026-11-31", "20/11/2026"])
def test_a_bad_date_is_named(value: str) -> None:
    problem = only_problem(date=f'"{value}"')
    assert (problem.field, problem.line) == ("date", 3)
    assert f"'{value}' is not a date" in problem.message


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("expires", "9999-12-31 23:00", 6),  # "never": past year 9999 in UTC
        ("expires", "9999-12-31 23:00-08:00", 6),
        ("date", "0001-01-01 00:00+14:00", 3),  # before year 1 in UTC
        ("date", "0206-11-20 09:00", 3),
    ],
)
def test_a_date_outside_the_years_the_city_writes_about_is_named(
    name: str, value: str, line: int
) -> None:
    problem = only_problem(None, **{name: f'"{value}"'})
    assert (problem.field, problem.line) == (name, line)
    assert problem.message == f"'{value}' is out of range; expected a year from 1900 to 2999"


def test_an_event_needs_its_start_end_and_location() -> None:
    problems = problems_for(category="city-event")
    assert [p.field for p in problems] == ["event_start", "event_end", "location"]
    assert all("required for a city-event announcement" in p.message for p in problems)


def test_an_event_without_its_start_is_named() -> None:
    problem = only_problem(
        category="regional-event", event_end="2026-12-01 20:00", location="Gyro Park"
    )
    assert problem.field == "event_start"


def test_event_fields_on_an_announcement_that_is_not_an_event_are_refused() -> None:
    """A public notice given a start, an end and a place built without a word, and none of them
    reached the page, the feeds or the calendar: the CEC believed them published."""
    problems = problems_for(
        category="public-notice",
        event_start="2026-12-03 10:00",
        event_end="2026-12-03 12:00",
        location="City Hall",
    )
    assert [(p.field, p.line) for p in problems] == [
        ("event_start", 6),
        ("event_end", 7),
        ("location", 8),
    ]
    assert problems[0].message == (
        "is only for an event (category city-event or regional-event), not a public-notice "
        "announcement, whose page, feeds and calendar would not show it; give the event's "
        "category, or remove the field"
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-12-03", "2026-12-03 12:00"), ("2026-12-03 12:00", "2026-12-03 10:00")],
)
def test_event_times_on_an_announcement_that_is_not_an_event_are_refused_once(
    start: str, end: str
) -> None:
    """Fields refused as being only for an event are not also read as an event's span: a day
    alone beside a time, or an end before the start, would say a second thing to mend in a
    field that is to go."""
    problems = problems_for(category="public-notice", event_start=start, event_end=end)
    assert [(p.field, p.message.split(" (")[0]) for p in problems] == [
        ("event_start", "is only for an event"),
        ("event_end", "is only for an event"),
    ]


def test_an_event_ending_before_it_starts_is_refused() -> None:
    problem = only_problem(
        category="city-event",
        event_start="2026-12-01 20:00",
        event_end="2026-12-01 18:00",
        location="Gyro Park",
    )
    assert problem.field == "event_end"
    assert "before event_start" in problem.message


def test_an_event_ending_when_it_starts_is_refused() -> None:

    def event(start: str, end: str) -> Problem:
        return only_problem(
            category="city-event", event_start=start, event_end=end, location="Gyro Park"
        )

    same_time = event("2026-12-05 17:00", "2026-12-05 17:00")
    assert (same_time.field, same_time.message) == (
        "event_end",
        "is the same time as event_start; expected the end after the start",
    )


def all_day_event(start: str, end: str) -> tuple[Announcement | None, list[Problem]]:
    text = announcement(
        **{
            **BASIC,
            "category": "city-event",
            "event_start": start,
            "event_end": end,
            "location": "Gyro Park",
        }
    )
    return parse_announcement(PATH, text, CITY)


@pytest.mark.parametrize(
    ("start", "end", "days", "times"),
    [
        # A fair on Saturday and Sunday: the end is the last day, inclusive.
        ("2026-12-05", "2026-12-06", ("2026-12-05", "2026-12-06"), ("2026-12-05", "2026-12-07")),
        # The same day for both is that one day, not zero minutes at its midnight.
        ("2026-12-05", "2026-12-05", ("2026-12-05", "2026-12-05"), ("2026-12-05", "2026-12-06")),
        ('"2026-12-05"', '"2026-12-05"', ("2026-12-05",) * 2, ("2026-12-05", "2026-12-06")),
    ],
)
def test_an_event_given_dates_alone_is_an_all_day_event_to_the_end_of_its_last_day(
    start: str, end: str, days: tuple[str, str], times: tuple[str, str]
) -> None:
    item, problems = all_day_event(start, end)
    assert problems == [] and item is not None
    assert item.all_day is True
    assert (item.first_day, item.last_day) == tuple(date.fromisoformat(d) for d in days)
    # As times, from the first day's midnight to the one after the last day, City time: what
    # orders events, moves them to the past ones and dates the sitemap.
    assert item.event_start is not None and item.event_end is not None
    assert (item.event_start.isoformat(), item.event_end.isoformat()) == tuple(
        f"{d}T00:00:00-08:00" for d in times
    )


def test_an_all_day_event_ends_at_midnight_across_a_daylight_saving_change() -> None:
    # The clocks go back on November 1 at 2 a.m.: Saturday starts in PDT, Monday in PST.
    item, problems = all_day_event("2026-10-31", "2026-11-01")
    assert problems == [] and item is not None and item.event_end is not None
    assert item.event_start is not None
    assert item.event_start.isoformat() == "2026-10-31T00:00:00-07:00"
    assert item.event_end.isoformat() == "2026-11-02T00:00:00-08:00"


def test_a_timed_event_is_not_all_day() -> None:
    item, problems = all_day_event("2026-12-05 10:00", "2026-12-05 12:00")
    assert problems == [] and item is not None
    assert (item.all_day, item.first_day, item.last_day) == (False, None, None)


def test_an_all_day_event_ending_before_its_first_day_is_refused() -> None:
    _, problems = all_day_event("2026-12-06", "2026-12-05")
    assert [str(p) for p in problems] == [
        f"{PATH}:7: event_end: is before event_start; expected the last day of the all-day "
        "event, on or after its first day"
    ]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            "2026-12-05",
            "2026-12-06 18:00",
            "'2026-12-06 18:00' has a time, but event_start '2026-12-05' is a date alone (an "
            "all-day event); write the last day alone, event_end: 2026-12-06, or give "
            "event_start its time too",
        ),
        (
            "2026-12-05 10:00",
            "2026-12-06",
            "'2026-12-06' is a date alone, but event_start '2026-12-05 10:00' has a time; give "
            "the time it ends too, as event_end: 2026-12-06 HH:MM, or, for an all-day event, "
            "write the first day alone, event_start: 2026-12-05",
        ),
    ],
)
def test_an_event_given_a_date_alone_for_one_and_a_time_for_the_other_is_refused(
    start: str, end: str, message: str
) -> None:
    """A date alone makes an all-day event, whose end is its last day: a time for the other
    would leave it unclear which was meant, as "midnight" was before."""
    _, problems = all_day_event(start, end)
    assert [str(p) for p in problems] == [f"{PATH}:7: event_end: {message}"]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            "2026-12-05",
            "2026-12-07 03:00+00:00",  # 7 p.m. on Sunday, December 6, City time
            "'2026-12-07 03:00+00:00' has a time, but event_start '2026-12-05' is a date alone "
            "(an all-day event); write the last day alone, event_end: 2026-12-06, or give "
            "event_start its time too",
        ),
        (
            "2026-12-05 02:00+00:00",  # 6 p.m. on Friday, December 4, City time
            "2026-12-06",
            "'2026-12-06' is a date alone, but event_start '2026-12-05 02:00+00:00' has a time; "
            "give the time it ends too, as event_end: 2026-12-06 HH:MM, or, for an all-day "
            "event, write the first day alone, event_start: 2026-12-04",
        ),
    ],
)
def test_the_day_offered_for_a_time_given_with_an_offset_is_its_day_in_city_time(
    start: str, end: str, message: str
) -> None:
    """The day to write instead of a time is the one the event is on for the City (as the
    page shows it), not the day of the offset it was written with."""
    _, problems = all_day_event(start, end)
    assert [str(p) for p in problems] == [f"{PATH}:7: event_end: {message}"]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        # The last day of a fair across the month's end, mistyped: not "add a time", which
        # would then be refused as a time given to an all-day event.
        (
            "2026-11-30",
            "2026-11-31",
            "'2026-11-31' is not a date: 2026-11 has 30 days; expected a day of the "
            "calendar, YYYY-MM-DD",
        ),
        (
            "2026-12-05",
            "2026-13-01",
            "'2026-13-01' is not a date: a month is 01 to 12; expected a day of the calendar, "
            "YYYY-MM-DD",
        ),
        (
            "2026-12-05",
            "Dec 6",
            "'Dec 6' is not a date; expected YYYY-MM-DD HH:MM, optionally with an offset such "
            "as -08:00 (without one, City time applies), or a date alone, YYYY-MM-DD, for an "
            "all-day event",
        ),
    ],
)
def test_an_events_bad_date_is_named_with_the_date_alone_an_all_day_event_takes(
    start: str, end: str, message: str
) -> None:
    _, problems = all_day_event(start, end)
    assert [str(p) for p in problems] == [f"{PATH}:7: event_end: {message}"]


def test_an_image_without_alt_text_is_refused(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "bridge.png").write_bytes(PNG)
    problem = only_problem(tmp_path, image="images/bridge.png")
    assert (problem.field, problem.line) == ("image_alt", 6)  # the `image:` line
    assert "add it after the image and describe the image" in problem.message


@pytest.mark.parametrize("says_nothing", ['"\\u200b"', '"\u2060 "', '"\\u200e"'])
def test_a_field_of_only_invisible_characters_is_empty(tmp_path: Path, says_nothing: str) -> None:
    # A zero-width space, a word joiner or a direction mark: nothing for a screen reader to say.
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "bridge.png").write_bytes(PNG)
    problem = only_problem(tmp_path, image="images/bridge.png", image_alt=says_nothing)
    assert (problem.field, problem.message) == ("image_alt", "expected text, got an empty value")


def test_an_image_must_exist_and_be_an_image(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "fake.png").write_text("not a picture")
    missing = only_problem(tmp_path, image="images/none.png", image_alt="A bridge")
    assert (missing.field, "does not exist") == ("image", missing.message.split("; ")[0][-14:])
    broken = only_problem(tmp_path, image="images/fake.png", image_alt="A bridge")
    assert broken.field == "image" and "cannot be read as an image" in broken.message
    wrong_kind = only_problem(tmp_path, image="images/notes.txt", image_alt="A bridge")
    assert wrong_kind.field == "image" and "is not an image file" in wrong_kind.message


def test_an_image_outside_the_published_folders_is_refused(tmp_path: Path) -> None:
    """Pelican copies only STATIC_PATHS (images/) to the site: anything else would be a 404."""
    (tmp_path / "images").mkdir()
    (tmp_path / "announcements").mkdir()
    for name in ("images/bridge.png", "announcements/bridge.png"):
        (tmp_path / name).write_bytes(PNG)
    for value in ("announcements/bridge.png", "images/../announcements/bridge.png"):
        problem = only_problem(tmp_path, image=value, image_alt="A bridge")
        assert (problem.field, problem.line) == ("image", 6)
        assert problem.message == (
            f"'{value}' would not be published with the site; expected a file under images/"
        )
    assert problems_for(tmp_path, image="images/bridge.png", image_alt="A bridge") == []
    text = announcement(**BASIC, image="announcements/bridge.png", image_alt="A bridge")
    _, problems = parse_announcement(PATH, text, CITY, tmp_path, ("announcements", "media"))
    assert problems == []  # another site's STATIC_PATHS
    _, problems = parse_announcement(PATH, text, CITY, tmp_path, ("images", "media"))
    assert problems[0].message.endswith("expected a file under images/ or media/")


def test_an_image_name_that_needs_escaping_in_a_url_is_refused(tmp_path: Path) -> None:
    """An image's name becomes its address; a video is uploaded, so its name may be anything."""
    (tmp_path / "images").mkdir()
    (tmp_path / "videos").mkdir()
    for name in ("bridge photo.png", "École.png", "bridge#2.png", "Bridge_2026-v2.png"):
        (tmp_path / "images" / name).write_bytes(PNG)
    (tmp_path / "videos" / "bridge tour.mp4").write_bytes(mp4())
    for name in ("bridge photo.png", "École.png", "bridge#2.png"):
        problem = only_problem(tmp_path, image=f"'images/{name}'", image_alt="A bridge")
        assert (problem.field, problem.line) == ("image", 6)
        assert problem.message == (
            f"'images/{name}': file names must not contain spaces or characters that need "
            "escaping in a URL; rename the file using only letters a-z, digits, '-', '_' and '.'"
        )
    assert problems_for(tmp_path, image="images/Bridge_2026-v2.png", image_alt="A bridge") == []
    assert problems_for(tmp_path, video="videos/bridge tour.mp4") == []


def test_a_file_outside_content_is_refused_even_through_a_link(tmp_path: Path) -> None:
    """A video is uploaded and an image published: neither may come from outside content/."""
    content = tmp_path / "content"
    (content / "videos").mkdir(parents=True)
    (content / "images").mkdir()
    (tmp_path / "private.mp4").write_bytes(mp4())
    (tmp_path / "private.png").write_bytes(PNG)
    (content / "videos" / "linked.mp4").symlink_to(tmp_path / "private.mp4")
    (content / "images" / "linked.png").symlink_to(tmp_path / "private.png")
    for value in ("../private.mp4", "videos/../../private.mp4", "/../private.mp4"):
        problem = only_problem(content, video=value)
        assert (problem.field, problem.message) == (
            "video",
            f"'{value}' is outside content/; expected a path inside content/",
        )
    # Quoted as written: a leading "/" is read from content/, and the CEC finds what they wrote.
    problem = only_problem(content, image="/etc/passwd", image_alt="A bridge")
    assert problem.message.startswith("'/etc/passwd' is not an image file")
    linked = only_problem(content, video="videos/linked.mp4")
    assert linked.field == "video" and "is a link to a file outside content/" in linked.message
    image = only_problem(content, image="images/linked.png", image_alt="A bridge")
    assert image.field == "image" and "is a link to a file outside content/" in image.message


LOCATION = "+49.0966-117.7116+000.000/"
TOUR_CLEANED = (
    "which would go to YouTube with it; copy it without that (in its folder: ffmpeg -i "
    "tour.mp4 -map_metadata -1 -c copy tour-clean.mp4) and name the copy"
)


def video_problem(content: Path, data: bytes, name: str = "tour.mp4") -> Problem | None:
    """The one problem the build finds in an announcement of the video `data`, or None."""
    (content / "videos").mkdir(exist_ok=True)
    (content / "videos" / name).write_bytes(data)
    problems = problems_for(content, video=f"'videos/{name}'")
    assert len(problems) <= 1, problems
    assert all((p.field, p.line) == ("video", 6) for p in problems)
    return problems[0] if problems else None


@pytest.mark.parametrize(
    ("video", "holds"),
    [
        # Android, and iPhones before iOS 11: udta/©xyz.
        (mp4(place_taken()), "where it was taken (©xyz)"),
        (mp4(place_taken(), moov_first=True), "where it was taken (©xyz)"),
        (mp4(mp4_box(b"trak", place_taken())), "where it was taken (©xyz)"),  # a track's
        # 3GPP's location box, some Android phones'.
        (mp4(mp4_box(b"udta", mp4_box(b"loci", bytes(24)))), "where it was taken (loci)"),
        # iPhones: moov/meta, its keys naming the items.
        (
            mp4(apple_metadata(make="Apple", location_ISO6709=LOCATION)),
            "where it was taken (com.apple.quicktime.location.ISO6709)",
        ),
        (
            mp4(apple_metadata(location_ISO6709=LOCATION, author="Jo Fictional")),
            "where it was taken (com.apple.quicktime.location.ISO6709) and who made it "
            "(com.apple.quicktime.author)",
        ),
        # The same in udta/meta, where meta has a version and flags first (ISO's, not Apple's).
        (
            mp4(mp4_box(b"udta", mp4_box(b"meta", bytes(4) + apple_metadata(author="Jo")[8:]))),
            "who made it (com.apple.quicktime.author)",
        ),
        (
            mp4(place_taken(), mp4_box(b"udta", mp4_box(b"\xa9aut", b"\x00\x02\x15\xc7Jo"))),
            "where it was taken (©xyz) and who made it (©aut)",
        ),
    ],
    ids=[
        "android",
        "streaming",
        "in-a-track",
        "3gpp",
        "iphone",
        "iphone-author",
        "udta-meta-author",
        "quicktime-author",
    ],
)
def test_a_video_that_says_where_it_was_taken_or_by_whom_is_refused(
    tmp_path: Path, video: bytes, holds: str
) -> None:
    """YouTube gets the file as it is: a phone's video says where it was taken, and may say
    whose phone took it. The build refuses it, naming what it holds and how to remove it."""
    problem = video_problem(tmp_path, video)
    assert problem is not None
    assert problem.message == f"'videos/tour.mp4' holds {holds}, {TOUR_CLEANED}"


def test_the_way_to_clean_a_video_names_its_file_as_a_shell_reads_it(tmp_path: Path) -> None:
    problem = video_problem(tmp_path, mp4(place_taken()), "bridge tour.MOV")
    assert problem is not None
    assert "(in its folder: ffmpeg -i 'bridge tour.MOV' -map_metadata -1 -c copy " in (
        problem.message
    )
    assert problem.message.endswith("'bridge tour-clean.MOV') and name the copy")


def _largesize_mdat(payload: bytes) -> bytes:
    return (1).to_bytes(4, "big") + b"mdat" + (16 + len(payload)).to_bytes(8, "big") + payload


@pytest.mark.parametrize(
    "video",
    [
        mp4(),
        mp4(moov_first=True, size=4096),
        mp4(apple_metadata(make="Apple", model="iPhone 15", software="18.1")),  # not a person
        mp4(mp4_box(b"udta", mp4_box(b"\xa9xyz", bytes(4)))),  # an empty place
        mp4(mp4_box(b"udta", mp4_box(b"\xa9nam", b"\x00\x04\x15\xc7Tour") + bytes(4))),
        mp4(moov_first=True)[:-8] + _largesize_mdat(bytes(100)),  # 64-bit size
        mp4(moov_first=True)[:-8] + (0).to_bytes(4, "big") + b"mdat" + bytes(100),  # to the end
        (ROOT / "content" / "videos" / "glenmerry-water-main.mp4").read_bytes(),
    ],
    ids=[
        "mp4",
        "streaming",
        "device",
        "empty-place",
        "quicktime-end-of-list",
        "64-bit-size",
        "size-0",
        "sample",
    ],
)
def test_a_video_that_says_only_what_it_shows_is_uploaded(tmp_path: Path, video: bytes) -> None:
    assert video_problem(tmp_path, video) is None


@pytest.mark.parametrize(
    "video",
    [
        mp4(place_taken())[:-10],  # cut short in its header
        mp4(moov_first=True, size=200)[:150],  # cut short in its media
        mp4()[:30],  # in a box's size and type
        b"\x00" * 64,  # no video's boxes
        b"Not a video at all, just text.",
        mp4()[:24] + (4).to_bytes(4, "big") + b"moov",  # a box smaller than its header
        mp4()[:24] + mp4_box(b"moov", (64).to_bytes(4, "big") + b"udta"),  # past its parent
        mp4()[:24] + _largesize_mdat(b"")[:8] + (2**62).to_bytes(8, "big"),  # past the end
        mp4()[:24] + mp4_box(b"mdat", bytes(64)),  # no header (moov) at all
        mp4(mp4_box(b"udta", mp4_box(b"free") * 20_000)),  # too many boxes to read
        mp4_box(b"RIFF", bytes(8)) + mp4()[24:],  # a first box no video starts with
    ],
    ids=[
        "cut-in-header",
        "cut-in-media",
        "cut-in-a-box-header",
        "zeros",
        "text",
        "box-smaller-than-its-header",
        "box-past-its-parent",
        "box-past-the-end",
        "no-moov",
        "too-many-boxes",
        "not-a-videos-first-box",
    ],
)
def test_a_video_that_cannot_be_read_is_refused(tmp_path: Path, video: bytes) -> None:
    """What a file that cannot be read says besides its picture and sound is not known: the
    build refuses it as it refuses an image it cannot read, and never stops on it."""
    problem = video_problem(tmp_path, video)
    assert problem is not None
    assert problem.message == "'videos/tour.mp4' cannot be read as a video"


def test_a_video_of_boxes_inside_boxes_without_end_is_refused(tmp_path: Path) -> None:
    nested = mp4_box(b"udta")
    for _ in range(2000):
        nested = mp4_box(b"udta", nested)
    problem = video_problem(tmp_path, mp4(nested))
    assert problem is not None and problem.message.endswith("cannot be read as a video")


def test_a_video_of_another_kind_is_read_by_what_its_file_holds(tmp_path: Path) -> None:
    """An MP4 renamed .avi is uploaded as an MP4; a WebM's file is not an MP4's, nor read so."""
    located = video_problem(tmp_path, mp4(place_taken()), "tour.avi")
    assert located is not None and "holds where it was taken (©xyz)" in located.message
    webm = b"\x1a\x45\xdf\xa3" + bytes(60)
    assert video_problem(tmp_path, webm, "tour.webm") is None


def test_only_a_videos_header_is_read_not_its_media(tmp_path: Path) -> None:
    """A long video is gigabytes of media after (or before) a header of a few kilobytes: only
    the boxes' headers are read on the way to it. 5 GiB of media on a sparse file (nothing
    written) would take seconds and the memory of the machine to read."""
    (tmp_path / "videos").mkdir()
    path = tmp_path / "videos" / "tour.mp4"
    media = 5 * 2**30
    with path.open("wb") as file:
        file.write(mp4(place_taken(), moov_first=True)[:-8])
        file.write((1).to_bytes(4, "big") + b"mdat" + (16 + media).to_bytes(8, "big"))
        file.truncate(file.tell() + media)
    started = time.monotonic()
    (problem,) = problems_for(tmp_path, video="videos/tour.mp4")
    assert "holds where it was taken (©xyz)" in problem.message
    assert time.monotonic() - started < 1


def test_a_video_changed_since_it_was_checked_is_checked_again(tmp_path: Path) -> None:
    assert video_problem(tmp_path, mp4(size=2048)) is None
    problem = video_problem(tmp_path, mp4(place_taken(), size=4096))
    assert problem is not None and "holds where it was taken" in problem.message


def test_a_syndicate_value_that_is_not_a_platform_is_refused() -> None:
    problem = only_problem(syndicate="[facebook, instagram]")
    assert problem.field == "syndicate"
    assert "'instagram' is not a platform; expected any of: facebook, twitter, youtube" in (
        problem.message
    )


def test_youtube_needs_a_video_and_a_video_adds_youtube(tmp_path: Path) -> None:
    problem = only_problem(syndicate="[youtube]")
    assert (problem.field, problem.message) == (
        "syndicate",
        "youtube needs a 'video:' file to upload",
    )
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "tour.mp4").write_bytes(mp4())
    item, problems = parse_announcement(
        PATH, announcement(**BASIC, video="videos/tour.mp4"), CITY, tmp_path
    )
    assert problems == [] and item is not None
    assert item.syndicate == ("facebook", "twitter", "youtube")


def test_an_unknown_field_is_refused_as_a_likely_typo() -> None:
    problem = only_problem(catgory="alert")
    assert problem.field == "catgory"
    assert "is not a known field" in problem.message


def test_the_lines_named_are_those_an_editor_shows() -> None:
    """A U+2028 (a line separator, allowed in the text and in a quoted value) is not the end
    of a line for git or an editor, though YAML and `str.splitlines` take it for one: the
    build names the line an editor shows."""
    title = '"Flushing\u2028done"'
    assert only_problem(title=title, category="parade").line == 4
    assert only_problem(title=title, summary="'x'", tags="[a, a]\ntags: [b]").line == 7
    problem = only_problem(body="One\u2028two.\n\nTODO: the time.\n")
    assert (problem.field, problem.line) == ("text", 9)


@pytest.mark.parametrize(
    ("tags", "line", "refused", "fix"),
    [
        ("[water, '<deck>']", 6, "'<deck>'", "in letters or digits, as 'deck', or remove"),
        ("water, ???", 6, "'???'", "in letters or digits, or remove"),
        ("\n  - water\n  - '&'", 8, "'&'", "in letters or digits, or remove"),  # its own line
    ],
)
def test_a_tag_the_build_can_make_no_name_of_is_refused(
    tags: str, line: int, refused: str, fix: str
) -> None:
    """Pelican names each tag by a slug of it, and stops the whole build on one it cannot
    make ("Unable to generate valid slug for Tag"), naming no file: the build says where."""
    problem = only_problem(tags=tags)
    assert (problem.field, problem.line) == ("tags", line)
    assert problem.message == (
        f"{refused} has no letter or digit the build can name it by (it drops anything in "
        f"angle brackets, as HTML, and punctuation and symbols); write the topic {fix} the tag"
    )


def test_a_tag_in_any_language_or_with_a_hyphen_is_a_tag() -> None:
    assert problems_for(tags="[Café, 日本, '---', Gyro Park, 'a <b>pool</b>']") == []


def test_a_field_given_twice_is_refused() -> None:
    text = announcement(**BASIC).replace("summary:", "title: Again\nsummary:", 1)
    _, problems = parse_announcement(PATH, text, CITY)
    assert [(p.field, p.line) for p in problems] == [("title", 5)]
    assert "given twice (first on line 2)" in problems[0].message


def test_withdrawal_needs_a_public_reason_and_a_reason_needs_withdrawal() -> None:
    assert only_problem(status="withdrawn", modified="2026-11-21 10:00").field == (
        "withdrawn_reason"
    )
    assert only_problem(withdrawn_reason="Wrong date").message == (
        "is only allowed with 'status: withdrawn'"
    )
    assert only_problem(status="gone").field == "status"


def test_a_withdrawal_says_when_it_was_made() -> None:
    """Leaving the feeds and lists is a change to each, dated by `modified`: without it, their
    updated time would go back to the date of what they still list."""
    problem = only_problem(status="withdrawn", withdrawn_reason="Postponed.")
    assert (problem.field, problem.line) == ("modified", 6)  # the `status:` line
    assert problem.message == (
        "is required with 'status: withdrawn'; give when it was withdrawn, City time"
    )
    withdrawn = problems_for(
        status="withdrawn", withdrawn_reason="Postponed.", modified="2026-11-21 10:00"
    )
    assert withdrawn == []


def test_a_correction_says_when_it_was_made() -> None:
    problem = only_problem(correction="The closure is on Friday, not Thursday.")
    assert problem.field == "correction" and "needs 'modified:'" in problem.message
    item, problems = parse_announcement(
        PATH,
        announcement(
            **BASIC,
            modified="2026-11-21 10:00",
            correction="The closure is on Friday, not Thursday.",
        ),
        CITY,
    )
    assert problems == [] and item is not None
    assert [(c.date, c.note) for c in item.corrections] == [
        (item.modified, "The closure is on Friday, not Thursday.")
    ]
    assert item.updated == item.modified


def test_corrections_may_be_a_dated_list() -> None:
    body = (
        "\n  - date: 2026-11-22 08:00\n    note: Second fix."
        "\n  - date: 2026-11-21 08:00\n    note: First fix."
    )
    item, problems = parse_announcement(PATH, announcement(**BASIC, correction=body), CITY)
    assert problems == [] and item is not None
    assert [c.note for c in item.corrections] == ["First fix.", "Second fix."]
    assert item.modified is None and item.updated == item.corrections[-1].date
    bad = only_problem(correction="\n  - date: yesterday\n    note: Oops")
    assert (
        bad.field == "correction" and bad.line == 7 and "'yesterday' is not a date" in bad.message
    )


def test_a_correction_dated_before_the_announcement_is_refused() -> None:
    """An announcement cannot be corrected before it was published."""
    body = (
        "\n  - date: 2026-11-21 08:00\n    note: Second fix."
        "\n  - date: 2026-11-19 08:00\n    note: First fix."
    )
    problem = only_problem(correction=body)
    assert (problem.field, problem.line, problem.message) == (
        "correction",
        9,
        "'2026-11-19 08:00' is before date; expected when the correction was made, "
        "after the announcement was published",
    )
    assert problems_for(correction="\n  - date: 2026-11-20 09:00\n    note: At once.") == []


def test_a_change_dated_by_the_announcements_own_day_asks_for_its_time() -> None:
    """A day alone is its midnight: on the announcement's own day (09:00) that is before it,
    and the message says what is missing rather than only that it is too early."""
    asks = (
        "is before date: a day alone is its midnight, and the announcement is from 09:00 that "
        "day; give the time too, e.g. '2026-11-20 09:00' or later"
    )
    problem = only_problem(correction="\n  - date: 2026-11-20\n    note: Starts at 5 p.m.")
    assert (problem.field, problem.message) == (
        "correction",
        f"'2026-11-20' {asks}; expected when the correction was made, after the announcement "
        "was published",
    )
    problem = only_problem(modified="2026-11-20")
    assert (problem.field, problem.message) == (
        "modified",
        f"{asks}; expected the time of the latest change",
    )
    assert problems_for(modified="2026-11-21") == []  # a later day alone is fine


def test_dates_must_run_forward() -> None:
    assert only_problem(modified="2026-11-19 09:00").field == "modified"
    assert only_problem(expires="2026-11-20 09:00").field == "expires"


def test_urgent_must_be_true_or_false() -> None:
    problem = only_problem(urgent="very")
    assert (problem.field, problem.message) == ("urgent", "'very' is not true or false")


@pytest.mark.parametrize(("written", "value"), [('"true"', "true"), ("'No'", "No")])
def test_urgent_in_quotes_is_refused_saying_to_write_it_without_them(
    written: str, value: str
) -> None:
    """Not "'true' is not true or false": quoted, it is text, and the message says so."""
    problem = only_problem(urgent=written)
    assert (problem.field, problem.message) == (
        "urgent",
        f"'{value}' is in quotes, which makes it text, not true or false; write it without "
        f"them: urgent: {value}",
    )


def test_urgent_given_as_a_list_is_refused_without_quoting_yaml_nodes() -> None:
    problem = only_problem(urgent="[true]")
    assert (problem.field, problem.message) == ("urgent", "expected true or false")


def test_front_matter_must_be_there_and_be_yaml() -> None:
    _, problems = parse_announcement(PATH, "Just text\n", CITY)
    assert [(p.field, p.line) for p in problems] == [("front matter", 1)]
    for text in ("Just text\n", "Just text\rand more\r", "---\rtitle: x\r"):  # no closing '---'
        (problem,) = parse_announcement(PATH, text, CITY)[1]
        assert problem.message.startswith("expected the file to start with a '---' line")
    _, problems = parse_announcement(PATH, "---\ntitle: [unclosed\n---\nBody\n", CITY)
    assert problems[0].field == "front matter" and "not valid YAML" in problems[0].message
    assert "tab" not in problems[0].message
    tabbed = "---\ntitle: Tabs\ntags:\n\t- water\n---\nBody\n"
    (problem,) = parse_announcement(PATH, tabbed, CITY)[1]
    assert (problem.field, problem.line) == ("front matter", 4)
    assert problem.message.endswith("this line has a tab: indent and space with spaces only)")


@pytest.mark.parametrize(
    ("field", "typed", "line", "quoted"),
    [
        ("title", "Road work: Bay Avenue", 2, '"Road work: Bay Avenue"'),
        ("title", "'Rossland's Café'", 2, '"Rossland\'s Café"'),
        ("title", '"Rossland"s Café"', 2, '"Rossland\\"s Café"'),
        ("summary", "Closed: see the schedule.", 5, '"Closed: see the schedule."'),
        ("summary", '"Closed" until Monday.', 5, '"\\"Closed\\" until Monday."'),
        ("summary", "*Closed* until Monday.", 5, '"*Closed* until Monday."'),
        ("summary", "@TrailBC crews are out.", 5, '"@TrailBC crews are out."'),
    ],
)
def test_a_value_yaml_cannot_read_as_written_is_named_by_its_field(
    field: str, typed: str, line: int, quoted: str
) -> None:
    """A colon and a space in a title, quotation marks around its first words, an apostrophe in
    single quotes: the commonest of the CEC's YAML mistakes, named by the field and how to
    write it, not as "front matter: is not valid YAML (did not find expected key)"."""
    (problem,) = problems_for(None, **{field: typed})
    assert (problem.field, problem.line) == (field, line)
    assert problem.message.startswith("is not valid YAML (")
    assert problem.message.endswith(
        f'; write the value in double quotes, each \\ and " in it after a \\: {field}: {quoted})'
    )


@pytest.mark.parametrize(("field", "line"), [("title", 2), ("location", 7)])
def test_a_value_starting_with_a_hash_is_named_as_read_for_a_comment(field: str, line: int) -> None:
    """`title: #1 priority` is an empty title to YAML, a `#` after a space starting a comment:
    the message said only "expected text"."""
    fields = {"category": "city-event", "event_start": "2026-12-05 10:00"}
    fields[field] = "#1 pick: Gyro Park"
    problems = problems_for(None, **fields)
    assert [(p.field, p.line, p.message) for p in problems if p.field == field] == [
        (
            field,
            line,
            "expected text (#1 pick: Gyro Park reads as a comment: in YAML a # after a space "
            f'starts one); write the value in double quotes: {field}: "#1 pick: Gyro Park"',
        )
    ]


def test_a_list_yaml_cannot_read_gets_no_hint_to_quote_it() -> None:
    """`tags: "[a, b], c"` reads as three tags, `[a`, `b]` and `c`: quoting a list would
    publish wrong tags without a word, so a list or mapping gets no such hint."""
    (problem,) = problems_for(None, tags="[water, pools], rinks")
    assert problem.message.startswith("is not valid YAML (")
    assert "double quotes" not in problem.message


def test_a_yaml_error_after_a_field_is_not_named_by_it() -> None:
    # `[water` is unclosed on line 3; YAML finds that out at `summary:`, two lines below it.
    text = "---\ntitle: Flushing\ntags: [water\ndate: 2026-11-20 09:00\nsummary: Flushing.\n---\n"
    (problem,) = parse_announcement(PATH, text, CITY)[1]
    assert problem.field == "front matter"


@pytest.mark.parametrize(
    ("field", "typed", "line", "closed"),
    [
        ("title", '"Water main flushing', 2, '"Water main flushing"'),
        ("title", "'Water main flushing", 2, "'Water main flushing'"),
        ("summary", '"Crews flush mains.   ', 5, '"Crews flush mains."'),
    ],
)
def test_an_unclosed_quotation_mark_is_named_by_its_field_and_line(
    field: str, typed: str, line: int, closed: str
) -> None:
    """YAML reads on past a value whose opening quotation mark is not closed, to the end of
    the front matter, and says it ran out there: the message named the closing `---` and no
    field, not the line the quotation mark is on."""
    (problem,) = problems_for(None, **{field: typed})
    quote = typed[0]
    assert (problem.field, problem.line, problem.message) == (
        field,
        line,
        f"is not valid YAML (the {quote} opening its value is not closed; end the value "
        f"with {quote} too: {field}: {closed})",
    )


def test_an_unclosed_quotation_mark_in_a_value_of_several_lines_is_named_where_it_opens() -> None:
    # Where it should close is the writer's to say: the value goes on below.
    text = '---\ntitle: Flushing\nsummary: "Crews flush\n  mains.\ndate: 2026-11-20 09:00\n---\n'
    (problem,) = parse_announcement(PATH, text, CITY)[1]
    assert (problem.field, problem.line, problem.message) == (
        "summary",
        3,
        'is not valid YAML (the " opening its value is not closed; end the value with " '
        "where it ends)",
    )


def test_an_unclosed_quotation_mark_inside_a_value_is_named_by_its_line() -> None:
    text = '---\ntitle: Flushing\ntags:\n  - water\n  - "pools\ndate: 2026-11-20 09:00\n---\n'
    (problem,) = parse_announcement(PATH, text, CITY)[1]
    assert (problem.field, problem.line, problem.message) == (
        "front matter",
        5,
        'is not valid YAML (the " on this line is not closed; close it, or remove it)',
    )
    text = '---\ntitle: Flushing\ntags: [water, "pools]\ndate: 2026-11-20 09:00\n---\n'
    (problem,) = parse_announcement(PATH, text, CITY)[1]
    assert (problem.field, problem.line, problem.message) == (
        "tags",
        3,
        'is not valid YAML (the " on this line is not closed; close it, or remove it)',
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\rtitle: Flushing\r---\rBody\r", 1),
        ("---\rtitle: Flushing\r\n---\n", 1),
        ("---\ntitle: Flushing\rdate: 2026-11-20 09:00\r---\rBody\r", 2),
    ],
)
def test_a_file_whose_lines_end_in_a_carriage_return_alone_is_told_so(text: str, line: int) -> None:
    """A file saved with old-Mac line ends (a carriage return, no line feed) starts with a
    '---' line to its editor, which the message denied."""
    (problem,) = parse_announcement(PATH, text, CITY)[1]
    assert (problem.field, problem.line, problem.message) == (
        "front matter",
        line,
        "its lines end in a carriage return alone (old Mac line ends), which the build does "
        "not read as line ends; save the file with LF (Unix) or CRLF (Windows) line ends",
    )


@pytest.mark.parametrize(
    ("plain", "typed", "line", "what"),
    [
        ("summary: ", "summary:\u00a0", 5, "a no-break space (U+00A0)"),  # YAML names line 6
        ("summary: ", "summary:\u202f", 5, "a narrow no-break space (U+202F)"),
        ("title: ", "title:\u00a0", 2, "a no-break space (U+00A0)"),  # YAML names line 3
        ("summary: ", "summary\uff1a ", 5, "a full-width colon (U+FF1A)"),
        ("summary: ", "tags:\n\u00a0\u00a0- water\nsummary: ", 6, "a no-break space (U+00A0)"),
    ],
)
def test_a_no_break_space_or_full_width_colon_in_front_matter_is_named_on_its_line(
    plain: str, typed: str, line: int, what: str
) -> None:
    # A word processor or a phone's keyboard types them; an editor shows a space or a colon.
    text = announcement(**BASIC).replace(plain, typed)
    (problem,) = parse_announcement(PATH, text, CITY)[1]
    assert (problem.field, problem.line) == ("front matter", line)
    assert f"this line has {what}" in problem.message and "retype it" in problem.message


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    problems = problems_for(category="parade", date="soon", urgent="maybe")
    assert {p.field for p in problems} == {"category", "date", "urgent"}


def test_split_front_matter_returns_the_body_and_its_first_line() -> None:
    parts = split_front_matter("---\ntitle: x\n---\nHello\n")
    assert parts == ("title: x\n", "Hello\n", 4)


def test_pages_need_a_title_and_known_fields() -> None:
    page, problems = parse_page("content/pages/about.md", "---\ntitle: About\n---\nHi\n", CITY)
    assert problems == [] and page is not None and page.title == "About"
    _, problems = parse_page("content/pages/about.md", "---\nheading: About\n---\n", CITY)
    assert {p.field for p in problems} == {"heading", "title"}


def test_an_announcement_is_posted_to_youtube_only_with_a_video() -> None:
    """The manifest and `invoke status` both read `posted_on`: they must agree where a post
    is kept in step (status would otherwise report a YouTube post as left up)."""
    item, problems = parse_announcement(PATH, announcement(**BASIC), CITY, None)
    assert item is not None and not problems
    assert item.posted_on == item.syndicate and "youtube" not in item.posted_on
    with_youtube = replace(item, syndicate=("facebook", "youtube"))
    assert with_youtube.posted_on == ("facebook",)
    assert replace(with_youtube, video="videos/tour.mp4").posted_on == ("facebook", "youtube")


def test_each_files_front_matter_is_read_as_yaml_once_for_all_its_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The lint and the build read a file's fields, placeholders, invisible characters and
    # dated changes each for itself: YAML reads the front matter once for all four.
    read: list[str] = []
    compose = yaml.compose

    def counted(text: str, Loader: type) -> yaml.Node | None:
        read.append(text)
        return compose(text, Loader=Loader)

    monkeypatch.setattr(yaml, "compose", counted)
    now = parse_datetime("2026-11-24 12:00", CITY)
    # A title of its own: no other test's front matter, read before, is this one.
    fields = {**BASIC, "title": "Front matter read once", "modified": "2026-11-21 10:00"}
    text = announcement(**fields)
    item, problems = parse_announcement(PATH, text, CITY)
    assert item is not None and problems == []
    assert placeholders(PATH, text) == invisible_characters(PATH, text) == []
    assert changes_dated_later(PATH, text, CITY, now) == []
    assert read == [split_front_matter(text)[0]]  # type: ignore[index]
    # Another text is read for itself: a change dated later is found in it, not taken for
    # the first file's.
    later = text.replace("2026-11-21 10:00", "2026-11-25 10:00")
    assert [p.field for p in changes_dated_later(PATH, later, CITY, now)] == ["modified"]
    assert len(read) == 2
