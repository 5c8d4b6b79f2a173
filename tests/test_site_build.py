"""End to end: Pelican with our plugins and theme, on small content folders."""

from __future__ import annotations

import gc
import io
import json
import locale
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from icalendar import Calendar
from invoke.context import Context
from invoke.exceptions import Exit
from pelican import signals
from PIL import Image, PngImagePlugin

import tasks
from announcements.filters import city_datetime
from announcements.headings import THEME_IDS, heading_at_title_level
from announcements.images import published_copy
from announcements.model import UnreadableImage
from announcements.reader import display_path
from announcements.settings import page_size
from checks.lint import lint
from discovery import robots_txt
from publishing.build import BUILD_GC_THRESHOLD, BuildError
from publishing.build import load_settings as site_settings
from tests.conftest import (
    ALMOST_TOO_MANY_PIXELS,
    BASIC,
    NOW,
    PNG,
    ROOT,
    SITEURL,
    TOO_MANY_PIXELS,
    WITHDRAWN_PARADE,
    Site,
    announcement,
    mp4,
    place_taken,
    png_of_pixels,
)


def test_a_valid_site_builds_every_page_kind(site: Site) -> None:
    site.add("2026-11-20-flushing")
    result = site.build()
    assert (result.articles, result.pages) == (1, 3)
    for path in [
        "index.html",
        "announcements/2026-11-20-flushing.html",
        "category/service-change.html",
        "events.html",
        "archives.html",
        "comment-guidelines.html",
        "about.html",
        "404.html",
        "feeds/all.atom.xml",
        "feeds/urgent.rss.xml",
        "events.ics",
        "sitemap.xml",
        "robots.txt",
        "build.json",
        "theme/css/site.css",
    ]:
        assert (site.output / path).is_file(), path
    assert "Water main flushing in Glenmerry" in site.read("index.html")


def test_invalid_content_fails_the_build_with_every_problem_and_keeps_the_old_site(
    site: Site,
) -> None:
    site.add("2026-11-20-flushing")
    site.build()
    good_index = site.read("index.html")
    site.add("2026-11-21-parade", category="parade")
    site.add("2026-11-22-concert", category="city-event", location="Gyro Park")
    with pytest.raises(BuildError) as failure:
        site.build()
    lines = failure.value.problems
    assert any(
        re.search(r"2026-11-21-parade\.md:4: category: 'parade' is not one of", line)
        for line in lines
    ), lines
    assert any(
        "2026-11-22-concert.md:" in line and ": event_start: is required" in line for line in lines
    )
    assert any(
        "2026-11-22-concert.md:" in line and ": event_end: is required" in line for line in lines
    )
    assert site.read("index.html") == good_index
    assert not list(site.root.glob(".output.*")), "no partial build may be left behind"


@pytest.mark.parametrize("refused", ["output", ".output.staging"])
def test_an_output_folder_that_cannot_be_replaced_fails_the_build_naming_it(
    site: Site, monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    """An output folder that cannot be replaced (read-only, a mount, another user's): one line
    naming it, not a traceback, and neither a whole new site left in .output.staging/ nor
    the old one gone, whichever of the two renames is refused."""
    site.add("2026-11-20-flushing")
    site.build()
    good_index = site.read("index.html")
    real_rename = Path.rename

    def refusing(self: Path, target: Path) -> Path:
        if self == site.root / refused:
            raise PermissionError(1, "Operation not permitted", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", refusing)
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems == [
        f"{site.output}: the new build cannot replace it: Operation not permitted; check that "
        "it and the folder it is in can be written"
    ]
    assert site.read("index.html") == good_index
    assert sorted(p.name for p in site.root.iterdir()) == ["content", "output"]


@pytest.mark.parametrize("target", ["content", "records"])
def test_build_never_replaces_a_folder_that_is_not_a_build(
    site: Site, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    """The build replaces the folder it builds into, whole: `--output content` (mistaken for
    --content) or `--output records` (a typo) would delete the CEC's uncommitted drafts or
    the FOIPPA archive, its ledger with it (and the next syndicate would post everything
    again)."""
    monkeypatch.setattr(tasks.os, "chdir", lambda path: None)
    monkeypatch.setenv("BUILD_TIME", NOW)
    draft = site.add("2026-11-20-flushing", status="draft")  # the CEC's work, not committed
    ledger = site.root / "records" / "syndication" / "ledger.jsonl"  # the FOIPPA archive
    ledger.parent.mkdir(parents=True)
    ledger.write_text('{"seq": 1}\n', encoding="utf-8")
    with pytest.raises(Exit) as refused:  # naming the folder, which is kept as it was
        tasks.build(Context(), output=str(site.root / target), content=str(site.content))
    assert refused.value.code == 2  # an option to fix, as a --content that is not a folder
    assert "--output" in str(refused.value.message)
    assert draft.is_file()
    assert ledger.is_file()


def test_markdown_outside_the_content_folders_is_refused_not_ignored(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.write("2026-11-21-lost.md", "---\ntitle: Lost\n---\n")
    site.write("drafts/2026-11-23-unfinished.md", "---\ntitle: Unfinished\n---\n")
    with pytest.raises(BuildError) as failure:
        site.build()
    lost, unfinished = failure.value.problems
    where = f"{site.content}/announcements/ or {site.content}/pages/"
    reason = f"location: is not inside {where}, so it would never be published; move it"
    assert lost.endswith(f"2026-11-21-lost.md:1: {reason}")
    assert unfinished.endswith(f"drafts/2026-11-23-unfinished.md:1: {reason}")


@pytest.mark.parametrize(
    "name", ["2026-11-20-flushing.markdown", "2026-11-20-flushing.MD", "2026-11-20-flushing.md.txt"]
)
def test_an_announcement_saved_with_another_extension_is_refused_naming_it(
    site: Site, name: str
) -> None:
    """Pelican reads only `.md`: saved as `.markdown`, in capitals, or as Notepad saves it
    (`.md.txt`), an announcement would silently never be published."""
    site.write(f"announcements/{name}", announcement(**BASIC))
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert problem == (
        f"{site.content}/announcements/{name}:1: file name: the build reads only files ending "
        "in .md, so it would never be published; rename it to 2026-11-20-flushing.md"
    )


def test_files_that_are_not_markdown_stay_where_they_are(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.write("README", "What each folder holds.\n")
    site.write("announcements/README.txt", "How to name an announcement.\n")
    (site.content / "images" / "notes.txt").write_text("Photo credits.\n")
    assert site.build().articles == 1


def test_a_pages_folder_linked_from_outside_content_is_refused_for_the_link_alone(
    site: Site,
) -> None:
    """Git keeps only what is in content/ itself, so a link out is refused; its pages are
    still pages, not announcements wanting a date and a category."""
    site.add("2026-11-20-flushing")
    kept_elsewhere = site.root / "shared-pages"
    (site.content / "pages").rename(kept_elsewhere)
    (site.content / "pages").symlink_to(kept_elsewhere, target_is_directory=True)
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems == [
        f"{site.content}/pages:1: location: is a link to something outside content/; "
        "put the file itself here"
    ]


def test_markdown_in_a_folder_inside_announcements_or_pages_is_refused_naming_it(
    site: Site,
) -> None:
    """The file name alone gives the address (announcements/<name>.html), and every command
    (status, lint, invoke new, the FOI report's history) reads the folder itself: one rule."""
    site.add("2026-11-20-flushing")
    site.add("2026/2026-11-22-filed-by-year")
    site.write("pages/council/agenda.md", "---\ntitle: Agenda\n---\nSoon.\n")
    with pytest.raises(BuildError) as failure:
        site.build()
    by_year, agenda = failure.value.problems
    for problem, folder in ((by_year, "announcements"), (agenda, "pages")):
        where = f"{site.content}/{folder}/"
        assert problem.endswith(
            f".md:1: location: is in a folder inside {where}; move it to {where} itself "
            "(its file name alone gives its address)"
        )
    assert by_year.startswith(f"{site.content}/announcements/2026/2026-11-22-filed-by-year.md")
    assert agenda.startswith(f"{site.content}/pages/council/agenda.md")
    assert not site.output.exists()


def test_an_image_the_site_would_not_publish_fails_the_build(site: Site) -> None:
    (site.content / "announcements" / "hydrant.png").write_bytes(PNG)
    site.add("2026-11-20-flushing", image="announcements/hydrant.png", image_alt="A hydrant.")
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert problem.endswith(
        "2026-11-20-flushing.md:6: image: 'announcements/hydrant.png' would not be published "
        "with the site; expected a file under images/"
    )


def test_an_image_name_that_needs_escaping_in_a_url_fails_the_build_naming_it(
    site: Site,
) -> None:
    """Pelican writes a file's address as it is named: a space makes invalid HTML and broken
    image links on the page, in og:image, in the feeds' enclosures and in social posts."""
    (site.content / "images" / "bridge photo.png").write_bytes(PNG)
    site.add("2026-11-20-a", image="images/bridge photo.png", image_alt="A bridge.")
    site.add("2026-11-20-b", body="![A bridge]({static}/images/bridge%20photo.png)")
    with pytest.raises(BuildError) as failure:
        site.build()
    rename = (
        "file names must not contain spaces or characters that need escaping in a URL; "
        "rename the file using only letters a-z, digits, '-', '_' and '.'"
    )
    image, file = failure.value.problems
    assert image.endswith(f"2026-11-20-a.md:6: image: 'images/bridge photo.png': {rename}")
    assert file.endswith(f"images/bridge photo.png:1: file name: {rename}")
    assert not site.output.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slug", "about us"),
        ("slug", "à propos"),
        ("save_as", "council & mayor.html"),
        ("url", "about us.html"),
    ],
)
def test_a_page_address_that_needs_escaping_in_a_url_fails_the_build_naming_it(
    site: Site, field: str, value: str
) -> None:
    """Pelican writes a page's `slug`, `save_as` or `url` into its address as given: a space,
    an accent or `&` would make an invalid sitemap <loc>, and broken links everywhere else."""
    site.add("2026-11-20-flushing")
    path = site.write("pages/about-us.md", f"---\ntitle: About us\n{field}: {value}\n---\nHi.\n")
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert problem == (
        f"{display_path(path)}:3: {field}: '{value}' needs escaping in a URL; "
        "give an address of only letters a-z, digits, '-', '_', '.' and '/'"
    )


def test_a_page_template_the_theme_does_not_have_fails_the_build_naming_file_line_and_field(
    site: Site,
) -> None:
    """Not Pelican's "PelicanTemplateNotFound: unable to load notfond[.html] from [...]",
    which names neither the page nor the field."""
    site.add("2026-11-20-flushing")
    path = site.write("pages/404.md", "---\ntitle: Page not found\ntemplate: notfond\n---\nHi.\n")
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert problem.startswith(
        f"{display_path(path)}:3: template: 'notfond' is not one of the theme's templates: "
    )
    assert "notfound" in problem and "_macros" not in problem


@pytest.mark.parametrize("pixels", [TOO_MANY_PIXELS, ALMOST_TOO_MANY_PIXELS])
def test_an_image_too_large_to_open_fails_the_build_naming_file_line_and_field(
    site: Site, pixels: tuple[int, int]
) -> None:
    # Pillow refuses to open it (or warns it may be a decompression bomb): the build says
    # where, which field and why, as of any other image it refuses.
    (site.content / "images" / "map.png").write_bytes(png_of_pixels(*pixels))
    site.add("2026-11-20-map", image="images/map.png", image_alt="Map of the works.")
    with pytest.raises(BuildError) as failure:
        site.build()
    # The announcement that shows it, and the file, which stops the build shown or not.
    problem, on_its_file = failure.value.problems
    megapixels = pixels[0] * pixels[1] // 1_000_000
    assert re.search(
        rf"2026-11-20-map\.md:6: image: 'images/map\.png' has {megapixels} million pixels, "
        r"too many to open safely \(more than \d+ million\); scale it down",
        problem,
    ), problem
    assert re.search(rf"images/map\.png:1: image: has {megapixels} million pixels", on_its_file)
    assert not site.output.exists()


def test_a_photos_location_and_owner_are_not_published_with_it(site: Site) -> None:
    """A phone's photo says where it was taken and whose phone took it: the site publishes
    the picture alone (upright, as its orientation said), on the page, as og:image and in the
    feeds' enclosures; a PNG's text too. An image that says nothing more is published as is."""
    photo = site.content / "images" / "hydrant.jpg"
    exif = Image.Exif()
    exif[0x013B] = "Jo Doe"  # Artist: the employee whose phone took it
    exif[0x8825] = {1: "N", 2: (49.0, 5.0, 52.0), 3: "W", 4: (117.0, 42.0, 31.0)}  # GPS
    exif[0x0112] = 6  # Orientation: held upright, so turned a quarter to be shown
    Image.new("RGB", (1200, 630), (11, 61, 99)).save(photo, "JPEG", exif=exif, comment=b"Jo")
    chart = PngImagePlugin.PngInfo()
    chart.add_text("Author", "Jo Doe, 1234 Example Street")
    Image.new("RGB", (120, 63)).save(site.content / "images" / "chart.png", pnginfo=chart)
    site.add("2026-11-20-flushing", image="images/hydrant.jpg", image_alt="Crews at a hydrant")
    site.add("2026-11-21-chart", title="Chart", body="![A chart]({static}/images/chart.png)")
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    assert 'content="https://news.trail.ca/images/hydrant.jpg"' in page  # og:image
    published = site.output / "images" / "hydrant.jpg"
    with Image.open(published) as image:
        kept = image.getexif()
        assert 0x013B not in kept, kept.get(0x013B)
        assert not kept.get_ifd(0x8825), kept.get_ifd(0x8825)
        assert "comment" not in image.info
        assert image.size == (630, 1200)  # upright, as it was shown
    assert '<meta property="og:image:width" content="630">' in page
    assert b"Jo" not in published.read_bytes()
    with Image.open(site.output / "images" / "chart.png") as image:
        image.load()
        assert "Author" not in image.info
    (entry,) = [
        e for e in feedparser.parse(site.output / "feeds/all.atom.xml").entries if e.enclosures
    ]
    assert int(entry.enclosures[0].length) == published.stat().st_size
    pixel = (site.content / "images" / "pixel.png").read_bytes()
    assert (site.output / "images" / "pixel.png").read_bytes() == pixel


def test_an_image_whose_file_cannot_be_read_is_not_published_as_it_is(site: Site) -> None:
    """What such a file says besides a picture is not known: the build names it."""
    (site.content / "images" / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe1 not a picture")
    site.add("2026-11-20-flushing", body="![A scan]({static}/images/scan.jpg)")
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems == [
        f"{display_path(site.content / 'images' / 'scan.jpg')}:1: image: cannot be read as an image"
    ]
    assert not site.output.exists()


def _photo(kind: str) -> bytes:
    """A phone's photo saved as `kind`: it says where it was taken and whose phone took it."""
    exif = Image.Exif()
    exif[0x013B] = "Jo Doe"  # Artist
    exif[0x8825] = {1: "N", 2: (49.0, 5.0, 52.0), 3: "W", 4: (117.0, 42.0, 31.0)}  # GPS
    written = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 61, 99)).save(written, kind, exif=exif.tobytes())
    return written.getvalue()


# An iPhone's photo (HEIC): an ISO box of type `ftyp`, brand `heic`; Pillow cannot read it.
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x08mdat" * 4
SVG = (
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
RENAME = (
    "is an image saved as JPEG, but the site publishes an image, without what its file says "
    "besides the picture, only from a file ending in .gif, .jpeg, .jpg, .png or .webp; "
    "rename it to photo.jpg"
)


def not_published(kind: str) -> str:
    return (
        f"is an image saved as {kind}, which the site does not publish: it would go out as it "
        "is, with what its file says besides the picture (where it was taken, whose camera took "
        "it); save it as JPEG, PNG or WebP"
    )


SCRIPTABLE = (
    "is an image saved as SVG, which can hold a script that would run for anyone opening its "
    "address on the City's site; export it as PNG"
)


@pytest.mark.parametrize(
    ("name", "content", "field", "expected"),
    [
        ("photo.jfif", lambda: _photo("JPEG"), "file name", RENAME),
        ("photo.JPE", lambda: _photo("JPEG"), "file name", RENAME),
        ("photo", lambda: _photo("JPEG"), "file name", RENAME),  # named by content alone
        ("photo.tiff", lambda: _photo("TIFF"), "image", not_published("TIFF")),
        ("photo.tif", lambda: b"II*\x00 cut short", "image", not_published("TIFF")),
        ("photo.heic", lambda: HEIC, "image", not_published("HEIF")),
        ("photo.heif", lambda: b"not yet saved", "image", not_published("HEIF")),  # by name
        ("photo.avif", lambda: _photo("AVIF"), "image", not_published("AVIF")),
        ("photo.bmp", lambda: _photo("BMP"), "image", not_published("BMP")),
        ("photo.jpg", lambda: _photo("TIFF"), "image", not_published("TIFF")),  # by content
        ("photo.png", lambda: HEIC, "image", not_published("HEIF")),
        ("photo.webp", lambda: _photo("AVIF"), "image", not_published("AVIF")),
        ("map.svg", lambda: SVG.encode(), "image", SCRIPTABLE),
        ("map.xml", lambda: SVG.encode(), "image", SCRIPTABLE),  # by content
        ("map.SVGZ", lambda: b"\x1f\x8b compressed", "image", SCRIPTABLE),  # by name
    ],
)
def test_an_image_the_site_cannot_publish_safely_fails_the_build_naming_it_and_what_to_do(
    site: Site, name: str, content: Callable[[], bytes], field: str, expected: str
) -> None:
    """Everything in content/images/ is published, shown by a page or not: a photo in a format
    the site does not write again would go out byte for byte, where it was taken included, and
    an SVG's script would run on the City's site. The build names the file and what to do."""
    path = site.content / "images" / name
    path.write_bytes(content())
    site.add("2026-11-20-flushing")
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems == [f"{display_path(path)}:1: {field}: {expected}"]
    assert not site.output.exists()


def test_an_image_linked_from_another_folder_is_refused_as_one_in_images(site: Site) -> None:
    """Pelican copies a file a page links with `{static}` from wherever it is in content/."""
    site.write("documents/report.pdf", "%PDF-1.7\n")
    (site.content / "documents" / "site.heic").write_bytes(HEIC)
    (site.content / "documents" / "plan.svg").write_text(SVG)
    site.add(
        "2026-11-20-flushing",
        body=(
            "See [the report]({static}/documents/report.pdf), [the site]({static}/documents/"
            "site.heic) and [the plan]({static}/documents/plan.svg).\n"
        ),
    )
    with pytest.raises(BuildError) as failure:
        site.build()
    documents = display_path(site.content / "documents")
    assert failure.value.problems == [
        f"{documents}/plan.svg:1: image: {SCRIPTABLE}",
        f"{documents}/site.heic:1: image: {not_published('HEIF')}",
    ]


def test_files_that_are_not_images_are_published_as_they_are(site: Site) -> None:
    """A PDF a page links, a text file beside the photos: nothing to take out of them here."""
    site.write("documents/report.pdf", "%PDF-1.7\n")
    site.write("images/notes.txt", "Photo credits: an <svg> drawing by the Parks crew.\n")
    site.add("2026-11-20-flushing", body="See [the report]({static}/documents/report.pdf).\n")
    site.build()
    assert (site.output / "documents" / "report.pdf").read_text() == "%PDF-1.7\n"
    assert (site.output / "images" / "notes.txt").read_text().startswith("Photo credits")


def runs_a_script(what: str) -> str:
    return (
        f"is {what}, which can hold a script that would run for anyone opening its address on "
        "the City's site; publish its content as an announcement or a page, or as a PDF"
    )


A_SCRIPT = (
    "is a script (JavaScript), which a page could load to run it on the City's site; the site "
    "publishes no script from content/: remove it, and publish what it shows as an "
    "announcement or a page"
)
PAGE = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notice.html", PAGE, runs_a_script("a web page (HTML)")),
        ("notice.HTM", b"<p>Hi</p><script>alert(1)</script>", runs_a_script("a web page (HTML)")),
        ("notice.shtml", b"Hello", runs_a_script("a web page (HTML)")),  # by name
        ("notice.xhtml", b"<html xmlns='x'/>", runs_a_script("a web page (XHTML)")),
        ("feed.xml", b"<rss><channel/></rss>", runs_a_script("an XML document")),
        ("style.xsl", b"<xsl:stylesheet/>", runs_a_script("an XSLT stylesheet")),
        ("style.XSLT", b"<xsl:stylesheet/>", runs_a_script("an XSLT stylesheet")),
        ("map.js", b"alert(document.cookie)", A_SCRIPT),
        ("map.mjs", b"export default 1", A_SCRIPT),
        ("map.cjs", b"module.exports = 1", A_SCRIPT),
        # by what the file begins with, whatever its name (as a browser tells a page)
        ("notice", PAGE, runs_a_script("a web page (HTML)")),
        ("notice.txt", b"\xef\xbb\xbf \n<HTML><script>", runs_a_script("a web page (HTML)")),
        ("notice.csv", b"\t<script>alert(1)</script>", runs_a_script("a web page (HTML)")),
        ("notice.pdf", b"<iframe src=x>", runs_a_script("a web page (HTML)")),
        ("notice.dat", b"<!-- a comment --><p>", runs_a_script("a web page (HTML)")),
        ("pixel.png", b"<body onload=alert(1)>", runs_a_script("a web page (HTML)")),
        ("notice.txt", b'<?xml version="1.0"?><x/>', runs_a_script("an XML document")),
        ("notice.txt", "<html>".encode("utf-16"), runs_a_script("a web page (HTML)")),
        # XML served as such (an `+xml` type) runs an XHTML script it holds, however it begins
        (
            "feed.rss",
            b'<rss xmlns:h="http://www.w3.org/1999/xhtml"><h:script/></rss>',
            runs_a_script("an XML document"),
        ),
        ("feed.atom", b"<feed/>", runs_a_script("an XML document")),
        ("formula.mml", b"<math/>", runs_a_script("an XML document")),
        (
            "notice.dat",
            b"\n<h:script xmlns:h='http://www.w3.org/1999/xhtml'/>",
            runs_a_script("an XML document"),
        ),
        ("map.txt", "<svg><script/></svg>".encode("utf-16"), runs_a_script("an XML document")),
    ],
)
def test_a_file_that_can_run_a_script_on_the_site_fails_the_build_naming_it_and_what_to_do(
    site: Site, name: str, content: bytes, expected: str
) -> None:
    """A web page, an XML document or a script in content/images/ would be copied as it is:
    opened at its address, its script would run on the City's own site (the text's HTML is
    cleaned of scripts; this would not be). The build names the file and what to do."""
    path = site.content / "images" / name
    path.write_bytes(content)
    site.add("2026-11-20-flushing")
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems == [f"{display_path(path)}:1: file: {expected}"]
    assert not site.output.exists()


def test_a_web_page_linked_from_another_folder_is_refused_as_one_in_images(site: Site) -> None:
    """Pelican copies a file a page links with `{static}` from wherever it is in content/."""
    site.write("documents/report.pdf", "%PDF-1.7\n")
    site.write("documents/form.html", PAGE.decode())
    site.write("documents/form.js", "alert(1)\n")
    site.add(
        "2026-11-20-flushing",
        body=(
            "See [the report]({static}/documents/report.pdf), [the form]({static}/documents/"
            "form.html) and [its script]({static}/documents/form.js).\n"
        ),
    )
    with pytest.raises(BuildError) as failure:
        site.build()
    documents = display_path(site.content / "documents")
    assert failure.value.problems == [
        f"{documents}/form.html:1: file: {runs_a_script('a web page (HTML)')}",
        f"{documents}/form.js:1: file: {A_SCRIPT}",
    ]


def test_files_that_hold_no_script_are_published_as_they_are(site: Site) -> None:
    """Text, a table, a PDF, a photo: published, markup named in them or not; the theme's
    own files (its stylesheet) are the theme's, not content, and are published too."""
    site.write("images/credits.txt", "Photos by the Parks crew; <html> is not at the start.\n")
    site.write("images/budget.csv", "item,amount\n<script>,0\n")
    site.write("documents/report.pdf", "%PDF-1.7\n<html><script>alert(1)</script>\n")
    site.add("2026-11-20-flushing", body="See [the report]({static}/documents/report.pdf).\n")
    site.build()
    assert (site.output / "images" / "credits.txt").read_text().startswith("Photos by")
    assert (site.output / "images" / "budget.csv").read_text().startswith("item,amount")
    assert (site.output / "documents" / "report.pdf").read_text().startswith("%PDF-1.7")
    assert (site.output / "images" / "pixel.png").is_file()
    assert list((site.output / "theme").rglob("*.css"))


def test_a_photo_in_a_format_not_published_is_never_written_as_it_is(tmp_path: Path) -> None:
    """Should the build's check be passed over, the image plugin still refuses it."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(_photo("TIFF"))
    with pytest.raises(UnreadableImage, match="saved as TIFF"):
        published_copy(photo)


def test_a_video_that_says_where_it_was_taken_fails_the_build(site: Site) -> None:
    """YouTube gets a video as it is: one that says where it was taken is never published."""
    (site.content / "videos").mkdir()
    (site.content / "videos" / "tour.mp4").write_bytes(mp4(place_taken()))
    path = site.add("2026-11-21-tour", title="Tour", video="videos/tour.mp4")
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems == [
        f"{display_path(path)}:6: video: 'videos/tour.mp4' holds where it was taken (©xyz), "
        "which would go to YouTube with it; copy it without that (in its folder: ffmpeg -i "
        "tour.mp4 -map_metadata -1 -c copy tour-clean.mp4) and name the copy"
    ]
    assert not site.output.exists()


def test_a_link_out_of_content_fails_the_build_and_publishes_nothing(site: Site) -> None:
    """Git keeps a symbolic link, not what it points to: Pelican would copy that to the site."""
    secret = site.root / "deploy-key.txt"
    secret.write_text("not for the public", encoding="utf-8")
    (site.content / "images" / "logo.png").symlink_to(secret)
    (site.content / "images" / "inside.png").symlink_to(site.content / "images")  # harmless
    site.add("2026-11-20-flushing")
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems == [
        f"{site.content}/images/logo.png:1: location: is a link to something outside "
        "content/; put the file itself here"
    ]
    assert not (site.output / "images" / "logo.png").exists()


@pytest.mark.parametrize(
    "link",
    [
        "{static}/../notes.txt",
        "{attach}../../notes.txt",
        "{filename}/../notes.txt",
        "{static}/images/../../notes.txt",
        "{static}/%2E%2E/notes.txt",
    ],
)
@pytest.mark.parametrize("status", ["published", "draft"])
def test_a_static_link_out_of_content_is_refused_naming_the_file_and_nothing_is_copied(
    site: Site, link: str, status: str
) -> None:
    """Pelican would read the file from elsewhere on the machine that builds, and copy a
    {static} one outside the output folder; a draft's links are copied too."""
    (site.root / "notes.txt").write_text("not for the public\n")
    path = site.add("2026-11-20-flushing", body=f"See [the notes]({link}).", status=status)
    output = site.root / "public" / "www" / "output"
    output.parent.mkdir(parents=True)
    with pytest.raises(BuildError) as failure:
        site.build(output=output)
    line = path.read_text().splitlines().index(f"See [the notes]({link}).") + 1
    assert failure.value.problems == [
        f"{path}:{line}: link: '{link}' is outside content/: the build would take the file from "
        "elsewhere on the machine that builds the site (and publish it beside the site); put "
        "the file in content/ and link it from there"
    ]
    assert not (output.parent / "notes.txt").exists(), "copied beside the output folder"
    assert not output.exists()


def test_script_and_unsafe_links_in_the_text_are_never_published(site: Site) -> None:
    site.add(
        "2026-11-20-flushing",
        body=(
            "Hi <script>alert(1)</script> [details](javascript:alert(2)) "
            '<img src="{static}/images/pixel.png" onerror="alert(3)" alt="y"> '
            '<abbr title="Public Works">PW</abbr> [Call us](tel:+12503641262) or '
            "[see the map]({filename}/announcements/2026-11-20-map.md)."
            "[^1]\n\n[^1]: Weather permitting.\n"
        ),
    )
    site.add("2026-11-20-map", title="Map")
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    feed = site.read("feeds/all.atom.xml").replace("&lt;", "<").replace("&gt;", ">")
    for text in (page, feed):
        assert "alert(" not in text and "javascript:" not in text and "onerror" not in text
    # What Markdown writes, and safe HTML, stays as written.
    assert '<abbr title="Public Works">PW</abbr>' in page
    assert '<a href="tel:+12503641262">Call us</a>' in page
    assert '<a href="../announcements/2026-11-20-map.html">see the map</a>' in page
    assert 'id="fn:1"' in page and 'class="footnote-ref"' in page


def test_the_rss_description_carries_the_summary_as_text_not_as_html(site: Site) -> None:
    """Feed readers read an RSS <description> as HTML and an Atom <summary> (type text) as
    text: each shows what the page shows, never markup."""
    summary = "Crews flush mains <img src=x onerror=alert(1)> next week & after, if it's dry."
    site.add("2026-11-20-flushing", summary=json.dumps(summary))
    site.build()
    rss = ET.fromstring(site.read("feeds/all.rss.xml").encode())
    description = rss.findtext("channel/item/description") or ""
    assert "<img" not in description
    # Escaped once for HTML: what a reader shows is the summary's own characters.
    assert description == (
        "Crews flush mains &lt;img src=x onerror=alert(1)&gt; next week &amp; after, if it's dry."
    )
    assert feedparser.parse(site.output / "feeds/all.rss.xml").entries[0].summary == description
    atom = feedparser.parse(site.output / "feeds/all.atom.xml").entries[0]
    assert (atom.summary_detail.type, atom.summary) == ("text/plain", summary)


def test_a_title_with_ampersand_and_angle_brackets_reads_the_same_everywhere(site: Site) -> None:
    title = "Fish & chips <fundraiser> at the Aquatic Centre"
    event = {"category": "city-event", "location": "Trail Aquatic Centre"}
    site.add(
        "2026-11-20-fundraiser",
        title=json.dumps(title),
        event_start="2026-12-12 18:00",
        event_end="2026-12-12 20:00",
        summary=json.dumps("Tickets & info <at the door>."),
        **event,
    )
    site.build()
    for name in ("all.atom.xml", "all.rss.xml"):
        assert feedparser.parse(site.output / f"feeds/{name}").entries[0].title == title, name
    calendar = Calendar.from_ical((site.output / "events.ics").read_bytes())
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == title
    assert str(vevent["description"]).startswith("Tickets & info <at the door>.\n")
    assert "<h1>Fish &amp; chips &lt;fundraiser&gt; at the Aquatic Centre</h1>" in site.read(
        "announcements/2026-11-20-fundraiser.html"
    )


@pytest.mark.parametrize(
    ("image", "address"),
    [
        ("![Map of Glenmerry](https://maps.example.com/glenmerry.png)", None),
        ('<img src="https://tracker.example/p.gif" alt="Glenmerry" width="1" height="1">', None),
        ('<IMG SRC=//tracker.example/p.gif ALT="Glenmerry">', "//tracker.example/p.gif"),
        # Browsers read a backslash as a slash: //tracker.example/p.gif again.
        ('<img src="\\\\tracker.example/p.gif" alt="Glenmerry">', "\\\\tracker.example/p.gif"),
        ("![Logo][logo]\n\n[logo]: HTTP://cdn.example.net/logo.png", None),
    ],
)
def test_an_image_from_another_site_is_refused_by_the_build_and_the_lint(
    site: Site, image: str, address: str | None
) -> None:
    """The site loads nothing from other sites (README, and every page's footer): an image
    there would tell its owner who reads the page, and when (a tracker)."""
    address = address or re.findall(r"(?i)(?:https?:)?//[^\s)\"]+", image)[0]
    site.add(
        "2026-11-20-flushing",
        body=f"Crews flush mains.\n\n![Pixel]({{static}}/images/pixel.png)\n\n{image}\n",
    )
    path = site.content / "announcements" / "2026-11-20-flushing.md"
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if address in text)
    shutil.copytree(ROOT / "policy", site.root / "policy")
    found = [f for f in lint(site.content, site.root / "policy") if f.blocks_publishing]
    assert [(f.path, f.line, f.rule) for f in found] == [
        (display_path(path), line, "external-image")
    ]
    assert f"'{address}' is an image on another site" in found[0].message
    with pytest.raises(BuildError) as refused:
        site.build()
    assert refused.value.problems == [f"{display_path(path)}:{line}: image: {found[0].message}"]
    assert not site.output.exists()


