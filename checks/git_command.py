"""git, run the one way every part of the project runs it: on a machine without git (a slim
CI image), each command says that git is required, in its own error as its other failures,
instead of a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, cast

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
    git is missing.

    The text is git's UTF-8 (its names and messages, whatever the locale), with its line ends
    as git wrote them: Python's text mode would read a carriage return as a line feed, and
    "Eve\\rMallory", a name git keeps as committed, would be shown and compared as another. A
    byte that is not UTF-8 (a name committed in another encoding) is read as U+FFFD."""
    done = run_git_bytes(
        *args, error=error, env=env, stdin=stdin.encode("utf-8") if stdin is not None else None
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, _text(done.stdout), _text(done.stderr)
    )


def _text(output: bytes) -> str:
    """git's output as text, its line ends untouched (see `run_git`)."""
    return output.decode("utf-8", errors="replace")


def run_git_bytes(
    *args: str,
    error: type[Exception] = GitMissing,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` as `run_git` runs it, its output as bytes (a file as committed, to compare
    byte for byte with the file as written, whatever the locale)."""
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, check=False, env=env, input=stdin
        )
    except FileNotFoundError:
        raise error(GIT_REQUIRED) from None


@contextmanager
def git_process(
    *args: str, error: type[Exception] = GitMissing
) -> Iterator[tuple[IO[bytes], IO[bytes]]]:
    """`git ARGS` as a process to talk to: its stdin to write to and its stdout to read from,
    as bytes (such as `git cat-file --batch`, which gives each object as it is asked for: a
    whole history read through one git, an object at a time, never all of it at once). Ended
    when left: its stdin closed, and waited for."""
    try:
        process = subprocess.Popen(
            ["git", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise error(GIT_REQUIRED) from None
    with process:
        yield cast(IO[bytes], process.stdin), cast(IO[bytes], process.stdout)  # both piped
