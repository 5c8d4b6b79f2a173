"""The platforms' and the records' settings from the environment: each platform's credentials
and API addresses, RECORDS_DIR and COLLECT_DAYS, read and checked here alone. Other variables
are read where they are used: the site's by pelicanconf.py, the deploy's by
publishing/deploy.py and tasks.py (which also reads RECORDS_REMOTE, CI and MODERATOR).

The variable names are a contract (see README, "Environment variables"). A platform whose
credentials are incomplete is skipped with one line naming the missing variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from checks.addresses import without_credentials

from .base import redact
from .http import is_web_address

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_VERSION = "v24.0"
DEFAULT_TWITTER_API_URL = "https://api.x.com"
DEFAULT_YOUTUBE_API_URL = "https://www.googleapis.com"
DEFAULT_YOUTUBE_TOKEN_URL = "https://oauth2.googleapis.com/token"
# The site's folders (beside tasks.py), and why the records archive may not be in either: it
# holds the ledger and every commenter's name and comment, which are not for the public.
SITE_FOLDERS = {
    "output": "the built site, which `invoke deploy` publishes and each build replaces whole",
    "content": "the site's content, which is published and committed with the site",
}


@dataclass(frozen=True)
class FacebookConfig:
    page_id: str
    access_token: str = field(repr=False)
    graph_url: str = DEFAULT_GRAPH_URL
    graph_version: str = DEFAULT_GRAPH_VERSION


@dataclass(frozen=True)
class TwitterConfig:
    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    api_url: str = DEFAULT_TWITTER_API_URL


@dataclass(frozen=True)
class YouTubeConfig:
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    api_url: str = DEFAULT_YOUTUBE_API_URL
    token_url: str = DEFAULT_YOUTUBE_TOKEN_URL


PlatformConfig = FacebookConfig | TwitterConfig | YouTubeConfig

REQUIRED: dict[str, tuple[str, ...]] = {
    "facebook": ("FACEBOOK_PAGE_ID", "FACEBOOK_PAGE_ACCESS_TOKEN"),
    "twitter": (
        "TWITTER_API_KEY",
        "TWITTER_API_SECRET",
        "TWITTER_ACCESS_TOKEN",
        "TWITTER_ACCESS_TOKEN_SECRET",
    ),
    "youtube": ("YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN"),
}


# The variables holding what each platform checks as the City's credentials: those to renew
# when it refuses them (a Page id is not one: Graph refuses the token).
CREDENTIALS: dict[str, tuple[str, ...]] = {
    **REQUIRED,
    "facebook": ("FACEBOOK_PAGE_ACCESS_TOKEN",),
}


@dataclass(frozen=True)
class Settings:
    """Everything syndication needs: per-platform credentials, or why a platform is off."""

    platforms: dict[str, PlatformConfig]
    missing: dict[str, tuple[str, ...]]
    records_dir: Path
    secrets: tuple[str, ...] = field(default=(), repr=False)
    # `invoke collect` visits only posts syndicated or changed within this many days (None:
    # every post). X's recent search reaches back 7 days anyway.
    collect_days: int | None = None


class ConfigError(ValueError):
    """An environment variable has a value that cannot be used; the message names it."""


def is_whole_number(text: str) -> bool:
    """Whether `text` is a whole number as int() reads it: ASCII digits only (str.isdigit
    also takes "²", which int() refuses)."""
    return text.isascii() and text.isdigit()


def _days(env: Mapping[str, str], name: str) -> int | None:
    """A whole number of days; unset or 0 is None (every post)."""
    value = (env.get(name) or "").strip()
    if not value:
        return None
    if not is_whole_number(value):
        raise ConfigError(f"{name}: '{value}' is not a whole number of days, e.g. 30")
    return int(value) or None


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) address with a host: anything else would only be found when the first
    post failed (and be recorded as a failure), not here where its name is known. Named
    without a secret: a credential's value (a token pasted into the variable beside it), or
    the password or token an address carries before its host (`https://***@host`)."""
    url = env.get(name) or default
    if not is_web_address(url):
        shown = without_credentials(redact(url, _secrets(env)))
        raise ConfigError(f"{name}: '{shown}' is not an http(s) address; expected e.g. {default}")
    return url