@pytest.mark.parametrize(
    "image",
    [
        '<img src="{static}/images/pixel.png">',
        "<IMG SRC='{static}/images/pixel.png' WIDTH=120>",
        '<img src="{static}/images/pixel.png" alt="">',  # an announcement's image is content
        '<img src="{static}/images/pixel.png" alt="  " title="A crew at the hydrant">',
        # A zero-width space, as an emptied field of a word processor may keep: nothing to say.
        '<img src="{static}/images/pixel.png" alt="&#8203;">',
        "![\u200b]({static}/images/pixel.png)",
        "![&#8203;]({static}/images/pixel.png)",
    ],
)
def test_an_img_without_alt_text_is_refused_by_the_build_and_the_lint(
    site: Site, image: str
) -> None:
    """Issue 3: an image without alt text fails the build. Pelican warns only of `alt=""`;
    with no alt at all the page was published: invalid HTML, and nothing for a screen reader."""
    site.add("2026-11-20-flushing", body=f"Crews flush mains.\n\nThe new route:\n\n{image}\n")
    path = site.content / "announcements" / "2026-11-20-flushing.md"
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "pixel" in text)
    shutil.copytree(ROOT / "policy", site.root / "policy")
    found = [f for f in lint(site.content, site.root / "policy") if f.blocks_publishing]
    assert [(f.path, f.line, f.rule) for f in found] == [(display_path(path), line, "image-alt")]
    assert found[0].message.startswith("'{static}/images/pixel.png' is an image without alt text")
    with pytest.raises(BuildError) as refused:
        site.build()
    assert refused.value.problems == [f"{display_path(path)}:{line}: image: {found[0].message}"]
    assert not site.output.exists()


def test_an_img_with_alt_text_is_published(site: Site) -> None:
    site.add(
        "2026-11-20-flushing",
        body="<img alt='The detour, on Bay Avenue' src='{static}/images/pixel.png'>\n",
    )
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    assert 'alt="The detour, on Bay Avenue"' in page


@pytest.mark.parametrize(
    "line", ["#TrailBC crews are plowing Glenmerry tonight.", "#1 priority: the hospital hill."]
)
def test_a_line_starting_with_a_hashtag_or_a_number_sign_is_text_not_a_heading(
    site: Site, line: str
) -> None:
    """Python-Markdown made a heading of any line starting with `#`: the hashtag's `#` went
    and the sentence became a second h1. As in CommonMark, a heading's `#` needs a space."""
    site.add("2026-11-20-flushing", body=f"{line}\n\n## What to do\n\nRun cold water.\n")
    shutil.copytree(ROOT / "policy", site.root / "policy")
    assert [f for f in lint(site.content, site.root / "policy") if f.blocks_publishing] == []
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    assert f"<p>{line}</p>" in page
    assert '<h2 id="what-to-do">What to do</h2>' in page
    assert len(re.findall(r"<h1[ >]", page)) == 1  # the title


