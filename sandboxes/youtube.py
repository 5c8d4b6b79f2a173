"""A local YouTube Data API v3 for one channel: OAuth refresh, resumable uploads, video
updates, the uploads playlist, comment threads and moderation, with daily quota units.

Errors follow Google's shape: `{"error": {"code", "message", "errors": [{"message",
"domain", "reason"}], "status"}}`.
"""

from __future__ import annotations

import itertools
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from syndication.youtube import next_quota_reset

from .server import FAULT_KINDS, Fault, Sandbox, json_response

COST = {"list": 1, "insert": 1600, "update": 50, "delete": 50, "moderate": 50}


THREAD_REPLIES = 5  # replies a commentThreads item carries; comments.list lists the rest
# What commentThreads.list can be asked for (`moderationStatus`, default published): the channel's
# own review queue (held for review, likely spam) is listed only when asked for by name.
LISTED_STATES = ("published", "heldForReview", "likelySpam")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class YouTubeSandbox(Sandbox):
    name = "youtube"
    fault_kinds = (*FAULT_KINDS, "session_expired")

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        channel_id: str = "UCcityOfTrail0000000000",
        daily_quota: int = 10000,
        latency: float = 0.0,
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.refresh_token = refresh_token
        self.channel_id = channel_id
        self.daily_quota = daily_quota
        super().__init__(latency)

    def reset(self) -> None:
        super().reset()
        with self.lock:
            self.tokens: set[str] = set()
            self.videos: dict[str, dict[str, Any]] = {}
            self.deleted: dict[str, dict[str, Any]] = {}
            self.uploads: dict[str, dict[str, Any]] = {}
            # Upload sessions YouTube has let go (`session_expired`), with the status (404 or
            # 410) it answers them with from then on.
            self.expired: dict[str, int] = {}
            self.threads: dict[str, dict[str, Any]] = {}
            self.comments_off: set[str] = set()
            self.quota_used = 0  # units spent since the last reset, midnight Pacific time
            self.quota_resets_at = next_quota_reset(self.now())
            self._ids = itertools.count(1)

    def snapshot(self) -> dict[str, Any]:
        return {
            "channel_id": self.channel_id,
            "videos": self.videos,
            "deleted": self.deleted,
            "threads": self.threads,
            "comments_off": sorted(self.comments_off),
            "quota_used": self.quota_used,
        }

    def api_rules(self) -> list[Rule]:
        return [
            Rule("/token", endpoint=self._token, methods=["POST"]),
            Rule("/upload/youtube/v3/videos", endpoint=self._upload, methods=["POST", "PUT"]),
            Rule("/youtube/v3/videos", endpoint=self._videos, methods=["GET", "PUT", "DELETE"]),
            Rule("/youtube/v3/channels", endpoint=self._channels, methods=["GET"]),
            Rule("/youtube/v3/playlistItems", endpoint=self._playlist_items, methods=["GET"]),
            Rule("/youtube/v3/commentThreads", endpoint=self._comment_threads, methods=["GET"]),
            Rule("/youtube/v3/comments", endpoint=self._comments, methods=["GET"]),
            Rule(
                "/youtube/v3/comments/setModerationStatus",
                endpoint=self._moderate,
                methods=["POST"],
            ),
        ]

    # Google's error shape

    def error(self, status: int, message: str, **extra: Any) -> Response:
        reason = extra.get("reason", "backendError" if status >= 500 else "badRequest")
        domain = extra.get("domain", "global")
        body = {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
        if "grpc_status" in extra:
            body["status"] = extra["grpc_status"]
        return json_response({"error": body}, status)

    def fault_response(self, fault: Fault, request: Request) -> Response:
        if fault.kind == "quota":
            return self._quota_error()
        if fault.kind == "rate_limit":
            response = self.error(
                429, "Too many requests.", reason="rateLimitExceeded", domain="usageLimits"
            )
            response.headers["Retry-After"] = str(fault.params.get("reset_after", 1))
            return response
        if fault.kind == "session_expired":
            return self._expire(
                request.args.get("upload_id", ""), int(fault.params.get("status", 404))
            )
        status = int(fault.params.get("status", 503))
        return self.error(status, "The service is currently unavailable.", reason="backendError")

    def _expire(self, upload_id: str, status: int) -> Response:
        """The upload session is let go, whatever it held (a video it made stays): it is
        answered 404 or 410 from now on, and the upload must start again in a new session
        (Google's resumable upload guides). Any status but 410 is answered 404."""
        with self.lock:
            self.uploads.pop(upload_id, None)
            self.expired[upload_id] = status
        return self._session_gone(status)

    def _session_gone(self, status: int) -> Response:
        if status == 410:
            return self.error(410, "The upload session has expired.", reason="gone")
        return self.error(404, "Upload session not found.", reason="notFound")

    def _quota_error(self) -> Response:
        return self.error(
            403,
            "The request cannot be completed because you have exceeded your "
            '<a href="/youtube/v3/getting-started#quota">quota</a>.',
            reason="quotaExceeded",
            domain="youtube.quota",
        )

    # Auth and quota

    def _token(self, request: Request) -> Response:
        form = request.form
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return json_response(
                {"error": "invalid_client", "error_description": "Unauthorized"}, 401
            )
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
        ):
            return json_response(
                {"error": "invalid_grant", "error_description": "Bad Request"}, 400
            )
        token = "sandbox-access-" + secrets.token_urlsafe(16)
        with self.lock:
            self.tokens.add(token)
        return json_response(
            {
                "access_token": token,
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
            }
        )

    def _guard(self, request: Request, cost: str) -> Response | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            message = (
                "Request is missing required authentication credential. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential."
            )
            response = self.error(401, message, reason="required", grpc_status="UNAUTHENTICATED")
            return response
        with self.lock:
            if self.now() >= self.quota_resets_at:  # a new day's quota
                self.quota_used = 0
                self.quota_resets_at = next_quota_reset(self.now())
            if self.quota_used + COST[cost] > self.daily_quota:
                return self._quota_error()
            self.quota_used += COST[cost]
        return None

    # Videos

    def _upload(self, request: Request) -> Response:
        if request.method == "POST":
            if (denied := self._guard(request, "insert")) is not None:
                return denied
            if request.args.get("uploadType") != "resumable":
                return self.error(400, "Only resumable uploads are supported by this sandbox.")
            metadata = request.get_json(force=True, silent=True) or {}
            if (invalid := self._invalid_snippet(metadata.get("snippet") or {})) is not None:
                return invalid
            upload_id = secrets.token_urlsafe(12)
            location = (
                f"{request.host_url.rstrip('/')}/upload/youtube/v3/videos"
                f"?uploadType=resumable&upload_id={upload_id}"
            )
            with self.lock:
                self.uploads[upload_id] = {
                    "metadata": metadata,
                    "location": location,
                    "received": 0,
                    "content": bytearray(),  # the bytes as they arrived, in place
                    "total": int(request.headers.get("X-Upload-Content-Length", 0) or 0),
                }
            return Response(status=200, headers={"Location": location})
        upload_id = request.args.get("upload_id", "")
        upload = self.uploads.get(upload_id)
        if upload is None:
            return self._session_gone(self.expired.get(upload_id, 404))
        if "video_id" in upload:
            # As Google's resumable uploads answer a finished session (its last chunk sent
            # again after a lost answer, or its status asked with `bytes */<size>`): with the
            # resource it made, which a second upload would duplicate.
            return json_response({**self.deleted, **self.videos}[upload["video_id"]])
        chunk = request.get_data()
        content_range = request.headers.get("Content-Range", "")
        match = re.fullmatch(r"bytes (?:(\d+)-\d+|\*)/(\d+|\*)", content_range)
        with self.lock:
            if match is None:  # the whole file in one request
                upload["received"] += len(chunk)
                upload["content"] += chunk
                total: int | None = upload["received"]
            else:
                if match[1] is not None and int(match[1]) <= upload["received"]:
                    # Counted from where the chunk starts: one sent again is counted once.
                    start = int(match[1])
                    upload["content"][start : start + len(chunk)] = chunk
                    upload["received"] = max(upload["received"], start + len(chunk))
                total = None if match[2] == "*" else int(match[2])
            if total is None or upload["received"] < total:
                received = upload["received"]
                headers = {"Range": f"bytes=0-{received - 1}"} if received else {}
                return Response(status=308, headers=headers)
            video = self._new_video(upload["metadata"], upload["received"])
            upload["video_id"] = video["id"]
        return json_response(video)

    def _invalid_snippet(self, snippet: dict[str, Any]) -> Response | None:
        title = snippet.get("title", "")
        if not title or len(title) > 100 or "<" in title or ">" in title:
            return self.error(
                400,
                "The request metadata specifies an invalid or empty video title.",
                reason="invalidTitle",
                domain="youtube.video",
            )
        if len(snippet.get("description", "").encode("utf-8")) > 5000 or "<" in snippet.get(
            "description", ""
        ):
            return self.error(
                400,
                "The request metadata specifies an invalid video description.",
                reason="invalidDescription",
                domain="youtube.video",
            )
        tags = snippet.get("tags") or []
        # As YouTube counts tags against 500: a comma between two, quotation marks around one
        # with a space.
        counted = sum(len(tag) + (2 if " " in tag else 0) for tag in tags) + len(tags) - 1
        if counted > 500 or any("<" in tag or ">" in tag for tag in tags):
            return self.error(
                400,
                "The request metadata specifies invalid video keywords.",
                reason="invalidTags",
                domain="youtube.video",
            )
        return None

    def _new_video(self, metadata: dict[str, Any], size: int) -> dict[str, Any]:
        video_id = f"vid{next(self._ids):08d}"
        snippet = {
            **metadata.get("snippet", {}),
            "channelId": self.channel_id,
            "publishedAt": _now(),
        }
        status = {
            "uploadStatus": "uploaded",
            "privacyStatus": "public",
            **metadata.get("status", {}),
        }
        video = {
            "kind": "youtube#video",
            "etag": secrets.token_hex(8),
            "id": video_id,
            "snippet": snippet,
            "status": status,
            "size": size,
        }
        self.videos[video_id] = video
        self.made(video_id)
        return video

    def _videos(self, request: Request) -> Response:
        if request.method == "GET":
            if (denied := self._guard(request, "list")) is not None:
                return denied
            ids = [i for i in request.args.get("id", "").split(",") if i in self.videos]
            items = [self.videos[i] for i in ids]
            return json_response(
                {
                    "kind": "youtube#videoListResponse",
                    "items": items,
                    "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
                }
            )
        if request.method == "DELETE":
            if (denied := self._guard(request, "delete")) is not None:
                return denied
            video_id = request.args.get("id", "")
            if video_id not in self.videos:
                return self._not_found()
            with self.lock:
                self.deleted[video_id] = self.videos.pop(video_id)
            return Response(status=204)
        if (denied := self._guard(request, "update")) is not None:
            return denied
        body = request.get_json(force=True, silent=True) or {}
        video = self.videos.get(body.get("id", ""))
        if video is None:
            return self._not_found()
        parts = request.args.get("part", "").split(",")
        if "snippet" in parts:
            if (invalid := self._invalid_snippet(body.get("snippet") or {})) is not None:
                return invalid
            with self.lock:
                video.setdefault("history", []).append(dict(video["snippet"]))
                video["snippet"] = {**video["snippet"], **body["snippet"]}
        if "status" in parts:
            with self.lock:
                video["status"] = {**video["status"], **(body.get("status") or {})}
        return json_response(video)

    def _not_found(self) -> Response:
        return self.error(
            404,
            "The video that you are trying to update cannot be found.",
            reason="videoNotFound",
            domain="youtube.video",
        )

    def _channels(self, request: Request) -> Response:
        if (denied := self._guard(request, "list")) is not None:
            return denied
        item = {
            "kind": "youtube#channel",
            "id": self.channel_id,
            "contentDetails": {"relatedPlaylists": {"uploads": "UU" + self.channel_id[2:]}},
        }
        return json_response({"kind": "youtube#channelListResponse", "items": [item]})

    def _paged(self, request: Request, items: list[dict[str, Any]], kind: str) -> Response:
        size = max(1, min(50, int(request.args.get("maxResults", 5))))
        start = int(request.args.get("pageToken") or 0)
        body: dict[str, Any] = {
            "kind": kind,
            "items": items[start : start + size],
            "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
        }
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return json_response(body)

    def _playlist_items(self, request: Request) -> Response:
        if (denied := self._guard(request, "list")) is not None:
            return denied
        listed = [video for video in self.videos.values() if self.listed(video["id"])]
        newest_first = sorted(listed, key=lambda v: v["id"], reverse=True)
        parts = request.args.get("part", "").split(",")
        items = []
        for v in newest_first:
            item: dict[str, Any] = {"kind": "youtube#playlistItem", "id": f"pl-{v['id']}"}
            if "snippet" in parts:
                item["snippet"] = {
                    "title": v["snippet"].get("title", ""),
                    "description": v["snippet"].get("description", ""),
                    "resourceId": {"kind": "youtube#video", "videoId": v["id"]},
                }
            if "status" in parts:
                item["status"] = {"privacyStatus": v["status"]["privacyStatus"]}
            items.append(item)
        return self._paged(request, items, "youtube#playlistItemListResponse")

    # Comments

    def add_comment(
        self,
        video_id: str,
        text: str,
        author: str = "A resident",
        moderation_status: str = "published",
    ) -> str:
        """A resident's comment; YouTube may hold it back (`heldForReview`, `likelySpam`) until
        the channel publishes or rejects it."""
        with self.lock:
            thread_id = f"thr{next(self._ids):08d}"
            comment = _comment_resource(thread_id, video_id, text, author, moderation_status)
            self.threads[thread_id] = {
                "kind": "youtube#commentThread",
                "id": thread_id,
                "snippet": {"videoId": video_id, "topLevelComment": comment, "totalReplyCount": 0},
            }
            return thread_id

    def add_reply(
        self,
        thread_id: str,
        text: str,
        author: str = "A resident",
        by_channel: bool = False,
        moderation_status: str = "published",
    ) -> str:
        """A reply in a comment's thread, by a resident or (`by_channel`) the City's channel."""
        with self.lock:
            thread = self.threads[thread_id]
            reply_id = f"{thread_id}.rep{next(self._ids):08d}"
            video_id = thread["snippet"]["videoId"]
            reply = _comment_resource(reply_id, video_id, text, author, moderation_status)
            if by_channel:
                reply["snippet"]["authorChannelId"] = {"value": self.channel_id}
            reply["snippet"]["parentId"] = thread_id
            thread.setdefault("replies", {"comments": []})["comments"].append(reply)
            thread["snippet"]["totalReplyCount"] += 1
            return reply_id

    def edit_comment(self, thread_id: str, text: str) -> None:
        """The author edits their comment: new text, new updatedAt."""
        with self.lock:
            snippet = self.threads[thread_id]["snippet"]["topLevelComment"]["snippet"]
            snippet.update(textDisplay=text, textOriginal=text, updatedAt=_now())

    def delete_comment(self, thread_id: str) -> None:
        with self.lock:
            self.threads.pop(thread_id)

    def turn_off_comments(self, video_id: str, off: bool = True) -> None:
        """The channel turns comments off on a video (or on again): they are kept, not listed."""
        with self.lock:
            (self.comments_off.add if off else self.comments_off.discard)(video_id)

    def _comment_threads(self, request: Request) -> Response:
        if (denied := self._guard(request, "list")) is not None:
            return denied
        video_id = request.args.get("videoId", "")
        if video_id not in self.videos:  # never uploaded, or deleted (in YouTube Studio, say)
            return self.error(
                404,
                'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list'
                '#videoId">videoId</a></code> parameter could not be found.',
                reason="videoNotFound",
                domain="youtube.commentThread",
            )
        if video_id in self.comments_off:
            return self.error(
                403,
                'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list'
                '#videoId">videoId</a></code> parameter has disabled comments.',
                reason="commentsDisabled",
                domain="youtube.commentThread",
            )
        state = request.args.get("moderationStatus", "published")
        if state not in LISTED_STATES:
            return self.error(
                400,
                f"Invalid value '{state}' for moderationStatus.",
                reason="invalidParameter",
            )
        items = [
            t
            for t in self.threads.values()
            if t["snippet"]["videoId"] == video_id and _listed_in(t, state)
        ]
        # As on YouTube, a thread carries only a few of its replies (comments.list has them all).
        shown = [
            {**t, "replies": {"comments": _replies_in(t, state)[:THREAD_REPLIES]}}
            if "replies" in t
            else t
            for t in items
        ]
        return self._paged(request, shown, "youtube#commentThreadListResponse")

    def _comments(self, request: Request) -> Response:
        """comments.list by parentId: every reply to one comment."""
        if (denied := self._guard(request, "list")) is not None:
            return denied
        thread = self.threads.get(request.args.get("parentId", ""))
        if thread is None:
            return self.error(
                404, "Comment not found.", reason="commentNotFound", domain="youtube.comment"
            )
        return self._paged(request, _replies_in(thread, "published"), "youtube#commentListResponse")

    def _moderate(self, request: Request) -> Response:
        if (denied := self._guard(request, "moderate")) is not None:
            return denied
        status = request.args.get("moderationStatus", "")
        if status not in ("heldForReview", "published", "rejected"):
            return self.error(400, "Invalid moderation status.", reason="invalidModerationStatus")
        for comment_id in request.args.get("id", "").split(","):
            comment = self._comment(comment_id)
            if comment is None:
                return self.error(
                    404, "Comment not found.", reason="commentNotFound", domain="youtube.comment"
                )
            comment["snippet"]["moderationStatus"] = status
        return Response(status=204)

    def _comment(self, comment_id: str) -> dict[str, Any] | None:
        """A top-level comment or a reply, by its id."""
        thread = self.threads.get(comment_id.partition(".")[0])
        if thread is None:
            return None
        if comment_id == thread["id"]:
            top: dict[str, Any] = thread["snippet"]["topLevelComment"]
            return top
        replies = (thread.get("replies") or {}).get("comments", [])
        return next((r for r in replies if r["id"] == comment_id), None)


