"""The City's YouTube channel, through google-api-python-client (YouTube Data API v3).

Only announcements with a `video:` are uploaded (resumable upload). A withdrawn video is
made private rather than deleted, so the City keeps the record and its comments.
Quota is counted in units per day and resets at midnight Pacific time.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from time import sleep
from typing import Any, ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import google_auth_httplib2
import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload

from .base import (
    LABELS,
    AnswerLost,
    AuthError,
    Comment,
    CommentsOff,
    NotFound,
    PermanentError,
    Platform,
    PlatformError,
    QuotaExhausted,
    RateLimited,
    RemotePost,
    TransientError,
    redact,
)
from .config import CREDENTIALS, YouTubeConfig
from .ledger import Record
from .manifest import Entry
from .posts import read_more

SCOPES = ["https://www.googleapis.com/auth/youtube.force-ssl"]
CATEGORY_NEWS = "25"  # "News & Politics"
CHUNK_SIZE = 8 * 1024 * 1024
# Times in a row an upload whose answer was lost (a reset connection, a timeout) or whose
# chunk met a server error (5xx) or a rate limit (429) asks its session how much arrived and
# goes on, before it is left to the run (uncertain, for the next run to look for, if its last
# chunk may have made the video); each chunk that goes through starts afresh.
RESUMES = 3
QUOTA_TIMEZONE = ZoneInfo("America/Los_Angeles")
SEARCH_PAGES = 2
# commentThreads.list lists one moderation state at a time, published unless asked: what
# YouTube holds back for the channel's review is listed only when asked for by name.
LISTED_STATES = ("published", "heldForReview", "likelySpam")
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}


class _SchemeFixingHttp(google_auth_httplib2.AuthorizedHttp):
    """Sends upload URLs over the configured scheme.

    With `api_endpoint` overridden, google-api-python-client moves media-upload URLs to the
    endpoint's host but keeps `https`, so an `http://127.0.0.1` sandbox never receives them.
    """

    def __init__(self, credentials: Credentials, http: httplib2.Http, base: str) -> None:
        super().__init__(credentials, http=http)
        netloc = urlsplit(base).netloc
        self._wrong = f"https://{netloc}/"
        self._right = f"{base.rstrip('/')}/"

    def request(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        if self._wrong != self._right and uri.startswith(self._wrong):
            uri = self._right + uri[len(self._wrong) :]
        return super().request(uri, *args, **kwargs)


class _ReadableCredentials(Credentials):
    """google-auth's credentials, whose refresh names an answer it cannot read as such: a
    page that is not JSON in the token endpoint's place (a proxy's, a captive portal's) is
    read as text and indexed, a TypeError that would stop the whole run."""

    def refresh(self, request: Any) -> None:
        try:
            super().refresh(request)
        except (TypeError, ValueError, KeyError) as error:
            raise RefreshError(
                f"the token endpoint's answer could not be read ({type(error).__name__}): "
                "not Google's JSON",
                retryable=True,
            ) from None


class UploadSessionGone(PlatformError):
    """An upload's session expired (404 or 410) after the upload had started over in a new
    one: neither made a video. Recorded as failed, not retried in the run."""


class ServerError(TransientError):
    """A 5xx: YouTube failed for now. An upload session it answers for still holds what
    arrived before, so the upload asks it and goes on (Google's resumable upload guide). To
    any other write, YouTube may have carried it out: `_write` raises it as an AnswerLost."""


def next_quota_reset(now: datetime | None = None) -> datetime:
    """YouTube quotas reset at midnight Pacific time."""
    local = (now or datetime.now(QUOTA_TIMEZONE)).astimezone(QUOTA_TIMEZONE)
    return datetime.combine(local.date() + timedelta(days=1), time(), QUOTA_TIMEZONE)


class YouTube(Platform):
    name: ClassVar[str] = "youtube"
    label: ClassVar[str] = LABELS["youtube"]
    # A rejected comment leaves commentThreads.list, and with it its thread's replies.
    lists_hidden_comments: ClassVar[bool] = False
    comments_outlive_withdrawal: ClassVar[bool] = True  # the video is made private, not deleted

    def __init__(
        self,
        config: YouTubeConfig,
        content_dir: Path,
        timeout: float = 60.0,
        backoff: float = 0.5,
        max_wait: float = 60.0,
    ) -> None:
        self.content_dir = content_dir
        self.backoff = backoff  # seconds before resuming an upload after a 5xx, doubling each time
        # The longest Retry-After an upload waits out before resuming after a 429; beyond it,
        # the upload is left to the run (deferred), as any call's rate limit is.
        self.max_wait = max_wait
        credentials = _ReadableCredentials(
            None,
            refresh_token=config.refresh_token,
            token_uri=config.token_url,
            client_id=config.client_id,
            client_secret=config.client_secret,
            scopes=SCOPES,
        )
        # Per socket operation: how long a silent server is waited for (the answer to an 8 MiB
        # chunk, the last one's once the video is made). A reset connection is seen at once.
        transport = httplib2.Http(timeout=timeout)
        # Resumable uploads answer 308 "resume incomplete", which is not a redirect.
        transport.redirect_codes = transport.redirect_codes - {308}
        http = _SchemeFixingHttp(credentials, transport, config.api_url)
        self.api = build(
            "youtube",
            "v3",
            http=http,
            static_discovery=True,
            cache_discovery=False,
            # The discovery document's method paths already start with youtube/v3/.
            client_options={"api_endpoint": f"{config.api_url}/"},
        )
        self._secrets = (config.client_secret, config.refresh_token)
        self._credentials = credentials  # its access token, obtained in the run, is one too
        self._own: dict[str, Any] | None = None

    # The verbs

    def create(self, entry: Entry) -> RemotePost:
        post = entry.posts[self.name]
        video = (self.content_dir / post["video"]).resolve()
        if not video.is_relative_to(self.content_dir.resolve()) or not video.is_file():
            # The build refuses such a file; a manifest from elsewhere is checked again.
            raise PermanentError(f"video {post['video']!r} is not a file inside content/")
        request = self._insert(post, video)
        response = None
        lost = 0  # resumes in a row; each chunk that goes through starts afresh
        unseen = False  # the last chunk went out and no answer came: it may have made the video
        started_over = False  # a session expired, and the upload started again in a new one
        while response is None:
            media = request.resumable
            last = request.resumable_progress + media.chunksize() >= media.size()
            try:
                _, response = self._call(request.next_chunk)
                lost, unseen = 0, False  # a chunk went through: the next has resumes of its own
            except AnswerLost:
                # After a lost answer, next_chunk first asks the session (`bytes */<size>`):
                # 308 with the Range it has, or the video it made. One session makes one
                # video at most, so going on never uploads it twice.
                if request.resumable_uri is None:
                    raise
                lost, unseen = lost + 1, unseen or last
                if lost > RESUMES:
                    raise
            except ServerError as error:
                if request.resumable_uri is None:  # refused before a session was opened
                    raise
                # A 5xx to a chunk, or to the status asked after one: the session keeps what
                # arrived, so after a pause next_chunk asks it (`bytes */<size>`) and sends
                # the rest, never the whole file again in a new session.
                lost, unseen = lost + 1, unseen or last
                if lost > RESUMES:
                    # The last chunk may have made the video: look, never upload again unseen.
                    raise AnswerLost(str(error)) from None
                sleep(self.backoff * 2 ** (lost - 1))
            except RateLimited as error:
                if request.resumable_uri is None:  # refused before a session was opened
                    raise
                # A 429 refuses the chunk (or the status query): the session keeps what
                # arrived before, so after Retry-After next_chunk asks it and sends the rest.
                lost += 1
                wait = error.retry_after
                if wait is None:
                    wait = self.backoff * 2 ** (lost - 1)
                if lost > RESUMES or wait > self.max_wait:
                    # Left for the run's own retry or for a later run: after a lost last
                    # chunk, only once the video is looked for.
                    if unseen:
                        raise AnswerLost(str(error)) from None
                    raise
                sleep(wait)
            except NotFound as error:  # 404 or 410: the session is gone
                if request.resumable_uri is None:  # refused before a session was opened
                    raise
                if unseen:
                    # The last chunk's answer was lost: it may have made the video before
                    # the session went (YouTube forgets a finished session in time), so look,
                    # never upload again unseen.
                    raise AnswerLost(str(error)) from None
                if started_over:
                    raise UploadSessionGone(
                        f"{error}; the upload had started over in a new session, which "
                        "expired too: no video was made, the next run uploads it again"
                    ) from None
                # A session that answered without making a video made none: as Google's
                # guide has it, the upload starts again from byte 0 in a new session, once.
                request, lost, started_over = self._insert(post, video), 0, True
            except PlatformError as error:
                if unseen:
                    # Any other refusal after a lost last chunk (the day's quota spent, the
                    # token refused): the video may be made, so it is looked for, never
                    # deferred or failed to be uploaded again unseen.
                    raise AnswerLost(str(error)) from None
                raise
        video_id = str(response["id"])
        return RemotePost(video_id, self.permalink(video_id), _said(post))

    def _insert(self, post: dict[str, Any], video: Path) -> Any:
        """A videos.insert of the file as a resumable upload, its session not yet opened."""
        media = MediaFileUpload(
            str(video),
            mimetype=mimetypes.guess_type(video.name)[0] or "application/octet-stream",
            chunksize=CHUNK_SIZE,
            resumable=True,
        )
        body = {
            "snippet": self._snippet(post),
            "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": False},
        }
        return self.api.videos().insert(part="snippet,status", body=body, media_body=media)

    def update(self, entry: Entry, posted: Record) -> RemotePost | None:
        remote_id = posted.require_remote_id()
        body = {"id": remote_id, "snippet": self._snippet(entry.posts[self.name])}
        self._write(self.api.videos().update(part="snippet", body=body))
        return None

    def edited_text(self, entry: Entry) -> str:
        return _said(entry.posts[self.name])

    def says_now(self, remote_id: str) -> str:
        request = self.api.videos().list(part="snippet", id=remote_id)
        items = self._call(request.execute).get("items") or []
        if not items:
            raise NotFound(f"YouTube: video {remote_id} not found")
        return _said(items[0]["snippet"])

    withdrawal_said: ClassVar[str] = (
        "nothing is uploaded; its video there, if any, is made private (kept with its comments, "
        "not deleted)"
    )

    def withdraw(self, remote_id: str) -> None:
        body = {"id": remote_id, "status": {"privacyStatus": "private"}}
        self._write(self.api.videos().update(part="status", body=body))

    def announcing(self, entry: Entry) -> Iterator[RemotePost]:
        channel = self._channel()
        if channel is None:
            return
        # The uploads playlist holds the channel's own videos only.
        uploads = channel["contentDetails"]["relatedPlaylists"]["uploads"]
        token = None
        for _ in range(SEARCH_PAGES):
            page = self._call(
                self.api.playlistItems()
                .list(part="snippet,status", playlistId=uploads, maxResults=50, pageToken=token)
                .execute
            )
            for item in page.get("items", []):
                snippet = item["snippet"]
                # A private video is one the City withdrew; a reinstated announcement is
                # uploaded anew, never answered with the withdrawn video.
                private = (item.get("status") or {}).get("privacyStatus") == "private"
                if _reads_more_at(snippet.get("description", ""), entry.url) and not private:
                    video_id = snippet["resourceId"]["videoId"]
                    yield RemotePost(video_id, self.permalink(video_id), _said(snippet))
            token = page.get("nextPageToken")
            if not token:
                return

    def comments(self, remote_id: str) -> list[Comment]:
        """Every comment and reply on the video, those YouTube holds for the channel's review
        too (one listing per moderation state, a unit of quota each)."""
        own = (self._channel() or {}).get("id")
        found: dict[str, Comment] = {}
        for state in LISTED_STATES:
            threads = self._every_item(
                self.api.commentThreads().list,
                part="snippet,replies",
                videoId=remote_id,
                moderationStatus=state,
            )
            for thread in threads:
                top = thread["snippet"]["topLevelComment"]
                replies = (thread.get("replies") or {}).get("comments", [])
                if thread["snippet"].get("totalReplyCount", 0) > len(replies):
                    # A thread carries only a few of its replies; comments.list has them all
                    # (those published: a held one is in the thread its state lists).
                    replies = replies + self._every_item(
                        self.api.comments().list, part="snippet", parentId=top["id"]
                    )
                for item, parent in [(top, None), *((r, top["id"]) for r in replies)]:
                    # A thread is listed for each state its comments are in: each comment once.
                    if item["id"] not in found:
                        found[item["id"]] = self._comment(remote_id, item, parent, own)
        return list(found.values())

    def _comment(
        self, remote_id: str, item: dict[str, Any], parent: str | None, own: str | None
    ) -> Comment:
        snippet = item["snippet"]
        author_id = (snippet.get("authorChannelId") or {}).get("value", "")
        return Comment(
            self.name,
            remote_id,
            item["id"],
            snippet.get("authorDisplayName", ""),
            snippet.get("textOriginal", snippet.get("textDisplay", "")),
            snippet.get("publishedAt", ""),
            parent_id=parent,
            author_id=author_id,
            updated=snippet.get("updatedAt"),
            by_city=own is not None and author_id == own,
            moderation_status=snippet.get("moderationStatus"),
        )

    def _channel(self) -> dict[str, Any] | None:
        """The City's channel (its id and uploads playlist), asked once."""
        if self._own is None:
            request = self.api.channels().list(part="contentDetails", mine=True)
            items = self._call(request.execute).get("items") or []
            self._own = items[0] if items else {}
        return self._own or None

    def _every_item(self, method: Any, **query: Any) -> list[dict[str, Any]]:
        """Every item of a list call, page by page, as plain text."""
        items: list[dict[str, Any]] = []
        token = None
        while True:
            request = method(**query, maxResults=100, pageToken=token, textFormat="plainText")
            page = self._call(request.execute)
            items.extend(page.get("items", []))
            token = page.get("nextPageToken")
            if not token:
                return items

    def hide_comment(self, comment_id: str, hidden: bool) -> None:
        status = "rejected" if hidden else "published"
        self._write(self.api.comments().setModerationStatus(id=comment_id, moderationStatus=status))

    def permalink(self, video_id: str) -> str:
        return f"https://www.youtube.com/watch?v={video_id}"

    # Helpers

    @staticmethod
    def _snippet(post: dict[str, Any]) -> dict[str, Any]:
        return {
            "title": post["title"],
            "description": post["description"],
            "tags": post.get("tags", []),
            "categoryId": CATEGORY_NEWS,
        }

    def _call(self, function: Any, *args: Any) -> Any:
        try:
            return function(*args)
        except HttpError as error:
            raise self._translate(error) from None
        except RefreshError as error:
            message = self._clean(f"YouTube: cannot refresh the access token: {error}")
            if error.retryable:  # the token endpoint failed for now (google-auth retried)
                raise TransientError(message) from None
            raise AuthError(message, CREDENTIALS[self.name]) from None
        except (TransportError, httplib2.ServerNotFoundError, ConnectionRefusedError) as error:
            # Refreshing the token failed, or no connection was made: nothing reached YouTube.
            raise TransientError(self._clean(f"YouTube: network error: {error}")) from None
        except (httplib2.HttpLib2Error, OSError) as error:
            # A timeout or a dropped connection: YouTube may have carried the call out.
            raise AnswerLost(self._clean(f"YouTube: network error: {error}")) from None

    def _write(self, request: Any) -> Any:
        """A write other than the upload's chunks (whose 5xx its session answers for, see
        `create`): one answered 5xx, by YouTube or a gateway, may have been carried out all the
        same, so it is lost, never sent again unseen."""
        try:
            return self._call(request.execute)
        except ServerError as error:
            raise AnswerLost(f"{error} (to a write)") from None

    def _translate(self, error: HttpError) -> PlatformError:
        status = int(error.resp.status)
        reason, detail = _reason(error)
        message = self._clean(f"YouTube error (HTTP {status}, {reason}): {detail}")
        if reason in QUOTA_REASONS:
            return QuotaExhausted("YouTube daily quota exhausted", next_quota_reset())
        if reason == "commentsDisabled":  # 403 from commentThreads.list: a setting, not a fault
            return CommentsOff(message)
        if status == 429 or reason in RATE_LIMIT_REASONS:
            retry_after = error.resp.get("retry-after")
            return RateLimited(message, float(retry_after) if retry_after else 60.0)
        if status >= 500:
            return ServerError(message)
        if status == 401:  # the access token refused, though just refreshed
            return AuthError(message, CREDENTIALS[self.name])
        if status in (404, 410):  # 410: gone, as an expired upload session is
            return NotFound(message)
        return PermanentError(message)

    def _clean(self, message: str) -> str:
        return redact(message, (*self._secrets, self._credentials.token or ""))


def _reason(error: HttpError) -> tuple[str, str]:
    """The API's own reason code and message, from the error body."""
    try:
        body = json.loads(error.content.decode("utf-8"))["error"]
        first = (body.get("errors") or [{}])[0]
        return str(first.get("reason", body.get("status", ""))), str(body.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", str(error)


def _said(snippet: dict[str, Any]) -> str:
    """What a video says, as the City's records keep it: its title and its description,
    which carries the summary and any correction."""
    return f"{snippet.get('title', '')}\n\n{snippet.get('description', '')}".strip()


def _reads_more_at(description: str, url: str) -> bool:
    """Whether the description is the announcement's own: its link on the line the City's
    descriptions give it, not merely mentioned (a correction pointing at a newer notice)."""
    return read_more(url) in description.splitlines()
