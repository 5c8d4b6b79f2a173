"""A requests session for client libraries that hard-code their API host.

tweepy's `Client` builds every URL on `https://api.twitter.com`, and facebook-sdk on the
module constant `https://graph.facebook.com/`. Giving each client one of these sessions
sends its calls to the configured base URL instead (the real API, or a local sandbox)
without touching any global. The rewrite happens in `request()`, before requests prepares
the call, so OAuth 1.0a signs the URL that is actually sent.

It also keeps the last response's status and headers per thread: facebook-sdk raises
errors without the HTTP status, and rate-limit headers are needed to know when to retry.
`network_error` tells a call that never reached the platform from one whose answer was lost.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import NewConnectionError

from .base import AnswerLost, TransientError

DEFAULT_TIMEOUT = 30.0


def is_web_address(url: str) -> bool:
    """Whether `url` is an absolute http(s) address with a host (and a port, if any, that is
    a number): what a setting naming a site or an API must be."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:  # e.g. http://[::1 (an unclosed IPv6 address)
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class RebasingSession(requests.Session):
    def __init__(self, library_base: str, base: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.library_base = library_base.rstrip("/")
        self.base = base.rstrip("/")
        self.timeout = timeout
        self._last = threading.local()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        text = url.decode() if isinstance(url, bytes) else url
        if text.startswith(self.library_base):
            text = self.base + text[len(self.library_base) :]
        kwargs.setdefault("timeout", self.timeout)
        if kwargs["timeout"] is None:
            kwargs["timeout"] = self.timeout
        self._last.status, self._last.headers = None, CaseInsensitiveDict()
        response = super().request(method, text, *args, **kwargs)  # type: ignore[arg-type]
        self._last.status, self._last.headers = response.status_code, response.headers
        return response

    @property
    def last_status(self) -> int | None:
        return getattr(self._last, "status", None)

    @property
    def last_headers(self) -> CaseInsensitiveDict[str]:
        headers = getattr(self._last, "headers", None)
        return headers if headers is not None else CaseInsensitiveDict()


def network_error(message: str, error: requests.RequestException) -> TransientError:
    """A network failure as retrying needs to know it. One before the call reached the platform
    (no connection made: refused, or not made in time) can simply be sent again; after that,
    a timeout or a dropped connection loses the answer to a call the platform may carry out."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(error, requests.ConnectTimeout) or isinstance(reason, NewConnectionError):
        return TransientError(message)
    return AnswerLost(message)
