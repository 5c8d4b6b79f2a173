"""`invoke status`: what is waiting. Scheduled announcements, posts deferred by a platform's
quota, failed syndications, and comments awaiting review."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from announcements import misplaced_in
from announcements.model import Problem, parse_announcement, read_source
from announcements.reader import display_path
from archive.index import CITY, city_time, printable
from moderation.log import ModerationLog
from syndication.ledger import Ledger


@dataclass
class Waiting:
    scheduled: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for title, items in (
            ("Scheduled", self.scheduled),
            ("Deferred by a quota", self.deferred),
            ("Failed syndication", self.failed),
            ("Comments awaiting review", self.review),
            ("Announcements the build stops on (fix these first)", self.problems),
        ):
            out.append(f"{title}: {len(items)}")
            # Comment ids and error messages come from the platforms: shown, never acted on.
            out.extend(f"  {printable(item)}" for item in items)
        return out


def waiting(content_dir: Path, records_dir: Path, now: datetime) -> Waiting:
    result = Waiting()
    # Read as the build reads (files in folders inside announcements/ too, which it refuses),
    # so that what is listed is what the build will publish, and each problem it stops on.
    stops_on: list[Problem] = misplaced_in(content_dir)
    for path in sorted((content_dir / "announcements").rglob("*.md")):
        name = display_path(path)
        text, unreadable = read_source(path, name)
        item, problems = (
            parse_announcement(name, text, CITY, content_dir) if text is not None else (None, [])
        )
        stops_on.extend(problem for problem in [unreadable, *problems] if problem)
        if item and item.status == "published" and item.date > now:
            result.scheduled.append(f"{item.date:%Y-%m-%d %H:%M} {path.name}: {item.title}")
    result.problems = [str(problem) for problem in sorted(stops_on)]  # in the build's order
    for (announcement, platform), record in sorted(
        Ledger.in_records(records_dir).records().items()
    ):
        last = record.history[-1] if record.history else {}
        if last.get("phase") == "deferred":
            result.deferred.append(
                f"{platform}: {announcement} {last.get('action')}, resumes "
                f"after {city_time(last.get('resume_at') or '') or 'the next reset'}"
            )
        elif last.get("phase") == "failed":
            result.failed.append(
                f"{platform}: {announcement} {last.get('action')}: {last.get('error')}"
            )
    for status in ModerationLog(records_dir).statuses().values():
        if status.awaiting_review:
            result.review.append(
                f"{status.platform}:{status.comment_id} ({', '.join(status.why_review)})"
            )
    return result
