"""The archive keeps its own git history: each run commits RECORDS_DIR to a repository inside it."""

from __future__ import annotations

import subprocess
from pathlib import Path

IDENTITY = (
    "-c",
    "user.name=City of Trail records",
    "-c",
    "user.email=records@localhost",
    "-c",
    "commit.gpgsign=false",
)


def _git(records_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(records_dir), *IDENTITY, *args],
        capture_output=True,
        text=True,
        check=False,
    )


def commit_archive(records_dir: Path, message: str) -> str | None:
    """Commit everything under RECORDS_DIR; return the new commit, or None if nothing changed."""
    records_dir.mkdir(parents=True, exist_ok=True)
    if not (records_dir / ".git").exists():
        _git(records_dir, "init", "-q", "-b", "main")
        # The search index is rebuilt from the files; the files are the record.
        (records_dir / ".gitignore").write_text("index.sqlite\n.index.sqlite.building\n")
    _git(records_dir, "add", "-A")
    if _git(records_dir, "diff", "--cached", "--quiet").returncode == 0:
        return None
    result = _git(records_dir, "commit", "-q", "-m", message)
    if result.returncode != 0:
        raise RuntimeError(f"{records_dir}: git commit failed: {result.stderr.strip()}")
    return _git(records_dir, "rev-parse", "HEAD").stdout.strip()
