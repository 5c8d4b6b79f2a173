"""The City's Facebook Page, through facebook-sdk's `GraphAPI.request`.

facebook-sdk's own version check predates current Graph versions, so every path is given
explicitly versioned (`v24.0/{page-id}/feed`). It puts the Page token in the query string;
errors and logs go through `redact`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import facebook
import requests

from .base import (
    LABELS,
    AnswerLost,
    AuthError,
    Comment,
    NotFound,
    PermanentError,
    Platform,
    PlatformError,
    RateLimited,
    RemotePost,
    TransientError,
    redact,
)
from .config import CREDENTIALS, FacebookConfig
from .http import DEFAULT_TIMEOUT, RebasingSession, network_error
from .ledger import Record
from .manifest import Entry

# Graph error codes (developers.facebook.com/docs/graph-api/guides/error-handling).
TEMPORARY = {1, 2}
REFUSED_TOKEN = {102, 190}  # the Page token is invalid, expired or revoked
MISSING_PERMISSION = {10, 200}  # the Page token lacks a permission the call needs
PERMISSIONS_NEEDED = (
    f"check the permissions of {CREDENTIALS['facebook'][0]} (a token of the Page, with "
    "pages_manage_posts, pages_manage_engagement, pages_read_engagement and "
    "pages_read_user_content)"
)
THROTTLED = {4, 17, 32, 613, 80001}
THROTTLE_WAIT = 60.0  # when Graph says nothing of when access returns: a minute
SEARCH_PAGES = 3  # how far back `find_existing` looks in the Page's feed (100 posts a page)
# /feed lists visitors' posts on the Page too (hence `from`). A post's `link` field is gone
# since Graph v3.3 (asking for it is refused): its link is its attachment's unshimmed_url.
FEED_FIELDS = "id,message,from{id},attachments{unshimmed_url}"
# A Comment's `message` is only its text: a photo, sticker or GIF (or a link's preview) is its
# `attachment`, and a comment may be nothing else.
COMMENT_FIELDS = "id,message,from,created_time,parent,is_hidden,attachment{type,url,title,media}"


class Facebook(Platform):
    name: ClassVar[str] = "facebook"
    label: ClassVar[str] = LABELS["facebook"]

    def __init__(self, config: FacebookConfig, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.page_id = config.page_id
        self.version = config.graph_version
        self.session = RebasingSession(facebook.FACEBOOK_GRAPH_URL, config.graph_url, timeout)
        self.graph = facebook.GraphAPI(access_token=config.access_token, session=self.session)
        self._secrets = (config.access_token,)
        self._page_answered = False  # whether the Page's feed answered this token (once a run)

    # The verbs

    def create(self, entry: Entry) -> RemotePost:
        post = entry.posts[self.name]
        result = self._request(
            f"{self.page_id}/feed", post_args={"message": post["message"], "link": post["link"]}
        )
        return RemotePost(str(result["id"]), self.permalink(str(result["id"])), post["message"])

    def update(self, entry: Entry, posted: Record) -> RemotePost | None:
        remote_id = posted.require_remote_id()
        self._request(remote_id, post_args={"message": entry.posts[self.name]["message"]})
        return None

    def edited_text(self, entry: Entry) -> str:
        return str(entry.posts[self.name]["message"])

    def says_now(self, remote_id: str) -> str:
        return str(self._request(remote_id, args={"fields": "message"}).get("message", ""))

    withdrawal_said: ClassVar[str] = "nothing is posted; its post there, if any, is deleted"

    def withdraw(self, remote_id: str) -> None:
        self._request(remote_id, method="DELETE")

    def announcing(self, entry: Entry) -> Iterator[RemotePost]:
        args: dict[str, Any] = {"fields": FEED_FIELDS, "limit": 100}
        for _ in range(SEARCH_PAGES):
            page = self._request(f"{self.page_id}/feed", args=dict(args))
            for post in page.get("data", []):
                if _by(post, self.page_id) and entry.url in _links(post):
                    yield RemotePost(
                        post["id"], self.permalink(post["id"]), post.get("message", "")
                    )
            after = page.get("paging", {}).get("cursors", {}).get("after")
            if not after or "next" not in page.get("paging", {}):
                return
            args["after"] = after

    def comments(self, remote_id: str) -> list[Comment]:
        args: dict[str, Any] = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "limit": 100,
        }
        found: list[Comment] = []
        while True:
            page = self._request(f"{remote_id}/comments", args=dict(args))
            for item in page.get("data", []):
                author = item.get("from") or {}
                found.append(
                    Comment(
                        self.name,
                        remote_id,
                        item["id"],
                        author.get("name", ""),
                        item.get("message", ""),
                        item.get("created_time", ""),
                        parent_id=(item.get("parent") or {}).get("id"),
                        author_id=author.get("id", ""),
                        hidden=bool(item.get("is_hidden")),
                        by_city=author.get("id") == self.page_id,
                        attachment=item.get("attachment"),
                    )
                )
            paging = page.get("paging", {})
            if "next" not in paging:
                return found
            args["after"] = paging["cursors"]["after"]

    def hide_comment(self, comment_id: str, hidden: bool) -> None:
        self._request(comment_id, post_args={"is_hidden": "true" if hidden else "false"})

    def post_gone(self, post_id: str) -> bool:
        """Asked about the post: unknown while the Page answers the token (`_request` makes
        sure of that before it raises NotFound), the post is gone, and its comments with it."""
        try:
            self._request(post_id, args={"fields": "id"})
        except NotFound:
            return True
        return False  # the post is there: only the comment is gone

    def permalink(self, post_id: str) -> str:
        page, _, post = post_id.partition("_")
        return (
            f"https://www.facebook.com/{page}/posts/{post}"
            if post
            else f"https://www.facebook.com/{post_id}"
        )

    # One place that calls the library and translates its failures

    def _request(
        self,
        path: str,
        args: dict[str, Any] | None = None,
        post_args: dict[str, Any] | None = None,
        method: str | None = None,
    ) -> dict[str, Any]:
        try:
            return self._call(path, args, post_args, method)
        except NotFound as missing:
            self._check_token_reaches_page(missing)
            raise

    def _call(
        self,
        path: str,
        args: dict[str, Any] | None = None,
        post_args: dict[str, Any] | None = None,
        method: str | None = None,
    ) -> dict[str, Any]:
        write = post_args is not None or (method or "GET").upper() != "GET"
        try:
            result = self.graph.request(f"{self.version}/{path}", args, post_args, method=method)
        except facebook.GraphAPIError as error:
            if not isinstance(error.result, dict):
                # facebook-sdk's own error, not Graph's JSON: the answer is a page that is
                # not JSON ("Maintype was not text, image, or querystring").
                raise self._unreadable(write) from None
            raise self._translate(error, write) from None
        except requests.exceptions.JSONDecodeError:
            # Labelled JSON, but not: requests counts it among its network errors.
            raise self._unreadable(write) from None
        except requests.RequestException as error:
            raise network_error(self._clean(f"Facebook: network error: {error}"), error) from None
        except (KeyError, ValueError):
            # No content type: facebook-sdk cannot read the answer.
            raise self._unreadable(write) from None
        return result if isinstance(result, dict) else {}

    def _unreadable(self, write: bool) -> PlatformError:
        """An answer that is not Graph's JSON (a proxy's page in its place). To a write answered
        2xx or 5xx (a gateway's 502 or 504 page), Graph may have carried it out: it is lost, as
        a dropped answer is, and looked for before it is sent again (never posted twice)."""
        status = self.session.last_status
        message = f"Facebook: unreadable response (HTTP {status})"
        if write and status is not None and (200 <= status < 300 or status >= 500):
            return AnswerLost(f"{message} to a write")
        if status == 429:  # a proxy's own limit, or Graph's behind it
            regained = _regain_access_after(self.session.last_headers)
            return RateLimited(message, retry_after=regained or THROTTLE_WAIT)
        if status is None or status >= 500:
            return TransientError(message)
        return PermanentError(message)

    def _check_token_reaches_page(self, missing: NotFound) -> None:
        """Graph answers "does not exist" (code 100, subcode 33) alike for an object deleted
        and for one the Page token may no longer load (its permissions lost). So "does not
        exist" stands only once the Page answers the token what needs its permissions (asked
        once a run): its feed, since Graph answers the Page's public fields (`id`) to almost
        any valid token. Else the token is at fault (AuthError): nothing is then taken for
        deleted, a post noted gone (never updated again), a withdrawal done or a comment
        removed with its post."""
        if self._page_answered:
            return
        try:
            self._call(f"{self.page_id}/feed", args={"fields": "id", "limit": 1})
        except PermanentError as error:
            # The feed's own refusal may name the permissions already (Graph's 10 or 200).
            needed = "" if PERMISSIONS_NEEDED in str(error) else f": {PERMISSIONS_NEEDED}"
            raise AuthError(
                f"{missing}; the Page's feed does not answer this token either ({error})"
                f"{needed}; it is tried again by the next run",
                CREDENTIALS[self.name][:1],
            ) from None
        self._page_answered = True

    def _translate(self, error: facebook.GraphAPIError, write: bool) -> PlatformError:
        code = error.code
        status = self.session.last_status
        message = self._clean(f"Facebook error {code} (HTTP {status}): {error.message}")
        if code in THROTTLED or status == 429:
            regained = _regain_access_after(self.session.last_headers)
            return RateLimited(message, retry_after=regained or THROTTLE_WAIT)
        if code in TEMPORARY or (status is not None and status >= 500):
            # Graph may fail after carrying a write out (its "unknown error", its "service
            # temporarily unavailable"): lost, never sent again unseen. A read is tried again.
            return AnswerLost(f"{message} (to a write)") if write else TransientError(message)
        if code in REFUSED_TOKEN:
            return AuthError(message, CREDENTIALS[self.name])
        if code in MISSING_PERMISSION:  # every call needing it is refused so: stop at once
            return AuthError(f"{message}; {PERMISSIONS_NEEDED}", CREDENTIALS[self.name][:1])
        if code == 100 and "does not exist" in str(error.message):
            return NotFound(message)
        return PermanentError(message)

    def _clean(self, message: str) -> str:
        return redact(message, self._secrets)


def _regain_access_after(headers: Mapping[str, str]) -> float | None:
    """Seconds until a throttled Page may call again, as Graph estimates it. Page tokens fall
    under Business Use Case limits: `x-business-use-case-usage` gives, for each business
    object and use, `estimated_time_to_regain_access` in minutes. The longest of them; None
    when the header gives none (or only 0: no estimate)."""
    try:
        usage = json.loads(headers.get("x-business-use-case-usage") or "{}")
        minutes = [
            float(use.get("estimated_time_to_regain_access") or 0)
            for uses in usage.values()
            for use in uses
        ]
    except (ValueError, TypeError, AttributeError):
        return None  # not what Graph documents: wait as if it said nothing
    longest = max(minutes, default=0.0)
    return longest * 60 if longest > 0 else None


def _by(post: dict[str, Any], author_id: str) -> bool:
    return str((post.get("from") or {}).get("id")) == author_id


def _links(post: dict[str, Any]) -> list[str]:
    """The links a post carries as attachments (not those in its message)."""
    attachments = (post.get("attachments") or {}).get("data", [])
    return [a["unshimmed_url"] for a in attachments if a.get("unshimmed_url")]