@pytest.mark.parametrize(
    "heading",
    [
        "# Road closures",
        "Road closures\n=============",
        "> Road closures\n> ===",
        "## Detours\nRoad closures\n===",
        "<h1>Road closures</h1>",
    ],
)
def test_a_heading_at_the_titles_level_in_the_text_is_refused_by_the_build_and_the_lint(
    site: Site, heading: str
) -> None:
    """Every page has one h1, its title (issue 8): a second, written as `# ` or underlined
    with `=`, was published; only the lint knew of the first kind."""
    site.add("2026-11-20-flushing", body=f"Crews flush mains.\n\n{heading}\n\nBay Ave.\n")
    path = site.content / "announcements" / "2026-11-20-flushing.md"
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "Road" in text)
    message = heading_at_title_level("Road closures")
    with pytest.raises(BuildError) as refused:
        site.build()
    assert refused.value.problems == [f"{display_path(path)}:{line}: heading: {message}"]
    if not heading.startswith("<"):  # the lint reads Markdown's headings
        shutil.copytree(ROOT / "policy", site.root / "policy")
        found = [f for f in lint(site.content, site.root / "policy") if f.blocks_publishing]
        assert [(f.line, f.rule, f.message) for f in found] == [(line, "heading-order", message)]


@pytest.mark.parametrize(
    "heading", ["# Mayor's update", "# Water *main* break", "# Road closures -- Bay Ave"]
)
def test_a_refused_heading_is_named_at_its_own_line_as_written(site: Site, heading: str) -> None:
    """Rendering turns ' into ’, -- into – and drops emphasis marks: the line is still the
    heading's own, and the message quotes it as the CEC typed it."""
    path = site.add("2026-11-20-flushing", body=f"Crews flush mains.\n\nMore.\n\n{heading}\n")
    with pytest.raises(BuildError) as refused:
        site.build()
    line = path.read_text().splitlines().index(heading) + 1
    assert refused.value.problems == [
        f"{display_path(path)}:{line}: heading: {heading_at_title_level(heading[2:])}"
    ]


def test_a_link_to_a_heading_in_the_text_leads_to_it(site: Site) -> None:
    """Each heading gets an id from its words, on the page and in the feeds; one whose words
    make an id of the theme's (the skip link's `main`) gets another, so no two elements share
    one."""
    site.add(
        "2026-11-20-flushing",
        body=(
            "Read [what to do](#what-to-do) first.\n\n## What to do\n\nRun cold water.\n\n"
            "## Main\n\nOn Bay Avenue.\n"
        ),
    )
    site.build()
    html = site.read("announcements/2026-11-20-flushing.html")
    ids = re.findall(r'\sid="([^"]+)"', html)
    targets = re.findall(r'\shref="#([^"]+)"', html)
    assert "what-to-do" in targets
    assert [t for t in targets if t not in ids] == []
    assert sorted(ids) == sorted(set(ids))
    assert '<h2 id="main_1">Main</h2>' in html
    assert '&lt;h2 id="what-to-do"&gt;' in site.read("feeds/all.atom.xml")


def test_an_id_written_in_html_never_takes_one_the_theme_or_a_heading_has(site: Site) -> None:
    """An id written in the text's HTML that the theme gives (the skip link's `main`), that a
    heading has from its words, or that an element before has, is dropped: two elements of
    one id are invalid HTML, and the skip link or a `#` link could lead to either."""
    site.add(
        "2026-11-20-flushing",
        body=(
            '<p id="main">Crews flush mains.</p>\n\n<p id="what-to-do">Run cold water.</p>\n\n'
            '## What to do\n\n<p id="map">Bay Avenue.</p>\n\n<p id="map">Cedar Avenue.</p>\n'
        ),
    )
    site.build()
    html = site.read("announcements/2026-11-20-flushing.html")
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert sorted(ids) == sorted(set(ids))
    assert '<main id="main"' in html
    assert '<h2 id="what-to-do">What to do</h2>' in html
    assert '<p id="map">Bay Avenue.</p>' in html
    assert "<p>Crews flush mains.</p>" in html and "<p>Cedar Avenue.</p>" in html


def test_no_template_shows_the_dates_pelican_is_told_not_to_format() -> None:
    """DEFAULT_DATE_FORMAT is empty (pelicanconf.py): `locale_date` would show nothing."""
    assert site_settings(ROOT / "publishconf.py")["DEFAULT_DATE_FORMAT"] == ""
    templates = sorted((ROOT / "theme" / "templates").rglob("*.html"))
    assert templates
    for template in templates:
        assert not re.search(r"locale_(date|modified)", template.read_text()), template


def test_a_heading_never_takes_an_id_the_theme_gives_a_page_with_text() -> None:
    templates = ROOT / "theme" / "templates"
    written = {
        found
        for name in ("base.html", "article.html", "page.html", "notfound.html")
        for found in re.findall(r'\sid="([^"{]+)"', (templates / name).read_text())
    }
    assert written == THEME_IDS


def test_nothing_one_announcements_text_defines_reaches_another(site: Site) -> None:
    """Every file goes through one Markdown converter, reset between files."""
    site.add(
        "2026-11-19-first",
        title="First",
        body="Uses PW.[^a]\n\n*[PW]: Public Works\n\n[^a]: A note.\n\n[map]: https://trail.ca/map\n",
    )
    site.add("2026-11-20-flushing", body="Also PW and [the map][map].[^b]\n\n[^b]: Another.\n")
    site.build()
    first = site.read("announcements/2026-11-19-first.html")
    second = site.read("announcements/2026-11-20-flushing.html")
    assert '<abbr title="Public Works">PW</abbr>' in first
    assert "<abbr" not in second and "[the map][map]" in second  # not defined here
    assert '<a class="footnote-ref" href="#fn:b">1</a>' in second  # numbered from 1


def test_a_link_to_a_missing_page_fails_the_build_naming_file_and_line(site: Site) -> None:
    site.add("2026-11-20-flushing", body="Crews.\n\nSee [the map]({filename}/announcements/x.md).")
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert problem == (
        f"{site.content}/announcements/2026-11-20-flushing.md:9: link: "
        "'{filename}/announcements/x.md' names a file not in content/ (announcements/x.md); "
        "add the file, or correct the name"
    )


@pytest.mark.parametrize(
    ("image", "address"),
    [
        ("![A hydrant](images/pixel.png)", "images/pixel.png"),
        ("![A hydrant](/images/pixel.png)", "/images/pixel.png"),
        ("![A hydrant](../images/pixel.png)", "../images/pixel.png"),
        ('<img src="images/pixel.png" alt="A hydrant">', "images/pixel.png"),
        ("![A hydrant][h]\n\n[h]: images/pixel.png", "images/pixel.png"),
    ],
)
def test_an_image_in_the_text_not_linked_with_static_is_refused_by_the_build_and_the_lint(
    site: Site, image: str, address: str
) -> None:
    """A path as written is read from the page's address (announcements/...), not from
    content/: the page and the feeds would show a broken image. Only `{static}` says where the
    file is in content/, and has the build copy it."""
    site.add("2026-11-20-flushing", body=f"Crews flush mains.\n\n{image}\n")
    path = site.content / "announcements" / "2026-11-20-flushing.md"
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if address in text)
    shutil.copytree(ROOT / "policy", site.root / "policy")
    found = [f for f in lint(site.content, site.root / "policy") if f.blocks_publishing]
    assert [(f.path, f.line, f.rule) for f in found] == [(display_path(path), line, "image")]
    assert found[0].message == (
        f"'{address}' is not an image of the site as written: the page, at another address "
        "than its file, would show it broken; write its path in content/ after {static}: "
        "{static}/images/pixel.png"
    )
    with pytest.raises(BuildError) as refused:
        site.build()
    assert refused.value.problems == [f"{display_path(path)}:{line}: image: {found[0].message}"]
    assert not site.output.exists()


def test_an_image_in_the_text_that_does_not_exist_fails_the_build_naming_it(site: Site) -> None:
    """Pelican would link it and copy nothing: a broken image on the page and in the feeds."""
    site.add(
        "2026-11-20-flushing", body="Crews flush mains.\n\n![A hydrant]({static}/images/x.png)"
    )
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert problem.endswith(
        "2026-11-20-flushing.md:9: link: '{static}/images/x.png' names a file not in content/ "
        "(images/x.png); add the file, or correct the name"
    )
    assert not site.output.exists()


def test_a_link_to_an_unpublished_announcement_is_not_published(site: Site) -> None:
    site.add("2026-12-01-future", date="2026-12-01 09:00", title="Transit survey")
    site.add("2026-11-21-draft", status="draft", title="Snow plan")
    site.add(
        "2026-11-20-a",
        body="See [the transit survey]({filename}/announcements/2026-12-01-future.md) and "
        "[the snow plan]({filename}/announcements/2026-11-21-draft.md).",
    )
    with pytest.raises(BuildError, match=r"2026-11-20-a\.md") as failure:
        site.build()
    # Pelican would have pointed them at a page not there yet, and at the home page.
    assert [p[p.index("2026-11-20-a.md") :] for p in failure.value.problems] == [
        "2026-11-20-a.md:7: link: '{filename}/announcements/2026-11-21-draft.md' is a draft, "
        "which the site does not publish; link to it once it is published",
        "2026-11-20-a.md:7: link: '{filename}/announcements/2026-12-01-future.md' is not "
        "published yet (scheduled for 2026-12-01 09:00); link to it once it is published",
    ]
    assert not site.output.exists()


def test_an_announcement_links_to_what_is_published_by_the_time_it_is(site: Site) -> None:
    site.add(
        "2026-11-18-closure",
        status="withdrawn",
        withdrawn_reason="Postponed.",
        modified="2026-11-23 10:00",
    )
    site.add("2026-11-20-a", body="The [closure]({filename}2026-11-18-closure.md) was withdrawn.")
    site.add("2026-12-01-survey", date="2026-12-01 09:00", title="Transit survey")
    link = "See the [survey]({filename}2026-12-01-survey.md)."
    site.add("2026-12-01-reminder", date="2026-12-01 09:00", body=link)  # goes up with it
    site.add("2026-12-02-results", date="2026-12-02 09:00", body=link)
    site.add("2026-11-30-early", date="2026-11-30 09:00", body=link)
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert "2026-11-30-early.md:7: link:" in problem
    assert "(scheduled for 2026-12-01 09:00, after this one at 2026-11-30 09:00)" in problem
    (site.content / "announcements" / "2026-11-30-early.md").unlink()
    site.build()
    # The scheduled build that releases them: each links to a page that is there.
    site.build(now="2026-12-02T09:00:00-08:00")
    for name in ("2026-12-01-reminder", "2026-12-02-results"):
        page = site.read(f"announcements/{name}.html")
        assert 'href="../announcements/2026-12-01-survey.html">survey</a>' in page
    page = site.read("announcements/2026-11-20-a.html")
    assert 'href="../announcements/2026-11-18-closure.html">closure</a>' in page


