"""A local X API v2 for one account: posts, replies, deletes, timelines, conversation search.

Requests must carry a valid OAuth 1.0a signature (HMAC-SHA1, checked with oauthlib) for the
configured app and account. Every response has `x-rate-limit-*` headers; posting also has
the per-user 24-hour cap (`x-user-limit-24hour-*`), 17 by default as on the free tier, and a
`quota` fault can reach the per-app one (`x-app-limit-24hour-*`) instead.
Error bodies follow X's problem JSON. A post's text is kept as written and shown as X shows it,
with &, < and > as HTML entities and each link as t.co (`entities.urls` has the link written).
"""

from __future__ import annotations

import hmac
import html
import itertools
import math
import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from oauthlib.oauth1.rfc5849 import signature, utils
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from syndication.text import twitter_text_length

from .server import Fault, Sandbox, json_response

URL = re.compile(r"https?://[^\s…]+")
HANDLE = re.compile(r"@(\w{1,15})\s+")
DAY = 24 * 60 * 60
WINDOW = 15 * 60  # X's rate-limit window, per endpoint
RECENT_SEARCH_WINDOW = timedelta(days=7)
# The longest query recent search takes (self-serve access), and the operators this sandbox
# reads in one: `conversation_id:ID`, several joined with OR.
QUERY_LIMIT = 512
CONVERSATIONS = re.compile(r"conversation_id:(\d+)(?: OR conversation_id:(\d+))*")
REPLY_TO_DELETED = "You attempted to reply to a Tweet that is deleted or not visible to you."

# X's 24-hour cap on an account's posts (`x-user-limit-24hour-limit`, replies included): the
# free tier's, and the Basic tier's.
FREE_DAILY_POSTS = 17
BASIC_DAILY_POSTS = 100


