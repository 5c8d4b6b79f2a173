"""`invoke alert`: the fast path for time-sensitive notices. One command writes an urgent
alert, builds, deploys and syndicates it (urgent alerts go first on every platform), and
prints the live URL and the post links."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndication.config import load_settings
from syndication.runner import syndicate
from syndication.syndicate import Report

from .author import new_announcement
from .build import build_site, caches_beside
from .deploy import deploy


@dataclass(frozen=True)
class AlertResult:
    source: Path
    url: str
    report: Report


def first_sentence(text: str) -> str:
    sentence = text.strip().split(". ")[0].strip()
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def publish_alert(
    root: Path,
    content_dir: Path,
    output: Path,
    title: str,
    body: str,
    deploy_url: str,
    env: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    say: Callable[[str], None] = print,
) -> AlertResult:
    source = new_announcement(
        content_dir,
        title,
        "alert",
        summary=first_sentence(body),
        urgent=True,
        body=body,
        status="published",
    )
    say(f"alert: wrote {source}")
    site = build_site(  # with the caches: only the alert and the listings showing it render
        root / "publishconf.py",
        output,
        {"PATH": str(content_dir), **(overrides or {})},
        cache=caches_beside(output),
    )
    deploy(site.output, deploy_url, say=say)
    settings = load_settings(env)
    report = syndicate(site.output / "syndication.json", content_dir, settings, say=say)
    siteurl = str((overrides or {}).get("SITEURL") or env.get("SITEURL") or "https://trail.ca")
    url = f"{siteurl.rstrip('/')}/announcements/{source.stem}.html"
    say(f"alert: live at {url}")
    for result in report.results:
        if result.announcement == source.stem and result.url:
            say(f"alert: {result.platform}: {result.url}")
    return AlertResult(source, url, report)
