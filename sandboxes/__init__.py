"""Local emulators of the Facebook Graph, X v2 and YouTube Data v3 APIs, for tests and the demo.

They listen on 127.0.0.1 only, keep state in memory, check credentials the way the real APIs
do, answer with the real APIs' shapes, and can inject faults (see server.py and README.md).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from .facebook import FacebookSandbox
from .server import Sandbox
from .twitter import FREE_DAILY_POSTS, TwitterSandbox
from .youtube import YouTubeSandbox

__all__ = [
    "FacebookSandbox",
    "Sandbox",
    "Sandboxes",
    "TwitterSandbox",
    "YouTubeSandbox",
    "start_all",
]


@dataclass
class Sandboxes:
    facebook: FacebookSandbox
    twitter: TwitterSandbox
    youtube: YouTubeSandbox
    env: dict[str, str]

    def all(self) -> tuple[Sandbox, ...]:
        return (self.facebook, self.twitter, self.youtube)

    def stop(self) -> None:
        for sandbox in self.all():
            sandbox.stop()

    def __enter__(self) -> Sandboxes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _fake(prefix: str) -> str:
    """An obviously fake credential, new for every run."""
    return f"sandbox-{prefix}-{secrets.token_urlsafe(12)}"


def start_all(
    port_base: int = 0, latency: float = 0.0, daily_post_limit: int = FREE_DAILY_POSTS
) -> Sandboxes:
    """Start all three; return them with the environment that points our code at them.

    `port_base` 0 picks free ports; otherwise the sandboxes use port_base, +1 and +2.
    `daily_post_limit` is X's 24-hour cap on posts (the free tier's unless given).
    """
    page_id = "104000000000001"
    facebook = FacebookSandbox(page_id, _fake("page-token"), latency=latency)
    twitter = TwitterSandbox(
        _fake("api-key"),
        _fake("api-secret"),
        _fake("access-token"),
        _fake("access-secret"),
        daily_post_limit=daily_post_limit,
        latency=latency,
    )
    youtube = YouTubeSandbox(
        _fake("client-id"), _fake("client-secret"), _fake("refresh"), latency=latency
    )
    ports = [port_base + n if port_base else 0 for n in range(3)]
    facebook_url = facebook.start(ports[0])
    twitter_url = twitter.start(ports[1])
    youtube_url = youtube.start(ports[2])
    env = {
        "FACEBOOK_PAGE_ID": page_id,
        "FACEBOOK_PAGE_ACCESS_TOKEN": facebook.access_token,
        "FACEBOOK_GRAPH_URL": facebook_url,
        "FACEBOOK_GRAPH_VERSION": "v24.0",
        "TWITTER_API_KEY": twitter.api_key,
        "TWITTER_API_SECRET": twitter.api_secret,
        "TWITTER_ACCESS_TOKEN": twitter.access_token,
        "TWITTER_ACCESS_TOKEN_SECRET": twitter.access_token_secret,
        "TWITTER_API_URL": twitter_url,
        "YOUTUBE_CLIENT_ID": youtube.client_id,
        "YOUTUBE_CLIENT_SECRET": youtube.client_secret,
        "YOUTUBE_REFRESH_TOKEN": youtube.refresh_token,
        "YOUTUBE_API_URL": youtube_url,
        "YOUTUBE_TOKEN_URL": f"{youtube_url}/token",
    }
    return Sandboxes(facebook, twitter, youtube, env)