def test_invoke_build_exits_non_zero_naming_file_and_field(site: Site) -> None:
    site.add("2026-11-21-parade", category="parade")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "build",
            "--content",
            str(site.content),
            "--output",
            str(site.output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "2026-11-21-parade.md:4: category: 'parade' is not one of" in run.stderr
    assert "previous output/ is unchanged" in run.stderr
    assert not site.output.exists()


def test_future_announcements_wait_for_their_date_and_drafts_never_publish(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.add("2027-01-15-dog-licences", title="Dog licences for 2027", date="2027-01-15 08:00")
    site.add("2026-11-19-draft", title="Unfinished budget notes", status="draft")
    site.build()
    assert not (site.output / "announcements/2027-01-15-dog-licences.html").exists()
    assert not (site.output / "announcements/2026-11-19-draft.html").exists()
    everything = "".join(
        p.read_text()
        for p in site.output.rglob("*")
        if p.is_file() and p.suffix in {".html", ".xml", ".ics"}
    )
    assert "Dog licences for 2027" not in everything
    assert "Unfinished budget notes" not in everything
    # The scheduled build after its date releases it.
    site.build(now="2027-01-15T08:00:00-08:00")
    assert "Dog licences for 2027" in site.read("announcements/2027-01-15-dog-licences.html")
    assert "Dog licences for 2027" in site.read("feeds/all.atom.xml")
    assert "Unfinished budget notes" not in site.read("index.html")


def test_a_draft_page_is_never_published(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.write(
        "pages/snow-plan.md", "---\ntitle: Draft snow plan\nstatus: draft\n---\nNot ready.\n"
    )
    site.build()
    written = [p.relative_to(site.output).as_posix() for p in site.output.rglob("*")]
    assert [p for p in written if "snow-plan" in p] == []
    assert "Draft snow plan" not in site.read("sitemap.xml")


def feed_alternates(page: str) -> list[tuple[str, str, str]]:
    """(type, title, href) of each feed a page's <head> advertises, in order."""
    head = page.split("</head>", 1)[0]
    return re.findall(
        r'<link rel="alternate" type="(application/(?:atom|rss)\+xml)" title="([^"]*)" '
        r'href="([^"]*)">',
        head,
    )


def test_each_page_advertises_the_feeds_of_what_it_lists(site: Site) -> None:
    """Feed autodiscovery: every page offers the all-announcements feeds; a category's page
    its own feeds too, the home page the urgent alerts', an announcement's page its
    category's, each as Atom and RSS, titled so a reader can tell them apart."""
    site.add("2026-11-20-flushing")
    site.add(
        "2026-11-19-fair",
        title="Rossland winter fair",
        category="regional-event",
        event_start="2026-12-05 10:00",
        event_end="2026-12-05 16:00",
        location="Rossland Miners' Hall",
    )
    site.build()

    def both(slug: str, what: str, up: str) -> list[tuple[str, str, str]]:
        return [
            (
                "application/atom+xml",
                f"City of Trail: {what} (Atom)",
                f"{up}/feeds/{slug}.atom.xml",
            ),
            ("application/rss+xml", f"City of Trail: {what} (RSS)", f"{up}/feeds/{slug}.rss.xml"),
        ]

    assert feed_alternates(site.read("index.html")) == [
        *both("all", "all announcements", "."),
        *both("urgent", "urgent alerts", "."),
    ]
    assert feed_alternates(site.read("category/regional-event.html")) == [
        *both("all", "all announcements", ".."),
        *both("regional-event", "Greater Trail Area events", ".."),
    ]
    assert feed_alternates(site.read("announcements/2026-11-20-flushing.html")) == [
        *both("all", "all announcements", ".."),
        *both("service-change", "Service changes", ".."),
    ]
    for other in ("events.html", "archives.html", "about.html"):
        assert feed_alternates(site.read(other)) == both("all", "all announcements", "."), other


def test_a_withdrawn_announcement_keeps_its_url_with_the_reason_and_leaves_the_lists(
    site: Site,
) -> None:
    site.add("2026-11-20-flushing")
    site.add(
        "2026-11-18-closure",
        title="Bay Avenue closed on Thursday",
        date="2026-11-18 09:00",
        category="public-notice",
        status="withdrawn",
        modified="2026-11-19 10:00",
        withdrawn_reason="The work was postponed to the spring; Bay Avenue stays open.",
        body="Bay Avenue will be closed all day.",
        urgent="true",
        expires="2026-11-19 09:00",
    )
    site.build()
    page = site.read("announcements/2026-11-18-closure.html")
    assert "This announcement has been withdrawn" in page
    assert '<span class="badge' not in page  # neither urgent nor expired: withdrawn
    assert "postponed to the spring" in page
    assert "Bay Avenue will be closed all day." not in page
    assert '<meta name="robots" content="noindex">' in page
    # A link pasted or shared again previews the withdrawal, not the cancelled notice.
    previews = dict(re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', page))
    reason = "The work was postponed to the spring; Bay Avenue stays open."
    for name in ("og:title", "twitter:title"):
        assert previews[name] == "Withdrawn: Bay Avenue closed on Thursday", name
    for name in ("description", "og:description", "twitter:description"):
        assert previews[name] == reason, name
    (json_ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    article = json.loads(json_ld)["@graph"][1]
    assert (article["headline"], article["description"]) == (
        "Withdrawn: Bay Avenue closed on Thursday",
        reason,
    )
    for listing in ["index.html", "category/public-notice.html"]:
        path = site.output / listing
        assert not path.exists() or "Bay Avenue closed" not in path.read_text()
    assert "2026-11-18-closure" not in site.read("sitemap.xml")
    archives = site.read("archives.html")
    assert "Withdrawn announcements" in archives and "Bay Avenue closed on Thursday" in archives


def test_a_withdrawn_announcements_page_shares_no_image(site: Site) -> None:
    """Its page shows only the notice, and the feeds drop the image: a link shared again must
    not preview the withdrawn event's poster either (og:, twitter: or JSON-LD)."""
    site.add(
        "2026-11-18-light-up",
        title="Holiday light-up at Gyro Park",
        date="2026-11-18 09:00",
        category="city-event",
        event_start="2026-12-05 17:00",
        event_end="2026-12-05 20:00",
        location="Gyro Park, Trail",
        image="images/pixel.png",
        image_alt="Crews at a hydrant",
        status="withdrawn",
        modified="2026-11-19 10:00",
        withdrawn_reason="Cancelled for the weather.",
    )
    site.build()
    page = site.read("announcements/2026-11-18-light-up.html")
    assert "This announcement has been withdrawn" in page
    assert "images/pixel.png" not in page and "Crews at a hydrant" not in page
    assert '<meta name="twitter:card" content="summary">' in page
    article, event = json_ld(page)["@graph"][1:]
    assert "image" not in article and "image" not in event
    assert event["eventStatus"] == "https://schema.org/EventCancelled"


def test_a_withdrawn_announcement_tells_feed_subscribers_it_was_withdrawn(site: Site) -> None:
    """A feed reader keeps every entry it has read: one that only left the feeds would stay
    there as if current. The entry stays, with the page's notice in place of the text."""
    closure = {
        "title": "Bay Avenue closed on Thursday",
        "date": "2026-11-18 09:00",
        "category": "public-notice",
        "urgent": "true",
        "expires": "2026-11-26 18:00",
        "body": "Bay Avenue will be closed all day.",
    }
    site.add("2026-11-20-flushing")
    site.add("2026-11-18-closure", **closure)
    site.build()
    site.add(
        "2026-11-18-closure",
        **closure,
        status="withdrawn",
        modified="2026-11-19 10:00",
        withdrawn_reason="The work was postponed to the spring; Bay Avenue stays open.",
    )
    site.build()
    url = f"{SITEURL}/announcements/2026-11-18-closure.html"
    for feed in ("all", "public-notice", "urgent"):
        for kind in ("atom", "rss"):
            parsed = feedparser.parse(site.output / f"feeds/{feed}.{kind}.xml")
            assert parsed.bozo == 0, (feed, kind)
            (entry,) = [e for e in parsed.entries if e.id == url]
            assert entry.title == "Withdrawn: Bay Avenue closed on Thursday", (feed, kind)
            text = re.sub(r"<[^>]+>", "", entry.content[0].value)
            assert (
                "Withdrawn, Thursday, November 19, 2026, 10 a.m. PST: "
                "The work was postponed to the spring" in text
            ), (feed, kind)
            assert "closed all day" not in text and not entry.get("enclosures"), (feed, kind)
        atom = feedparser.parse(site.output / f"feeds/{feed}.atom.xml")
        assert atom.entries[-1].updated == "2026-11-19T10:00:00-08:00", feed
    assert "Bay Avenue" not in site.read("feeds/service-change.atom.xml")

    # The urgent feed holds alerts still in effect: the notice leaves it when the alert would
    # have expired, and stays in the others.
    site.build(now="2026-11-27T09:00:00-08:00")
    assert url not in site.read("feeds/urgent.atom.xml")
    assert url in site.read("feeds/all.atom.xml")


def test_an_expired_notice_shared_again_does_not_present_itself_as_current(site: Site) -> None:
    """As a withdrawn one: a link to an expired boil-water advisory pasted or shared again
    previews it as expired, not as an advisory in effect, and its Share section says so."""
    site.add(
        "2026-11-20-boil-water",
        title="Boil water advisory for Sunningdale",
        category="alert",
        urgent="true",
        summary="Do not drink the tap water in Sunningdale.",
        expires="2026-11-22 12:00",
    )
    site.build()  # at NOW, 2026-11-24: two days after it expired
    page = site.read("announcements/2026-11-20-boil-water.html")
    assert "This notice expired on" in page
    previews = dict(re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', page))
    headline = "Expired: Boil water advisory for Sunningdale"
    said = (
        "This notice expired on Sunday, November 22, 2026, noon PST. "
        "Do not drink the tap water in Sunningdale."
    )
    for name in ("og:title", "twitter:title"):
        assert previews[name] == headline, name
    for name in ("description", "og:description", "twitter:description"):
        assert previews[name] == said, name
    assert f"<title>{headline} | City of Trail</title>" in page
    article = json_ld(page)["@graph"][1]
    assert (article["headline"], article["description"]) == (headline, said)
    share = page.split('id="share-heading"')[1].split("</section>")[0]
    assert "This notice expired on" in share
    assert "text=Expired%3A%20Boil%20water" in share


def test_withdrawing_the_newest_announcement_does_not_turn_back_the_clock(site: Site) -> None:
    """A withdrawal takes an entry out of the lists that held it, and makes it the notice of
    the withdrawal in the feeds: a change, dated by the withdrawal's `modified`, that readers
    and crawlers are told of (the newest of what is left is older)."""
    site.add("2026-11-20-flushing")
    site.add("2026-11-21-notice", title="Council notice", category="public-notice")
    site.add("2026-11-22-meters", title="Meter reading", date="2026-11-22 09:00")
    site.build()
    site.add(
        "2026-11-22-meters",
        title="Meter reading",
        date="2026-11-22 09:00",
        status="withdrawn",
        withdrawn_reason="Posted in error.",
        modified="2026-11-23 09:00",
    )
    site.build()
    withdrawn_at = "2026-11-23T09:00:00-08:00"
    for feed in ("all", "service-change"):
        atom = feedparser.parse(site.output / f"feeds/{feed}.atom.xml").feed
        rss = feedparser.parse(site.output / f"feeds/{feed}.rss.xml").feed
        assert (atom.updated, rss.updated) == (withdrawn_at, "Mon, 23 Nov 2026 09:00:00 -0800")
    # A feed the withdrawn announcement was never in keeps its own time.
    notices = feedparser.parse(site.output / "feeds/public-notice.atom.xml").feed
    assert notices.updated == "2026-11-20T09:00:00-08:00"
    lastmod = dict(
        re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", site.read("sitemap.xml"))
    )
    for page in ("", "archives.html", "archives/2026.html", "category/service-change.html"):
        assert lastmod[f"{SITEURL}/{page}"] == withdrawn_at, page
    assert lastmod[f"{SITEURL}/category/public-notice.html"] == "2026-11-20T09:00:00-08:00"


def add_two_alerts(site: Site, **new: str) -> None:
    """An urgent alert in effect, and a newer one that expires on 2026-11-22 at 09:00
    (`new`: more of its fields)."""
    site.add(
        "old-alert", title="Old alert", date="2026-11-01 09:00", category="alert", urgent="true"
    )
    site.add(
        "new-alert",
        title="New alert",
        date="2026-11-20 09:00",
        category="alert",
        urgent="true",
        expires="2026-11-22 09:00",
        **new,
    )


def test_the_urgent_feed_never_moves_back_in_time_when_an_alert_expires(site: Site) -> None:
    """An expiry takes the alert out of the urgent feed and the home page's alert box, and its
    page and every list then say it expired: a change, dated by `expires` (the newest of what
    the urgent feed still lists is older)."""
    add_two_alerts(site)

    def updated(now: str) -> tuple[str, str]:
        site.build(now=now)
        atom = feedparser.parse(site.output / "feeds/urgent.atom.xml").feed
        rss = feedparser.parse(site.output / "feeds/urgent.rss.xml").feed
        return atom.updated, rss.updated

    assert updated("2026-11-21T12:00:00-08:00") == (
        "2026-11-20T09:00:00-08:00",
        "Fri, 20 Nov 2026 09:00:00 -0800",
    )
    expired_at = "2026-11-22T09:00:00-08:00"
    assert updated("2026-11-24T12:00:00-08:00") == (expired_at, "Sun, 22 Nov 2026 09:00:00 -0800")
    lastmod = dict(
        re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", site.read("sitemap.xml"))
    )
    for page in ("", "announcements/new-alert.html", "category/alert.html"):
        assert lastmod[f"{SITEURL}/{page}"] == expired_at, page
    # The all feed's entries do not say an alert expired: its time is the newest entry's.
    assert feedparser.parse(site.output / "feeds/all.atom.xml").feed.updated == (
        "2026-11-20T09:00:00-08:00"
    )


def test_a_withdrawn_alert_leaving_the_urgent_feed_at_its_expiry_moves_its_time(
    site: Site,
) -> None:
    """A withdrawn alert stays in the urgent feed as the notice of its withdrawal until it
    would have expired, and leaves it then: a change to the feed, dated by `expires`, as for
    an alert that expired in effect (the feed's time stayed at the withdrawal)."""
    add_two_alerts(
        site, status="withdrawn", withdrawn_reason="Posted in error.", modified="2026-11-21 09:00"
    )

    def urgent_feed(now: str) -> tuple[list[str], str]:
        site.build(now=now)
        feed = feedparser.parse(site.output / "feeds/urgent.atom.xml")
        return [entry.title for entry in feed.entries], feed.feed.updated

    before = urgent_feed("2026-11-21T12:00:00-08:00")
    assert before == (["Withdrawn: New alert", "Old alert"], "2026-11-21T09:00:00-08:00")
    after = urgent_feed("2026-11-24T12:00:00-08:00")
    assert after == (["Old alert"], "2026-11-22T09:00:00-08:00")


def test_a_correction_to_an_expired_alert_dates_the_urgent_feed_it_left(site: Site) -> None:
    """The urgent feed holds no expired alert, but a correction made after the expiry may
    have moved `expires` back, and the alert was in the feed until it was published: the
    content cannot tell that from a correction to the text, so the feed's time is the
    correction's (never the old expiry's, nor an earlier one), its entries as they were. A
    feed that never held anything keeps one fixed time, whatever else changes."""
    alert = {"title": "Boil water", "category": "alert", "urgent": "true"}
    site.add("2026-11-20-boil", **alert, expires="2026-11-22 09:00")
    site.build()
    before = site.read("feeds/capital-project.atom.xml")
    urgent = feedparser.parse(site.output / "feeds/urgent.atom.xml")
    assert (urgent.entries, urgent.feed.updated) == ([], "2026-11-22T09:00:00-08:00")
    site.add(
        "2026-11-20-boil",
        **alert,
        expires="2026-11-22 09:00",
        modified="2026-11-23 10:00",
        correction="The advisory covered Sunningdale only.",
    )
    site.build()
    assert site.read("feeds/capital-project.atom.xml") == before
    urgent = feedparser.parse(site.output / "feeds/urgent.atom.xml")
    assert (urgent.entries, urgent.feed.updated) == ([], "2026-11-23T10:00:00-08:00")
    rss = feedparser.parse(site.output / "feeds/urgent.rss.xml").feed
    assert rss.updated == "Mon, 23 Nov 2026 10:00:00 -0800"
    empty = feedparser.parse(site.output / "feeds/capital-project.atom.xml").feed
    assert empty.updated == "1970-01-01T00:00:00+00:00"


def test_the_sitemap_dates_home_and_events_pages_by_an_event_ending(site: Site) -> None:
    """An event that ends moves from the home page's "Coming up" and the events page's
    upcoming list to its past events: a change to those pages, dated by `event_end`."""
    site.add(
        "2026-11-20-skate",
        title="Family skate",
        category="city-event",
        event_start="2026-11-24 18:00",
        event_end="2026-11-24 20:00",
        location="Trail Memorial Centre",
    )
    site.add("2026-11-21-notice", title="Council notice", date="2026-11-21 09:00")

    def lastmods() -> dict[str, str]:
        sitemap = site.read("sitemap.xml")
        return dict(re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap))

    site.build(now="2026-11-24T12:00:00-08:00")
    before = {page: site.read(page) for page in ("index.html", "events.html")}
    # The notice's category came into the events page's menu with it.
    assert lastmods()[f"{SITEURL}/events.html"] == "2026-11-21T09:00:00-08:00"
    site.build(now="2026-11-24T21:00:00-08:00")
    assert all(site.read(page) != text for page, text in before.items())  # no longer upcoming
    lastmod = lastmods()
    for page in ("", "events.html"):
        assert lastmod[f"{SITEURL}/{page}"] == "2026-11-24T20:00:00-08:00", page
    # Neither the archives nor the event's own page say whether it is still to come.
    assert lastmod[f"{SITEURL}/archives.html"] == "2026-11-21T09:00:00-08:00"
    assert lastmod[f"{SITEURL}/announcements/2026-11-20-skate.html"] == "2026-11-20T09:00:00-08:00"
    # An event that ended before the newest announcement does not turn the home page's time
    # back; the events page does not list that announcement.
    site.add("2026-11-24-later", title="Later notice", date="2026-11-24 20:30")
    site.build(now="2026-11-24T21:00:00-08:00")
    lastmod = lastmods()
    assert lastmod[f"{SITEURL}/"] == "2026-11-24T20:30:00-08:00"
    assert lastmod[f"{SITEURL}/events.html"] == "2026-11-24T20:00:00-08:00"


def test_the_sitemap_dates_the_events_page_by_the_events_alone(site: Site) -> None:
    """The events page lists events only: a change to any other announcement, a correction
    or a withdrawal, leaves it as it was, and so its `<lastmod>`. An event withdrawn from it
    is a change to it, dated by the withdrawal."""
    event = {"category": "city-event", "location": "Trail Memorial Centre"}
    site.add(
        "2026-11-20-skate",
        **event,
        title="Family skate",
        event_start="2026-11-28 18:00",
        event_end="2026-11-28 20:00",
    )
    site.add(
        "2026-11-19-parade",
        **event,
        title="Santa parade",
        date="2026-11-19 09:00",
        event_start="2026-12-06 17:00",
        event_end="2026-12-06 19:00",
        status="withdrawn",
        withdrawn_reason="Cancelled for the snowfall warning.",
        modified="2026-11-22 08:00",
    )
    site.add(
        "2026-11-21-notice",
        title="Council notice",
        category="public-notice",
        date="2026-11-21 09:00",
        modified="2026-11-23 10:00",
        correction="The meeting is in Council Chambers.",
    )
    site.add(
        "2026-11-20-meters",
        title="Meter reading",
        category="public-notice",  # the menu keeps the category: see the next test
        date="2026-11-20 10:00",
        status="withdrawn",
        withdrawn_reason="Posted in error.",
        modified="2026-11-23 11:00",
    )
    site.build()
    sitemap = site.read("sitemap.xml")
    lastmod = dict(re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap))
    assert lastmod[f"{SITEURL}/events.html"] == "2026-11-22T08:00:00-08:00"
    # The home page listed the withdrawn notice, and the archives list it as withdrawn.
    for page in ("", "archives.html"):
        assert lastmod[f"{SITEURL}/{page}"] == "2026-11-23T11:00:00-08:00", page
    assert lastmod[f"{SITEURL}/category/city-event.html"] == "2026-11-22T08:00:00-08:00"


def sitemap_lastmods(site: Site) -> dict[str, str]:
    """Each page's `<lastmod>` in the sitemap, by its address."""
    sitemap = site.read("sitemap.xml")
    return dict(re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap))


def test_the_sitemap_dates_the_listings_by_their_category_menu_too(site: Site) -> None:
    """The events page shows the menu of categories as well as the events (as every listing
    does): a category that
    appears in it (its first announcement) or leaves it (its last withdrawn) changes the page,
    dated by that announcement's publication or withdrawal."""
    site.add(
        "2026-11-20-skate",
        title="Family skate",
        category="city-event",
        event_start="2026-11-28 18:00",
        event_end="2026-11-28 20:00",
        location="Trail Memorial Centre",
    )
    site.add("2026-11-20-flushing")
    site.build()
    assert sitemap_lastmods(site)[f"{SITEURL}/events.html"] == "2026-11-20T09:00:00-08:00"
    project = {"title": "Bridge repairs", "category": "capital-project", "date": "2026-11-21 09:00"}
    site.add("2026-11-21-bridge", **project)
    site.build()
    assert "category/capital-project.html" in site.read("events.html")
    lastmods = sitemap_lastmods(site)
    assert lastmods[f"{SITEURL}/events.html"] == "2026-11-21T09:00:00-08:00"
    # So are the other listings, which show the menu too; an announcement's own page is dated
    # by its own changes.
    assert "category/capital-project.html" in site.read("category/city-event.html")
    assert lastmods[f"{SITEURL}/category/city-event.html"] == "2026-11-21T09:00:00-08:00"
    assert lastmods[f"{SITEURL}/announcements/2026-11-20-skate.html"] == (
        "2026-11-20T09:00:00-08:00"
    )
    withdrawn = {"status": "withdrawn", "withdrawn_reason": "Posted in error."}
    site.add("2026-11-21-bridge", **project, **withdrawn, modified="2026-11-23 09:00")
    # A correction leaves the menu as it was, and the events page with it.
    site.add("2026-11-20-flushing", modified="2026-11-24 08:00", correction="From Nov. 30.")
    site.build()
    assert "category/capital-project.html" not in site.read("events.html")
    assert sitemap_lastmods(site)[f"{SITEURL}/events.html"] == "2026-11-23T09:00:00-08:00"


def test_the_sitemap_dates_a_years_page_by_the_menu_it_shows(site: Site) -> None:
    """A year's page shows the menu of categories too: a category leaving it (its last
    announcement, from another year, withdrawn) changes the page, though none it lists did."""
    site.add("2026-11-20-flushing")
    bridge = {"title": "Bridge repairs", "category": "capital-project", "date": "2025-11-21 09:00"}
    site.add("2025-11-21-bridge", **bridge)
    site.build()
    year = f"{SITEURL}/archives/2026.html"
    assert "category/capital-project.html" in site.read("archives/2026.html")
    assert sitemap_lastmods(site)[year] == "2026-11-20T09:00:00-08:00"
    withdrawn = {"status": "withdrawn", "withdrawn_reason": "Posted in error."}
    site.add("2025-11-21-bridge", **bridge, **withdrawn, modified="2026-11-23 09:00")
    site.build()
    assert "category/capital-project.html" not in site.read("archives/2026.html")
    assert sitemap_lastmods(site)[year] == "2026-11-23T09:00:00-08:00"


def test_the_sitemap_dates_home_and_archives_by_what_each_shows(site: Site) -> None:
    """The home page shows the first page of announcements, and the archives page the years
    with their counts and the withdrawn announcements: a correction to an announcement that
    neither shows leaves both as they were, and so their `<lastmod>`."""
    add_items(site, 21)  # one more than a page: Item 1 is on the second
    site.build()
    before = {page: site.read(page) for page in ("index.html", "archives.html")}
    site.add(
        "2026-10-01-item",
        title="Item 1, corrected",
        date="2026-10-01 09:00",
        category="public-notice",
        modified="2026-11-23 10:00",
        correction="The title named the wrong street.",
    )
    site.build()
    assert {page: site.read(page) for page in before} == before
    lastmod = sitemap_lastmods(site)
    assert lastmod[f"{SITEURL}/announcements/2026-10-01-item.html"] == "2026-11-23T10:00:00-08:00"
    for page in ("", "archives.html"):
        assert lastmod[f"{SITEURL}/{page}"] == "2026-10-21T09:00:00-07:00", page
    # A correction to a title the home page shows moves its date; the archives show no title.
    site.add(
        "2026-10-21-item",
        title="Item 21, corrected",
        date="2026-10-21 09:00",
        category="public-notice",
        modified="2026-11-23 11:00",
        correction="The title named the wrong street.",
    )
    site.build()
    assert "Item 21, corrected" in site.read("index.html")
    assert site.read("archives.html") == before["archives.html"]
    lastmod = sitemap_lastmods(site)
    assert lastmod[f"{SITEURL}/"] == "2026-11-23T11:00:00-08:00"
    assert lastmod[f"{SITEURL}/archives.html"] == "2026-10-21T09:00:00-07:00"


def test_the_sitemap_lists_and_dates_each_later_page_of_a_listing_by_what_it_shows(
    site: Site,
) -> None:
    """The home page's and each category's later pages are in the sitemap too, each dated by
    its own announcements, those published above it (each moves one in), what left it or a
    page above it, and its "Page N of M": a correction to an announcement on another page
    leaves it as it was."""
    add_items(site, 22)  # Items 2 and 1 are on the second pages
    site.build()
    later = ("index-2.html", "category/public-notice-2.html")
    first = ("", "category/public-notice.html")
    assert all((site.output / page).exists() for page in later)
    lastmod = sitemap_lastmods(site)
    for page in (*first, *later):  # Item 22 moved Item 2 down to the second pages
        assert lastmod[f"{SITEURL}/{page}"] == "2026-10-22T09:00:00-07:00", page
    item = {"date": "2026-10-01 09:00", "category": "public-notice"}
    correction = {"modified": "2026-11-23 10:00", "correction": "Wrong street."}
    site.add("2026-10-01-item", title="Item 1, corrected", **item, **correction)
    site.build()
    lastmod = sitemap_lastmods(site)
    for page in later:
        assert lastmod[f"{SITEURL}/{page}"] == "2026-11-23T10:00:00-08:00", page
    for page in first:
        assert lastmod[f"{SITEURL}/{page}"] == "2026-10-22T09:00:00-07:00", page
    # Withdrawing one from the first pages moves Item 2 up: a change to every page.
    withdrawn = {"status": "withdrawn", "withdrawn_reason": "Posted in error."}
    site.add(
        "2026-10-05-item",
        title="Item 5",
        date="2026-10-05 09:00",
        category="public-notice",
        **withdrawn,
        modified="2026-11-24 08:00",
    )
    site.build()
    lastmod = sitemap_lastmods(site)
    for page in (*first, *later):
        assert lastmod[f"{SITEURL}/{page}"] == "2026-11-24T08:00:00-08:00", page


def test_an_event_withdrawn_after_it_ended_does_not_turn_back_the_home_pages_date(
    site: Site,
) -> None:
    """An event left the home page's "Coming up" when it ended: withdrawn after that, from the
    second page of announcements, it changes nothing the home page shows, and the home page's
    `<lastmod>` stays at the end (it left at whichever came first, its end or its withdrawal)."""
    add_items(site, 21)  # the events, older, are on the second page
    event = {"category": "city-event", "location": "Trail Memorial Centre"}
    skate = {
        **event,
        "title": "Family skate",
        "date": "2026-09-20 09:00",
        "event_start": "2026-11-24 18:00",
        "event_end": "2026-11-24 20:00",
    }
    site.add("2026-09-20-skate", **skate)
    # Another event keeps the category in the menu.
    site.add(
        "2026-09-10-fair",
        **event,
        title="Fall fair",
        date="2026-09-10 09:00",
        event_start="2026-09-12 10:00",
        event_end="2026-09-12 16:00",
    )
    after_the_skate = "2026-11-24T21:00:00-08:00"
    site.build(now=after_the_skate)
    home = site.read("index.html")
    assert sitemap_lastmods(site)[f"{SITEURL}/"] == "2026-11-24T20:00:00-08:00"
    withdrawn = {"status": "withdrawn", "withdrawn_reason": "Cancelled."}
    site.add("2026-09-20-skate", **skate, **withdrawn, modified="2026-11-24 20:30")
    site.build(now=after_the_skate)
    assert site.read("index.html") == home
    assert sitemap_lastmods(site)[f"{SITEURL}/"] == "2026-11-24T20:00:00-08:00"


def test_an_alert_expiry_corrected_earlier_after_it_passed_never_turns_dates_back(
    site: Site,
) -> None:
    """An alert expired at 2026-11-22 09:00 had left the home page's alert box and the urgent
    feed then. Its `expires` corrected to an earlier time the next day cannot take that back:
    it was shown until the correction was published, so the home page's `<lastmod>` and the
    urgent feed's time are the correction's (the content alone cannot tell a correction to
    `expires` from one to the text), never the new, earlier expiry."""
    add_items(site, 21)  # the alert, older, is on the second page
    alert = {"title": "Boil water", "date": "2026-09-20 09:00", "category": "alert"}
    site.add("2026-09-20-boil", **alert, urgent="true", expires="2026-11-22 09:00")
    site.build()
    assert sitemap_lastmods(site)[f"{SITEURL}/"] == "2026-11-22T09:00:00-08:00"
    urgent = feedparser.parse(site.output / "feeds/urgent.atom.xml").feed
    assert urgent.updated == "2026-11-22T09:00:00-08:00"
    site.add(
        "2026-09-20-boil",
        **alert,
        urgent="true",
        expires="2026-11-21 09:00",
        modified="2026-11-23 10:00",
        correction="The advisory was lifted on November 21.",
    )
    site.build()
    corrected = "2026-11-23T10:00:00-08:00"
    assert sitemap_lastmods(site)[f"{SITEURL}/"] == corrected
    urgent = feedparser.parse(site.output / "feeds/urgent.atom.xml").feed
    assert urgent.updated == corrected
    rss = feedparser.parse(site.output / "feeds/urgent.rss.xml").feed
    assert rss.updated == "Mon, 23 Nov 2026 10:00:00 -0800"


def test_an_event_end_corrected_earlier_after_it_passed_never_turns_dates_back(
    site: Site,
) -> None:
    """An event that ended at 2026-11-22 20:00 left the home page's "Coming up" then. Its
    `event_end` corrected to the day before, the day after, cannot take that back: the home
    page's `<lastmod>` is the correction's, never the new, earlier end."""
    add_items(site, 21)  # the event, older, is on the second page
    skate = {
        "title": "Family skate",
        "date": "2026-09-20 09:00",
        "category": "city-event",
        "location": "Trail Memorial Centre",
    }
    site.add(
        "2026-09-20-skate", **skate, event_start="2026-11-22 18:00", event_end="2026-11-22 20:00"
    )
    site.build()
    assert sitemap_lastmods(site)[f"{SITEURL}/"] == "2026-11-22T20:00:00-08:00"
    site.add(
        "2026-09-20-skate",
        **skate,
        event_start="2026-11-21 18:00",
        event_end="2026-11-21 20:00",
        modified="2026-11-23 10:00",
        correction="The skate was on Saturday, not Sunday.",
    )
    site.build()
    lastmod = sitemap_lastmods(site)
    for page in ("", "events.html"):
        assert lastmod[f"{SITEURL}/{page}"] == "2026-11-23T10:00:00-08:00", page


def test_a_withdrawn_announcement_links_its_category_only_when_that_page_is_written(
    site: Site,
) -> None:
    site.add("2026-11-20-flushing")
    withdrawn = {
        "status": "withdrawn",
        "withdrawn_reason": "Posted in error.",
        "modified": "2026-11-23 10:00",
    }
    site.add("2026-11-18-bridge", category="capital-project", **withdrawn)
    site.add("2026-11-19-meters", **withdrawn)  # service-change still has a published one
    site.build()
    assert not (site.output / "category" / "capital-project.html").exists()
    bridge = site.read("announcements/2026-11-18-bridge.html")
    assert "category/capital-project.html" not in bridge
    assert '<span class="tag tag-capital-project">Capital projects</span>' in bridge
    meters = site.read("announcements/2026-11-19-meters.html")
    assert 'href="../category/service-change.html">Service changes</a>' in meters
    assert (site.output / "category" / "service-change.html").is_file()


def test_a_correction_is_shown_with_its_date_and_the_last_update(site: Site) -> None:
    site.add(
        "2026-11-20-flushing",
        modified="2026-11-21 14:30",
        correction="The flushing starts Monday, not Tuesday.",
    )
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    assert (
        'Correction, <time datetime="2026-11-21T14:30:00-08:00">'
        "Saturday, November 21, 2026, 2:30 p.m. PST</time>" in page
    )
    assert "The flushing starts Monday, not Tuesday." in page
    assert 'Last updated <time datetime="2026-11-21T14:30:00-08:00">' in page
    feed = feedparser.parse(site.output / "feeds/all.atom.xml")
    assert feed.entries[0].updated == "2026-11-21T14:30:00-08:00"
    assert "Monday, not Tuesday" in feed.entries[0].content[0].value


def test_a_correction_is_dated_in_the_feeds_in_the_pages_words(site: Site) -> None:
    """In City time, whatever offset it was written with, and a day given alone as that day:
    06:30 UTC on the 21st is 10:30 p.m. on the 20th in Trail, and a correction dated
    2026-11-22 is Sunday the 22nd's (its midnight, as an event's end, would be written with
    Saturday, the day it ends, and read as the day before the one the CEC wrote)."""
    site.add(
        "2026-11-20-flushing",
        correction=(
            "[{date: 2026-11-21 06:30+00:00, note: The flushing starts Monday.},"
            " {date: 2026-11-22, note: Crews start at 8 a.m.}]"
        ),
    )
    site.build()
    headings = [
        "Correction, Friday, November 20, 2026, 10:30 p.m. PST: The flushing starts Monday.",
        "Correction, Sunday, November 22, 2026: Crews start at 8 a.m.",
    ]
    page = re.sub(r"<[^>]+>", "", site.read("announcements/2026-11-20-flushing.html"))
    assert all(heading in page for heading in headings)
    for kind in ("atom", "rss"):
        (entry,) = feedparser.parse(site.output / f"feeds/all.{kind}.xml").entries
        text = re.sub(r"<[^>]+>", "", entry.content[0].value)
        assert all(heading in text for heading in headings), kind
        assert "2026-11-2" not in text, kind


@pytest.fixture
def french_locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The environment of a machine set up in French, as Pelican reads it (its LOCALE setting
    defaults to the user's locale); one is compiled if none is installed."""
    saved = locale.setlocale(locale.LC_ALL)
    for name in ("fr_CA.UTF-8", "fr_FR.UTF-8"):
        try:
            locale.setlocale(locale.LC_ALL, name)
            break
        except locale.Error:
            continue
    else:
        name, compiled = "fr_CA.UTF-8", tmp_path / "locales"
        compiled.mkdir()
        if shutil.which("localedef"):  # its exit code is 1 for a locale made with warnings
            command = ["localedef", "-i", "fr_CA", "-f", "UTF-8", str(compiled / name)]
            subprocess.run(command, capture_output=True, check=False)
        if not (compiled / name).is_dir():
            pytest.skip("no French locale, nor localedef to make one")
        monkeypatch.setenv("LOCPATH", str(compiled))
    monkeypatch.setenv("LC_ALL", name)
    try:
        yield
    finally:
        locale.setlocale(locale.LC_ALL, saved)


@pytest.mark.usefixtures("french_locale")
def test_dates_are_in_english_whatever_the_building_machines_locale(site: Site) -> None:
    """Pelican sets the locale of the machine that builds: the English site's days and months
    must not follow it ("lundi, novembre 16" on a page, a feed or the archives)."""
    site.add(
        "2026-11-16-open-house",
        category="city-event",
        event_start="2026-12-09 16:00",
        event_end="2026-12-09 19:00",
        location="City Hall",
        date="2026-11-16 09:00",
    )
    site.build()
    page = site.read("announcements/2026-11-16-open-house.html")
    assert "Monday, November 16, 2026, 9 a.m. PST" in page
    assert "Wednesday, December 9, 2026, 4 p.m. PST" in page
    (entry,) = feedparser.parse(site.output / "feeds/all.atom.xml").entries
    assert "Wednesday, December 9, 2026, 4 p.m. PST" in entry.content[0].value
    months = re.findall(r'<h2 id="month-[\d-]+">([^<]+)</h2>', site.read("archives/2026.html"))
    assert months == ["November 2026"]


def test_links_in_feed_entries_lead_where_the_page_links_lead(site: Site) -> None:
    """A feed reader resolves a relative link against the feed, in `feeds/`: every link and
    image in an entry is written out in full, to where it leads from the page."""
    site.add("2026-11-19-survey", title="Transit survey", date="2026-11-19 09:00")
    site.add(
        "2026-11-20-flushing",
        body=(
            "Fill in [the survey](2026-11-19-survey.html), read [what to do](#what-to-do), "
            "[the guidelines]({filename}/pages/comment-guidelines.md) or "
            "[write to us](mailto:info@trail.ca).\n\n"
            "![A crew at the hydrant]({static}/images/pixel.png)\n\n"
            '<blockquote cite="../comment-guidelines.html">Be kind.</blockquote>\n\n'
            "## What to do\n\nRun cold water.\n"
        ),
    )
    site.build()
    page = f"{SITEURL}/announcements/2026-11-20-flushing.html"
    atom = ET.fromstring(site.read("feeds/all.atom.xml").encode())
    rss = ET.fromstring(site.read("feeds/all.rss.xml").encode())
    a, content = "{http://www.w3.org/2005/Atom}", "{http://purl.org/rss/1.0/modules/content/}"
    entries = {
        "atom": {e.findtext(f"{a}id"): e.findtext(f"{a}content") for e in atom.iter(f"{a}entry")},
        "rss": {i.findtext("guid"): i.findtext(f"{content}encoded") for i in rss.iter("item")},
    }
    for kind, texts in entries.items():
        links = re.findall(r'\s(?:href|src|cite)="([^"]*)"', texts[page] or "")
        assert links == [
            f"{SITEURL}/announcements/2026-11-19-survey.html",
            f"{page}#what-to-do",
            f"{SITEURL}/comment-guidelines.html",
            "mailto:info@trail.ca",
            f"{SITEURL}/images/pixel.png",
            f"{SITEURL}/comment-guidelines.html",
        ], kind
    # The page itself keeps its links as written.
    assert 'href="2026-11-19-survey.html"' in site.read("announcements/2026-11-20-flushing.html")


def test_an_events_feed_entry_says_when_and_where_the_event_is(site: Site) -> None:
    """Subscribers read the entry, not the page: it gives the event details the page gives
    (so a time moved by editing `event_start` reaches them) and the image with its alt text."""
    event = {
        "category": "city-event",
        "event_start": "2026-12-05 17:00",
        "event_end": "2026-12-05 19:00",
        "location": "Gyro Park bandshell",
        "image": "images/pixel.png",
        "image_alt": "The bandshell lit for the holidays",
        "body": "Bring a mug for hot chocolate.",
    }
    site.add("2026-11-20-light-up", **event)
    site.build()
    page = site.read("announcements/2026-11-20-light-up.html")
    starts, ends = (
        "Saturday, December 5, 2026, 5 p.m. PST",
        "Saturday, December 5, 2026, 7 p.m. PST",
    )
    assert starts in page and ends in page and "Gyro Park bandshell" in page
    for feed in ("city-event.atom.xml", "city-event.rss.xml", "all.atom.xml", "all.rss.xml"):
        (entry,) = feedparser.parse(site.output / "feeds" / feed).entries
        text = entry.content[0].value
        for said in (starts, ends, "Gyro Park bandshell", "Bring a mug"):
            assert said in text, (feed, said, text)
        assert f'src="{SITEURL}/images/pixel.png"' in text, feed
        assert 'alt="The bandshell lit for the holidays"' in text, feed

    site.add("2026-11-20-light-up", **{**event, "event_start": "2026-12-05 18:00"})
    site.build()
    (entry,) = feedparser.parse(site.output / "feeds/all.atom.xml").entries
    assert "Saturday, December 5, 2026, 6 p.m. PST" in entry.content[0].value


def test_a_notices_feed_entry_says_until_when_it_is_in_effect(site: Site) -> None:
    """The page says until when a notice applies, below its corrections: subscribers read
    the entry, which a feed reader keeps after the alert has left the urgent feed."""
    site.add(
        "2026-11-23-boil-water",
        title="Boil water advisory for Sunningdale",
        date="2026-11-23 16:30",
        category="alert",
        urgent="true",
        expires="2026-12-04 17:00",
        modified="2026-11-24 09:00",
        correction="The advisory covers Hazelwood Drive too.",
        body="Boil tap water for one minute.",
    )
    site.build()
    until = "In effect until Friday, December 4, 2026, 5 p.m. PST"
    assert until in re.sub(r"<[^>]+>", "", site.read("announcements/2026-11-23-boil-water.html"))
    for feed in ("urgent.atom.xml", "urgent.rss.xml", "all.atom.xml", "all.rss.xml"):
        (entry,) = feedparser.parse(site.output / "feeds" / feed).entries
        text = entry.content[0].value
        assert until in text, (feed, text)
        assert text.index("Correction") < text.index(until) < text.index("Boil tap water"), feed


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        ("2026-12-05T12:00:00-08:00", "Saturday, December 5, 2026, noon PST"),
        ("2026-12-05T12:30:00-08:00", "Saturday, December 5, 2026, 12:30 p.m. PST"),
        # Midnight is the end of the day before, as "until midnight Friday" is read.
        ("2026-12-05T00:00:00-08:00", "Friday, December 4, 2026, midnight PST"),
        ("2026-12-05T00:30:00-08:00", "Saturday, December 5, 2026, 12:30 a.m. PST"),
        ("2027-01-01T00:00:00-08:00", "Thursday, December 31, 2026, midnight PST"),
    ],
)
def test_times_are_written_in_canadian_press_style(when: str, shown: str) -> None:
    assert city_datetime(datetime.fromisoformat(when), ZoneInfo("America/Vancouver")) == shown


def test_an_event_and_a_notice_at_midnight_say_so_on_the_page_and_in_the_feeds(
    site: Site,
) -> None:
    """ "12 a.m." is not Canadian Press style, and "Saturday, December 5, midnight" would be read
    as the end of Saturday: a day late for the start of an event or the end of a notice."""
    site.add(
        "2026-11-20-countdown",
        title="New Year's countdown",
        category="city-event",
        event_start="2026-12-05 00:00",
        event_end="2026-12-05 02:00",
        location="Gyro Park bandshell",
    )
    site.add(
        "2026-11-21-closure",
        title="Bay Avenue closed",
        date="2026-11-21 09:00",
        category="public-notice",
        urgent="true",
        expires="2026-12-05",  # a day alone is its midnight
    )
    site.build()
    said = {
        "2026-11-20-countdown": [
            "Friday, December 4, 2026, midnight PST",
            "Saturday, December 5, 2026, 2 a.m. PST",
        ],
        "2026-11-21-closure": ["In effect until Friday, December 4, 2026, midnight PST."],
    }
    entries = {e.id: e for e in feedparser.parse(site.output / "feeds/all.atom.xml").entries}
    for name, sentences in said.items():
        page = re.sub(r"<[^>]+>", "", site.read(f"announcements/{name}.html"))
        entry = re.sub(
            r"<[^>]+>", "", entries[f"{SITEURL}/announcements/{name}.html"].content[0].value
        )
        for text in (page, entry):
            assert "12 a.m." not in text, name
            for sentence in sentences:
                assert sentence in text, (name, sentence)


def test_a_dated_correction_is_the_last_update_everywhere(site: Site) -> None:
    """A correction in the list form has its own date; `modified` need not be touched."""
    site.add(
        "2026-11-20-skate",
        title="Family skate",
        category="city-event",
        event_start="2026-12-05 13:00",
        event_end="2026-12-05 15:00",
        location="Trail Memorial Centre",
        correction="[{date: 2026-11-22 10:00, note: The skate starts at 1 p.m. not noon.}]",
    )
    site.build()
    corrected = "2026-11-22T10:00:00-08:00"
    page = site.read("announcements/2026-11-20-skate.html")
    assert f'Last updated <time datetime="{corrected}">' in page
    assert f'<meta property="article:modified_time" content="{corrected}">' in page
    assert json_ld(page)["@graph"][1]["dateModified"] == corrected
    atom = feedparser.parse(site.output / "feeds/all.atom.xml")
    assert (atom.feed.updated, atom.entries[0].updated) == (corrected, corrected)
    rss = feedparser.parse(site.output / "feeds/all.rss.xml")
    assert rss.feed.updated == "Sun, 22 Nov 2026 10:00:00 -0800"
    (event,) = Calendar.from_ical(site.read("announcements/2026-11-20-skate.ics")).walk("VEVENT")
    assert event.decoded("last-modified").isoformat() == "2026-11-22T18:00:00+00:00"
    assert f"<lastmod>{corrected}</lastmod>" in site.read("sitemap.xml")
    (entry,) = json.loads(site.read("syndication.json"))["announcements"]
    assert entry["updated"] == corrected


def test_a_correction_dated_after_the_build_is_not_published_as_already_made(site: Site) -> None:
    """A month mistyped ("2026-12-20" for "2026-11-20") would publish "Correction, December 20"
    today, move the feeds' and sitemap's times ahead, and back again once put right: the build
    refuses a change dated after its time, or after a scheduled announcement goes up, naming
    the file, line and field, and keeps the site as it was."""
    site.add("2026-11-20-flushing")
    site.build()
    path = site.add(
        "2026-11-20-flushing",
        modified="2026-12-20 10:00",
        correction="Flushing starts Monday, not Tuesday.",
    )
    site.add(
        "2026-11-21-meters",
        title="Meter reading",
        date="2026-11-21 09:00",
        correction="[{date: 2026-11-22 10:00, note: Readers start at 8 a.m.},"
        " {date: 2026-11-25 10:00, note: Readers come on Friday.}]",
    )
    scheduled = site.add(
        "2026-12-01-survey",
        title="Transit survey",
        date="2026-12-01 09:00",
        modified="2026-12-01 09:30",  # after it goes up: not a change made before
    )
    site.add(  # scheduled: its changes may be dated up to when it goes up
        "2026-12-02-skate", title="Skating", date="2026-12-02 09:00", modified="2026-12-02 09:00"
    )
    with pytest.raises(BuildError) as failure:
        site.build()  # at NOW, 2026-11-24 noon
    meters = site.content / "announcements" / "2026-11-21-meters.md"
    assert failure.value.problems == [
        f"{display_path(path)}:6: modified: '2026-12-20 10:00' is after now (2026-11-24 12:00); "
        "expected when the change was made, which is published at once as made then (a "
        "change cannot be scheduled)",
        f"{display_path(meters)}:6: correction: '2026-11-25 10:00' is after now (2026-11-24 "
        "12:00); expected when the change was made, which is published at once as made then "
        "(a change cannot be scheduled)",
        f"{display_path(scheduled)}:6: modified: '2026-12-01 09:30' is after the announcement "
        "goes up (2026-12-01 09:00); expected when the change was made, which is published at "
        "once as made then (a change cannot be scheduled)",
    ]
    assert "December 20, 2026" not in site.read("announcements/2026-11-20-flushing.html")
    assert "2026-12-20" not in site.read("feeds/all.atom.xml")
    assert "2026-12-20" not in site.read("sitemap.xml")


def test_a_correction_to_an_event_is_told_in_its_calendar_files(site: Site) -> None:
    """A calendar keeps the event someone added from its file: what was corrected is told
    there too, first, in the feeds' words; a withdrawn event, cancelled, says why."""
    site.add(
        "2026-11-20-light-up",
        title="Holiday light-up at Gyro Park",
        category="city-event",
        event_start="2026-12-05 17:00",
        event_end="2026-12-05 19:30",
        location="Trail Memorial Centre",
        modified="2026-11-22 10:00",
        correction="It is at the Trail Memorial Centre, not at Gyro Park.",
    )
    site.add("2026-11-19-parade", **WITHDRAWN_PARADE)
    site.build()
    page = site.read("announcements/2026-11-20-light-up.html")
    assert "not at Gyro Park" in page and "not at Gyro Park" in site.read("feeds/all.atom.xml")
    url = f"{SITEURL}/announcements/2026-11-20-light-up.html"
    for calendar in ("announcements/2026-11-20-light-up.ics", "events.ics"):
        events = Calendar.from_ical(site.read(calendar)).walk("VEVENT")
        (event,) = [e for e in events if str(e["url"]) == url]
        assert str(event["description"]) == (
            "Correction, Sunday, November 22, 2026, 10 a.m. PST: "
            "It is at the Trail Memorial Centre, not at Gyro Park.\n\n"
            f"{BASIC['summary']}\n\n{url}"
        ), calendar
    events = Calendar.from_ical(site.read("events.ics")).walk("VEVENT")
    (cancelled,) = [e for e in events if "parade" in str(e["url"])]
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["description"]).startswith(
        "Withdrawn, Monday, November 23, 2026, 8 a.m. PST: Cancelled for the snowfall warning."
    )


def test_a_withdrawn_events_own_calendar_file_stays_as_its_cancellation(site: Site) -> None:
    """Someone who added the event from its page's file keeps that address: RFC 5545/5546
    cancel an event by the same UID, STATUS:CANCELLED and a SEQUENCE not lower than before,
    so the file stays, holding the very VEVENT events.ics gives (the withdrawal's words), and
    the page, showing only the notice, offers it as the cancellation."""
    site.add("2026-11-19-parade", **WITHDRAWN_PARADE)
    site.build()
    own = site.read("announcements/2026-11-19-parade.ics")  # lines read as "\n", unfolded
    vevent = re.search(r"BEGIN:VEVENT\n.*?END:VEVENT\n", own, re.S)
    assert vevent and own.count("BEGIN:VEVENT") == 1
    assert vevent[0] in site.read("events.ics")
    url = f"{SITEURL}/announcements/2026-11-19-parade.html"
    assert vevent[0].replace("\n ", "") == (
        "BEGIN:VEVENT\n"
        "SUMMARY:Santa parade\n"
        "DTSTART:20261207T010000Z\n"
        "DTEND:20261207T030000Z\n"
        "DTSTAMP:20261123T160000Z\n"
        "UID:2026-11-19-parade@news.trail.ca\n"
        "SEQUENCE:0\n"  # outside git; the number of commits that changed its file
        "CREATED:20261120T170000Z\n"
        "DESCRIPTION:Withdrawn\\, Monday\\, November 23\\, 2026\\, 8 a.m. PST: Cancelle"
        f"d for the snowfall warning.\\n\\n{url}\n"
        "LAST-MODIFIED:20261123T160000Z\n"
        "LOCATION:Bay Avenue\n"
        'ORGANIZER;CN="City of Trail":mailto:info@trail.ca\n'  # RFC 5546 PUBLISH requires it
        "STATUS:CANCELLED\n"
        f"URL:{url}\n"
        "END:VEVENT\n"
    )
    page = site.read("announcements/2026-11-19-parade.html")
    notice = page.split('<section class="notice notice-withdrawn"', 1)[1].split("</section>")[0]
    assert (
        '<p>The event is cancelled. If you added it to your calendar, <a href="'
        '../announcements/2026-11-19-parade.ics" download>get the cancellation for your '
        "calendar (.ics file)</a>.</p>"
    ) in notice
    assert page.count('parade.ics"') == 1 and "Event details" not in page  # the one link


def test_urgent_alerts_come_first_on_the_home_page_until_they_expire(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.add(
        "2026-11-19-boil-water",
        title="Boil water advisory for Sunningdale",
        category="alert",
        urgent="true",
        expires="2026-12-01 17:00",
    )
    site.add(
        "2026-11-10-old-alert",
        title="Smoke advisory lifted",
        date="2026-11-10 09:00",
        category="alert",
        urgent="true",
        expires="2026-11-12 17:00",
    )
    site.build()
    home = site.read("index.html")
    urgent_section = home.split('id="urgent-heading"')[1].split("</section>")[0]
    assert "Boil water advisory for Sunningdale" in urgent_section
    assert "Smoke advisory lifted" not in urgent_section
    assert home.index("Boil water advisory") < home.index("Water main flushing")
    urgent_feed = feedparser.parse(site.output / "feeds/urgent.atom.xml")
    assert [e.title for e in urgent_feed.entries] == ["Boil water advisory for Sunningdale"]
    expired = site.read("announcements/2026-11-10-old-alert.html")
    assert "This notice expired on" in expired
    # Once expired, an alert is no longer marked urgent, on its page or in any list.
    assert "badge-urgent" not in expired
    assert "badge-urgent" in site.read("announcements/2026-11-19-boil-water.html")
    for listing in ("index.html", "category/alert.html"):
        cards = site.read(listing).split('<article class="card')
        old = [c for c in cards if "Smoke advisory lifted" in c]
        assert old and all(not c.startswith(" card-urgent") for c in old), listing


def test_listing_cards_say_that_an_alert_has_expired(site: Site) -> None:
    """An expired alert ("Open burning suspended ... until the advisory ends") is listed on the
    home and category pages, with its page saying it expired: its card says so too, in text."""
    site.add(
        "2026-11-20-burning",
        title="Open burning suspended",
        category="alert",
        urgent="true",
        expires="2026-11-21 09:00",
    )
    site.add("2026-11-20-flushing", title="Water main flushing", category="alert")
    site.build()
    assert "This notice expired on" in site.read("announcements/2026-11-20-burning.html")
    for listing in ("index.html", "category/alert.html"):
        cards = re.findall(r'<article class="card[^"]*">.*?</article>', site.read(listing), re.S)
        (expired,) = [c for c in cards if "Open burning suspended" in c]
        (current,) = [c for c in cards if "Water main flushing" in c]
        assert '<span class="badge">Expired</span>' in expired, listing
        assert "Expired" not in current, listing


def test_the_year_archive_says_which_notices_are_urgent_and_which_expired(site: Site) -> None:
    """The year's page lists every announcement, as the home and category pages do: in words,
    the same as each card and page."""
    site.add(
        "2026-11-20-burning",
        title="Open burning suspended",
        category="alert",
        urgent="true",
        expires="2026-11-21 09:00",
    )
    site.add(
        "2026-11-23-boil",
        title="Boil water advisory",
        date="2026-11-23 09:00",
        category="alert",
        urgent="true",
    )
    site.add("2026-11-22-meters", title="Meter reading", date="2026-11-22 09:00")
    site.build()
    items = re.findall(r"<li>.*?</li>", site.read("archives/2026.html"), re.S)
    (expired,) = [i for i in items if "Open burning suspended" in i]
    (urgent,) = [i for i in items if "Boil water advisory" in i]
    (current,) = [i for i in items if "Meter reading" in i]
    assert '<span class="badge">Expired</span>' in expired and "Urgent" not in expired
    assert '<span class="badge badge-urgent">Urgent</span>' in urgent
    assert "badge" not in current


def test_every_feed_parses_cleanly_with_stable_guids(site: Site) -> None:
    site.add("2026-11-20-flushing", image="images/pixel.png", image_alt="Crews at a hydrant")
    site.add(
        "2026-11-21-council",
        title="Council meeting",
        category="public-notice",
        date="2026-11-21 10:00",
    )
    site.build()
    feeds = sorted((site.output / "feeds").iterdir())
    assert len(feeds) == 2 * 8  # all, six categories, urgent; Atom and RSS each
    for path in feeds:
        parsed = feedparser.parse(path)
        assert parsed.bozo == 0, (path.name, parsed.get("bozo_exception"))
    atom = feedparser.parse(site.output / "feeds/all.atom.xml")
    rss = feedparser.parse(site.output / "feeds/all.rss.xml")
    canonical = f"{SITEURL}/announcements/2026-11-21-council.html"
    assert [e.id for e in atom.entries] == [
        canonical,
        f"{SITEURL}/announcements/2026-11-20-flushing.html",
    ]
    assert [e.id for e in rss.entries] == [e.id for e in atom.entries]
    flushing = atom.entries[1]
    assert flushing.enclosures[0].href == f"{SITEURL}/images/pixel.png"
    assert flushing.enclosures[0].type == "image/png"
    assert int(flushing.enclosures[0].length) == (site.content / "images/pixel.png").stat().st_size
    assert "Body text" in flushing.content[0].value
    assert f'href="{SITEURL}/comment-guidelines.html"' in flushing.content[0].value

    first_ids = {p.name: [e.id for e in feedparser.parse(p).entries] for p in feeds}
    # Edit the title and summary: the GUIDs must not move.
    site.add(
        "2026-11-21-council",
        title="Council meeting moved",
        category="public-notice",
        date="2026-11-21 10:00",
        modified="2026-11-22 09:00",
        summary="Now at noon.",
    )
    site.build()
    second_ids = {p.name: [e.id for e in feedparser.parse(p).entries] for p in feeds}
    assert second_ids == first_ids
    edited = feedparser.parse(site.output / "feeds/all.atom.xml").entries[0]
    assert (edited.title, edited.updated) == ("Council meeting moved", "2026-11-22T09:00:00-08:00")


def test_a_category_page_names_its_feeds_as_the_category_is_named(site: Site) -> None:
    """A place's name keeps its capitals: lowercased, "Greater Trail Area" read "greater trail
    area"."""
    site.add(
        "2026-11-20-market",
        category="regional-event",
        event_start="2026-12-19 09:00",
        event_end="2026-12-19 14:00",
        location="Warfield Community Hall",
    )
    site.build()
    page = re.sub(r"\s+", " ", site.read("category/regional-event.html"))
    assert '<p class="feeds">Subscribe to Greater Trail Area events: <a' in page


def test_each_feed_links_its_web_page_and_itself(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.build()

    def links(name: str) -> tuple[str, list[str]]:
        feed = feedparser.parse(site.output / "feeds" / name).feed
        return feed.link, [link.href for link in feed.links if link.rel == "self"]

    # RSS 2.0: the channel's <link> is the website, its atom:link rel=self the RSS document.
    assert links("all.rss.xml") == (f"{SITEURL}/", [f"{SITEURL}/feeds/all.rss.xml"])
    assert links("all.atom.xml") == (f"{SITEURL}/", [f"{SITEURL}/feeds/all.atom.xml"])
    category = f"{SITEURL}/category/service-change.html"
    assert links("service-change.rss.xml") == (
        category,
        [f"{SITEURL}/feeds/service-change.rss.xml"],
    )
    assert links("service-change.atom.xml")[0] == category
    # Nothing published in the category, so no page of it: the home page stands in.
    assert links("alert.rss.xml") == (f"{SITEURL}/", [f"{SITEURL}/feeds/alert.rss.xml"])


def test_each_rss_feeds_self_link_says_it_is_rss(site: Site) -> None:
    """RSS Advisory Board best practice: the channel's atom:link rel="self" gives the type of
    the document it names, application/rss+xml (the Atom feed's self link is Atom's own)."""
    site.add("2026-11-20-flushing")
    site.build()
    feeds = sorted((site.output / "feeds").glob("*.rss.xml"))
    assert len(feeds) == 8  # all, urgent and one per category
    for feed in feeds:
        links = re.findall(r"<atom:link [^>]*>", feed.read_text())
        assert links == [
            f'<atom:link href="{SITEURL}/feeds/{feed.name}" rel="self" type="application/rss+xml"/>'
        ], feed.name


def json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD on the page"
    return dict(json.loads(match[1]))


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("250-364-1262", "250-364-1262"),  # as policy/public-contacts.yml writes it
        ("+1-250-364-1262", "250-364-1262"),  # as pelicanconf.py's sample has it
        ("+1 (250) 364-1262", "(250) 364-1262"),
    ],
)
def test_the_footer_shows_the_citys_telephone_as_written_and_dials_it(
    site: Site, written: str, shown: str
) -> None:
    """The footer cut the first three characters off whatever CITY's number was, meant for
    "+1-": written as the City's contacts write it, every page showed "Phone -364-1262"."""
    import pelicanconf
    from publishing.build import build_site

    city = {**pelicanconf.CITY, "telephone": written}
    overrides = {"PATH": str(site.content), "SITEURL": SITEURL, "BUILD_TIME": NOW, "CITY": city}
    build_site(ROOT / "publishconf.py", site.output, overrides)
    assert f'Phone <a href="tel:+12503641262">{shown}</a>,' in site.read("index.html")


def test_announcement_pages_carry_canonical_social_and_structured_data(site: Site) -> None:
    site.add("2026-11-20-flushing", image="images/pixel.png", image_alt="Crews at a hydrant")
    site.add(
        "2026-12-05-light-up",
        title="Holiday light-up at Gyro Park",
        category="city-event",
        date="2026-11-20 10:00",
        event_start="2026-12-05 17:00",
        event_end="2026-12-05 20:00",
        location="Gyro Park, Trail",
    )
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    url = f"{SITEURL}/announcements/2026-11-20-flushing.html"
    for tag in [
        f'<link rel="canonical" href="{url}">',
        f'<meta property="og:url" content="{url}">',
        '<meta property="og:title" content="Water main flushing in Glenmerry">',
        '<meta property="og:description" content="Crews flush water mains in Glenmerry next',
        f'<meta property="og:image" content="{SITEURL}/images/pixel.png">',
        '<meta property="og:image:alt" content="Crews at a hydrant">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:image:alt" content="Crews at a hydrant">',
        f"https://www.facebook.com/sharer/sharer.php?u={url.replace(':', '%3A')}",
    ]:
        assert tag in page, tag
    assert (
        '<img src="../images/pixel.png" alt="Crews at a hydrant" width="120" height="63">' in page
    )
    data = json_ld(page)
    city, article = data["@graph"]
    assert (city["@type"], city["name"]) == ("GovernmentOrganization", "City of Trail")
    assert city["address"]["addressLocality"] == "Trail"
    assert (article["@type"], article["url"]) == ("Article", url)
    assert article["publisher"] == article["author"] == {"@id": city["@id"]}

    event_page = site.read("announcements/2026-12-05-light-up.html")
    event_data = json_ld(event_page)
    city, _, event = event_data["@graph"]
    assert event["@type"] == "Event"
    assert event["startDate"] == "2026-12-05T17:00:00-08:00"
    assert event["location"]["name"] == "Gyro Park, Trail"
    assert event["organizer"] == {"@id": city["@id"]}


def test_a_regional_events_json_ld_does_not_name_the_city_as_organizer(site: Site) -> None:
    # A Greater Trail Area event is run by others: the City only announces it.
    site.add(
        "2026-11-19-market",
        title="Warfield winter market",
        category="regional-event",
        event_start="2026-12-05 17:00",
        event_end="2026-12-05 19:00",
        location="Warfield Community Hall",
        body="The market is organized by the Village of Warfield.",
    )
    site.build()
    city, article, event = json_ld(site.read("announcements/2026-11-19-market.html"))["@graph"]
    assert event["@type"] == "Event"
    assert "organizer" not in event
    assert article["publisher"] == {"@id": city["@id"]}  # the City still publishes the notice


def test_events_are_listed_upcoming_first_with_calendar_files(site: Site) -> None:
    event = {"category": "city-event", "location": "Trail Memorial Centre"}
    site.add(
        "2026-11-01-past",
        title="Past skate",
        date="2026-11-01 09:00",
        event_start="2026-11-10 18:00",
        event_end="2026-11-10 20:00",
        **event,
    )
    site.add(
        "2026-11-02-later",
        title="Later open house",
        date="2026-11-02 09:00",
        event_start="2027-01-20 18:00",
        event_end="2027-01-20 20:00",
        **event,
    )
    site.add(
        "2026-11-03-sooner",
        title="Sooner concert",
        date="2026-11-03 09:00",
        event_start="2026-12-12 18:00",
        event_end="2026-12-12 20:00",
        **event,
    )
    site.build()
    events = site.read("events.html")
    upcoming, past = events.split('id="past-heading"')
    assert upcoming.index("Sooner concert") < upcoming.index("Later open house")
    assert "Past skate" in past and "Past skate" not in upcoming
    calendar = Calendar.from_ical((site.output / "events.ics").read_bytes())
    assert sorted(str(e["summary"]) for e in calendar.walk("VEVENT")) == [
        "Later open house",
        "Past skate",
        "Sooner concert",
    ]
    single = Calendar.from_ical((site.output / "announcements/2026-11-03-sooner.ics").read_bytes())
    (vevent,) = single.walk("VEVENT")
    assert vevent.decoded("dtstart").isoformat() == "2026-12-13T02:00:00+00:00"
    assert str(vevent["url"]) == f"{SITEURL}/announcements/2026-11-03-sooner.html"
    assert 'href="../announcements/2026-11-03-sooner.ics"' in site.read(
        "announcements/2026-11-03-sooner.html"
    )


def test_the_events_page_does_not_list_every_past_event_of_the_decade(site: Site) -> None:
    """A decade of events on one page is megabytes for a phone (3,334 cards, 1.9 MB at the
    bench's 10,000 announcements), as the archives were before they were split by year: the
    page lists a page's worth of the latest past events (DEFAULT_PAGINATION, 20) and leads
    to the archives, where the older ones are."""
    for n in range(25):
        day = f"2026-10-{1 + n:02d}"
        site.add(
            f"{day}-concert-{n}",
            title=f"Concert {n} in Gyro Park",
            date=f"{day} 09:00",
            category="city-event",
            event_start=f"{day} 18:00",
            event_end=f"{day} 20:00",
            location="Gyro Park",
        )
    assert site.build().articles == 25
    past = site.read("events.html").split('id="past-heading"', 1)[1]
    titles = re.findall(r'<h3 class="card-title"><a [^>]*>Concert (\d+) in Gyro Park</a>', past)
    assert titles == [str(n) for n in range(24, 4, -1)]  # the latest 20, latest first
    assert '<a href="./archives.html">' in past
    assert "Concert 0 in Gyro Park" in site.read("archives/2026.html")


def test_an_events_calendar_name_is_text_escaped_as_its_summary_is(site: Site) -> None:
    """X-WR-CALNAME, the name a calendar app gives the event's file, is text (RFC 5545 3.3.11,
    as NAME in RFC 7986): `,` `;` `\\` and a line break are escaped, as in the same file's
    SUMMARY. Written as is, a title in a YAML block (`|`) stopped the build with icalendar's
    "Content line can not contain unescaped new line characters", naming no file."""
    event = {
        "category": "city-event",
        "event_start": "2026-11-28 18:00",
        "event_end": "2026-11-28 20:00",
        "location": "Trail Memorial Centre",
    }
    site.add("2026-11-20-skate", title='"Skate night; bring skates, helmets \\\\ pads"', **event)
    site.add("2026-11-21-curling", title="|\n  Curling night\n  at the Memorial Centre", **event)
    site.build()
    calendars = site.output / "announcements"
    skate = (calendars / "2026-11-20-skate.ics").read_bytes().decode()  # lines end in CRLF
    escaped = "Skate night\\; bring skates\\, helmets \\\\ pads"
    assert f"\r\nSUMMARY:{escaped}\r\n" in skate
    assert f"\r\nX-WR-CALNAME:{escaped}\r\n" in skate
    curling = (calendars / "2026-11-21-curling.ics").read_bytes().decode()
    assert re.search(r"\r\nX-WR-CALNAME:Curling night(\\n| )at the Memorial Centre\r\n", curling)


def test_a_backslash_typed_in_an_events_text_is_one_in_its_calendar_never_a_line_break(
    site: Site,
) -> None:
    r"""RFC 5545 3.3.11: a backslash in TEXT is written `\\`; `\N` and `\n` are line breaks.
    icalendar's own escaping read `\New` typed in a title as a line break ("C:" and "ew
    folder" on two lines in a calendar app). A title with a carriage return is on one line
    (README: "on one line everywhere"), in its calendar too."""
    from icalendar import Calendar

    site.add(
        "2026-11-20-files",
        title="'Files in C:\\New folder'",
        category="city-event",
        event_start="2026-11-28 18:00",
        event_end="2026-11-28 20:00",
        location="'Room \\North'",
    )
    site.add(
        "2026-11-21-return",
        title='"Line one\\r\\nLine two\\rthree"',
        category="city-event",
        event_start="2026-11-29 18:00",
        event_end="2026-11-29 20:00",
        location="Rink",
    )
    site.build()
    ics = (site.output / "announcements" / "2026-11-20-files.ics").read_bytes().decode()
    assert "\r\nSUMMARY:Files in C:\\\\New folder\r\n" in ics
    assert "\r\nLOCATION:Room \\\\North\r\n" in ics
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert (str(event["summary"]), str(event["location"])) == (
        "Files in C:\\New folder",
        "Room \\North",
    )
    page = site.read("announcements/2026-11-21-return.html")
    assert "<h1>Line one Line two three</h1>" in page or ">Line one Line two three<" in page
    assert "&#13;" not in site.read("feeds/all.atom.xml")
    returned = (site.output / "announcements" / "2026-11-21-return.ics").read_bytes().decode()
    assert "\r\nSUMMARY:Line one Line two three\r\n" in returned


def test_an_events_time_in_every_listing_is_a_time_element(site: Site) -> None:
    """In a card, the event's start is labelled as on its page ("Starts"), and is a <time>
    as the publication date beside it is: the two are not taken for one another."""
    site.add(
        "2026-11-20-fair",
        title="Winter fair",
        category="city-event",
        event_start="2026-12-05 17:00",
        event_end="2026-12-05 19:00",
        location="Gyro Park",
    )
    site.build()
    for listing in ("events.html", "index.html", "category/city-event.html"):
        event_line = re.search(r'<p class="card-event">(.*?)</p>', site.read(listing), re.S)
        assert event_line, listing
        assert event_line.group(1) == (
            'Starts <time datetime="2026-12-05T17:00:00-08:00">'
            "Saturday, December 5, 2026, 5 p.m. PST</time>. Where: Gyro Park"
        ), listing


ALL_DAY = {"category": "city-event", "location": "Gyro Park"}


def add_fairs(site: Site) -> None:
    """A fair on Saturday and Sunday, and a market on Saturday alone, given as days."""
    site.add(
        "2026-11-20-fair",
        title="Winter fair",
        event_start="2026-12-05",
        event_end="2026-12-06",
        **ALL_DAY,
    )
    site.add(
        "2026-11-21-market",
        title="Craft market",
        date="2026-11-21 09:00",
        event_start="2026-12-05",
        event_end="2026-12-05",
        **ALL_DAY,
    )


ALL_DAY_SAID = {
    "2026-11-20-fair": (
        '<time datetime="2026-12-05">Saturday, December 5</time> to '
        '<time datetime="2026-12-06">Sunday, December 6, 2026</time>'
    ),
    "2026-11-21-market": '<time datetime="2026-12-05">Saturday, December 5, 2026</time> (all day)',
}


def test_an_all_day_events_page_card_and_feed_entry_say_its_days_without_a_time(
    site: Site,
) -> None:
    """A fair on Saturday and Sunday had to be given made-up hours, and a day alone was shown
    as "midnight": its days are said as days, each a <time> of its date."""
    add_fairs(site)
    site.build()
    entries = {e.id: e for e in feedparser.parse(site.output / "feeds/all.atom.xml").entries}
    for name, said in ALL_DAY_SAID.items():
        page = site.read(f"announcements/{name}.html")
        assert f"<dt>When</dt><dd>{said}</dd>" in page, name
        assert "midnight" not in page and "<dt>Starts</dt>" not in page, name
        for listing in ("events.html", "index.html", "category/city-event.html"):
            cards = re.findall(r'<p class="card-event">(.*?)</p>', site.read(listing), re.S)
            assert f"When: {said}. Where: Gyro Park" in cards, (listing, name)
        entry = entries[f"{SITEURL}/announcements/{name}.html"].content[0].value
        words = re.sub(r"<[^>]+>", "", said)
        assert f"<dt>When</dt><dd>{words}</dd><dt>Where</dt><dd>Gyro Park</dd>" in entry, name


def test_an_all_day_events_calendar_and_structured_data_give_its_days_as_dates(
    site: Site,
) -> None:
    """RFC 5545: a day is a DATE value, and DTEND is exclusive (the day after the last);
    schema.org takes a Date, the last day itself, as the page says it."""
    add_fairs(site)
    site.build()
    fair = (site.output / "announcements/2026-11-20-fair.ics").read_bytes().decode()
    assert "\r\nDTSTART;VALUE=DATE:20261205\r\n" in fair
    assert "\r\nDTEND;VALUE=DATE:20261207\r\n" in fair
    calendar = Calendar.from_ical((site.output / "events.ics").read_bytes())
    days = {
        str(e["summary"]): (e.decoded("dtstart").isoformat(), e.decoded("dtend").isoformat())
        for e in calendar.walk("VEVENT")
    }
    assert days == {
        "Winter fair": ("2026-12-05", "2026-12-07"),
        "Craft market": ("2026-12-05", "2026-12-06"),
    }
    expected = {"2026-11-20-fair": "2026-12-06", "2026-11-21-market": "2026-12-05"}
    for name, last_day in expected.items():
        *_, event = json_ld(site.read(f"announcements/{name}.html"))["@graph"]
        assert (event["startDate"], event["endDate"]) == ("2026-12-05", last_day), name


@pytest.mark.parametrize(
    ("now", "upcoming"),
    [
        ("2026-12-06T12:00:00-08:00", True),  # on Sunday, its last day
        ("2026-12-06T23:59:00-08:00", True),
        ("2026-12-07T00:01:00-08:00", False),  # once Sunday has ended, City time
    ],
)
def test_an_all_day_event_is_past_once_its_last_day_has_ended(
    site: Site, now: str, upcoming: bool
) -> None:
    site.add(
        "2026-11-20-fair",
        title="Winter fair",
        event_start="2026-12-05",
        event_end="2026-12-06",
        **ALL_DAY,
    )
    site.build(now=now)
    coming, _, past = site.read("events.html").partition('id="past-heading"')
    assert ("Winter fair" in coming, "Winter fair" in past) == (upcoming, not upcoming)


def test_the_events_calendar_holds_a_component_before_there_is_any_event(site: Site) -> None:
    """RFC 5545 (3.4, 3.6) allows no VCALENDAR without a component, and strict calendar apps
    refuse to subscribe to one: the calendar is offered before the City has any event."""
    site.add("2026-11-20-flushing")
    site.build()
    calendar = Calendar.from_ical((site.output / "events.ics").read_bytes())
    assert calendar.walk("VEVENT") == []
    (timezone,) = calendar.subcomponents
    assert (timezone.name, str(timezone["tzid"])) == ("VTIMEZONE", "UTC")
    assert [c.name for c in timezone.subcomponents] == ["STANDARD"]  # RFC 5545 3.6.5


def test_every_calendar_is_published_as_itip_publish_with_its_organizer(site: Site) -> None:
    """A subscription calendar and an event's own file are unsolicited postings: RFC 5546
    (3.2.1) PUBLISH, as Google's and Outlook's exports are, and a withdrawn event stays in as
    one with STATUS:CANCELLED (PUBLISH allows it; CANCEL would be sent to attendees). PUBLISH
    requires each VEVENT's DTSTAMP, DTSTART, ORGANIZER, SUMMARY and UID, and no ATTENDEE."""
    site.add("2026-11-18-skate", title="Skate night", category="city-event",
             event_start="2026-12-04 18:00", event_end="2026-12-04 20:00",
             location="Trail Memorial Centre")  # fmt: skip
    site.add("2026-11-19-parade", **WITHDRAWN_PARADE)
    site.build()
    city = site_settings(ROOT / "publishconf.py", {})["CITY"]
    files = [
        "events.ics",
        "announcements/2026-11-18-skate.ics",
        "announcements/2026-11-19-parade.ics",
    ]
    statuses = {}
    for path in files:
        calendar = Calendar.from_ical((site.output / path).read_bytes())
        assert str(calendar["method"]) == "PUBLISH", path
        for event in calendar.walk("VEVENT"):
            required = ("dtstamp", "dtstart", "organizer", "summary", "uid")
            assert all(name in event for name in required) and "attendee" not in event
            organizer = event["organizer"]
            assert str(organizer) == f"mailto:{city['email']}"
            assert organizer.params["CN"] == city["name"]
            statuses[str(event["uid"])] = str(event["status"])
    assert statuses == {
        "2026-11-18-skate@news.trail.ca": "CONFIRMED",
        "2026-11-19-parade@news.trail.ca": "CANCELLED",
    }


def test_two_builds_of_the_same_content_are_byte_identical_but_for_build_json(site: Site) -> None:
    site.add("2026-11-20-flushing", image="images/pixel.png", image_alt="Crews at a hydrant")
    site.add("2026-11-21-council", title="Council meeting", category="public-notice")
    first, second = site.root / "first", site.root / "second"
    site.build(now=None, output=first)
    site.build(now=None, output=second)

    def files(folder: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()
        }

    a, b = files(first), files(second)
    assert a.keys() == b.keys()
    differing = sorted(name for name in a if a[name] != b[name])
    assert differing in ([], ["build.json"])
    assert set(json.loads(a["build.json"])) == {"built_at", "generator", "siteurl"}


def test_pages_are_accessible_in_structure_and_load_nothing_from_elsewhere(site: Site) -> None:
    site.add("2026-11-20-flushing", image="images/pixel.png", image_alt="Crews at a hydrant")
    site.build()
    pages = sorted(site.output.rglob("*.html"))
    assert len(pages) == 9  # home, announcement, category, events, archives, its year, 3 pages
    for path in pages:
        html = path.read_text()
        name = path.relative_to(site.output)
        assert re.search(r'<html lang="en-CA">', html), name
        assert len(re.findall(r"<h1[ >]", html)) == 1, name
        assert re.search(r"<title>[^<]+</title>", html), name
        assert 'href="#main"' in html and 'id="main"' in html, name
        assert "comment-guidelines.html" in html, name
        # Only plain links may point elsewhere: no script, style, image or font from other hosts.
        for attribute in re.findall(
            r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="([^"]+)"', html
        ):
            if 'rel="canonical"' in attribute:
                continue
            assert not attribute.startswith(("http:", "https:", "//")) or attribute.startswith(
                SITEURL
            ), (name, attribute)
        assert "<script" not in html.replace('<script type="application/ld+json">', ""), name