def _base(env: Mapping[str, str], name: str, default: str) -> str:
    return _url(env, name, default).rstrip("/")


def _secrets(env: Mapping[str, str]) -> tuple[str, ...]:
    """The credentials' values given (every required variable but the ids)."""
    names = [n for names in REQUIRED.values() for n in names if not n.endswith("_ID")]
    return tuple(env[n] for n in names if env.get(n))


def records_location(env: Mapping[str, str], site_root: Path) -> Path:
    """Where RECORDS_DIR points, usable or not (default records/; a relative one is the
    site's): for the deploy, which must never write into it or remove it."""
    return site_root / (env.get("RECORDS_DIR") or "records")


def _records_dir(env: Mapping[str, str], site_root: Path) -> Path:
    """The records folder: a folder, or none yet, and never inside the site's folders.

    A relative one is the site's, as output/ and content/ are: invoke runs a task from any
    folder below the project, and a records/ beside the working directory would be an empty
    ledger, so everything would be posted again."""
    given = env.get("RECORDS_DIR") or "records"
    records = records_location(env, site_root)
    if records.exists() and not records.is_dir():
        raise ConfigError(f"RECORDS_DIR: '{given}' is a file; expected the records folder")
    for name, why in SITE_FOLDERS.items():
        folder = site_root / name
        if records.resolve().is_relative_to(folder.resolve()):
            raise ConfigError(
                f"RECORDS_DIR: '{given}' is inside {folder}, {why}; expected a folder "
                "outside the site, e.g. records/"
            )
    return records


def load_settings(env: Mapping[str, str] | None = None, site_root: Path = Path()) -> Settings:
    """The settings from `env` (default: the environment), for the site in `site_root`
    (default: the working directory), which a relative RECORDS_DIR is taken from."""
    env = os.environ if env is None else env
    urls = {
        name: _base(env, name, default)
        for name, default in (
            ("FACEBOOK_GRAPH_URL", DEFAULT_GRAPH_URL),
            ("TWITTER_API_URL", DEFAULT_TWITTER_API_URL),
            ("YOUTUBE_API_URL", DEFAULT_YOUTUBE_API_URL),
        )
    }
    token_url = _url(env, "YOUTUBE_TOKEN_URL", DEFAULT_YOUTUBE_TOKEN_URL)
    platforms: dict[str, PlatformConfig] = {}
    missing: dict[str, tuple[str, ...]] = {}
    for platform, names in REQUIRED.items():
        absent = tuple(name for name in names if not env.get(name))
        if absent:
            missing[platform] = absent
    if "facebook" not in missing:
        platforms["facebook"] = FacebookConfig(
            env["FACEBOOK_PAGE_ID"],
            env["FACEBOOK_PAGE_ACCESS_TOKEN"],
            urls["FACEBOOK_GRAPH_URL"],
            env.get("FACEBOOK_GRAPH_VERSION") or DEFAULT_GRAPH_VERSION,
        )
    if "twitter" not in missing:
        platforms["twitter"] = TwitterConfig(
            env["TWITTER_API_KEY"],
            env["TWITTER_API_SECRET"],
            env["TWITTER_ACCESS_TOKEN"],
            env["TWITTER_ACCESS_TOKEN_SECRET"],
            urls["TWITTER_API_URL"],
        )
    if "youtube" not in missing:
        platforms["youtube"] = YouTubeConfig(
            env["YOUTUBE_CLIENT_ID"],
            env["YOUTUBE_CLIENT_SECRET"],
            env["YOUTUBE_REFRESH_TOKEN"],
            urls["YOUTUBE_API_URL"],
            token_url,
        )
    secrets = _secrets(env)
    records = _records_dir(env, site_root)
    return Settings(platforms, missing, records, secrets, _days(env, "COLLECT_DAYS"))
