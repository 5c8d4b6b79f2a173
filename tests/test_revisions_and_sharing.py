"""Announcement pages show their git history and a share kit for Council."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import SITEURL, Site


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-C",
            str(folder),
            "-c",
            "user.name=Jane Employee",
            "-c",
            "user.email=jane.employee@example.org",
            *args,
        ],
        check=True,
        capture_output=True,
    )


def test_each_page_shows_its_revisions_without_personal_emails(site: Site) -> None:
    git(site.root, "init", "-q", "-b", "main")
    path = site.add("2026-11-20-flushing")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "Announce Glenmerry water main flushing")
    path.write_text(path.read_text().replace("next week", "from Monday"))
    git(site.root, "commit", "-q", "-am", "Give the start day of the flushing")
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    section = page.split('id="revisions-heading"')[1].split("</section>")[0]
    assert section.index("Give the start day of the flushing") < section.index(
        "Announce Glenmerry water main flushing"
    )
    assert "jane.employee@example.org" not in page and "Jane Employee" not in page
    assert (
        "https://github.com/city-of-trail/announcements/commits/main/"
        "content/announcements/2026-11-20-flushing.md" in section
    )


def test_outside_git_there_is_simply_no_history(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    assert "<ol reversed>" not in page


def test_the_share_kit_gives_council_an_in_my_opinion_text(site: Site) -> None:
    site.add("2026-11-20-flushing")
    site.build()
    page = site.read("announcements/2026-11-20-flushing.html")
    url = f"{SITEURL}/announcements/2026-11-20-flushing.html"
    assert f"readonly>In my opinion: {url}</textarea>" in page
    assert '<label for="council-text">' in page
    assert 'href="../council-sharing.html"' in page