def test_sitemap_and_robots_list_the_public_pages(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.build()
    sitemap = site.read("sitemap.xml")
    assert f"<loc>{SITEURL}/announcements/2026-11-20-flushing.html</loc>" in sitemap
    assert f"<loc>{SITEURL}/comment-guidelines.html</loc>" in sitemap
    assert f"Sitemap: {SITEURL}/sitemap.xml" in site.read("robots.txt")


@pytest.mark.parametrize(
    ("siteurl", "allowed"),
    [("https://trail.ca", "/"), ("https://example.ca/news", "/news/")],
)
def test_robots_allows_the_site_under_its_path_and_names_its_sitemap(
    siteurl: str, allowed: str
) -> None:
    """Crawlers read robots.txt only at the host's root, where a site under a path has its
    lines merged: `Allow: /` there would speak for the whole host, not the site."""
    assert robots_txt(siteurl) == (
        f"User-agent: *\nAllow: {allowed}\n\nSitemap: {siteurl}/sitemap.xml\n"
    )


@pytest.mark.parametrize("siteurl", ["/news", "http://[::1", "https://trail.ca:port"])
def test_a_relative_siteurl_is_refused_naming_the_setting(site: Site, siteurl: str) -> None:
    site.add("2026-11-20-flushing")
    from publishing.build import build_site

    with pytest.raises(BuildError) as failure:
        build_site(
            ROOT / "publishconf.py", site.output, {"PATH": str(site.content), "SITEURL": siteurl}
        )
    assert f"SITEURL: '{siteurl}' is not an absolute URL" in failure.value.problems[0]


@pytest.mark.parametrize(
    ("siteurl", "shown", "part"),
    [
        ("https://trail.ca/?utm_source=x", "https://trail.ca/?utm_source=x", "a query (?…)"),
        ("https://trail.ca?", "https://trail.ca?", "a query (?…)"),
        ("https://trail.ca/#main", "https://trail.ca/#main", "a fragment (#…)"),
        ("https://web:hunter2@trail.ca", "https://***@trail.ca", "a user name or password"),
    ],
)
def test_a_siteurl_with_a_query_fragment_or_password_is_refused_naming_the_setting(
    site: Site, siteurl: str, shown: str, part: str
) -> None:
    """Every address is the SITEURL and a path after it: a query or fragment in it would put
    the path inside them (`https://trail.ca/?x=1/announcements/….html`, in the posts too),
    and a password would be in every public link. Never echoed: the password."""
    site.add("2026-11-20-flushing")
    from publishing.build import build_site

    with pytest.raises(BuildError) as failure:
        build_site(
            ROOT / "publishconf.py", site.output, {"PATH": str(site.content), "SITEURL": siteurl}
        )
    (problem,) = failure.value.problems
    assert f"SITEURL: '{shown}' has {part}" in problem and "hunter2" not in problem


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("https://x/{file}", "{file} is not a field; only {path} is"),
        ("https://x/{path", "expected '}' before end of string"),
        ("https://x/{}", "Replacement index 0 out of range"),
    ],
)
def test_a_history_link_template_that_does_not_format_is_refused_naming_the_setting(
    site: Site, template: str, problem: str
) -> None:
    site.add("2026-11-20-flushing")
    from publishing.build import build_site

    with pytest.raises(BuildError) as failure:
        build_site(
            ROOT / "publishconf.py",
            site.output,
            {"PATH": str(site.content), "SITEURL": SITEURL, "SOURCE_HISTORY_URL": template},
        )
    assert f"SOURCE_HISTORY_URL: '{template}': {problem}" in failure.value.problems[0]


