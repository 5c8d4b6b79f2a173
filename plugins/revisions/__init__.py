"""Revisions: every announcement page shows its history from git, the authoritative record.

For each announcement, the date and one-line change note of every commit that touched its
file (never the author's name or email), newest first, and a link to the file's full history
in the public repository (`SOURCE_HISTORY_URL`, a template with `{path}`, e.g.
`https://github.com/city-of-trail/announcements/commits/main/{path}`; empty: no link).

One `git log` for the whole content folder per build, not one per file.
"""

from __future__ import annotations

import logging
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pelican import signals

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Revision:
    commit: str
    date: datetime
    note: str


def _git(folder: Path, *args: str) -> str | None:
    result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                            check=False)  # fmt: skip
    return result.stdout if result.returncode == 0 else None


def parse_log(output: str, root: Path) -> dict[Path, list[Revision]]:
    """`git log --format=%x01%H%x00%aI%x00%s --name-only` → revisions per absolute path."""
    revisions: dict[Path, list[Revision]] = defaultdict(list)
    for block in output.split("\x01")[1:]:
        header, _, names = block.partition("\n")
        commit, date, note = header.split("\x00", 2)
        revision = Revision(commit, datetime.fromisoformat(date), note)
        for name in names.split("\n"):
            if name.strip():
                revisions[(root / name.strip()).resolve()].append(revision)
    return revisions


def content_revisions(content_dir: Path) -> tuple[Path | None, dict[Path, list[Revision]]]:
    """(repository root, revisions by file); empty outside a git repository."""
    top = _git(content_dir, "rev-parse", "--show-toplevel")
    if top is None:
        return None, {}
    root = Path(top.strip())
    log = _git(content_dir, "log", "--format=%x01%H%x00%aI%x00%s", "--name-only", "--", ".")
    return root, parse_log(log or "", root)


def add_revisions(generator: Any) -> None:
    content = Path(generator.settings["PATH"]).resolve()
    root, revisions = content_revisions(content)
    # Keyed like Pelican's `relative_source_path`, so no article's path needs resolving.
    by_source = {
        path.relative_to(content).as_posix(): found
        for path, found in revisions.items()
        if path.is_relative_to(content)
    }
    template = generator.settings.get("SOURCE_HISTORY_URL") or ""
    folder = content.relative_to(root).as_posix() if template and root else None
    for article in [*generator.articles, *generator.hidden_articles]:
        source = article.relative_source_path
        article.revisions = by_source.get(source, [])
        article.history_url = (
            template.format(path=f"{folder}/{source}".removeprefix("./")) if folder else ""
        )


def register() -> None:
    signals.article_generator_finalized.connect(add_revisions)
