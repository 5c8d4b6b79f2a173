"""A local Facebook Graph API for one Page: feed posts, edits, deletes, comments.

Paths are versioned (`/v24.0/...`, any `vNN.N`). The Page token arrives in the query string
or form (`access_token`, as facebook-sdk sends it) or as `Authorization: Bearer`.
Errors have Graph's shape: `{"error": {"message", "type", "code", "fbtrace_id"}}`.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .server import Fault, Sandbox, form_or_json, json_response

VERSION = "<version>"
VERSION_PATTERN = re.compile(r"v[0-9]+\.[0-9]+")
# Post fields Graph refuses since v3.3 ("(#12) link field is deprecated for versions v3.3 and
# higher"): a post's link is read from `attachments{unshimmed_url}`.
DEPRECATED_POST_FIELDS = ("caption", "description", "link", "name", "object_id", "source", "type")
USAGE_WINDOW = timedelta(hours=1)  # x-app-usage counts calls over a rolling hour
HOURLY_CALLS = 100  # the app's calls an hour that x-app-usage reports as 100%
FIELD = re.compile(r"(\w+)(?:\{([^{}]*)\})?")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class FacebookSandbox(Sandbox):
    name = "facebook"

    def __init__(
        self,
        page_id: str,
        access_token: str,
        latency: float = 0.0,
        page_name: str = "City of Trail",
    ) -> None:
        self.page_id = page_id
        self.page_name = page_name
        self.access_token = access_token
        super().__init__(latency)

    def reset(self) -> None:
        super().reset()
        with self.lock:
            self.posts: dict[str, dict[str, Any]] = {}
            self.deleted: dict[str, dict[str, Any]] = {}
            self.comments: dict[str, dict[str, Any]] = {}
            self.call_times: list[datetime] = []  # within the last hour, for x-app-usage
            # The Page token lost its permissions (`revoke_permissions`): Graph answers it the
            # Page's public fields only.
            self.permissions_revoked = False
            # Pictures a comment's attachment shows, as Facebook's CDN serves them (no token):
            # each name with its bytes and content type; an expired link answers 404.
            self.pictures: dict[str, tuple[bytes, str]] = {}

    def snapshot(self) -> dict[str, Any]:
        return {
            "page_id": self.page_id,
            "posts": self.posts,
            "deleted": self.deleted,
            "comments": self.comments,
        }

    def api_rules(self) -> list[Rule]:
        return [
            Rule(f"/{VERSION}/<page>/feed", endpoint=self._feed, methods=["GET", "POST"]),
            Rule(f"/{VERSION}/<object_id>/comments", endpoint=self._list_comments, methods=["GET"]),
            Rule(
                f"/{VERSION}/<object_id>", endpoint=self._object, methods=["GET", "POST", "DELETE"]
            ),
            Rule("/cdn/<name>", endpoint=self._picture, methods=["GET"]),
        ]

    # Errors in Graph's shape

    def error(self, status: int, message: str, **extra: Any) -> Response:
        code = extra.pop("code", 100 if status < 500 else 2)
        kind = extra.pop("type", "OAuthException" if status < 500 else "FacebookApiException")
        body = {"message": message, "type": kind, "code": code, **extra}
        return json_response({"error": {**body, "fbtrace_id": secrets.token_hex(8)}}, status)

    def fault_response(self, fault: Fault, request: Request) -> Response:
        if fault.kind in ("rate_limit", "quota"):
            # Graph throttles a Page token with HTTP 400 and code 32 (or 4, 17, 613, 80001);
            # its Business Use Case header says, in whole minutes, when calls work again.
            minutes = math.ceil(float(fault.params.get("reset_after", 60)) / 60)
            throttled = self.error(400, "(#32) Page request limit reached", code=32)
            throttled.headers["x-business-use-case-usage"] = json.dumps(
                {
                    self.page_id: [
                        {
                            "type": "pages",
                            "call_count": 100,
                            "total_cputime": 1,
                            "total_time": 1,
                            "estimated_time_to_regain_access": minutes,
                        }
                    ]
                }
            )
            return throttled
        status = int(fault.params.get("status", 500))
        return self.error(
            status,
            "An unexpected error has occurred. Please retry your request later.",
            code=2,
            type="OAuthException",
        )

    def _authorized(self, request: Request) -> Response | None:
        version = request.path.split("/")[1]
        if not VERSION_PATTERN.fullmatch(version):
            return self.error(400, f"Unknown path components: /{version}", code=2500)
        params = form_or_json(request)
        token = params.get("access_token") or request.headers.get("Authorization", "").removeprefix(
            "Bearer "
        )
        if not token:
            return self.error(
                400,
                "An active access token must be used to query information about the current user.",
                code=2500,
            )
        if token != self.access_token:
            return self.error(
                400, "Invalid OAuth access token - Cannot parse access token", code=190
            )
        if self.permissions_revoked:
            return self._without_permissions(request)
        return None

    def _without_permissions(self, request: Request) -> Response | None:
        """A token Graph still reads, without the Page's permissions: the Page's public
        fields answer it (as they answer almost any token), its feed answers Graph's
        permission error, and every other object as one that does not exist."""
        object_id, *edge = request.path.split("/")[2:]
        if object_id != self.page_id:
            return self._missing(object_id, request.method.lower())
        if not edge:
            return None
        if request.method == "POST":
            return self.error(
                400,
                "(#200) If posting to a page, requires both pages_read_engagement and "
                "pages_manage_posts permission",
                code=200,
            )
        return self.error(
            400,
            "(#10) This endpoint requires the 'pages_read_engagement' permission or the "
            "'Page Public Content Access' feature. Refer to "
            "https://developers.facebook.com/docs/apps/review/login-permissions#manage-pages "
            "and https://developers.facebook.com/docs/apps/review/feature#reference-PAGES_ACCESS "
            "for details.",
            code=10,
        )

    def _usage(self, response: Response) -> Response:
        with self.lock:
            now = self.now()
            self.call_times = [t for t in self.call_times if now - t < USAGE_WINDOW] + [now]
            share = min(100, len(self.call_times) * 100 // HOURLY_CALLS)
        # The share of the app's hourly call limit used over the last hour, as Graph reports it.
        response.headers["x-app-usage"] = json.dumps(
            {"call_count": share, "total_cputime": 1, "total_time": 1}
        )
        return response

    def _deprecated(self, field: str) -> Response:
        return self.error(
            400, f"(#12) {field} field is deprecated for versions v3.3 and higher", code=12
        )

    def _missing(self, object_id: str, method: str = "get") -> Response:
        """Graph's one answer (code 100, subcode 33) for an object deleted, never made, or
        out of the token's reach: which of them, it does not say."""
        return self.error(
            400,
            f"Unsupported {method} request. Object with ID '{object_id}' does not "
            "exist, cannot be loaded due to missing permissions, or does not "
            "support this operation.",
            code=100,
            type="GraphMethodException",
            error_subcode=33,
        )

    # Endpoints

    def _feed(self, request: Request, version: str, page: str) -> Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        if page != self.page_id:
            return self._missing(page)
        if request.method == "POST":
            params = form_or_json(request)
            if not params.get("message") and not params.get("link"):
                return self.error(400, "(#100) Missing message or attachment", code=100)
            writer = {"name": self.page_name, "id": self.page_id}
            post_id = self._new_post(params.get("message", ""), params.get("link"), writer)
            return self._usage(json_response({"id": post_id}))
        if (old_field := _deprecated_field(request, version)) is not None:
            return self._deprecated(old_field)
        listed = [post for post in self.posts.values() if self.listed(post["id"])]
        newest_first = sorted(listed, key=lambda p: p["id"], reverse=True)
        return self._usage(self._page(request, newest_first))

    def _new_post(self, message: str, link: str | None, writer: dict[str, str]) -> str:
        with self.lock:
            post_id = f"{self.page_id}_{1000000 + len(self.posts) + len(self.deleted) + 1}"
            self.posts[post_id] = {
                "id": post_id,
                "message": message,
                "link": link,
                "from": writer,
                "attachments": {"data": [_share(link)]} if link else None,
                "created_time": _now(),
                "updated_time": _now(),
                "edits": [],
                "permalink_url": f"https://www.facebook.com/{post_id.replace('_', '/posts/')}",
            }
            self.made(post_id)
            return post_id

    def add_visitor_post(
        self, message: str, link: str | None = None, author: str = "A resident"
    ) -> str:
        """A post by a visitor on the Page (the Page's /feed lists it with the Page's own)."""
        return self._new_post(message, link, {"name": author, "id": _person_id(author)})

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        limit = max(1, min(100, int(request.args.get("limit", 25))))
        start = int(request.args.get("after") or 0)
        chunk = items[start : start + limit]
        data = [_select(item, request) for item in chunk]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + limit)}}
        if start + limit < len(items):
            query = request.args.to_dict()
            query["after"] = str(start + limit)
            paging["next"] = f"{request.host_url.rstrip('/')}{request.path}?" + "&".join(
                f"{k}={v}" for k, v in query.items() if k != "access_token"
            )
        return json_response({"data": data, "paging": paging})

    def _object(self, request: Request, version: str, object_id: str) -> Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        params = form_or_json(request)
        method = str(params.get("method", request.method)).upper()
        if object_id in self.comments:
            return self._comment(request, object_id, params)
        if object_id == self.page_id and request.method == "GET":
            page = {"id": self.page_id, "name": self.page_name}
            return self._usage(json_response(_select(page, request)))
        post = self.posts.get(object_id)
        if post is None:
            return self._missing(object_id)
        if method == "DELETE":
            with self.lock:
                self.deleted[object_id] = self.posts.pop(object_id)
            return self._usage(json_response({"success": True}))
        if request.method == "POST":
            if "message" in params:
                with self.lock:
                    post["edits"].append({"message": post["message"], "until": _now()})
                    post["message"] = params["message"]
                    post["updated_time"] = _now()
            return self._usage(json_response({"success": True}))
        if (old_field := _deprecated_field(request, version)) is not None:
            return self._deprecated(old_field)
        return self._usage(json_response(_select(post, request)))

    # What happens outside the API (on facebook.com, or to the token)

    def delete_post(self, post_id: str) -> None:
        """Someone with access deletes the post on facebook.com (or Facebook takes it down),
        outside the City's system: Graph knows it, and its comments, no more."""
        with self.lock:
            self.deleted[post_id] = self.posts.pop(post_id)

    def revoke_permissions(self, revoked: bool = True) -> None:
        """The Page token loses its permissions (its user's role on the Page removed, or the
        app's Pages permissions withdrawn), or (`revoked=False`) has them back. Graph still
        takes the token and answers it the Page's public fields (`id`, `name`), but the Page's
        feed with its permission error (code 10; 200 to a post), and every other object as one
        that does not exist (code 100, subcode 33), as it answers for a deleted one."""
        with self.lock:
            self.permissions_revoked = revoked

    # Comments (seeded through `add_comment`; listed and hidden through the API)

    def add_comment(
        self,
        post_id: str,
        message: str,
        author: str = "A resident",
        parent: str | None = None,
        by_page: bool = False,
        attachment: dict[str, Any] | None = None,
    ) -> str:
        """A comment by a resident, or (`by_page`) by the Page itself, answering one; with
        a photo, sticker, GIF or link `attachment` as Graph gives it (`type`, `url`, `media`),
        and then perhaps no message at all."""
        writer = {
            "name": author,
            "id": self.page_id if by_page else _person_id(author),
        }
        with self.lock:
            comment_id = f"{post_id.split('_')[-1]}_{len(self.comments) + 1}"
            self.comments[comment_id] = {
                "id": comment_id,
                "post_id": post_id,
                "message": message,
                "from": writer,
                "created_time": _now(),
                "is_hidden": False,
                "deleted": False,
                "parent": {"id": parent} if parent else None,
                "attachment": attachment,
            }
            return comment_id

    def add_picture(self, content: bytes, content_type: str = "image/jpeg") -> str:
        """A picture on the sandbox's CDN, as a comment's `attachment.media.image.src` gives
        it: its address (at 127.0.0.1, asked without a token, as scontent.xx.fbcdn.net is),
        signed as the CDN signs its links (`oh`, `oe`: see `resigned`)."""
        with self.lock:
            name = f"{len(self.pictures) + 1}_{secrets.token_hex(4)}"
            self.pictures[name] = (content, content_type)
        return resigned(f"{self.url}/cdn/{name}")

    def expire_picture(self, address: str) -> None:
        """A picture's CDN link expires (Facebook's signed links last days): it answers 404."""
        with self.lock:
            self.pictures.pop(address.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1], None)

    def _picture(self, request: Request, name: str) -> Response:
        with self.lock:
            found = self.pictures.get(name)
        if found is None:
            return Response(b"URL signature expired", status=404, content_type="text/plain")
        content, content_type = found
        return Response(content, content_type=content_type)

    def edit_comment(self, comment_id: str, message: str) -> None:
        """The author edits their comment (Graph shows the new message)."""
        with self.lock:
            self.comments[comment_id]["message"] = message

    def edit_attachment(self, comment_id: str, attachment: dict[str, Any] | None) -> None:
        """The author puts another photo, sticker or GIF in their comment (or takes it out)."""
        with self.lock:
            self.comments[comment_id]["attachment"] = attachment

    def delete_comment(self, comment_id: str) -> None:
        """The author deletes their comment: it leaves the listing, and its replies (and
        theirs) with it, as on Facebook."""
        with self.lock:
            going = [comment_id]
            while going:
                gone = going.pop()
                self.comments[gone]["deleted"] = True
                going += [c["id"] for c in self.comments.values() if c["parent"] == {"id": gone}]

    def _list_comments(self, request: Request, version: str, object_id: str) -> Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        if object_id not in self.posts:
            return self._missing(object_id)
        items = [
            c
            for c in self.comments.values()
            if c["post_id"] == object_id
            and not c["deleted"]
            and (request.args.get("filter") == "stream" or not c["parent"])
        ]
        return self._usage(self._page(request, items))

    def _comment(self, request: Request, comment_id: str, params: dict[str, Any]) -> Response:
        comment = self.comments[comment_id]
        # Deleted by its author, or with its post: Graph knows it no more.
        if comment["deleted"] or comment["post_id"] not in self.posts:
            return self._missing(comment_id, request.method.lower())
        if request.method == "POST" and "is_hidden" in params:
            comment["is_hidden"] = str(params["is_hidden"]).lower() == "true"
            return self._usage(json_response({"success": True}))
        return self._usage(json_response(comment))


