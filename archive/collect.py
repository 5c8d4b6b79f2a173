"""`invoke collect`: bring the public's comments home from every syndicated post."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from moderation.log import ModerationLog
from syndication.base import (
    AuthError,
    Comment,
    CommentsOff,
    NotFound,
    Platform,
    PlatformError,
    QuotaExhausted,
    RateLimited,
    redacted_logs,
)
from syndication.config import Settings
from syndication.ledger import Ledger, Record
from syndication.runner import make_platforms
from syndication.syndicate import Retry, resume_at

from .comments import CollectCounts, CommentArchive
from .git import commit_archive
from .index import city_time
from .pictures import PictureKeeper

# What of a platform's is used up ("rate limit", "daily quota"), and until when (None: the
# platform did not say).
Pause = tuple[str, datetime | None]

# Where each platform's collection last stopped at a rate limit or daily quota: the post it
# could not ask about. Kept with the records (and so pulled by the next run, wherever it
# runs), so that the next run goes on from there: begun again from the same post, every run
# would visit the same posts and never reach the rest, whenever there are more than a window
# or a day allows.
STOPPED_AT = Path("archive") / "collect-stopped-at.json"
# What each run adds up per platform.
COUNTED = (
    "new",
    "edited",
    "deleted",
    "unchanged",
    "pictures_kept",
    "pictures_not_kept",
    "pictures_left",
)


class Visit(NamedTuple):
    """A post whose comments collect asks for, and the announcement it is of."""

    announcement: str
    platform: str
    record: Record
    post_id: str


def collect(
    settings: Settings,
    content_dir: Path,
    say: Callable[[str], None] = print,
    days: int | None = None,
    now: datetime | None = None,
) -> tuple[dict[str, CollectCounts], list[str]]:
    """Record every new, edited or deleted comment; return counts per platform and failures.

    With `days` (default: settings.collect_days; 0 or None: every post), only posts that the
    ledger shows syndicated or changed within that many days are visited: at a decade of
    announcements, visiting every post every 15 minutes would meet the platforms' rate limits.
    Each platform is asked as syndication asks it (`Retry`): a transient fault is tried again,
    and a platform whose rate limit resets later than that waits, or whose daily quota is used
    up, is asked no more in the run; the next run goes on from the post it stopped at
    (`STOPPED_AT`, `_in_turn`).
    """
    days = settings.collect_days if days is None else days
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days) if days else None
    skipped = 0
    with redacted_logs(settings.secrets):
        platforms = make_platforms(settings, content_dir)
        archive, pictures, hidden = _opened(settings.records_dir)
        totals: dict[str, CollectCounts] = {}
        failures: list[str] = []
        closed: list[str] = []
        gone: list[tuple[str, str]] = []  # each post gone, and what became of its comments
        refused: set[str] = set()  # platforms that refused the credentials: asked no more
        # Platforms rate-limited beyond what a run waits or out of their daily quota: what is
        # used up, and when they may be asked again.
        paused: dict[str, Pause] = {}
        stopped_before = _stopped_at(settings.records_dir)
        stopped: dict[str, str] = {}  # the post each paused platform was not asked about
        unvisited: Counter[str] = Counter()
        retry = Retry()
        ledger = Ledger.in_records(settings.records_dir)
        records = [
            (key, record) for key, record in sorted(ledger.records().items()) if key[1] in platforms
        ]
        visits = _in_turn(
            [
                Visit(announcement, name, record, post_id)
                for (announcement, name), record in records
                for post_id in _collected_posts(record, platforms[name])
            ],
            stopped_before,
        )
        # Comments that went with a post the City withdrew (Facebook): recorded so, not as
        # their authors' deletions, and no longer awaiting a decision. The platform is not
        # asked: it knows the post no more.
        for (announcement, name), record in records:
            for post_id in _taken_down_with(record, platforms[name]):
                counts = archive.removed_with_post(announcement, name, post_id)
                if counts.deleted:
                    totals.setdefault(name, CollectCounts()).deleted += counts.deleted
        due: list[Visit] = []
        for visit in visits:
            if since is not None and _last_change(visit.record) < since:
                skipped += 1
            else:
                due.append(visit)
        # Each platform's posts in the groups it asks about in one call, in turn (X: as many
        # conversations as one search's query holds, each search counting against its window).
        for batch in _batched(due, platforms):
            name = batch[0].platform
            platform = platforms[name]
            if name in refused:
                continue
            if name in paused:
                unvisited[name] += len(batch)
                continue
            posts = ", ".join(_post_named(v.announcement, v.record, v.post_id) for v in batch)
            try:
                listed = retry(platform.comments_of, [visit.post_id for visit in batch])
            except CommentsOff:
                # Nothing to collect now; the comments already archived are not deleted.
                closed.append(f"{name}: {posts}")
                continue
            except NotFound as error:
                if len(batch) > 1:  # which of them is not known: none is taken for gone
                    failures.append(f"{name}: {posts}: {error}")
                    continue
                # Deleted on the platform itself, not withdrawn: nothing left to collect, and
                # nothing to fix here. The comments archived are kept; where the platform
                # deletes a post's comments with it (Facebook, as for a withdrawal), each
                # still up is recorded as removed with it, once: the public sees none now.
                (announcement, _, record, post_id) = batch[0]
                if record.gone != post_id:
                    ledger.gone(announcement, name, post_id, error=str(error))
                fate = "kept"
                if not platform.comments_outlive_withdrawal:
                    fate = "kept, recorded as removed with it"
                    counts = archive.removed_with_post(
                        announcement, name, post_id, deleted_on_platform=True
                    )
                    if counts.deleted:
                        totals.setdefault(name, CollectCounts()).deleted += counts.deleted
                gone.append((f"{name}: {posts}: no longer on {platform.label}", fate))
                continue
            except AuthError as error:
                failures.append(f"{name}: {posts}: {error}")
                refused.add(name)  # every other post would be refused the same way
                continue
            except (RateLimited, QuotaExhausted) as error:
                # Every other post would be refused the same way until the limit or quota
                # resets: not a failure, as a quota is none to syndication; a later run visits
                # them, from the first of these.
                paused[name] = _pause(error)
                stopped[name] = batch[0].post_id
                unvisited[name] += len(batch)
                continue
            except PlatformError as error:
                failures.append(f"{name}: {posts}: {error}")
                continue
            for _, _, record, post_id in batch:
                counts = _record(archive, platform, record, post_id, listed, hidden, pictures, now)
                _add(totals, name, counts)
        # The earlier pictures, after every post's new ones, all in one turn: a few that never
        # answer must not be asked first each run (`earlier_turn`).
        if pictures is not None:
            for name, counts in archive.record_earlier_pictures(pictures, now).items():
                _add(totals, name, counts)
        for name, total in sorted(totals.items()):
            say(
                f"{name}: {total.new} new, {total.edited} edited, {total.deleted} deleted, "
                f"{total.unchanged} unchanged comments"
            )
        for name, total in sorted(totals.items()):
            if total.pictures_kept or total.pictures_not_kept or total.pictures_left:
                left = (
                    f", {total.pictures_left} earlier one(s) left for the next collect"
                    if total.pictures_left
                    else ""
                )
                say(
                    f"{name}: {total.pictures_kept} picture(s) kept with the records, "
                    f"{total.pictures_not_kept} not kept (the reason is on each comment's "
                    f"line){left}"
                )
        for post in closed:
            say(f"{post}: comments are turned off; nothing collected.")
        for post, fate in gone:
            say(
                f"{post} (deleted there, by someone with access or by the platform itself, "
                f"not withdrawn); its archived comments are {fate}."
            )
        if skipped:
            say(f"collect: {skipped} post(s) unchanged for over {days} days were not visited.")
        for name, (used_up, until) in sorted(paused.items()):
            when = f"until {city_time(until.isoformat())}" if until else "until it resets"
            say(
                f"{name}: {platforms[name].label}'s {used_up} is used up {when}: "
                f"{unvisited[name]} post(s) not visited; a run after then collects them."
            )
        for failure in failures:
            say(failure)
        # A platform asked about every post starts from its newest again; one not asked (no
        # credentials, or refused) keeps where it stopped.
        kept = {
            name: post
            for name, post in stopped_before.items()
            if name not in platforms or name in refused
        }
        _note_stopped_at(settings.records_dir, {**kept, **stopped})
        commit = commit_archive(settings.records_dir, "Collect comments")
        if commit:
            say(f"records: archive committed as {commit[:10]}")
        return totals, failures


class KeptBeforeDeleting:
    """The comments of a post the City is about to delete, archived first where the platform
    deletes them with it (Facebook: `Platform.comments_outlive_withdrawal` false), by the
    withdrawal itself (`syndication.syndicate.CommentKeeper`): whatever order `invoke
    syndicate`, `invoke alert`, `invoke publish` and `invoke collect` run in, a comment made
    since the last collect reaches the records. Archived as collect archives them, with the
    pictures they show, only what changed since (never a second copy of a version), in the
    same chain; once the post is deleted, each is recorded as removed with it, as collect
    records those of a withdrawn post. The archive is read once, at the first such post."""

    def __init__(self, records_dir: Path, now: Callable[[], datetime] | None = None) -> None:
        self.records_dir = records_dir
        self.now = now or (lambda: datetime.now(UTC))
        self.lock = threading.Lock()  # each platform's withdrawals run in a thread of their own
        self._opened: tuple[CommentArchive, PictureKeeper, frozenset[tuple[str, str]]] | None = None

    def before_deleting(self, platform: Platform, record: Record, post_id: str) -> None:
        listed = platform.comments_of([post_id])  # raises if it cannot: the post stays up
        with self.lock:
            archive, pictures, hidden = self._open()
            now = self.now()
            _record(archive, platform, record, post_id, listed, hidden, pictures, now)
            # This post's pictures archived before but not kept: now, while the CDN may still
            # answer for them.
            archive.record_earlier_pictures(pictures, now)

    def deleted(self, platform: Platform, announcement: str, post_id: str) -> None:
        with self.lock:
            archive, _, _ = self._open()
            archive.removed_with_post(announcement, platform.name, post_id)

    def _open(self) -> tuple[CommentArchive, PictureKeeper, frozenset[tuple[str, str]]]:
        if self._opened is None:
            self._opened = _opened(self.records_dir)
        return self._opened


def _opened(records_dir: Path) -> tuple[CommentArchive, PictureKeeper, frozenset[tuple[str, str]]]:
    """The comment archive read, as collect and a withdrawal record comments into it: the
    archive, the keeper of the pictures comments show (kept with their versions: the CDN's
    links expire), and the comments a hide may have reached (a hide a stopped run sent may
    have been applied: not the author's deletion either)."""
    archive = CommentArchive(records_dir)
    archive.read()
    return archive, PictureKeeper(records_dir), ModerationLog(records_dir).maybe_hidden()


def _record(
    archive: CommentArchive,
    platform: Platform,
    record: Record,
    post_id: str,
    listed: Mapping[str, list[Comment]],
    hidden: frozenset[tuple[str, str]],
    pictures: PictureKeeper,
    now: datetime,
) -> CollectCounts:
    """Archive what changed among the comments the platform `listed` for one post."""
    # The City's update replies (X) are its post, told again, not comments on it; its answers
    # to residents are comments, archived as on Facebook and YouTube.
    comments = [c for c in listed.get(post_id, []) if c.id not in record.replies]
    # Where hidden comments leave the listing, one the City hid may vanish without its author
    # deleting it; where they stay listed (is_hidden on Facebook, X's hidden replies), one
    # that vanished was deleted.
    unlisted = frozenset() if platform.lists_hidden_comments else hidden
    return archive.record(
        record.announcement,
        platform.name,
        post_id,
        comments,
        unlisted,
        _listed_since(platform, now),
        platform.replies_go_with_their_comment,
        pictures,
    )


def _add(totals: dict[str, CollectCounts], name: str, counts: CollectCounts) -> None:
    total = totals.setdefault(name, CollectCounts())
    for field in COUNTED:
        setattr(total, field, getattr(total, field) + getattr(counts, field))


def _pause(error: RateLimited | QuotaExhausted) -> Pause:
    """What the platform that answered with `error` has used up, and until when."""
    if isinstance(error, QuotaExhausted):
        return "daily quota", error.resume_at
    return "rate limit", resume_at(error)


def _batched(visits: list[Visit], platforms: Mapping[str, Platform]) -> list[list[Visit]]:
    """The visits, in their order, in the groups each platform asks about in one call
    (`Platform.batches`): several posts' comments at once where it can (X's search), else
    each post alone."""
    batched: list[list[Visit]] = []
    for name in dict.fromkeys(visit.platform for visit in visits):
        own = [visit for visit in visits if visit.platform == name]
        left = iter(own)
        for group in platforms[name].batches([visit.post_id for visit in own]):
            batched.append([next(left) for _ in group])
    return batched


def _in_turn(visits: list[Visit], stopped_at: Mapping[str, str]) -> list[Visit]:
    """The posts to visit, platform by platform, each's newest first (syndicated or changed
    last: residents comment most on those), from the post where its last run stopped
    (`stopped_at`), coming round to the newer ones after the oldest. A post no longer visited
    (withdrawn, say) is no place to start from: that platform starts from its newest."""
    newest_first = sorted(visits, key=lambda visit: _recency(visit.record), reverse=True)
    in_turn: list[Visit] = []
    for name in sorted({visit.platform for visit in visits}):
        own = [visit for visit in newest_first if visit.platform == name]
        start = next((n for n, v in enumerate(own) if v.post_id == stopped_at.get(name)), 0)
        in_turn += own[start:] + own[:start]
    return in_turn


def _stopped_at(records_dir: Path) -> dict[str, str]:
    """Where each platform's last collection stopped (`STOPPED_AT`), by platform; none when
    every run went round, or the note cannot be read: it only decides where visits begin."""
    try:
        stopped = json.loads((records_dir / STOPPED_AT).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    if not isinstance(stopped, dict):
        return {}
    return {str(name): str(post) for name, post in stopped.items()}


def _note_stopped_at(records_dir: Path, stopped: Mapping[str, str]) -> None:
    """Keep where each platform's collection stopped, for the next run (`STOPPED_AT`). Once
    none stopped, an empty note, not none: a join of two copies keeps the remote's file where
    this copy removed it, so a removed note would come back from the shared archive. No note
    is written where none was, so a run that went round commits nothing for it."""
    note = records_dir / STOPPED_AT
    if not stopped and not note.exists():
        return
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(json.dumps(dict(stopped), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _collected_posts(record: Record, platform: Platform) -> list[str]:
    """The posts of an announcement whose comments are collected: the one kept in step, and
    where comments outlive a withdrawal, those the City withdrew (`_withdrawn`: earlier ones,
    and second ones taken down with it), whose conversations residents may carry on; and each
    second post of it still up (`Record.duplicates`: made by a run on a stale copy of the
    records), where residents comment as on the first, until it is deleted or found gone."""
    kept = [] if record.withdrawn else [record.remote_id]
    if platform.comments_outlive_withdrawal:
        kept = [*_withdrawn(record), *kept]
    return [post for post in (*kept, *record.duplicates) if post]


def _taken_down_with(record: Record, platform: Platform) -> list[str]:
    """The posts of an announcement the City withdrew whose comments the platform deleted with
    them (Facebook)."""
    return [] if platform.comments_outlive_withdrawal else _withdrawn(record)


def _withdrawn(record: Record) -> list[str]:
    """The posts of an announcement the City withdrew: the earlier ones and the second ones
    taken down (`Record.withdrawn_posts`), and the one kept in step if it is withdrawn."""
    kept = [record.remote_id] if record.withdrawn and record.remote_id else []
    return [*record.withdrawn_posts, *kept]


def _post_named(announcement: str, record: Record, post_id: str) -> str:
    """A post as collect's messages name it: by its announcement, and a second post or
    another, withdrawn one by its id too (a second post as the run that asks to delete it
    names it)."""
    if post_id in record.duplicates:
        return f"{announcement} (second post {post_id})"
    if post_id in record.withdrawn_posts:
        return f"{announcement} (withdrawn post {post_id})"
    return announcement


def _last_change(record: Record) -> datetime:
    """When the ledger last wrote of this post (created, updated, corrected...)."""
    return max(datetime.fromisoformat(event["time"]) for event in record.history)


def _recency(record: Record) -> tuple[datetime, int]:
    """When the ledger last wrote of this post, and where (its line's `seq`): the ledger
    times lines to the second, and a run writes many in one."""
    return _last_change(record), int(record.history[-1].get("seq", 0))


def _listed_since(platform: Platform, now: datetime) -> datetime | None:
    """The oldest comment the platform's listing is sure to include (an hour's margin, for
    comments that age out while the listing is read)."""
    window = platform.comments_window
    return now - window + timedelta(hours=1) if window is not None else None
