"""The CEC's commands: `invoke new` writes a correctly named announcement that builds at once,
`invoke preview` shows exactly what each platform will receive."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from announcements import misplaced
from announcements.addresses import announcement_address, slug_of, slugified
from announcements.filters import city_datetime
from announcements.model import (
    CATEGORIES,
    EVENT_CATEGORIES,
    EVENT_CATEGORIES_NAMED,
    PLACEHOLDER,
    PLATFORMS,
    changes_dated_later,
    first_invisible_character,
    invisible_character,
    parse_announcement,
    parse_datetime,
    parse_event_time,
    read_source,
)
from archive.index import CITY
from syndication.ledger import Record
from syndication.manifest import Entry, Manifest, parse_manifest
from syndication.reconcile import (
    CREATE,
    UPDATE,
    WITHDRAW,
    built_before_problem,
    left_behind,
    not_to_act_on,
    plan,
    removed_elsewhere_problem,
)
from syndication.runner import PLATFORM_CLASSES
from syndication.text import utf8_length, x_length
from syndication.twitter import Twitter
from syndication_manifest import MANIFEST_VERSION, announcement_entry

SUMMARY_TO_DO = f"{PLACEHOLDER}: one or two plain sentences for social media."
SLUG_LIMIT = 80  # characters: a long title would make a file name the file system refuses
EVENT_LENGTH = timedelta(hours=2)  # an event's end until the CEC checks it
# What the next run does on a platform, as the ledger has it (`_shown`).
FIRST_POST = "not posted yet: the next run posts this"
EDITED = "already posted: the next run edits it in place to this"  # `edits_posts`
REPLY = "already posted: X's post cannot be edited; the next run replies to it"
IN_STEP = "already posted and in step: the next run sends nothing"
NOT_SENT = "the next run sends nothing: "  # and says why (`_reported`)
# A withdrawn one where the ledger has none of its posts up: never posted there, or taken down.
NOTHING_UP = "nothing to take down (none of its posts is up there): the next run sends nothing"
# Each text's length, as the platform counts it.
COUNTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "facebook": lambda p: f"{len(p['message'])} characters",
    "twitter": lambda p: f"{x_length(p['text'])} of 280 as X counts",
    "youtube": lambda p: (
        f"title {len(p['title'])} of 100 characters, description "
        f"{utf8_length(p['description'])} of 5000 bytes"
    ),
}


class AuthoringError(ValueError):
    """The command cannot do what was asked; the message says why and what to do."""


def _when(value: str | None, default: datetime, name: str) -> datetime:
    if not value:
        return default
    try:  # read as the build reads it: the same refusals (no such date, a skipped hour, ...)
        return parse_datetime(value, CITY).astimezone(CITY)
    except ValueError as error:
        raise AuthoringError(f"--{name}: {error}") from None


def _event_start(value: str | None, default: datetime) -> datetime | date:
    """`--event-start`: a day alone (an all-day event) or a time, read as the build reads it."""
    if not value:
        return default
    try:
        start = parse_event_time(value, CITY)
    except ValueError as error:
        raise AuthoringError(f"--event-start: {error}") from None
    return start.astimezone(CITY) if isinstance(start, datetime) else start


def _event_time(when: datetime | date) -> str:
    return city_time(when) if isinstance(when, datetime) else when.isoformat()


def city_time(when: datetime) -> str:
    """`when` as the file should say it: City time, as the reader assumes without an offset;
    with the offset when that would read back as another instant (the hour repeated as
    daylight saving time ends)."""
    # A default a week on is reckoned on the clock and may fall in the hour skipped when
    # clocks go forward: the same instant, as the clock then reads.
    when = when.astimezone(UTC).astimezone(CITY)
    written = when.isoformat(" ", "seconds" if when.second else "minutes")
    local = written[:-6]  # without the offset, +HH:MM
    if datetime.fromisoformat(local).replace(tzinfo=CITY).utcoffset() == when.utcoffset():
        return local
    return written


def default_event_end(start: datetime | date) -> datetime | date:
    """`EVENT_LENGTH` after `start`, in City time; for an all-day event (a day alone), that
    same day, its last."""
    if not isinstance(start, datetime):
        return start
    # Elapsed time, added in UTC: the event lasts two hours for the people there also the
    # night the clocks change, where two hours on the clock (aware datetimes in one zone add
    # on the clock) would be three or one. In City time, the end is never in the skipped
    # hour, and one in the repeated hour has its fold, which city_time writes as an offset.
    return (start.astimezone(UTC) + EVENT_LENGTH).astimezone(CITY)


def new_announcement(
    content_dir: Path,
    title: str,
    category: str,
    date: str | None = None,
    event_start: str | None = None,
    summary: str | None = None,
    urgent: bool = False,
    body: str | None = None,
    status: str = "draft",
    now: datetime | None = None,
    summary_waivers: Sequence[str] = (),
) -> Path:
    """Write `content/announcements/<date>-<slug>.md` with every required field filled or
    marked; it builds as it is (a draft, unless `status` says otherwise). `summary_waivers`
    (`<!-- lint-ok RULE: why -->`) go on the line above the summary, where the lint reads
    them for it."""
    if category not in CATEGORIES:
        raise AuthoringError(f"--category: '{category}' is not one of {', '.join(CATEGORIES)}")
    if event_start is not None and category not in EVENT_CATEGORIES:
        # Only an event's file has the field: dropped, it would leave the CEC believing it set.
        raise AuthoringError(
            f"--event-start: only an event takes it (--category {EVENT_CATEGORIES_NAMED}), "
            "not --category "
            f"{category}; leave it out, or give the event's category"
        )
    if not title.strip():
        raise AuthoringError("title: give the announcement a title")
    if invisible := first_invisible_character(title):  # the build would refuse it later
        raise AuthoringError(f"title: {invisible_character(invisible)}")
    if not _slug(title):
        raise AuthoringError(
            f"title: '{title}' has no letters or digits to name the file by; give it words"
        )
    default = (now or datetime.now(CITY)).astimezone(CITY).replace(second=0, microsecond=0)
    published = _when(date, default, "date")
    path = announcement_path(content_dir, title, published)
    if path.exists():
        raise AuthoringError(f"{path}: already exists; edit it, or choose another title")
    lines = [
        "---",
        f"title: {_yaml_text(title)}",
        f"date: {city_time(published)}",
        f"category: {category}",
        *([f"# {' '.join(summary_waivers)}"] if summary_waivers else []),
        f"summary: {_yaml_text(summary or SUMMARY_TO_DO)}",
    ]
    if category in EVENT_CATEGORIES:
        start = _event_start(event_start, published + timedelta(days=7))
        lines += [
            f"event_start: {_event_time(start)}",
            f"event_end: {_event_time(default_event_end(start))}  # {PLACEHOLDER}: check",
            f"location: {PLACEHOLDER}, where it happens",
        ]
    if urgent:
        lines.append("urgent: true")
    # The reminder is for a draft only: on a file written as published (an alert) it misleads.
    reminder = "  # change to published when it is ready" if status == "draft" else ""
    lines += [
        f"status: {status}{reminder}",
        "---",
        body
        or f"{PLACEHOLDER}: the announcement, in plain language: what, where, when, what to do.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def announcement_path(content_dir: Path, title: str, published: datetime) -> Path:
    """Where `new_announcement` writes the announcement of that title and day."""
    return content_dir / "announcements" / f"{published:%Y-%m-%d}-{_slug(title)}.md"


def _slug(title: str) -> str:
    """The file name part, as Pelican would make a slug of the title, cut at a word boundary
    when long."""
    slug = slugified(title)
    if len(slug) > SLUG_LIMIT:
        cut = slug[: SLUG_LIMIT + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:SLUG_LIMIT]
    return slug


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def preview(
    path: Path,
    content_dir: Path,
    siteurl: str,
    now: datetime | None = None,
    posted: Mapping[str, Record] | None = None,
) -> dict[str, Any]:
    """What each platform will receive for one announcement at `now` (default: the present),
    counted as it counts; for a withdrawn one, what is taken down instead. `posted`: the
    ledger's records of it by platform, to show what the next run does where it is posted
    already (None: no ledger to read; the texts are then those of a first post)."""
    where = path.resolve()
    if where.is_relative_to(content_dir.resolve()):
        if not where.is_relative_to((content_dir / "announcements").resolve()):
            raise AuthoringError(
                f"{path}: not an announcement (pages are not syndicated; announcements are in "
                f"{content_dir / 'announcements'})"
            )
        # A file the build would not publish (`.md.txt`, in a folder inside announcements/)
        # has no page to show the address of: refused as the build refuses it.
        refused = misplaced(path, content_dir)
        if refused:
            raise AuthoringError("\n".join(str(p) for p in refused))
    text, unreadable = read_source(path, str(path))
    if text is None:
        raise AuthoringError(str(unreadable))
    item, problems = parse_announcement(str(path), text, CITY, content_dir)
    if item is None:
        raise AuthoringError("\n".join(str(p) for p in problems))
    # As the next syndication run would send it: an alert expired by now is not urgent.
    now = now or datetime.now(CITY)
    # A change dated after it can have been made is refused by the build, as of its time.
    later = changes_dated_later(str(path), text, CITY, now)
    if later:
        raise AuthoringError("\n".join(str(p) for p in later))
    address = (siteurl, announcement_address(path))
    url = "/".join(address)
    guidelines = f"{siteurl}/comment-guidelines.html"
    folder = content_dir.resolve()
    source = where.relative_to(folder) if where.is_relative_to(folder) else path
    built = announcement_entry(item, slug_of(path), address, source.as_posix(), guidelines, now)
    # Its entry as a run reads it from the build's manifest.
    manifest = parse_manifest(
        {"version": MANIFEST_VERSION, "comment_guidelines": guidelines, "announcements": [built]}
    )
    # Said as its page's badges say it: a withdrawn one is neither urgent nor expired.
    expired = item.is_expired(now) and not item.withdrawn
    shared = item.preview()
    # Held back by the build until its date (`publish_due`), a withdrawn one too: it is in no
    # manifest until then, so no run posts or takes down anything of it. A draft is never
    # published.
    due = item.date <= now or item.status == "draft"
    scheduled = None if due else city_datetime(item.date, CITY)
    # A draft is in no manifest either: no run posts it, whatever the ledger holds.
    known = posted if due and item.status != "draft" else None
    runs = _next_run(manifest, known) if known is not None else None
    entry = manifest.entries[0]
    if known is not None:
        reported = _reported(entry, known)
    elif posted is not None and not item.withdrawn:  # in no manifest: posts up are left up
        reported = _left_behind(entry.id, posted)
    else:
        reported = {}
    if item.withdrawn:  # its posts are taken down, not sent
        held = (
            f"held back by the build until {scheduled}: nothing is posted, and nothing taken "
            "down, before then; from then, "
            if scheduled
            else ""
        )
        # Where it could have been posted (as for a post), or where a run takes a post down.
        names = [
            p for p in PLATFORMS if p in item.posted_on or (runs or {}).get(p) or p in reported
        ]
        platforms = {n: {"withdrawal": held + _takedown(n, runs, reported)} for n in names}
    else:
        platforms = {
            name: {"run": reported[name]} if name in reported else _shown(name, entry, runs, known)
            for name in entry.posts
        }
    return {
        "page": url,
        "status": item.status,
        "scheduled": scheduled,
        "urgent": item.urgent and not expired and not item.withdrawn,
        "expired": city_datetime(item.expires, CITY) if expired and item.expires else None,
        # As the page shares itself (a withdrawn one's shows only its notice: no image).
        "image": f"{siteurl}/{shared.image}" if shared.image else None,
        "image_alt": shared.image_alt,
        # Whether the texts are those of a first post, not known to be posted already.
        "first_post": runs is None and not reported,
        "platforms": platforms,
    }


def _next_run(manifest: Manifest, posted: Mapping[str, Record]) -> dict[str, str | None]:
    """What the next run does with the manifest's one announcement on each platform, planned
    as a run plans it from the ledger's records (`posted`, by platform): create, update,
    withdraw, or None (nothing)."""
    entry = manifest.entries[0]
    records = {(entry.id, name): record for name, record in posted.items()}
    planned = {action.platform: action.kind for action in plan(manifest, records, PLATFORMS)}
    return {name: planned.get(name) for name in PLATFORMS}


def _reported(entry: Entry, posted: Mapping[str, Record]) -> dict[str, str]:
    """Each platform where the next run sends nothing of the announcement, and why, in the
    run's words: a build it cannot act on (`not_to_act_on`), which it reports, or a post
    removed on the platform outside this system (which it reports once there is a change it
    cannot send)."""
    reported = {}
    for name, record in posted.items():
        if not_to_act_on(entry, record):
            reported[name] = built_before_problem(entry, record)
        elif record.removed_elsewhere and not entry.withdrawn:
            reported[name] = removed_elsewhere_problem(record, PLATFORM_CLASSES[name].label)
    return {name: f"{NOT_SENT}{problem}" for name, problem in reported.items()}


def _takedown(name: str, runs: Mapping[str, str | None] | None, reported: Mapping[str, str]) -> str:
    """What the next run does on the platform `name` for a withdrawn announcement: with the
    ledger, takes down a post it has up, or sends nothing (and why, where it says so);
    without, takes down any there may be, as the platform's class says it."""
    if name in reported:
        return reported[name]
    if runs is not None and runs[name] != WITHDRAW:
        return NOTHING_UP
    return PLATFORM_CLASSES[name].withdrawal_said


