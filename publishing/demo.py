"""`make demo`: the whole life of an announcement against local sandboxes, from the build to an
FOI export. Writes only under `demo/` (and `output/`), never in the City's records."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from archive.collect import collect
from archive.export import export
from archive.git import commit_archive
from archive.index import reindex
from moderation.classifier import ModerationPolicy
from moderation.report import write_report
from moderation.run import moderate_collected
from sandboxes import Sandboxes, start_all
from sandboxes.twitter import BASIC_DAILY_POSTS
from syndication.config import load_settings
from syndication.runner import syndicate
from syndication.syndicate import Report

SAMPLE_COMMENTS = Path(__file__).resolve().parent.parent / "sandboxes" / "demo_comments.yml"


def _posts_by_url(boxes: Sandboxes) -> dict[str, dict[str, str]]:
    """Each platform's post (Facebook post, X post, YouTube video) by the page it links to."""
    videos = {}
    for video_id, video in boxes.youtube.videos.items():
        linked = re.search(r"Read more: (\S+)", video["snippet"].get("description", ""))
        if linked:
            videos[linked.group(1)] = video_id
    return {
        "facebook": {p["link"]: pid for pid, p in boxes.facebook.posts.items()},
        "twitter": {
            t["entities"]["urls"][-1]["expanded_url"]: tid
            for tid, t in boxes.twitter.tweets.items()
            if t.get("entities")
        },
        "youtube": videos,
    }


def _seed(boxes: Sandboxes, site: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Comment on the demo posts, as the public would; return what to edit or delete later,
    as (platform, comment id, change)."""
    posts = _posts_by_url(boxes)
    comment_on: dict[str, Callable[[str, str, str], str]] = {
        "facebook": boxes.facebook.add_comment,
        "twitter": boxes.twitter.add_reply,
        "youtube": boxes.youtube.add_comment,
    }
    later = []
    for group in yaml.safe_load(SAMPLE_COMMENTS.read_text(encoding="utf-8")):
        url = f"{site}/announcements/{group['announcement']}.html"
        for index, comment in enumerate(group["comments"]):
            platform = comment.get("platform") or ("facebook" if index % 2 == 0 else "twitter")
            post = posts[platform].get(url)
            if post is None:
                continue
            if comment.get("photo"):  # Facebook's: a photo on its CDN, whose link expires
                made = boxes.facebook.add_comment(
                    post, comment["text"], comment["author"], attachment=_photo(boxes, comment)
                )
            else:
                made = comment_on[platform](post, comment["text"], comment["author"])
            if comment.get("edit_to") or comment.get("delete"):
                later.append((platform, made, comment))
    return later


def _photo(boxes: Sandboxes, comment: dict[str, Any]) -> dict[str, Any]:
    """A comment's photo as Graph gives it (`attachment`), its picture on the sandbox's CDN:
    a JPEG of the colour the sample names, as a resident's phone would take of their tap."""
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), comment["photo"]).save(picture, "JPEG")
    src = boxes.facebook.add_picture(picture.getvalue(), "image/jpeg")
    number = len(boxes.facebook.pictures)  # the CDN's own count
    return {
        "type": "photo",
        "url": f"https://www.facebook.com/photo.php?fbid={100000 + number}",
        "media": {"image": {"src": src, "height": 480, "width": 640}},
    }


def _change(boxes: Sandboxes, platform: str, comment_id: str, change: dict[str, Any]) -> None:
    """An author edits or deletes their comment (X replies cannot be edited)."""
    edit = {"facebook": boxes.facebook.edit_comment, "youtube": boxes.youtube.edit_comment}
    delete = {
        "facebook": boxes.facebook.delete_comment,
        "twitter": boxes.twitter.delete_reply,
        "youtube": boxes.youtube.delete_comment,
    }
    if change.get("edit_to"):
        edit[platform](comment_id, change["edit_to"])
    else:
        delete[platform](comment_id)


def demo_records(root: Path) -> Path:
    """Where the demo keeps its records: demo/ beside records/, never inside it. There the
    demo's own repository stopped `invoke records pull`, and the next run without a remote
    committed it into the City's archive."""
    return root / "demo"


def run_demo(
    root: Path, output: Path, say: Callable[[str], None] = print, records: Path | None = None
) -> Report:
    """The demo on the site built into `output` from `root`'s content and policy; its records
    go to `records` (default: `demo_records(root)`), emptied first."""
    records = records or demo_records(root)
    shutil.rmtree(records, ignore_errors=True)
    # X's Basic tier (100 posts a day): the sample's announcements, and the replies telling
    # their corrections on X, are more than the free tier's 17, which would leave some of the
    # sample for a run the next day.
    with start_all(daily_post_limit=BASIC_DAILY_POSTS) as boxes:
        settings = load_settings({**boxes.env, "RECORDS_DIR": str(records)})
        say("\nSyndicating to the local sandboxes of Facebook, X and YouTube:")
        report = syndicate(output / "syndication.json", root / "content", settings, say=say)
        site = json.loads((output / "syndication.json").read_text())["site"]
        later = _seed(boxes, site)
        say("\nCollecting the public's comments:")
        collect(settings, root / "content", say=say)
        for platform, comment_id, change in later:  # authors edit and delete, as people do
            _change(boxes, platform, comment_id, change)
        collect(settings, root / "content", say=say)
        say("\nModerating by the policy's nine reasons:")
        moderate_collected(
            settings, root / "content", ModerationPolicy.load(root / "policy"), say=say
        )
        snapshots = records / "sandboxes"
        snapshots.mkdir(parents=True, exist_ok=True)
        for box in boxes.all():
            (snapshots / f"{box.name}.json").write_text(json.dumps(box.state(), indent=2))
    moderation_report = write_report(records)
    reindex(records)
    foi = records / "foi" / "FOI-DEMO-001"
    summary = export(records, root, "FOI-DEMO-001", ["water"], foi, redact=True)
    commit_archive(records, "Demo run")
    say(
        f"\nFOI export: {summary['records']} records, {summary['flags']} personal-information "
        "flag(s) for the records officer."
    )
    say("\nDone. Look at:")
    for path, what in [
        (output / "index.html", "the site (open it in a browser, or run `make serve`)"),
        (output / "feeds", "Atom and RSS feeds: all, one per category, urgent"),
        (output / "events.ics", "the events calendar"),
        (output / "syndication.json", "what each platform was sent"),
        (records / "syndication" / "ledger.jsonl", "the syndication ledger"),
        (records / "archive", "every comment version and moderation decision (hash-chained)"),
        (moderation_report, "the moderation report: review queue, decisions, counts"),
        (foi / "report.html", "an FOI response package (with a severed copy in redacted/)"),
        (snapshots, "what the Facebook, X and YouTube sandboxes now hold"),
    ]:
        say(f"  {path}  {what}")
    return report
