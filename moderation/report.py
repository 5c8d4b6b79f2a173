"""The moderation report: a static page in RECORDS_DIR (never on the public site) with the
review queue and its evidence, the decisions taken, and counts per category and platform."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from archive.comments import CommentArchive
from archive.index import REPORT

from .classifier import CATEGORIES, CLAUSES
from .log import EDITED_SINCE_HIDDEN, ModerationLog, Status, review_queue


def write_report(records_dir: Path) -> Path:
    statuses = list(ModerationLog(records_dir).statuses().values())
    comments = CommentArchive(records_dir).state()
    counts = Counter(c for s in statuses for c in s.categories)
    by_platform = Counter((c, s.platform) for s in statuses for c in s.categories)
    categories = [(c, counts[c]) for c in CATEGORIES]
    queue, gone = review_queue(statuses, comments)
    # Listed apart by how each left the platform, as the records word it.
    removed: dict[str, list[Status]] = {}
    for status in gone:
        removed.setdefault(comments[(status.platform, status.comment_id)].removal, []).append(
            status
        )
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(default=True),
    )
    html = env.get_template("report.html").render(
        total=len(comments),
        queue=queue,
        removed=removed,
        decisions=[s for s in statuses if s.decision],
        categories=categories,
        top=max(counts.values(), default=1),
        platforms=sorted({s.platform for s in statuses}),
        by_platform=by_platform,
        texts={k: v.text for k, v in comments.items()},
        clauses=CLAUSES,
        edited_since_hidden=EDITED_SINCE_HIDDEN,
    )
    target = records_dir / REPORT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target
