"""`invoke status`: what is waiting. Scheduled announcements, posts deferred by a platform's
quota, failed syndications, posts left up that no run keeps in step (of announcements no longer
on the site or no longer posted there), comments awaiting review, and what the build would stop
on."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import revisions
from announcements import build_stops
from announcements.as_built import read_as_built
from announcements.settings import SettingsError, build_time, city_timezone
from archive.comments import CommentArchive
from archive.index import city_time, printable
from checks.lint import LintConfigError, Policy
from moderation.log import ModerationLog, review_queue
from syndication.base import LABELS
from syndication.ledger import Ledger
from syndication.reconcile import (
    duplicate_problem,
    duplicated,
    kept_on,
    left_behind,
    no_longer_wanted,
    removed_elsewhere_problem,
)

from .build import as_the_build_names, load_settings

# The settings CI builds and publishes with.
PUBLISHED_SETTINGS = Path(__file__).resolve().parent.parent / "publishconf.py"


@dataclass
class Waiting:
    scheduled: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    left_up: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for title, items in (
            ("Scheduled", self.scheduled),
            ("Deferred by a quota", self.deferred),
            ("Failed syndication", self.failed),
            ("Posts left up, no longer kept in step with the site", self.left_up),
            ("Posts removed on the platform outside this system", self.gone),
            ("Comments awaiting review", self.review),
            ("Announcements the build stops on (fix these first)", self.problems),
        ):
            out.append(f"{title}: {len(items)}")
            # Comment ids and error messages come from the platforms: shown, never acted on.
            out.extend(f"  {printable(item)}" for item in items)
        return out


def waiting(
    content_dir: Path, records_dir: Path, now: datetime, settings_file: Path = PUBLISHED_SETTINGS
) -> Waiting:
    result = Waiting()
    result.scheduled, result.problems, on_site = _as_the_build_reads(
        content_dir, now, settings_file
    )
    records = Ledger.in_records(records_dir).records()
    for (announcement, platform), record in sorted(records.items()):
        # Withdrawn (or taken off the platform) before it went out: its deferral or failure
        # is moot, as no run will act on it again.
        moot = on_site is not None and no_longer_wanted(record, on_site)
        last = record.history[-1] if record.history and not moot else {}
        if last.get("phase") == "deferred":
            result.deferred.append(
                f"{platform}: {announcement} {last.get('action')}, resumes "
                f"after {city_time(last.get('resume_at') or '') or 'the next reset'}"
            )
        elif last.get("phase") == "failed":
            result.failed.append(
                f"{platform}: {announcement} {last.get('action')}: {last.get('error')}"
            )
        if record.removed_elsewhere:
            result.gone.append(
                f"{platform}: {announcement} {record.remote_id}: "
                f"{removed_elsewhere_problem(record, LABELS.get(platform, platform))}"
            )
    if on_site is not None:
        for record, problem in left_behind(on_site, records, (p for _, p in records)):
            link = f" {record.url}" if record.url and not record.withdrawn else ""
            result.left_up.append(f"{record.platform}: {record.announcement}{link}: {problem}")
        for record, duplicate in duplicated(on_site, records, (p for _, p in records)):
            label = LABELS.get(record.platform, record.platform)
            result.left_up.append(
                f"{record.platform}: {record.announcement} {duplicate}: "
                f"{duplicate_problem(record, duplicate, label)}"
            )
    statuses = ModerationLog(records_dir).statuses().values()
    queue, _ = review_queue(statuses, CommentArchive(records_dir).state())  # less the deleted
    result.review = [f"{s.platform}:{s.comment_id} ({', '.join(s.why_review)})" for s in queue]
    return result


def status_time(settings_file: Path = PUBLISHED_SETTINGS) -> datetime:
    """The "now" `invoke status` reads the content at: the build's, BUILD_TIME as the settings
    give it (the current time when unset), read by the build's own check, so a malformed one
    raises its SettingsError, naming the setting and the value as given."""
    settings = load_settings(settings_file)
    return build_time(settings.get("BUILD_TIME"), city_timezone(settings))


def on_the_site(
    content_dir: Path, now: datetime, settings_file: Path = PUBLISHED_SETTINGS
) -> dict[str, Collection[str] | None] | None:
    """The announcements a build of the content at `now` puts on the site, with where each is
    posted, as `invoke status` reads them (`_as_the_build_reads`); None when the build stops.
    For `invoke syndicate`, to tell a build made before an announcement was posted from one
    left behind by the announcement leaving the site."""
    return _as_the_build_reads(content_dir, now, settings_file)[2]


def _as_the_build_reads(
    content_dir: Path, now: datetime, settings_file: Path
) -> tuple[list[str], list[str], dict[str, Collection[str] | None] | None]:
    """(scheduled, problems, on_site): the announcements a build at `now` holds back, each
    problem it stops on, as it names them (the content read as it reads it, checked by its own
    checks), and the announcements it puts on the site with the platforms each is posted to,
    as the manifest lists them (`posted_to`; None when it stops: the site stays as it is)."""
    settings = load_settings(settings_file, {"PATH": str(content_dir), "BUILD_TIME": now})
    try:
        content = read_as_built(settings)
    except SettingsError as error:  # the build stops on it before reading anything
        return [], [as_the_build_names(error)], None
    scheduled = [  # City time with its offset, whatever offset the file gave
        f"{city_time(item.date.isoformat())} {Path(article.source_path).name}: {item.title}"
        for article in sorted(content.context["scheduled_articles"], key=lambda a: a.source_path)
        for item in [article.announcement]
        if not item.withdrawn
    ]
    problems = [str(problem) for problem in build_stops([content])] + _policy_problems()
    # Published and withdrawn announcements: those the manifest lists.
    withdrawn = (a for a in content.hidden_articles if a.announcement.withdrawn)
    on_site = {
        article.slug: kept_on(article.announcement.withdrawn, article.announcement.posted_on)
        for article in (*content.articles, *withdrawn)
    }
    return scheduled, problems, None if problems else on_site


def _policy_problems() -> list[str]:
    """The content lint's policy files, as the build reads them to check each change note
    (plugins/revisions): one it cannot read (a misspelt rule, a word list not saved as UTF-8)
    stops the build, as it names it, whatever the announcements hold."""
    try:
        Policy.load(revisions.POLICY_DIR)  # read when called: where the build reads it
    except LintConfigError as error:
        return [as_the_build_names(error)]
    return []