def test_long_listings_are_paginated_with_working_links(site: Site) -> None:
    add_items(site, 25)
    site.build()
    first, second = site.read("index.html"), site.read("index-2.html")
    assert 'rel="next" href="./index-2.html"' in first and "Page 1 of 2" in first
    assert 'rel="prev" href="./index.html"' in second and "Item 1<" in second
    category = site.read("category/public-notice.html")
    assert 'href="../category/public-notice-2.html"' in category
    assert (site.output / "category" / "public-notice-2.html").is_file()
    # A page cannot take a further page's address either.
    site.write("pages/promo.md", "---\ntitle: Promo\nsave_as: category/public-notice-2.html\n---\n")
    with pytest.raises(BuildError) as failure:
        site.build()
    assert failure.value.problems[0].endswith(
        "save_as: gives the address category/public-notice-2.html, where the build writes "
        "page 2 of the page of the category public-notice; choose another"
    )


def test_two_files_with_one_address_fail_the_build_naming_both(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.write(
        "pages/flushing.md",
        "---\ntitle: Flushing\nsave_as: announcements/2026-11-20-flushing.html\n---\nText.\n",
    )
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert ".md:1: file name: gives the same address (announcements/2026-11-20-flushing.html)" in (
        problem
    )
    assert "pages/flushing.md" in problem and "announcements/2026-11-20-flushing.md" in problem
    assert problem.endswith("; rename one")
    assert not site.output.exists()


def test_a_page_at_an_images_address_fails_the_build_naming_both(site: Site) -> None:
    site.write("pages/pixel.md", "---\ntitle: Pixel\nsave_as: images/pixel.png\n---\nText.\n")
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert "file name: gives the same address (images/pixel.png)" in problem
    assert "images/pixel.png:1" in problem and "pages/pixel.md" in problem


@pytest.mark.parametrize(
    ("field", "address", "what"),
    [
        ("save_as", "index.html", "its index page"),
        ("save_as", "events.html", "its events page"),
        ("save_as", "archives.html", "its archives page"),
        ("slug", "archives", "its archives page"),
        ("save_as", "category/alert.html", "the page of the category alert"),
        ("save_as", "archives/2026.html", "the archives of 2026"),
        ("save_as", "feeds/all.atom.xml", "the feeds"),
        ("save_as", "events.ics", "the events calendar"),
        ("save_as", "sitemap.xml", "the sitemap"),
        ("save_as", "build.json", "the mark of a complete build"),
        ("save_as", "syndication.json", "the syndication manifest"),
        ("save_as", "theme/css/site.css", "the theme's files"),
    ],
)
def test_a_page_cannot_silently_replace_a_page_the_build_writes(
    site: Site, field: str, address: str, what: str
) -> None:
    site.add("2026-11-20-flushing", urgent="true", category="alert", summary="Boil water first.")
    site.write("pages/promo.md", f"---\ntitle: Our promotion\n{field}: {address}\n---\nHi.\n")
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert problem.startswith(f"{site.content / 'pages' / 'promo.md'}:1: {field}: ")
    saved = address if field == "save_as" else f"{address}.html"
    assert f"gives the address {saved}, where the build writes {what}; " in problem
    assert not site.output.exists()


def test_the_site_is_kept_out_of_garbage_collection_only_while_pages_are_written(
    site: Site,
) -> None:
    site.add("2026-11-20-flushing")
    frozen_while_writing: list[int] = []
    thresholds_while_reading: list[tuple[int, int, int]] = []
    before = gc.get_threshold()

    def note(_pelican: object) -> None:
        frozen_while_writing.append(gc.get_freeze_count())

    def note_reading(_generator: object) -> None:
        thresholds_while_reading.append(gc.get_threshold())

    signals.finalized.connect(note)
    signals.article_generator_finalized.connect(note_reading)
    try:
        site.build()
        assert frozen_while_writing and frozen_while_writing[0] > 0
        assert gc.get_freeze_count() == 0
        # Collected less often while the site is built; as before once it is.
        assert thresholds_while_reading[0] == (BUILD_GC_THRESHOLD, *before[1:])
        assert gc.get_threshold() == before
        site.write("2026-11-21-lost.md", "---\ntitle: Lost\n---\n")
        with pytest.raises(BuildError):
            site.build()
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == before
    finally:
        signals.finalized.disconnect(note)
        signals.article_generator_finalized.disconnect(note_reading)


def test_the_archives_list_the_years_each_with_a_page_by_month_in_city_time(site: Site) -> None:
    site.add("2026-11-20-flushing", title="Flushing", date="2026-11-20 09:00")
    site.add("2026-11-02-paving", title="Paving", date="2026-11-02 09:00")
    site.add("2026-03-10-budget", title="Budget", date="2026-03-10 09:00")
    # 02:00 on New Year's Day in Toronto is 23:00 on 31 December in Trail: filed under 2025.
    site.add("2026-01-01-countdown", title="Countdown", date="2026-01-01 02:00-05:00")
    site.build()

    archives = site.read("archives.html")
    years = re.findall(
        r'<a href="\./archives/(\d{4})\.html">\1</a>\s*\((\d+) announcements?\)', archives
    )
    assert years == [("2026", "3"), ("2025", "1")]

    year = site.read("archives/2026.html")
    assert "<h1>Announcements of 2026</h1>" in year
    assert f'<link rel="canonical" href="{SITEURL}/archives/2026.html">' in year
    months = re.findall(r'<h2 id="month-([\d-]+)">([^<]+)</h2>', year)
    assert months == [("2026-11", "November 2026"), ("2026-03", "March 2026")]
    titles = re.findall(r'<a href="\.\./announcements/[^"]+\.html">([^<]+)</a>', year)
    assert titles == ["Flushing", "Paving", "Budget"]  # newest first
    earlier = site.read("archives/2025.html")
    assert re.findall(r'<h2 id="month-[\d-]+">([^<]+)</h2>', earlier) == ["December 2025"]
    assert "Countdown" in earlier
    for page in ("archives/2026.html", "archives/2025.html"):
        assert f"<loc>{SITEURL}/{page}</loc>" in site.read("sitemap.xml")


def test_pelicans_own_command_builds_the_site_from_the_settings_alone(site: Site) -> None:
    """No import path set up by invoke or pytest: the settings file must be enough."""
    site.add("2026-11-20-flushing")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pelican", str(site.content)),
            *("-s", str(ROOT / "publishconf.py"), "-o", str(site.output)),
            *("-e", f'BUILD_TIME="{NOW}"', "CACHE_PATH=" + json.dumps(str(site.root / "cache"))),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Cannot load plugin" not in run.stdout + run.stderr
    assert (site.output / "announcements" / "2026-11-20-flushing.html").is_file()
    assert (site.output / "syndication.json").is_file()
    assert (site.output / "feeds" / "all.atom.xml").is_file()


def test_a_file_not_in_utf8_fails_the_build_naming_file_and_line(site: Site) -> None:
    site.add("2026-11-20-flushing")
    cafe = site.add("2026-11-21-cafe", title="Café hours")
    cafe.write_bytes(cafe.read_text().encode("cp1252"))
    with pytest.raises(BuildError) as failure:
        site.build()
    (problem,) = failure.value.problems
    assert problem.endswith(
        "2026-11-21-cafe.md:2: encoding: byte 0xe9 is not UTF-8; save the file with the UTF-8 "
        "encoding"
    )


def test_an_invisible_control_character_fails_the_build_naming_file_line_and_field(
    site: Site,
) -> None:
    """A page break pasted from a PDF (a form feed) or a `\\v` in a quoted title: the feeds
    cannot hold either (lxml refuses to write them, naming nothing), so the build names where
    each is. A draft's is left for when it is published: it must not stop an urgent alert."""
    site.add("2026-11-20-flushing", body="Crews flush mains on Monday.\x0cCall 311 with questions.")
    site.add("2026-11-21-meters", title='"Meter\\vreading"', tags='[water, "\\x7fmeters"]')
    site.add("2026-11-22-draft", status="draft", body="Page one.\x0c\nPage two.")
    with pytest.raises(BuildError) as failure:
        site.build()
    hint = (
        "is an invisible control character, which the feeds cannot carry; remove it (one is "
        "often pasted with text from a PDF or a Word document)"
    )
    folder = display_path(site.content / "announcements")
    assert failure.value.problems == [
        f"{folder}/2026-11-20-flushing.md:7: text: U+000C {hint}",
        f"{folder}/2026-11-21-meters.md:2: title: U+000B {hint}",
        f"{folder}/2026-11-21-meters.md:6: tags: U+007F {hint}",
    ]


def test_a_tag_the_build_can_make_no_name_of_is_refused_naming_file_line_and_field(
    site: Site,
) -> None:
    """Pelican stopped the build with "Unable to generate valid slug for Tag "<deck>"",
    naming no file, line or field: the build and the lint name them first."""
    site.add("2026-11-20-deck", tags="[water, '<deck>']")
    with pytest.raises(BuildError) as failure:
        site.build()
    name = f"{display_path(site.content / 'announcements')}/2026-11-20-deck.md"
    message = (
        "'<deck>' has no letter or digit the build can name it by (it drops anything in angle "
        "brackets, as HTML, and punctuation and symbols); write the topic in letters or digits, "
        "as 'deck', or remove the tag"
    )
    assert failure.value.problems == [f"{name}:6: tags: {message}"]
    found = lint(site.content, ROOT / "policy")
    assert [str(f).split("/content/")[-1] for f in found if f.blocks_publishing] == [
        f"announcements/2026-11-20-deck.md:6: error tags: {message}"
    ]


def test_a_tag_holding_a_semicolon_or_comma_is_one_tag_as_the_page_shows_it(site: Site) -> None:
    """Each tag of a list is one tag, as written: Pelican split the tags again on `;` (or on
    commas), so `'pools; ???; spas'` gave a tag `???` it stopped the build on, naming no file."""
    site.add("2026-11-20-pools", tags="""[water, 'pools; ???; spas', 'rinks, arenas']""")
    site.build()
    assert "Topics: water, pools; ???; spas, rinks, arenas</p>" in site.read(
        "announcements/2026-11-20-pools.html"
    )


@pytest.mark.parametrize(
    ("reference", "character"), [("&#12;", "U+000C"), ("&#11;", "U+000B"), ("&#x1B;", "U+001B")]
)
def test_an_invisible_control_character_written_as_a_reference_is_named_not_a_crash(
    site: Site, reference: str, character: str
) -> None:
    """HTML copied from a web page or an HTML editor writes a character as a reference: the
    page and the feeds get the character itself, which lxml refused to write, stopping the
    whole build with "All strings must be XML compatible", naming no file."""
    site.add("2026-11-20-flushing", body=f"Page one{reference}page two.\n")
    with pytest.raises(BuildError) as failure:
        site.build()
    folder = display_path(site.content / "announcements")
    (problem,) = failure.value.problems
    assert problem.startswith(
        f"{folder}/2026-11-20-flushing.md:7: text: {character}, written '{reference}', is an "
        "invisible control character"
    )


def test_a_control_character_reference_shown_as_code_is_published_as_typed(site: Site) -> None:
    """In code, Markdown shows a reference as typed: nothing invisible reaches the page, so
    there is nothing to refuse (the lint, which reads code as typed, agrees)."""
    body = (
        "To write a page break in the old system, type `&#12;` in the field.\n\n"
        "```\nPage one&#12;page two\n```\n\nThen press `` ` ``&#32;Save.\n"
    )
    site.add("2026-11-20-flushing", body=body)
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    assert page.count("&amp;#12;") == 2 and "\x0c" not in page
    assert [f for f in lint(site.content, ROOT / "policy") if f.rule == "invisible-character"] == []


def test_windows_line_endings_and_a_byte_order_mark_are_read_as_written(site: Site) -> None:
    crlf = site.add("2026-11-20-flushing", title="Flushing in Glenmerry")
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    bom = site.add("2026-11-21-cafe", title="Café hours")
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes())
    site.build()
    assert "<h1>Flushing in Glenmerry</h1>" in site.read("announcements/2026-11-20-flushing.html")
    cafe = site.read("announcements/2026-11-21-cafe.html")
    assert "<h1>Café hours</h1>" in cafe and "\ufeff" not in cafe


