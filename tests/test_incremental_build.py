"""Rebuilds that reuse the last build's work must produce exactly what a full build would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from jinja2 import DictLoader, Environment, pass_context
from jinja2.runtime import Context
from pelican.cache import FileStampDataCacher
from PIL import Image

import images
import publishing.build as build_module
from announcements.images import published_copy
from announcements.reader import AnnouncementReader
from page_cache.writer import CachingWriter
from publishing.build import BuildError, build_site, cache_folder
from syndication_manifest import ManifestGenerator

from .conftest import NOW, ROOT, SITEURL, WITHDRAWN_PARADE, Site, _png, mp4, place_taken


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


def test_a_video_replaced_by_one_that_says_where_it_was_taken_fails_the_cached_build(
    site: Site,
) -> None:
    video = site.content / site.add_video()
    site.add("tour", title="Tour", video="videos/tour.mp4")
    site.build(cached=True)

    video.write_bytes(mp4(place_taken(), size=video.stat().st_size))  # of the same size
    touch_later(video)
    with pytest.raises(BuildError) as failed:
        site.build(cached=True)
    (problem,) = failed.value.problems
    assert "tour.md:6: video: 'videos/tour.mp4' holds where it was taken (©xyz)" in problem


def test_an_image_removed_from_the_text_fails_the_cached_build_naming_file_and_line(
    site: Site,
) -> None:
    site.add("pool", body="The new pool.\n\n![The pool]({static}/images/pool.png)\n")
    (site.content / "images" / "pool.png").write_bytes(_png())
    site.build(cached=True)

    (site.content / "images" / "pool.png").unlink()
    with pytest.raises(BuildError) as failed:
        site.build(cached=True)
    (problem,) = failed.value.problems
    assert problem.endswith(
        "pool.md:9: link: '{static}/images/pool.png' names a file not in content/ "
        "(images/pool.png); add the file, or correct the name"
    )


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


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def last_build(site: Site) -> tuple[set[str], int]:
    """(pages rendered, number reused) as the page cache recorded them for the last build."""
    (keys,) = (site.root / ".output.cache").glob("*/pages.json")  # one set of settings
    stored = json.loads(keys.read_text())
    return set(stored["rendered"]), stored["reused"]


def several(site: Site) -> Path:
    for n in range(1, 8):
        site.add(
            f"2026-11-{n:02d}-notice",
            title=f"Notice number {n}",
            date=f"2026-11-{n:02d} 09:00",
            category="public-notice" if n % 2 else "service-change",
        )
    return site.add(
        "2026-11-08-event",
        title="Skating party",
        category="city-event",
        date="2026-11-08 09:00",
        event_start="2026-12-05 13:00",
        event_end="2026-12-05 15:00",
        location="Trail Memorial Centre",
    )


def test_a_rebuild_renders_only_what_changed_and_equals_a_full_build(site: Site) -> None:
    several(site)
    site.build(cached=True)
    everything, reused = last_build(site)
    assert reused == 0 and "announcements/2026-11-03-notice.html" in everything

    site.build(cached=True)
    assert last_build(site) == (set(), len(everything))

    edited = site.content / "announcements" / "2026-11-03-notice.md"
    edited.write_text(edited.read_text().replace("Body text", "Corrected body text"))
    touch_later(edited)
    site.build(cached=True)
    # Its own page, and the listings it appears in: the home page, its category, the archives
    # (which count each year's) and its year's archive page.
    assert last_build(site)[0] == {
        "announcements/2026-11-03-notice.html",
        "index.html",
        "category/public-notice.html",
        "archives.html",
        "archives/2026.html",
    }
    assert "Corrected body text" in site.read("announcements/2026-11-03-notice.html")

    full = site.root / "full"
    site.build(output=full)
    assert files(site.output) == files(full)


def test_a_cached_rebuild_hashes_each_file_once_and_still_sees_an_edit(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pelican's generators hash each file twice for a cache layer we do not use, on top of
    the reader's hash that tells an edited file: only that one is left."""
    edited = several(site)
    site.build(cached=True)
    stamped: Counter[str] = Counter()
    stamp = FileStampDataCacher._get_file_stamp

    def counted(cacher: FileStampDataCacher, filename: str) -> Any:
        stamped[Path(filename).name] += 1
        return stamp(cacher, filename)

    monkeypatch.setattr(FileStampDataCacher, "_get_file_stamp", counted)
    edited.write_text(edited.read_text().replace("Skating party", "Skating and cocoa party"))
    site.build(cached=True)
    # Every text once; the edited one again when the reader keeps its new reading.
    texts = {name: count for name, count in stamped.items() if name.endswith(".md")}
    assert texts == {p.name: 1 for p in site.content.rglob("*.md")} | {edited.name: 2}
    assert "Skating and cocoa party" in site.read("announcements/2026-11-08-event.html")


