"""A check of a content file, run once for each version of the file: many announcements share
an image or a video, and every build and `invoke status` ask again of each."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path

Check = Callable[[Path], str | None]


def once_per_version(check: Check) -> Check:
    """`check` (why a file cannot be used, or None), run once per version of a file, told apart
    by its path, modification time and size; asked again, the answer it gave."""

    @lru_cache(maxsize=4096)
    def checked(path: str, _mtime_ns: int, _size: int) -> str | None:
        return check(Path(path))

    @wraps(check)
    def run(path: Path) -> str | None:
        stat = path.stat()
        return checked(str(path), stat.st_mtime_ns, stat.st_size)

    return run