def _left_behind(announcement: str, posted: Mapping[str, Record]) -> dict[str, str]:
    """Each platform where a post of an announcement no build lists (a draft, one dated after
    now) is still up: the next run leaves it there and reports it (`left_behind`)."""
    records = {(announcement, name): record for name, record in posted.items()}
    found = left_behind({}, records, PLATFORMS)
    return {record.platform: f"{NOT_SENT}{problem}" for record, problem in found}


def _shown(
    name: str,
    entry: Entry,
    runs: Mapping[str, str | None] | None,
    posted: Mapping[str, Record] | None,
) -> dict[str, Any]:
    """What the platform `name` gets: its post's texts, counted, or where the next run finds
    it posted (`runs`; None: not known), what that run does with the post instead."""
    post = entry.posts[name]
    shown = {**post, "count": COUNTS[name](post)}
    if runs is None:
        return shown
    if runs[name] == CREATE:
        return {**shown, "run": FIRST_POST}
    if runs[name] == UPDATE and PLATFORM_CLASSES[name].edits_posts:
        return {**shown, "run": EDITED}
    if runs[name] == UPDATE and posted is not None:  # X: its post stays as sent
        reply = Twitter.update_text(entry, posted[name])
        if reply is not None:
            return {"reply": reply, "count": f"{x_length(reply)} of 280 as X counts", "run": REPLY}
    return {"run": IN_STEP}


def latest_announcement(content_dir: Path) -> Path:
    """The announcement changed last: the one the CEC is working on. Files are named by date,
    so when times tie (every file of a fresh clone) the newest by name wins. Only files the
    build reads count: none in folders inside announcements/."""
    files = sorted(
        (content_dir / "announcements").glob("*.md"),
        key=lambda p: (p.stat().st_mtime_ns, p.name),
    )
    if not files:
        raise AuthoringError(f"{content_dir / 'announcements'}: no announcements yet")
    return files[-1]