def _person_id(name: str) -> str:
    return str(abs(hash(name)) % 10**15)


def _share(link: str) -> dict[str, str]:
    """A link attachment as Graph shows it: `url` through Facebook's redirect (the shim),
    `unshimmed_url` the link as posted."""
    return {
        "type": "share",
        "url": f"https://l.facebook.com/l.php?u={quote(link, safe='')}",
        "unshimmed_url": link,
    }


def _requested(request: Request) -> dict[str, list[str] | None]:
    """Graph's `fields`, one level of nesting: `id,from{id}` → {"id": None, "from": ["id"]}."""
    spec = request.args.get("fields") or "id,message,created_time"
    return {m[1]: m[2].split(",") if m[2] is not None else None for m in FIELD.finditer(spec)}


def _select(item: dict[str, Any], request: Request) -> dict[str, Any]:
    """The fields asked for; of an edge (`{"data": [...]}`) or object, the subfields asked."""
    selected: dict[str, Any] = {}
    for name, subfields in _requested(request).items():
        value = item.get(name)
        if value is None:
            continue  # Graph leaves out what a post does not have
        if subfields is not None and isinstance(value, dict):
            value = (
                {"data": [_pick(d, subfields) for d in value["data"]]}
                if "data" in value
                else _pick(value, subfields)
            )
        selected[name] = value
    return selected


def _pick(item: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: item[name] for name in names if name in item}


def _deprecated_field(request: Request, version: str) -> str | None:
    """A post field asked for that this Graph version no longer serves."""
    major, minor = (int(n) for n in version[1:].split("."))
    asked = [name for name in _requested(request) if name in DEPRECATED_POST_FIELDS]
    return asked[0] if asked and (major, minor) >= (3, 3) else None


def resigned(address: str) -> str:
    """A CDN link to the same picture, signed anew: Facebook's CDN signs each link for a few
    days (`oh`, the signature; `oe`, when it expires), and Graph gives a fresh one in time."""
    return f"{address.split('?', 1)[0]}?oh={secrets.token_hex(8)}&oe={secrets.token_hex(4)}"