def test_a_page_edited_by_hand_in_the_output_is_rendered_again(site: Site) -> None:
    several(site)
    site.build(cached=True)
    page = site.output / "announcements" / "2026-11-02-notice.html"
    original = page.read_text()
    page.write_text(original.replace("Notice number 2", "Defaced"))

    site.build(cached=True)
    assert last_build(site)[0] == {"announcements/2026-11-02-notice.html"}
    assert page.read_text() == original


def test_time_passing_expires_a_notice_on_a_cached_rebuild(site: Site) -> None:
    site.add("2026-11-10-alert", category="alert", urgent="true", expires="2026-11-30 17:00")
    site.build(cached=True)
    assert "This notice expired" not in site.read("announcements/2026-11-10-alert.html")

    assert "Urgent</span>" in site.read("archives/2026.html")

    site.build(now="2026-12-01T09:00:00-08:00", cached=True)
    page = site.read("announcements/2026-11-10-alert.html")
    assert "This notice expired" in page
    # Shared again, it previews as expired: not the cached page of when it was in effect.
    assert '<meta property="og:title" content="Expired: ' in page
    assert "Urgent alerts" not in site.read("index.html")
    year = site.read("archives/2026.html")
    assert "Expired</span>" in year and "Urgent</span>" not in year


def test_a_photos_published_copy_is_made_again_only_when_the_photo_changes(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo is published without what its file says besides the picture, which means
    encoding it again: a cached rebuild takes the copy the last build made."""
    photo = site.content / "images" / "hydrant.jpg"

    def take(colour: tuple[int, int, int]) -> None:
        exif = Image.Exif()
        exif[0x013B] = "Jo Doe"  # Artist
        Image.new("RGB", (120, 63), colour).save(photo, "JPEG", exif=exif)

    take((11, 61, 99))
    site.add("2026-11-20-flushing", image="images/hydrant.jpg", image_alt="Crews at a hydrant")
    made: list[Path] = []

    def counted(path: Path) -> bytes | None:
        if path.name == "hydrant.jpg":
            made.append(path)
        return published_copy(path)

    monkeypatch.setattr(images, "published_copy", counted)
    published = site.output / "images" / "hydrant.jpg"
    site.build(cached=True)
    first = published.read_bytes()
    site.build(cached=True)
    assert len(made) == 1 and published.read_bytes() == first
    take((200, 0, 0))
    touch_later(photo)
    site.build(cached=True)
    assert len(made) == 2 and published.read_bytes() != first
    full = site.root / "full"
    site.build(output=full)
    assert files(site.output) == files(full)
    with Image.open(published) as image:
        assert not image.getexif()


def test_a_setting_change_renders_every_page(site: Site) -> None:
    several(site)
    site.build(cached=True)
    keepsake = site.root / ".output.cache" / "notes"  # not a cache: never removed
    keepsake.mkdir()
    everything, _ = last_build(site)
    overrides = {
        "PATH": str(site.content),
        "SITEURL": SITEURL,
        "BUILD_TIME": NOW,
        "SITENAME": "City of Trail News",
    }
    build_site(ROOT / "publishconf.py", site.output, overrides, cache=site.root / ".output.cache")
    assert "City of Trail News" in site.read("announcements/2026-11-01-notice.html")
    # A folder of caches per combination of settings: the new one started empty, and the old
    # one, which matched an output that is now replaced, is gone.
    assert last_build(site) == (everything, 0)
    assert keepsake.is_dir()


def test_writing_over_a_linked_page_never_changes_the_last_builds_copy(tmp_path: Path) -> None:
    live = tmp_path / "output" / "page.html"
    live.parent.mkdir()
    live.write_text("the live site")
    staging = tmp_path / "staging"
    staging.mkdir()
    os.link(live, staging / "page.html")
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "OUTPUT_PATH": str(staging)}
    writer = CachingWriter(str(staging), settings)

    with writer._open_w(str(staging / "page.html"), "utf-8") as page:
        page.write("the new build")
    assert live.read_text() == "the live site"
    assert (staging / "page.html").read_text() == "the new build"


def test_a_listing_page_linked_where_a_file_is_already_never_writes_through_it(
    tmp_path: Path,
) -> None:
    """An unchanged listing page is linked from the last build; a file already at its path
    (another writer's, itself linked to the live site) is replaced, not copied into."""
    live = tmp_path / "output" / "index-2.html"
    live.parent.mkdir()
    live.write_text("the live site's other file")
    kept = tmp_path / "kept.html"
    kept.write_text("the unchanged listing page")
    staging = tmp_path / "staging"
    staging.mkdir()
    os.link(live, staging / "index-2.html")
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "OUTPUT_PATH": str(staging)}
    writer = CachingWriter(str(staging), settings)
    writer.page_cache.linkable["index-2.html"] = kept
    with writer._open_w(str(staging / "index-2.html"), "utf-8") as page:
        page.write("the unchanged listing page")
    assert live.read_text() == "the live site's other file"
    assert (staging / "index-2.html").stat().st_ino == kept.stat().st_ino


def test_a_failed_cached_build_leaves_the_site_as_it_was(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    several(site)
    site.build(cached=True)
    site.build(cached=True)  # now every page is linked from the build before
    before = files(site.output)
    edited = site.content / "announcements" / "2026-11-03-notice.md"
    edited.write_text(edited.read_text().replace("Body text", "Corrected body text"))
    touch_later(edited)

    def fail(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ManifestGenerator, "generate_output", fail)  # after the pages
    with pytest.raises(BuildError):
        site.build(cached=True)
    assert files(site.output) == before


def test_invoke_build_reuses_the_last_build_unless_asked_for_a_fresh_one(site: Site) -> None:
    several(site)

    def invoke_build(*extra: str) -> tuple[set[str], int]:
        command = [sys.executable, "-m", "invoke", "build", "--content", str(site.content)]
        subprocess.run(
            [*command, "--output", str(site.output), *extra],
            cwd=ROOT,
            check=True,
            text=True,
            capture_output=True,
        )
        (keys,) = (site.root / ".output.cache").glob("*/pages.json")
        stored = json.loads(keys.read_text())
        return set(stored["rendered"]), stored["reused"]

    everything, reused = invoke_build()
    assert reused == 0 and "index.html" in everything
    assert invoke_build() == (set(), len(everything))
    assert invoke_build("--fresh") == (everything, 0)
    assert invoke_build() == (set(), len(everything))


def test_caches_restored_into_a_fresh_clone_still_spare_the_work(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI restores output/ and its caches from an archive into a new checkout: every file
    then has a new modification time and inode, and no content has changed."""
    several(site)
    site.add("2026-11-09-pool", image="images/pixel.png", image_alt="The pool")
    site.build(cached=True)
    everything, _ = last_build(site)
    built = files(site.output)

    for folder in (site.output, site.root / ".output.cache"):
        archived = folder.with_name(folder.name + ".archived")
        folder.rename(archived)
        shutil.copytree(archived, folder, copy_function=shutil.copy)  # new times and inodes
        shutil.rmtree(archived)
    for path in site.content.rglob("*"):
        if path.is_file():
            touch_later(path)

    read: list[str] = []
    original_read = AnnouncementReader.read

    def counted_read(self: AnnouncementReader, path: str) -> tuple[str, dict[str, object]]:
        read.append(path)
        return original_read(self, path)

    monkeypatch.setattr(AnnouncementReader, "read", counted_read)
    site.build(cached=True)
    assert read == []  # Pelican's cache knew every file by its content
    assert last_build(site) == (set(), len(everything))
    assert files(site.output) == built


def test_a_page_linking_to_another_follows_it_when_that_one_moves(site: Site) -> None:
    site.add("2026-11-20-flushing")  # links to {filename}/pages/comment-guidelines.md
    site.build(cached=True)
    assert 'href="../comment-guidelines.html"' in site.read(
        "announcements/2026-11-20-flushing.html"
    )

    guidelines = site.write(
        "pages/comment-guidelines.md",
        "---\ntitle: Comment guidelines\nslug: rules\nsave_as: rules.html\nurl: rules.html\n---\n"
        "Be kind.\n",
    )
    touch_later(guidelines)
    site.build(cached=True)
    assert 'href="../rules.html"' in site.read("announcements/2026-11-20-flushing.html")
    full = site.root / "full"
    site.build(output=full)
    assert files(site.output) == files(full)


def test_paginated_listings_keep_every_page_on_a_cached_rebuild(site: Site) -> None:
    for day in range(1, 26):  # two pages of the home page and of the category
        site.add(f"2026-10-{day:02d}-item", title=f"Item {day}", date=f"2026-10-{day:02d} 09:00")
    site.build(cached=True)
    site.build(cached=True)
    assert last_build(site)[0] == set()
    edited = site.content / "announcements" / "2026-10-25-item.md"
    edited.write_text(edited.read_text().replace("Item 25", "Item twenty-five"))
    touch_later(edited)
    site.build(cached=True)
    assert {"index.html", "index-2.html"} <= set(files(site.output))
    full = site.root / "full"
    site.build(output=full)
    assert files(site.output) == files(full)


def inodes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_a_rebuild_links_every_unchanged_file_and_writes_only_the_changed_ones(
    site: Site,
) -> None:
    """Creating thousands of small files (an event's calendar, a listing's page) costs far
    more than linking them: unchanged ones are linked from the last build, listings' pages
    and the plugins' files (calendars, feeds, manifest, sitemap) as much as the pages."""
    several(site)
    # A withdrawn event's calendar stays, as its cancellation.
    site.add("2026-11-09-parade", **WITHDRAWN_PARADE, date="2026-11-09 09:00")
    for day in range(1, 26):  # their category's listing runs to a second page
        site.add(
            f"2026-10-{day:02d}-item",
            title=f"Item {day}",
            date=f"2026-10-{day:02d} 09:00",
            category="capital-project",
        )
    site.build(cached=True)
    before = inodes(site.output)
    edited = site.content / "announcements" / "2026-11-03-notice.md"
    edited.write_text(edited.read_text().replace("Body text", "Corrected body text"))
    touch_later(edited)
    site.build(cached=True)
    after = inodes(site.output)
    linked = {name for name in after if before.get(name) == after[name]}
    assert {
        "category/capital-project.html",  # a listing's pages the edit is not on
        "category/capital-project-2.html",
        "announcements/2026-11-08-event.ics",
        "announcements/2026-11-09-parade.ics",
        "events.ics",
        "feeds/service-change.atom.xml",
        "robots.txt",
    } <= linked
    # What shows the edit (its page, the feeds it is in) is written afresh.
    assert {
        "announcements/2026-11-03-notice.html",
        "feeds/all.atom.xml",
        "feeds/public-notice.rss.xml",
    }.isdisjoint(linked)
    full = site.root / "full"
    site.build(output=full)
    assert files(site.output) == files(full)


def test_a_file_written_twice_never_changes_the_last_builds_copy(tmp_path: Path) -> None:
    first = writer_for(tmp_path, "first", None)
    first.page_cache.write_bytes("events.ics", b"one")
    first.page_cache.save()
    second = writer_for(tmp_path, "second", "first")
    second.page_cache.write_bytes("events.ics", b"one")  # linked
    second.page_cache.write_bytes("events.ics", b"two")
    assert (tmp_path / "first" / "events.ics").read_bytes() == b"one"
    assert (tmp_path / "second" / "events.ics").read_bytes() == b"two"
    assert second.page_cache.files_reused == 1


def writer_for(tmp_path: Path, name: str, previous: str | None) -> CachingWriter:
    """A page cache writer on its own, as Pelican would make it for one build."""
    output = tmp_path / name
    output.mkdir()
    settings: dict[str, object] = {
        "OUTPUT_PATH": str(output),
        "CACHE_PATH": str(tmp_path / "cache"),
        "PREVIOUS_OUTPUT_PATH": str(tmp_path / previous) if previous else None,
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "PAGINATED_TEMPLATES": {},
    }
    return CachingWriter(str(output), settings)


TEMPLATES = Environment(loader=DictLoader({"plain.html": "{{ x }}", "special.html": "*{{ x }}"}))


def test_a_page_written_with_override_is_not_replaced_by_a_reused_one(tmp_path: Path) -> None:
    """Pelican keeps the first of two writes to one path when it overrides; so must reuse."""
    plain, special = TEMPLATES.get_template("plain.html"), TEMPLATES.get_template("special.html")
    first = writer_for(tmp_path, "first", None)
    first.write_file("page.html", plain, {}, x="1")
    first.page_cache.save()

    second = writer_for(tmp_path, "second", "first")
    second.write_file("page.html", special, {}, x="2", override_output=True)
    second.write_file("page.html", plain, {}, x="1")  # unchanged, but overridden
    assert (tmp_path / "second" / "page.html").read_text() == "*2"
    assert (tmp_path / "first" / "page.html").read_text() == "1"


def test_an_overriding_page_that_changed_is_rendered_though_the_first_did_not(
    tmp_path: Path,
) -> None:
    plain, special = TEMPLATES.get_template("plain.html"), TEMPLATES.get_template("special.html")
    first = writer_for(tmp_path, "first", None)
    first.write_file("page.html", plain, {}, x="1")
    first.write_file("page.html", special, {}, x="2", override_output=True)
    first.page_cache.save()

    second = writer_for(tmp_path, "second", "first")
    second.write_file("page.html", plain, {}, x="1")
    second.write_file("page.html", special, {}, x="3", override_output=True)
    assert (tmp_path / "second" / "page.html").read_text() == "*3"
    assert (tmp_path / "first" / "page.html").read_text() == "*2"


def test_a_path_last_written_from_values_of_unknown_kind_keeps_no_key(tmp_path: Path) -> None:
    plain, special = TEMPLATES.get_template("plain.html"), TEMPLATES.get_template("special.html")
    first = writer_for(tmp_path, "first", None)
    first.write_file("page.html", plain, {}, x="1")
    first.write_file("page.html", special, {}, x=object(), override_output=True)
    first.page_cache.save()
    stored = json.loads((tmp_path / "cache" / "pages.json").read_text())
    assert "page.html" not in stored["pages"]
    assert stored["rendered"] == ["page.html", "page.html"]


@pass_context
def _greeting(context: Context, value: str) -> str:
    return f"{value}, {context.get('visitor', 'resident')}"


@pytest.mark.parametrize(
    "source", ["{{ x|greeting }}", "{{ ['a', 'b']|random }}"], ids=["pass_context", "random"]
)
def test_a_template_reading_beyond_its_variables_is_always_rendered(
    tmp_path: Path, source: str
) -> None:
    env = Environment(loader=DictLoader({"page.html": source}))
    env.filters["greeting"] = _greeting
    for build, previous in (("first", None), ("second", "first")):
        writer = writer_for(tmp_path, build, previous)
        writer.write_file("page.html", env.get_template("page.html"), {"visitor": build}, x="Hi")
        writer.page_cache.save()
        assert writer.page_cache.rendered == ["page.html"]
    if "greeting" in source:
        assert (tmp_path / "second" / "page.html").read_text() == "Hi, second"


def test_jinja_own_filters_that_take_the_context_are_no_reason_to_render(tmp_path: Path) -> None:
    env = Environment(loader=DictLoader({"page.html": "{{ x|map('upper')|join }}"}))
    for build, previous in (("first", None), ("second", "first")):
        writer = writer_for(tmp_path, build, previous)
        writer.write_file("page.html", env.get_template("page.html"), {}, x=["a", "b"])
        writer.page_cache.save()
    assert writer.page_cache.rendered == [] and writer.page_cache.reused == 1


def test_the_manifest_follows_an_edit_on_a_cached_rebuild(site: Site) -> None:
    several(site)
    site.build(cached=True)
    edited = site.content / "announcements" / "2026-11-04-notice.md"
    edited.write_text(edited.read_text().replace("Notice number 4", "Notice number four"))
    touch_later(edited)
    site.build(cached=True)
    manifest = json.loads(site.read("syndication.json"))
    titles = {entry["id"]: entry["title"] for entry in manifest["announcements"]}
    assert titles["2026-11-04-notice"] == "Notice number four"
    assert titles["2026-11-05-notice"] == "Notice number 5"
    full = site.root / "full"
    site.build(output=full)
    assert site.read("syndication.json") == site.read("syndication.json", full)


def test_a_cache_that_cannot_tell_a_changed_file_fails_the_build(site: Site) -> None:
    """Pelican's content cache warns when it cannot stamp files (a CHECK_MODIFIED_METHOD it has
    no function for): it then takes every file for unchanged, and a cached build would keep
    publishing the old text. Unlike a cache it cannot read or save, that is never ignored."""
    site.add("2026-11-20-flushing")
    overrides = {"PATH": str(site.content), "SITEURL": SITEURL, "BUILD_TIME": NOW}
    with pytest.raises(BuildError) as failed:
        build_site(
            ROOT / "publishconf.py",
            site.output,
            {**overrides, "CHECK_MODIFIED_METHOD": "sha265"},  # for sha256
            site.root / "cache",
        )
    assert any("Could not get hashing function" in p for p in failed.value.problems)
    assert any("Cannot get modification stamp" in p for p in failed.value.problems)


def test_a_drafts_link_to_a_file_not_in_content_does_not_stop_a_cached_build(
    site: Site,
) -> None:
    """Pelican's cache warns that it cannot stamp a linked file that is not there; the build's
    own link checks name each such link of a page it publishes, and leave a draft's alone."""
    site.add("2026-11-20-flushing")
    site.add("2026-11-21-plan", status="draft", body="![A map]({static}/images/not-yet.png)\n")
    site.build(cached=True)
    site.build(cached=True)


@pytest.mark.parametrize("folder", [False, True], ids=["cut-short", "a-folder"])
@pytest.mark.parametrize(
    "cache",
    [
        "ArticlesGenerator-Readers",
        "pages.json",
        "calendar-events.pickle",
        "published-images.pickle",
        "revisions-3.pickle",
    ],
)
def test_a_damaged_cache_costs_time_never_the_build(site: Site, cache: str, folder: bool) -> None:
    """A cache cut short (an interrupted save, a partial CI restore) or replaced by a folder is
    rebuilt, not fatal: an urgent alert must still go out."""
    subprocess.run(["git", "-C", str(site.root), "init", "-q"], check=True)
    several(site)
    site.build(cached=True)
    (damaged,) = (site.root / ".output.cache").glob(f"*/{cache}")
    if folder:
        damaged.unlink()
        (damaged / "restored").mkdir(parents=True)
    else:
        damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    site.build(cached=True)
    full = site.root / "full"
    site.build(output=full)
    assert files(site.output) == files(full)
    site.build(cached=True)  # the cache was written whole again: nothing left to render
    assert last_build(site)[0] == set()


@pytest.mark.parametrize("library", ["markdown", "nh3", "pelican"])
def test_a_new_version_of_a_library_that_makes_the_html_starts_from_an_empty_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    """Pelican's content cache keeps each file's HTML until the file changes: an upgrade of
    what renders or cleans it (nh3 decides what HTML written in the text keeps) must not be
    hidden behind HTML the old version made."""
    settings = {"PLUGIN_PATHS": [], "TIMEZONE": "America/Vancouver"}
    before = cache_folder(tmp_path, settings)
    installed = build_module.version
    monkeypatch.setattr(
        build_module, "version", lambda name: "99.0" if name == library else installed(name)
    )
    assert cache_folder(tmp_path, settings) != before
