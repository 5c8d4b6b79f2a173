"""`invoke syndicate`: wire the configuration, the ledger and the platforms together."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from publishing.status import on_the_site

from .base import Platform, redact, redacted_logs
from .config import FacebookConfig, Settings, TwitterConfig, YouTubeConfig
from .facebook import Facebook
from .ledger import Ledger
from .manifest import load_manifest
from .syndicate import Report, Result, Syndicator
from .twitter import Twitter
from .youtube import YouTube

# Each platform's class, by name, in the order runs take them: what each does is said there
# (`withdrawal_said`, `edits_posts`).
PLATFORM_CLASSES: dict[str, type[Platform]] = {p.name: p for p in (Facebook, Twitter, YouTube)}
PLATFORM_ORDER = tuple(PLATFORM_CLASSES)


class UnknownPlatform(ValueError):
    pass


def make_platforms(
    settings: Settings, content_dir: Path, backoff: float = 0.5, max_wait: float = 60.0
) -> dict[str, Platform]:
    """Each platform with credentials; `backoff` is the first pause before a call within a
    platform's own retries (YouTube resuming an upload after a server error), `max_wait` the
    longest rate limit they wait out (YouTube resuming an upload after a 429)."""
    platforms: dict[str, Platform] = {}
    for name in PLATFORM_ORDER:
        config = settings.platforms.get(name)
        if isinstance(config, FacebookConfig):
            platforms[name] = Facebook(config)
        elif isinstance(config, TwitterConfig):
            platforms[name] = Twitter(config)
        elif isinstance(config, YouTubeConfig):
            platforms[name] = YouTube(config, content_dir, backoff=backoff, max_wait=max_wait)
    return platforms


def syndicate(manifest_path: Path, content_dir: Path, settings: Settings, **options: Any) -> Report:
    """Read the manifest and ledger, do what is needed, say what happened; no secret is
    ever logged, even by the client libraries."""
    with redacted_logs(settings.secrets):
        return _syndicate(manifest_path, content_dir, settings, **options)


def _syndicate(
    manifest_path: Path,
    content_dir: Path,
    settings: Settings,
    *,
    only: str | None = None,
    dry_run: bool = False,
    say: Callable[[str], None] = print,
    max_wait: float = 60.0,
    backoff: float = 0.5,
) -> Report:
    if only and only not in PLATFORM_ORDER:
        raise UnknownPlatform(f"--platform: '{only}' is not one of {', '.join(PLATFORM_ORDER)}")
    manifest = load_manifest(manifest_path)
    wanted = [only] if only else list(PLATFORM_ORDER)
    for name in wanted:
        if name in settings.missing:
            say(f"{name}: skipped, missing {', '.join(settings.missing[name])}")
    platforms = {
        name: platform
        for name, platform in make_platforms(settings, content_dir, backoff, max_wait).items()
        if name in wanted
    }
    ledger = Ledger.in_records(settings.records_dir)
    # Imported here: the archive's collect is built on syndication's platforms and retries.
    from archive.collect import KeptBeforeDeleting

    syndicator = Syndicator(
        ledger,
        platforms,
        secrets=settings.secrets,
        max_wait=max_wait,
        backoff=backoff,
        # As a build now would read the content: what an older build lacks is not off the site.
        on_site_now=lambda: on_the_site(content_dir, datetime.now(UTC)),
        # A post deleted with its comments (Facebook): they are archived first, so that no
        # order of commands loses one made since the last `invoke collect`.
        comments=KeptBeforeDeleting(settings.records_dir),
    )
    report = syndicator.run(manifest, dry_run=dry_run)
    report.skipped = {n: settings.missing[n] for n in wanted if n in settings.missing}
    if dry_run:
        entries = manifest.by_id()
        for action in syndicator.plan(manifest):
            say(f"would {action.describe()}")
            if action.kind == "create":
                preview = platforms[action.platform].preview(entries[action.entry.id])
                say("    " + json.dumps(preview, ensure_ascii=False))
        for result in report.results:
            if result.outcome in ("failed", "gone"):  # as a run reports posts left up, or gone
                say(_line(result, settings))
        if not platforms:
            say("nothing to do: no platform has credentials")
        elif not report.results:
            say("nothing to do: every platform is in step with the site")
        return report
    for result in report.results:
        say(_line(result, settings))
    say(report.table())
    return report


# How a run says that what had to follow a post it created did not (`Result.follow_up`).
HELD = {"failed": "failed", "deferred": "was deferred"}


def _line(result: Result, settings: Settings) -> str:
    """One result as the run says it: platform, outcome, announcement, link, why and when."""
    where = f" {result.url}" if result.url else ""
    if result.follow_up:  # the post is up: what did not go out is its follow-up
        where += (
            f" (post {result.remote_id}); the reply telling a correction made before it went "
            f"out {HELD[result.follow_up]}, and the next run sends it"
        )
    why = f": {result.error}" if result.error else ""
    when = f" (resume after {result.resume_at:%Y-%m-%d %H:%M %Z})" if result.resume_at else ""
    return redact(
        f"{result.platform}: {result.outcome} {result.announcement}{where}{why}{when}",
        settings.secrets,
    )