def _status(comment: dict[str, Any]) -> str:
    return str(comment["snippet"]["moderationStatus"])


def _listed_in(thread: dict[str, Any], state: str) -> bool:
    """Whether commentThreads.list?moderationStatus=`state` lists the thread: for published, its
    top-level comment is published; for a review state, that comment or one of its replies is
    in it. A rejected comment is never listed."""
    top = thread["snippet"]["topLevelComment"]
    if state == "published":
        return _status(top) == "published"
    return any(
        _status(c) == state for c in [top, *(thread.get("replies") or {}).get("comments", [])]
    )


def _replies_in(thread: dict[str, Any], state: str) -> list[dict[str, Any]]:
    """A thread's replies as a listing for `state` shows them: the published ones and those in
    that state (never one the channel rejected)."""
    replies = (thread.get("replies") or {}).get("comments", [])
    return [r for r in replies if _status(r) in ("published", state)]


def _comment_resource(
    comment_id: str, video_id: str, text: str, author: str, moderation_status: str = "published"
) -> dict[str, Any]:
    """A youtube#comment as the API returns it to the channel's owner (with its moderation
    status): just published, or held back by YouTube."""
    return {
        "kind": "youtube#comment",
        "id": comment_id,
        "snippet": {
            "videoId": video_id,
            "textDisplay": text,
            "textOriginal": text,
            "authorDisplayName": author,
            "authorChannelId": {"value": f"UC{abs(hash(author)) % 10**10}"},
            "publishedAt": _now(),
            "updatedAt": _now(),
            "moderationStatus": moderation_status,
        },
    }
