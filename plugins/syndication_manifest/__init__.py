"""Syndication manifest: `output/syndication.json`, what each platform should show.

The build never posts. It writes this public, deterministic manifest; `invoke syndicate`
reads it and does only what is needed on each platform. For every published or withdrawn
announcement it holds the canonical URL, status, corrections, the prepared text per
platform and a content hash per platform (so a change to the body alone, which no post
shows, does not touch the posts). Paths (`source`, `video`) are relative to the content
folder, so the manifest is the same on every machine.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pelican import signals

from announcements.output import OutputGenerator
from syndication.posts import (
    content_hash,
    facebook_message,
    x_text,
    youtube_description,
    youtube_title,
)

MANIFEST_NAME = "syndication.json"
MANIFEST_VERSION = 1


def platform_posts(
    item: Any, url: str, guidelines: str, now: datetime
) -> dict[str, dict[str, Any]]:
    """What each platform gets for an announcement at `now`, with a hash of it. Pure; `invoke
    preview` shows exactly this (for a withdrawn one, which gets nothing, what is taken down
    instead). An alert past its `expires` is no longer urgent there, as on the site: one first
    posted late (a quota, credentials added later) is not sent as URGENT."""
    notes = [c.note for c in item.corrections]
    urgent = item.urgent and not item.is_expired(now)
    posts: dict[str, dict[str, Any]] = {}
    if "facebook" in item.posted_on:
        posts["facebook"] = {
            "message": facebook_message(item.title, item.summary, url, guidelines, urgent, notes),
            "link": url,
        }
    if "twitter" in item.posted_on:
        posts["twitter"] = {"text": x_text(item.title, item.summary, url, guidelines, urgent)}
    if "youtube" in item.posted_on:
        posts["youtube"] = {
            "title": youtube_title(item.title),
            "description": youtube_description(item.summary, url, guidelines, notes),
            "tags": list(item.tags),
            "video": item.video,  # relative to the content folder, like `source`
        }
    for post in posts.values():
        post["hash"] = content_hash({k: v for k, v in post.items() if k != "video"})
    return posts


def manifest_entry(article: Any, siteurl: str, guidelines: str) -> dict[str, Any]:
    """One announcement as the syndication step needs it. Pure."""
    source = Path(article.source_path).relative_to(article.settings["PATH"]).as_posix()
    return announcement_entry(
        article.announcement,
        article.slug,
        (siteurl, article.url),
        source,
        guidelines,
        article.settings["BUILD_TIME"],
    )


def announcement_entry(
    item: Any, slug: str, address: tuple[str, str], source: str, guidelines: str, now: datetime
) -> dict[str, Any]:
    """The manifest's entry of an announcement at `address` (the site's URL, and the page's
    relative to it), as of `now`; `invoke preview` plans from it as a run from the build's.
    Pure."""
    siteurl, page = address
    url = f"{siteurl}/{page}"
    posts = platform_posts(item, url, guidelines, now)
    corrections = [{"date": c.date.isoformat(), "note": c.note} for c in item.corrections]
    return {
        "id": slug,
        "url": url,
        "source": source,
        "title": item.title,
        "category": item.category,
        "date": item.date.isoformat(),
        # Its last change as of the build, its expiry counted: an alert's posts lose
        # "URGENT:" then, and a run on a build from before must not put it back.
        "updated": item.changed(now).isoformat(),
        "urgent": item.urgent and not item.is_expired(now),  # first in the queue only while it is
        "status": "withdrawn" if item.withdrawn else "published",
        "withdrawn_reason": item.withdrawn_reason,
        "corrections": corrections,
        "image": f"{siteurl}/{item.image}" if item.image else None,
        "image_alt": item.image_alt,
        "hash": content_hash({"posts": posts, "corrections": corrections, "status": item.status}),
        "posts": posts,
    }


def build_manifest(articles: list[Any], siteurl: str) -> dict[str, Any]:
    guidelines = f"{siteurl}/comment-guidelines.html"
    # Oldest first in time: each `date` keeps its own offset, so its text does not sort so.
    in_order = sorted(articles, key=lambda a: (a.announcement.date, a.slug))
    entries = [manifest_entry(a, siteurl, guidelines) for a in in_order]
    return {
        "version": MANIFEST_VERSION,
        "site": siteurl,
        "comment_guidelines": guidelines,
        "announcements": entries,
    }


class ManifestGenerator(OutputGenerator):
    writes: ClassVar[dict[str, str]] = {MANIFEST_NAME: "the syndication manifest"}

    def write_files(self) -> None:
        articles = [*self.context.get("articles", []), *self.context.get("withdrawn_articles", [])]
        manifest = build_manifest(articles, self.settings["CANONICAL_SITEURL"])
        self.write(MANIFEST_NAME, manifest_json(manifest))


def manifest_json(manifest: dict[str, Any]) -> str:
    """The manifest as JSON with one announcement per line, keys sorted: readable, diffable,
    and the same for the same site. Pure.

    Not `indent=`: that makes the json module use its pure-Python encoder, which took most of
    a 10,000-announcement manifest's time; each line here goes through the C encoder.
    """

    def line(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    fields = [
        f"  {line(name)}: {line(value)}"
        for name, value in sorted(manifest.items())
        if name != "announcements"
    ]
    entries = ",\n".join(f"    {line(entry)}" for entry in manifest["announcements"])
    listed = f'  "announcements": [\n{entries}\n  ]' if entries else '  "announcements": []'
    return "{\n" + ",\n".join(sorted([*fields, listed])) + "\n}\n"


def get_generators(_pelican: Any) -> type[ManifestGenerator]:
    return ManifestGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