class TwitterSandbox(Sandbox):
    name = "twitter"

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        access_token: str,
        access_token_secret: str,
        user_id: str = "1500000000000000001",
        username: str = "CityofTrail",
        daily_post_limit: int = FREE_DAILY_POSTS,
        window_limit: int = 300,
        latency: float = 0.0,
    ) -> None:
        self.api_key, self.api_secret = api_key, api_secret
        self.access_token, self.access_token_secret = access_token, access_token_secret
        self.user_id, self.username = user_id, username
        self.daily_post_limit = daily_post_limit
        self.window_limit = window_limit
        super().__init__(latency)

    def reset(self) -> None:
        super().reset()
        with self.lock:
            self.tweets: dict[str, dict[str, Any]] = {}
            self.deleted: dict[str, dict[str, Any]] = {}
            # Accounts by id (the City's, and each resident who replies): what
            # `expansions=author_id` gives as `includes.users`.
            self.users: dict[str, dict[str, str]] = {
                self.user_id: {
                    "id": self.user_id,
                    "name": "City of Trail",
                    "username": self.username,
                }
            }
            self._user_ids = itertools.count(1700000000000000001)
            self.hidden: set[str] = set()
            self.posted_at: list[float] = []
            # Per endpoint: when its current 15-minute window began, and the calls made in it.
            self.windows: dict[str, tuple[float, int]] = {}
            self._ids = itertools.count(1860000000000000001)

    def snapshot(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "tweets": self.tweets,
            "deleted": self.deleted,
            "hidden": sorted(self.hidden),
        }

    def api_rules(self) -> list[Rule]:
        return [
            Rule("/2/users/me", endpoint=self._me, methods=["GET"]),
            Rule("/2/tweets", endpoint=self._create, methods=["POST"]),
            Rule("/2/tweets/search/recent", endpoint=self._search, methods=["GET"]),
            Rule("/2/tweets/<tweet_id>", endpoint=self._tweet, methods=["GET", "DELETE"]),
            Rule("/2/tweets/<tweet_id>/hidden", endpoint=self._hide, methods=["PUT"]),
            Rule("/2/users/<user_id>/tweets", endpoint=self._timeline, methods=["GET"]),
        ]

    # Problem JSON, rate-limit headers

    def problem(
        self,
        status: int,
        title: str,
        detail: str,
        kind: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> Response:
        body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
        return json_response(body, status, headers)

    def error(self, status: int, message: str, **extra: Any) -> Response:
        return self.problem(status, "Not Found Error" if status == 404 else "Error", message)

    def _timestamp(self) -> float:
        """The sandbox's clock in epoch seconds, as X's headers give times."""
        return self.now().timestamp()

    def _window_headers(self, endpoint: str) -> dict[str, str]:
        started, used = self.windows.get(endpoint, (self._timestamp(), 0))
        return {
            "x-rate-limit-limit": str(self.window_limit),
            "x-rate-limit-remaining": str(max(0, self.window_limit - used)),
            "x-rate-limit-reset": str(math.ceil(started + WINDOW)),
        }

    def _daily_headers(self) -> dict[str, str]:
        now = self._timestamp()
        recent = [t for t in self.posted_at if now - t < DAY]
        reset = int((recent[0] if recent else now) + DAY)
        return {
            "x-user-limit-24hour-limit": str(self.daily_post_limit),
            "x-user-limit-24hour-remaining": str(max(0, self.daily_post_limit - len(recent))),
            "x-user-limit-24hour-reset": str(reset),
        }

    def _too_many(self, headers: dict[str, str]) -> Response:
        return self.problem(429, "Too Many Requests", "Too Many Requests", headers=headers)

    def fault_response(self, fault: Fault, request: Request) -> Response:
        if fault.kind == "rate_limit":
            reset = int(self._timestamp() + float(fault.params.get("reset_after", 1)))
            headers = {
                "x-rate-limit-limit": str(self.window_limit),
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset),
                "retry-after": str(fault.params.get("reset_after", 1)),
            }
            return self._too_many(headers)
        if fault.kind == "quota":
            # X caps posts over 24 hours per account (`cap="user"`) and per app (`cap="app"`),
            # each with its own headers; the 15-minute window's are there too, not used up.
            cap = "app" if fault.params.get("cap") == "app" else "user"
            reset = int(self._timestamp() + float(fault.params.get("reset_after", DAY)))
            headers = {
                **self._window_headers("create"),
                f"x-{cap}-limit-24hour-limit": str(self.daily_post_limit),
                f"x-{cap}-limit-24hour-remaining": "0",
                f"x-{cap}-limit-24hour-reset": str(reset),
            }
            return self._too_many(headers)
        status = int(fault.params.get("status", 503))
        return self.problem(status, "Service Unavailable", "Service Unavailable")

    # OAuth 1.0a

    def _signed(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("OAuth "):
            return False
        oauth = dict(utils.parse_authorization_header(header))
        if oauth.get("oauth_consumer_key") != self.api_key:
            return False
        if oauth.get("oauth_token") != self.access_token:
            return False
        body = (
            request.get_data(as_text=True)
            if request.mimetype == "application/x-www-form-urlencoded"
            else None
        )
        params = signature.collect_parameters(
            uri_query=request.query_string.decode(),
            body=body,
            headers={"Authorization": header},
            exclude_oauth_signature=True,
        )
        base = signature.signature_base_string(
            request.method,
            signature.base_string_uri(request.base_url),
            signature.normalize_parameters(params),
        )
        keys = SimpleNamespace(
            client_secret=self.api_secret, resource_owner_secret=self.access_token_secret
        )
        expected = signature.sign_hmac_sha1_with_client(base, keys)
        return hmac.compare_digest(expected, utils.unescape(oauth.get("oauth_signature", "")))

    def _guard(self, request: Request, endpoint: str) -> Response | None:
        if not self._signed(request):
            return self.problem(401, "Unauthorized", "Unauthorized")
        with self.lock:
            now = self._timestamp()
            started, used = self.windows.get(endpoint, (now, 0))
            if now >= started + WINDOW:  # a new window: the count starts again
                started, used = now, 0
            self.windows[endpoint] = (started, used + 1)
            if used + 1 > self.window_limit:
                return self._too_many(self._window_headers(endpoint))
        return None

    def _respond(
        self, data: Any, endpoint: str, status: int = 200, extra: dict[str, str] | None = None
    ) -> Response:
        return json_response(data, status, {**self._window_headers(endpoint), **(extra or {})})

    # Endpoints

    def _me(self, request: Request) -> Response:
        if (denied := self._guard(request, "me")) is not None:
            return denied
        return self._respond({"data": self.users[self.user_id]}, "me")

    def _create(self, request: Request) -> Response:
        if (denied := self._guard(request, "create")) is not None:
            return denied
        with self.lock:
            if self._daily_headers()["x-user-limit-24hour-remaining"] == "0":
                return self._too_many(self._daily_headers())
            body = request.get_json(force=True, silent=True) or {}
            text = body.get("text")
            if not isinstance(text, str) or not text:
                return self.problem(
                    400,
                    "Invalid Request",
                    "One or more parameters to your request was invalid.",
                    "https://api.twitter.com/2/problems/invalid-request",
                    errors=[{"parameters": {"text": [str(text)]}, "message": "text is required"}],
                )
            if twitter_text_length(text) > 280:  # X's own count (see syndication.text)
                return self.problem(
                    403,
                    "Forbidden",
                    "Your Tweet text is too long. For more "
                    "information on how X determines text length see "
                    "https://github.com/twitter/twitter-text.",
                )
            if any(t["text"] == self._shorten(text) for t in self.tweets.values()):
                return self.problem(
                    403,
                    "Forbidden",
                    "You are not allowed to create a Tweet with duplicate content.",
                )
            reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            if reply_to and reply_to not in self.tweets:
                return self.problem(403, "Forbidden", REPLY_TO_DELETED)  # as X refuses it
            tweet_id = str(next(self._ids))
            self.tweets[tweet_id] = self._tweet_record(tweet_id, text, self.user_id, reply_to)
            self.made(tweet_id)
            self.posted_at.append(self._timestamp())
            data = {
                "id": tweet_id,
                "text": _as_x_shows(self.tweets[tweet_id]["text"]),
                "edit_history_tweet_ids": [tweet_id],
            }
            return self._respond({"data": data}, "create", 201, self._daily_headers())

    def _shorten(self, text: str) -> str:
        return URL.sub(
            lambda m: "https://t.co/" + format(abs(hash(m.group(0))) % 10**10, "x"), text
        )

    def _tweet_record(
        self, tweet_id: str, text: str, author: str, reply_to: str | None
    ) -> dict[str, Any]:
        if reply_to:
            text = self._addressed(text, author, self.tweets[reply_to])
        short = self._shorten(text)
        # Each link as X gives it in `entities.urls`: where its t.co is in the text as shown,
        # and the link as written.
        urls = [
            {
                "start": shown.start(),
                "end": shown.end(),
                "url": shown.group(0),
                "expanded_url": written.group(0),
                "display_url": written.group(0).split("://", 1)[1][:25],
            }
            for written, shown in zip(URL.finditer(text), URL.finditer(short), strict=True)
        ]
        conversation = self.tweets[reply_to]["conversation_id"] if reply_to else tweet_id
        record: dict[str, Any] = {
            "id": tweet_id,
            "text": short,
            "author_id": author,
            "created_at": self.now().strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": conversation,
            "entities": {"urls": urls} if urls else {},
        }
        if reply_to:
            record["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
            record["in_reply_to_user_id"] = self.tweets[reply_to]["author_id"]
        return record

    def _addressed(self, text: str, author: str, parent: dict[str, Any]) -> str:
        """A reply's text as X gives it: starting with the @usernames it answers (the parent's
        author, then those the parent was addressed to), the replier's own left out, as are
        those the text already starts with."""
        answered = [self.users[parent["author_id"]]["username"], *_handles(parent["text"])]
        already = {h.casefold() for h in _handles(text)}
        own = self.users[author]["username"].casefold()
        added = [
            h
            for h in dict.fromkeys(answered)
            if h.casefold() not in already and h.casefold() != own
        ]
        return " ".join([*(f"@{h}" for h in added), text])

    def add_user(self, name: str) -> str:
        """An account for a person (a resident who replies), with a username made from their
        name as X would suggest one; returns its id."""
        base = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")[:15] or "resident"
        with self.lock:
            taken = {u["username"].casefold() for u in self.users.values()}
            numbered = (f"{base[:12]}{n}" for n in itertools.count(2))
            username = next(c for c in itertools.chain([base], numbered) if c not in taken)
            user_id = str(next(self._user_ids))
            self.users[user_id] = {"id": user_id, "name": name, "username": username}
            return user_id

    def add_reply(self, tweet_id: str, text: str, author: str = "A resident") -> str:
        """Seed a reply (a public comment) by `author`: the id of an account the sandbox has
        (the City's `user_id`, one `add_user` made) or a person's name, whose account is made
        the first time. As on X, its text starts with the @usernames it answers."""
        with self.lock:
            if author not in self.users:
                named = (i for i, u in self.users.items() if u["name"] == author)
                author = next(named, None) or self.add_user(author)
            reply_id = str(next(self._ids))
            self.tweets[reply_id] = self._tweet_record(reply_id, text, author, tweet_id)
            return reply_id

    def delete_reply(self, reply_id: str) -> None:
        """The author deletes their reply."""
        with self.lock:
            self.deleted[reply_id] = self.tweets.pop(reply_id)

    def _fields(self, tweet: dict[str, Any], request: Request) -> dict[str, Any]:
        wanted = set((request.args.get("tweet.fields") or "").split(","))
        shown = {
            k: v
            for k, v in tweet.items()
            if k in ("id", "text", "edit_history_tweet_ids") or k in wanted
        }
        return {**shown, "text": _as_x_shows(tweet["text"])}

    def _tweet(self, request: Request, tweet_id: str) -> Response:
        if (denied := self._guard(request, "tweet")) is not None:
            return denied
        tweet = self.tweets.get(tweet_id)
        if tweet is None:
            return self.problem(
                404,
                "Not Found Error",
                f"Could not find tweet with id: [{tweet_id}].",
                "https://api.twitter.com/2/problems/resource-not-found",
            )
        if request.method == "DELETE":
            if tweet["author_id"] != self.user_id:
                return self.problem(403, "Forbidden", "You are not allowed to delete this Tweet.")
            with self.lock:
                self.deleted[tweet_id] = self.tweets.pop(tweet_id)
            return self._respond({"data": {"deleted": True}}, "tweet")
        return self._respond({"data": self._fields(tweet, request)}, "tweet")

    def _listing(self, request: Request, items: list[dict[str, Any]], endpoint: str) -> Response:
        items = sorted(items, key=lambda t: int(t["id"]), reverse=True)
        size = max(5, min(100, int(request.args.get("max_results", 10))))
        start = int(request.args.get("pagination_token") or request.args.get("next_token") or 0)
        chunk = items[start : start + size]
        meta: dict[str, Any] = {"result_count": len(chunk)}
        if chunk:
            meta.update(newest_id=chunk[0]["id"], oldest_id=chunk[-1]["id"])
        if start + size < len(items):
            meta["next_token"] = str(start + size)
        body: dict[str, Any] = {"meta": meta}
        if chunk:
            body["data"] = [self._fields(t, request) for t in chunk]
        if chunk and "author_id" in (request.args.get("expansions") or "").split(","):
            # Who wrote each post, once each, as `expansions=author_id` asks.
            authors = dict.fromkeys(t["author_id"] for t in chunk)
            body["includes"] = {"users": [self._user(a, request) for a in authors]}
        return self._respond(body, endpoint)

    def _user(self, user_id: str, request: Request) -> dict[str, str]:
        """An account as `user.fields` asks for it (id, name and username always)."""
        wanted = {"id", "name", "username", *(request.args.get("user.fields") or "").split(",")}
        return {k: v for k, v in self.users[user_id].items() if k in wanted}

    def _timeline(self, request: Request, user_id: str) -> Response:
        if (denied := self._guard(request, "timeline")) is not None:
            return denied
        mine = [
            t for t in self.tweets.values() if t["author_id"] == user_id and self.listed(t["id"])
        ]
        return self._listing(request, mine, "timeline")

    def _search(self, request: Request) -> Response:
        if (denied := self._guard(request, "search")) is not None:
            return denied
        query = request.args.get("query", "")
        if len(query) > QUERY_LIMIT:
            return self.problem(
                400,
                "Invalid Request",
                "One or more parameters to your request was invalid.",
                "https://api.twitter.com/2/problems/invalid-request",
                errors=[
                    {
                        "parameters": {"query": [query]},
                        "message": f"There were errors processing your request: Query length "
                        f"({len(query)}) exceeds the maximum allowed ({QUERY_LIMIT})",
                    }
                ],
            )
        if not CONVERSATIONS.fullmatch(query.strip()):
            return self.problem(
                400,
                "Invalid Request",
                "Only conversation_id: queries, alone or joined with OR, are supported by "
                "this sandbox.",
                "https://api.twitter.com/2/problems/invalid-request",
            )
        conversations = set(re.findall(r"conversation_id:(\d+)", query))
        # Recent search covers the last seven days, as on X: older replies are not listed.
        oldest = (self.now() - RECENT_SEARCH_WINDOW).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        found = [
            t
            for t in self.tweets.values()
            if t["conversation_id"] in conversations
            and t["id"] not in conversations
            and t["created_at"] >= oldest
            and self.listed(t["id"])
        ]
        return self._listing(request, found, "search")

    def _hide(self, request: Request, tweet_id: str) -> Response:
        if (denied := self._guard(request, "hide")) is not None:
            return denied
        tweet = self.tweets.get(tweet_id)
        if tweet is None or "referenced_tweets" not in tweet:
            return self.problem(403, "Forbidden", "You can only hide replies to your own Tweets.")
        hidden = bool((request.get_json(force=True, silent=True) or {}).get("hidden"))
        with self.lock:
            (self.hidden.add if hidden else self.hidden.discard)(tweet_id)
        return self._respond({"data": {"hidden": hidden}}, "hide")


def _as_x_shows(text: str) -> str:
    """A post's text as X's API gives it: &, < and > as HTML entities (&amp; &lt; &gt;), as v1.1
    did; quotes as written."""
    return html.escape(text, quote=False)


def _handles(text: str) -> list[str]:
    """The @usernames a post's text starts with (those X put there, answering them)."""
    handles, position = [], 0
    while match := HANDLE.match(text, position):
        handles.append(match[1])
        position = match.end()
    return handles
