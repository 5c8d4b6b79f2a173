"""Checks and normalises the settings the announcement plugins rely on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checks.addresses import without_credentials
from syndication.http import is_web_address


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it and says what is expected."""


def city_timezone(settings: dict[str, Any]) -> ZoneInfo:
    name = settings.get("TIMEZONE") or ""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"TIMEZONE: '{name}' is not a time zone; expected e.g. America/Vancouver"
        ) from None


def build_time(value: Any, tz: ZoneInfo) -> datetime:
    """BUILD_TIME as an aware datetime; unset means now."""
    if value in (None, ""):
        return datetime.now(UTC).replace(microsecond=0)
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise SettingsError(
                f"BUILD_TIME: '{value}' is not a date-time; expected ISO 8601, "
                "e.g. 2026-11-24T09:00:00-08:00"
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def page_size(settings: dict[str, Any], template: str) -> int | None:
    """How many items each page of a listing template holds, as Pelican's writer pages it:
    its own size in PAGINATED_TEMPLATES, else DEFAULT_PAGINATION; None for a template that is
    not paginated there (one page holds all)."""
    paginated = settings.get("PAGINATED_TEMPLATES") or {}
    if template not in paginated:
        return None
    return paginated[template] or settings.get("DEFAULT_PAGINATION") or None


def canonical_siteurl(value: Any) -> str:
    url = str(value or "").rstrip("/")
    shown = without_credentials(url)
    if not is_web_address(url):
        raise SettingsError(
            f"SITEURL: '{shown}' is not an absolute URL; expected e.g. https://trail.ca "
            "(canonical links, feeds and social posts need the public address)"
        )
    # Every address is SITEURL and a path after it: in a query or a fragment, the path would
    # be part of them (https://trail.ca/?x=1/announcements/…), in the posts too; a password
    # would be in every public link.
    part = (
        "a query (?…)"
        if "?" in url
        else "a fragment (#…)"
        if "#" in url
        else "a user name or password"
        if "@" in urlsplit(url).netloc
        else ""
    )
    if part:
        raise SettingsError(
            f"SITEURL: '{shown}' has {part}, which every address built on it would carry; "
            "expected the site's address alone, e.g. https://trail.ca or https://trail.ca/news"
        )
    return url


def source_history_url(value: Any) -> str:
    """SOURCE_HISTORY_URL: empty (no link), or a template that formats with {path} alone."""
    template = str(value or "")
    try:
        template.format(path="announcements/2026-11-24-example.md")
    except KeyError as error:
        problem = f"{{{error.args[0]}}} is not a field; only {{path}} is"
    except (IndexError, ValueError, AttributeError) as error:
        problem = str(error)
    else:
        return template
    raise SettingsError(
        f"SOURCE_HISTORY_URL: '{template}': {problem}; expected e.g. "
        "https://github.com/city-of-trail/announcements/commits/main/{path}"
    )


def check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Return the normalised values to merge back into the settings."""
    tz = city_timezone(settings)
    return {
        "BUILD_TIME": build_time(settings.get("BUILD_TIME"), tz),
        "CANONICAL_SITEURL": canonical_siteurl(settings.get("SITEURL")),
        "SOURCE_HISTORY_URL": source_history_url(settings.get("SOURCE_HISTORY_URL")),
    }