def test_a_second_build_in_one_process_fails_on_the_warning_the_first_failed_on(
    site: Site,
) -> None:
    """Pelican logs each warning once per process; `invoke serve` builds again in the same
    one, and a repeated warning must fail every build, not only the first."""
    site.add("2026-11-20-flushing", body="See [the map]({filename}/images/pixel.png).")
    for _ in range(2):
        with pytest.raises(BuildError) as failed:
            site.build()
        assert "pixel.png" in str(failed.value)


def test_a_listing_is_paged_by_its_own_size_as_pelicans_writer_pages_it() -> None:
    # The sitemap dates the home page by what its first page shows, and the own-addresses
    # check names each page of a listing: both must page it as Pelican's writer does.
    settings: dict[str, object] = {
        "PAGINATED_TEMPLATES": {"index": 5, "category": None},
        "DEFAULT_PAGINATION": 20,
    }
    assert page_size(settings, "index") == 5
    assert page_size(settings, "category") == 20
    assert page_size(settings, "archives") is None  # not paginated: one page holds all
    assert page_size({**settings, "DEFAULT_PAGINATION": False}, "category") is None


def add_items(site: Site, count: int) -> None:
    """Public notices "Item 1" to "Item <count>", one a day from October 1, 09:00."""
    for day in range(1, count + 1):
        site.add(
            f"2026-10-{day:02d}-item",
            title=f"Item {day}",
            date=f"2026-10-{day:02d} 09:00",
            category="public-notice",
        )
