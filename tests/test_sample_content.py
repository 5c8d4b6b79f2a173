"""The sample content that `make demo` builds: valid, and a real-looking site."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser

from announcements.model import CATEGORIES, Announcement, parse_announcement
from moderation.classifier import ModerationPolicy
from publishing.demo import demo_records, run_demo
from sandboxes import start_all
from sandboxes.__main__ import arguments as sandbox_arguments
from syndication.config import load_settings
from syndication.runner import syndicate
from tests.conftest import NOW, ROOT, BuildSample

ANNOUNCEMENTS = sorted((ROOT / "content" / "announcements").glob("*.md"))
GUIDELINES = ROOT / "content" / "pages" / "comment-guidelines.md"
# How the comment guidelines name each moderation category in plain words.
IN_PLAIN_WORDS = {
    "off_topic": "not related",
    "derogatory": "obscen",
    "discriminatory": "slur",
    "commercial": "products or services",
    "political": "candidate",
    "illegal": "illegal",
    "spam": "spam",
    "public_safety": "safety",
    "ip_violation": "copyright",
}


def parsed() -> list[Announcement]:
    items = []
    for path in ANNOUNCEMENTS:
        item, problems = parse_announcement(
            str(path), path.read_text(), ZoneInfo("America/Vancouver"), ROOT / "content"
        )
        assert problems == [] and item is not None, problems
        items.append(item)
    return items


def test_the_sample_covers_every_category_and_every_kind_of_announcement() -> None:
    items = parsed()
    assert len(items) >= 15
    for category in CATEGORIES:
        assert sum(i.category == category for i in items) >= 2, category
    assert any(i.urgent and i.category == "alert" for i in items)
    assert any(i.corrections for i in items)
    assert any(i.withdrawn for i in items)
    assert any(i.status == "draft" for i in items)
    assert any(i.image for i in items)
    assert any(i.video for i in items), "an announcement for YouTube"
    now = datetime.fromisoformat(NOW)
    assert any(i.date > now for i in items), "a scheduled future announcement"
    assert sum(i.is_event for i in items) >= 5
    assert any(i.all_day and i.last_day != i.first_day for i in items), "a multi-day event"


def test_the_sample_site_builds_with_everything_on_it(
    tmp_path: Path, build_sample: BuildSample
) -> None:
    result = build_sample(tmp_path / "output")
    out = result.output
    assert result.articles >= 15
    home = (out / "index.html").read_text()
    assert 'id="urgent-heading"' in home
    for name in [
        "comment-guidelines.html",
        "about.html",
        "404.html",
        "events.html",
        "archives.html",
    ]:
        assert (out / name).is_file(), name
    for category in CATEGORIES:
        assert (out / "category" / f"{category}.html").is_file(), category
    feed = feedparser.parse(out / "feeds" / "all.atom.xml")
    # Every published announcement, and the withdrawn one as the notice of its withdrawal.
    withdrawn = [e for e in feed.entries if e.title.startswith("Withdrawn: ")]
    assert feed.bozo == 0 and len(withdrawn) == 1
    assert len(feed.entries) == result.articles + len(withdrawn)


def test_the_demo_syndicates_collects_and_moderates_on_all_three_platforms(
    tmp_path: Path, build_sample: BuildSample
) -> None:
    output = build_sample(tmp_path / "output").output
    records = tmp_path / "records"
    said: list[str] = []
    report = run_demo(ROOT, output, say=said.append, records=records)

    assert not report.failed
    created = {platform: counts["created"] for platform, counts in report.counts().items()}
    assert created["facebook"] == created["twitter"] >= 15
    assert created["youtube"] == 1  # the one sample announcement with a video

    def lines(name: str) -> list[dict]:
        return [json.loads(line) for line in (records / "archive" / name).read_text().splitlines()]

    comments = lines("comments.jsonl")
    assert {c["platform"] for c in comments} == {"facebook", "twitter", "youtube"}
    edited = [c for c in comments if c["kind"] == "comment" and c["version"] == 2]
    assert {c["platform"] for c in edited} == {"facebook", "youtube"}  # as the authors did
    assert [c["author"] for c in comments if c["kind"] == "comment_deleted"] == ["Taylor Madeup"]
    hidden = {
        (d["platform"], tuple(d["categories"]))
        for d in lines("moderation.jsonl")
        if d["kind"] == "classification" and d["action"] == "hide"
    }
    assert ("youtube", ("spam",)) in hidden and ("facebook", ("derogatory",)) in hidden
    assert (records / "foi" / "FOI-DEMO-001" / "MANIFEST.sha256").is_file()
    # A resident's photo of their tap water, kept with the records and in the FOI package.
    (photo,) = [c for c in comments if c.get("picture")]
    assert photo["author"] == "Dana Example" and photo["picture"]["type"] == "image/jpeg"
    kept = records / photo["picture"]["file"]
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == photo["picture"]["sha256"]
    package = records / "foi" / "FOI-DEMO-001" / "attachments" / kept.name
    assert package.read_bytes() == kept.read_bytes()
    assert "facebook: 1 picture(s) kept with the records, 0 not kept" in "\n".join(said)
    assert said[-1].endswith("what the Facebook, X and YouTube sandboxes now hold")


def test_the_sample_goes_to_x_through_the_stock_invoke_sandbox(
    tmp_path: Path, build_sample: BuildSample
) -> None:
    """README's walkthrough (`invoke sandbox`, then `invoke syndicate`): the sample's posts and
    their correction replies are more than the free tier's 17 a day, so the stock sandbox
    allows X Basic's 100; `--x-daily-limit 17` rehearses the cap, and the run says when the
    deferred posts can go."""
    output = build_sample(tmp_path / "output").output

    def on_x(argv: list[str]) -> tuple[list[str], int, list[datetime | None]]:
        limit = sandbox_arguments(argv).x_daily_limit
        said: list[str] = []
        with start_all(daily_post_limit=limit) as boxes:
            records = tmp_path / f"records-{limit}"
            settings = load_settings({**boxes.env, "RECORDS_DIR": str(records)})
            report = syndicate(
                output / "syndication.json",
                ROOT / "content",
                settings,
                only="twitter",
                say=said.append,
            )
            assert not report.failed
            deferred = [r.resume_at for r in report.results if r.outcome == "deferred"]
            return said, len(boxes.twitter.tweets), deferred

    said, posted, deferred = on_x([])
    assert posted == 20 and deferred == []  # 17 posts and 3 replies telling corrections
    said, posted, deferred = on_x(["--x-daily-limit", "17"])
    assert posted == 17 and len(deferred) == 3 and None not in deferred
    held = [line for line in said if line.startswith("twitter: deferred ")]
    assert len(held) == 3 and all("X daily post limit reached" in line for line in held)
    assert all("(resume after " in line for line in held)


def test_the_demos_records_are_kept_apart_from_the_citys_and_never_committed() -> None:
    """In records/demo/, inside the City's records folder, the demo made `invoke records
    pull` refuse ("holds files but is not the records repository"), and without a remote
    the next `invoke syndicate` committed it into the City's archive as a git repository."""
    demo = demo_records(ROOT)
    city = load_settings({}, site_root=ROOT).records_dir
    assert not demo.resolve().is_relative_to(city.resolve())
    ledger = demo / "syndication" / "ledger.jsonl"
    ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", str(ledger)])
    assert ignored.returncode == 0, f"{demo} is not git-ignored"


def test_the_comment_guidelines_say_which_comments_are_hidden_without_a_person() -> None:
    """The public promise matches what `invoke moderate` does under policy/moderation.yml:
    the categories set to `hide` are hidden as soon as they are found, before anyone looks."""
    automatic = ModerationPolicy.load(ROOT / "policy").hide_allowed
    page = GUIDELINES.read_text(encoding="utf-8")
    assert "\n## How comments are checked\n" in page
    section = page.split("\n## How comments are checked\n", 1)[1].split("\n## ", 1)[0]
    listed = [item.lower() for item in re.findall(r"^- (.*(?:\n  .*)*)", section, re.M)]
    assert len(listed) == len(automatic), listed
    for category in automatic:
        assert any(IN_PLAIN_WORDS[category] in item for item in listed), category
    text = " ".join(page.split())
    if automatic:
        assert "Every decision to hide or remove a comment is made by a person" not in text
        assert "kept in the City's records" in text
