"""git, run the one way every part of the project runs it: on a machine without git (a slim
CI image), each command says that git is required, in its own error as its other failures,
instead of a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

# As deploy says of rsync.
GIT_REQUIRED = "git is required and is not installed (Debian: apt-get install git)"


class GitMissing(RuntimeError):
    """git is not installed, or not on PATH."""


def run_git(
    *args: str,
    error: type[Exception] = GitMissing,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`git ARGS`, its output as text, whatever its exit code; raises `error` naming git when
    git is missing."""
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, env=env, input=stdin
        )
    except FileNotFoundError:
        raise error(GIT_REQUIRED) from None


def run_git_bytes(
    *args: str, error: type[Exception] = GitMissing
) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` as `run_git` runs it, its output as bytes (a file as committed, to compare
    byte for byte with the file as written, whatever the locale)."""
    try:
        return subprocess.run(["git", *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise error(GIT_REQUIRED) from None
