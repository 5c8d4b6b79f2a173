"""Rebuilds that reuse the last build's work must produce exactly what a full build would."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publishing.build import BuildError

from .conftest import Site, _png


def touch_later(path: Path) -> None:
    """Move a file's mtime on, as an edit a moment later would: Pelican's cache keys on it."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_an_invalid_file_fails_every_cached_build_not_only_the_first(site: Site) -> None:
    site.add("ok")
    site.add("broken", category="gossip")
    for _ in range(2):
        with pytest.raises(BuildError) as failed:
            site.build(cached=True)
        assert any("broken.md" in p and "category" in p for p in failed.value.problems)


def test_a_removed_image_fails_the_cached_build_naming_file_line_and_field(site: Site) -> None:
    site.add("pool", image="images/pool.png", image_alt="The pool")
    (site.content / "images" / "pool.png").write_bytes(_png())
    site.build(cached=True)

    (site.content / "images" / "pool.png").unlink()
    with pytest.raises(BuildError) as failed:
        site.build(cached=True)
    problem = next(p for p in failed.value.problems if "pool.md:" in p)
    assert ": image: 'images/pool.png' does not exist" in problem
    assert problem.split("pool.md:")[1].split(":")[0] == "6"  # the `image:` line


def test_a_replaced_image_updates_the_reserved_size_on_a_cached_build(site: Site) -> None:
    image = site.content / "images" / "pool.png"
    image.write_bytes(_png(120, 63))
    site.add("pool", image="images/pool.png", image_alt="The pool")
    site.build(cached=True)
    assert 'width="120" height="63"' in site.read("announcements/pool.html")

    image.write_bytes(_png(300, 200))
    touch_later(image)
    site.build(cached=True)
    assert 'width="300" height="200"' in site.read("announcements/pool.html")
