"""The City's X account, through tweepy's `Client` (API v2, OAuth 1.0a user context).

X posts cannot be edited: a correction becomes a reply to the original ("Update: …", the
comment guidelines and the link), one reply per correction, oldest first, then one for a new
headline. Posting is capped per user per 24 hours (17 on the free tier, 100 on Basic), and per
app; when either cap is reached its `x-user-limit-24hour-*` or `x-app-limit-24hour-*` headers
say when it resets, and the rest of the posts wait for the next run. X gives a post's text with
&, < and > as HTML entities and every link shortened to t.co: every answer is read back as
written (`_as_written`).
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import requests
import tweepy

from .base import (
    LABELS,
    AnswerLost,
    AuthError,
    Comment,
    Duplicate,
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
from .config import CREDENTIALS, TwitterConfig
from .http import DEFAULT_TIMEOUT, RebasingSession, network_error
from .ledger import Record
from .manifest import Entry
from .posts import x_update_text, x_update_text_without_guidelines
from .reconcile import told_corrections, untold_corrections

TWEEPY_HOST = "https://api.twitter.com"  # fixed inside tweepy.Client.request
SEARCH_PAGES = 2  # how far back (100 posts a page) `find_existing` looks
# The longest query recent search takes (self-serve access): conversations are searched as
# many to a query as fit (`conversation_id:A OR conversation_id:B …`).
SEARCH_QUERY_LIMIT = 512
# How X refuses a post or reply whose text the account has already posted (403).
DUPLICATE = "duplicate content"
# How X refuses a reply to a post that is no longer there (403): deleted on x.com or by X.
REPLY_TO_DELETED = "reply to a Tweet that is deleted"
# X caps posting over 24 hours per account and per app (`x-user-limit-24hour-*` and
# `x-app-limit-24hour-*`): whose cap it is, as a message names it.
DAILY_CAPS = {"user": "the account's", "app": "the app's"}


class Twitter(Platform):
    name: ClassVar[str] = "twitter"
    comments_window: ClassVar[timedelta | None] = timedelta(days=7)  # X's recent search
    # Deleting a post leaves its replies public, and conversation_id: search still finds them.
    comments_outlive_withdrawal: ClassVar[bool] = True
    # A deleted post's replies stay up: each reply that vanished was deleted itself.
    replies_go_with_their_comment: ClassVar[bool] = False
    edits_posts: ClassVar[bool] = False  # a post cannot be edited: a reply tells a change
    label: ClassVar[str] = LABELS["twitter"]

    def __init__(self, config: TwitterConfig, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.client = tweepy.Client(
            consumer_key=config.api_key,
            consumer_secret=config.api_secret,
            access_token=config.access_token,
            access_token_secret=config.access_token_secret,
            return_type=dict,
        )
        self.session = RebasingSession(TWEEPY_HOST, config.api_url, timeout)
        self.client.session = self.session
        self._secrets = (config.api_secret, config.access_token, config.access_token_secret)
        self._user_id: str | None = None

    # The verbs

    def create(self, entry: Entry) -> RemotePost:
        text = entry.posts[self.name]["text"]
        data = self._call(self.client.create_tweet, text=text, user_auth=True)["data"]
        return RemotePost(str(data["id"]), self.permalink(str(data["id"])), text)

    def told_by_create(self, entry: Entry) -> list[str]:
        return []  # the post has no room for them (`x_text`): each is told in a reply after it

    def update(self, entry: Entry, posted: Record) -> RemotePost | None:
        """A reply telling what changed; nothing when there is nothing new to tell (a post
        cannot be edited, and X refuses a reply that repeats an earlier one)."""
        text = self.update_text(entry, posted)
        if text is None:
            return None
        data = self._call(
            self.client.create_tweet,
            text=text,
            in_reply_to_tweet_id=posted.require_remote_id(),
            user_auth=True,
        )["data"]
        return RemotePost(str(data["id"]), self.permalink(str(data["id"])), text)

    def update_preview(self, entry: Entry, posted: Record) -> dict[str, Any]:
        preview: dict[str, Any] = {"reply_text": self.update_text(entry, posted)}
        untold = untold_corrections(entry, posted)
        if untold:
            # A reply tells one correction: the post is in step only once the last is told
            # (and then a new headline), each recorded as told before the next is sent.
            told = [*told_corrections(entry, posted), untold[0]]
            preview |= {"hash": posted.hash, "corrections": told, "title": posted.title}
        return preview

    # A withdrawal deletes the City's replies first (`_takedowns` in syndicate.py).
    withdrawal_said: ClassVar[str] = (
        "nothing is posted; its post there, if any, is deleted, with the City's replies to it"
    )

    def withdraw(self, remote_id: str) -> None:
        self._call(self.client.delete_tweet, remote_id, user_auth=True)

    def announcing(self, entry: Entry) -> Iterator[RemotePost]:
        me = self._me()
        for tweet in self._recent_posts():
            if _announces(tweet, entry.url, me):
                yield RemotePost(str(tweet["id"]), self.permalink(str(tweet["id"])), tweet["text"])

    def find_update(
        self, entry: Entry, posted: Record, intent: Mapping[str, Any] | None = None
    ) -> RemotePost | None:
        # An interrupted update's reply said what its intent recorded, whatever the
        # announcement says now (its correction written over, its headline changed again);
        # an intent from before `reply_text` was recorded, what it would say now.
        texts: tuple[str, ...] | None
        if intent is not None and "reply_text" in intent:
            texts = (intent["reply_text"],) if intent["reply_text"] else None
        else:
            texts = self._next_reply(entry, posted)
        if texts is None:
            return None
        # What identifies the reply: its text before the link, as sent now or in the wording
        # of before replies linked the guidelines.
        sent_as = {text.rsplit("\n", 1)[0]: text for text in texts}
        for tweet in self._recent_posts():
            if str(tweet["id"]) in posted.replies:
                continue  # an earlier update, already recorded
            refs = tweet.get("referenced_tweets", [])
            replies = any(
                r.get("type") == "replied_to" and str(r.get("id")) == posted.remote_id for r in refs
            )
            shown = tweet["text"]
            sent = next((text for start, text in sent_as.items() if shown.startswith(start)), None)
            if replies and sent is not None and entry.url in shown:
                # Recorded as sent, not as X shows it, so that it is known when told again.
                return RemotePost(str(tweet["id"]), self.permalink(str(tweet["id"])), sent)
        return None

    def reply_up(self, reply_id: str) -> bool:
        # X answers a deleted post's lookup with 200 and an error in place of its data (the
        # sandbox, and an older API, with 404).
        try:
            answer = self._call(self.client.get_tweet, reply_id, user_auth=True)
        except NotFound:
            return False
        return bool(answer.get("data"))

    def comments(self, remote_id: str) -> list[Comment]:
        """Every reply in the post's conversation (see `comments_of`)."""
        return self.comments_of([remote_id])[remote_id]

    def batches(self, remote_ids: Sequence[str]) -> list[list[str]]:
        """The posts, in their order, as many to a search as its query holds
        (`SEARCH_QUERY_LIMIT`): each search counts against X's window (60 in 15 minutes on
        Basic), however many conversations it asks about."""
        groups: list[list[str]] = []
        for remote_id in remote_ids:
            if groups and len(_conversations_query([*groups[-1], remote_id])) <= (
                SEARCH_QUERY_LIMIT
            ):
                groups[-1].append(remote_id)
            else:
                groups.append([remote_id])
        return groups

    def comments_of(self, remote_ids: Sequence[str]) -> dict[str, list[Comment]]:
        """Every reply in each post's conversation, by post, from one recent search of them
        all (`conversation_id:A OR conversation_id:B …`, page by page), the City's own
        answers to residents too (as on Facebook and YouTube); `collect` leaves out its update
        replies, from the ledger."""
        found: dict[str, list[Comment]] = {str(remote_id): [] for remote_id in remote_ids}
        token = None
        while True:
            page = self._call(
                self.client.search_recent_tweets,
                _conversations_query(list(found)),
                max_results=100,
                next_token=token,
                user_auth=True,
                # entities: each link as written, for the t.co X puts in the text.
                tweet_fields=[
                    "author_id",
                    "created_at",
                    "referenced_tweets",
                    "conversation_id",
                    "entities",
                ],
                # Who wrote each reply: X gives only an account id unless asked for the account.
                expansions=["author_id"],
                user_fields=["name", "username"],
            )
            accounts = {str(u["id"]): u for u in page.get("includes", {}).get("users", [])}
            for tweet in page.get("data", []):
                conversation = str(tweet.get("conversation_id", ""))
                if str(tweet["id"]) in found or conversation not in found:
                    continue  # a post itself, should search list it with its replies
                parent = next(
                    (
                        r["id"]
                        for r in tweet.get("referenced_tweets", [])
                        if r.get("type") == "replied_to"
                    ),
                    None,
                )
                author_id = str(tweet.get("author_id", ""))
                account = accounts.get(author_id, {})
                found[conversation].append(
                    Comment(
                        self.name,
                        conversation,
                        str(tweet["id"]),
                        # Named as on Facebook and YouTube; the id only if X gave no account.
                        account.get("name") or account.get("username") or author_id,
                        tweet.get("text", ""),
                        tweet.get("created_at", ""),
                        parent_id=parent,
                        author_id=author_id,
                        author_username=account.get("username", ""),
                        by_city=author_id == self._me(),
                    )
                )
            token = page.get("meta", {}).get("next_token")
            if not token:
                return found

    def hide_comment(self, comment_id: str, hidden: bool) -> None:
        verb = self.client.hide_reply if hidden else self.client.unhide_reply
        self._call(verb, comment_id, user_auth=True)

    def _me(self) -> str:
        if self._user_id is None:
            self._user_id = str(self._call(self.client.get_me, user_auth=True)["data"]["id"])
        return self._user_id

    @classmethod
    def update_text(cls, entry: Entry, posted: Record) -> str | None:
        """The next reply's text: the oldest correction not yet told, or once all are, a
        changed headline; None when neither (a changed summary or body is on the page, which
        the post links to)."""
        texts = cls._next_reply(entry, posted)
        return texts[0] if texts else None

    @staticmethod
    def _next_reply(entry: Entry, posted: Record) -> tuple[str, str] | None:
        """The next reply's text (see `update_text`), then as it was written before replies
        linked the guidelines, as a run of earlier code may have sent and recorded it; None
        when there is nothing to tell, or it was told in either wording in a reply still up (X
        refuses a reply that repeats one)."""
        untold = untold_corrections(entry, posted)
        if untold:
            note = untold[0]
        elif _retitled(entry, posted):
            note = entry.title
        else:
            return None
        texts = (
            x_update_text(note, entry.url, entry.comment_guidelines),
            x_update_text_without_guidelines(note, entry.url),
        )
        return None if set(texts) & set(posted.reply_texts) else texts

    def permalink(self, tweet_id: str) -> str:
        return f"https://x.com/i/web/status/{tweet_id}"

    # Helpers

    def _recent_posts(self) -> list[dict[str, Any]]:
        user_id = self._me()
        posts: list[dict[str, Any]] = []
        token = None
        for _ in range(SEARCH_PAGES):
            page = self._call(
                self.client.get_users_tweets,
                user_id,
                max_results=100,
                pagination_token=token,
                tweet_fields=["author_id", "entities", "referenced_tweets"],
                user_auth=True,
            )
            posts.extend(page.get("data", []))
            token = page.get("meta", {}).get("next_token")
            if not token:
                break
        return posts

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return _as_written(dict(function(*args, **kwargs)))
        except tweepy.TweepyException as error:
            raise self._translate(error) from None
        except requests.RequestException as error:
            raise network_error(self._clean(f"X: network error: {error}"), error) from None

    def _translate(self, error: tweepy.TweepyException) -> PlatformError:
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
        headers = response.headers if response is not None else {}
        detail = "; ".join(getattr(error, "api_messages", []) or []) or str(error)
        message = self._clean(f"X error (HTTP {status}): {detail}")
        if isinstance(error, tweepy.TooManyRequests):
            if (daily := _daily_cap_reached(headers)) is not None:
                return daily
            reset = _epoch(headers.get("x-rate-limit-reset"))
            wait = max(1.0, reset.timestamp() - time.time()) if reset else 60.0
            return RateLimited(message, retry_after=wait)
        if isinstance(error, tweepy.TwitterServerError):
            # X may carry a write out and answer 5xx all the same ("over capacity", a
            # gateway's page): lost, never sent again unseen. A read is tried again.
            if _writes(response):
                return AnswerLost(f"{message} (to a write)")
            return TransientError(message)
        if isinstance(error, tweepy.Unauthorized):  # the app's or the account's keys refused
            return AuthError(message, CREDENTIALS[self.name])
        if isinstance(error, tweepy.Forbidden) and DUPLICATE in detail:
            return Duplicate(message)
        if isinstance(error, tweepy.NotFound) or (
            isinstance(error, tweepy.Forbidden) and REPLY_TO_DELETED in detail
        ):
            return NotFound(message)
        return PermanentError(message)

    def _clean(self, message: str) -> str:
        return redact(message, self._secrets)


def _writes(response: requests.Response | None) -> bool:
    """Whether the call answered was a write (a post, a deletion, a hide): anything but GET."""
    request = getattr(response, "request", None)
    return str(getattr(request, "method", None) or "GET").upper() != "GET"


def _conversations_query(remote_ids: Sequence[str]) -> str:
    """The recent-search query for the replies in each post's conversation."""
    return " OR ".join(f"conversation_id:{remote_id}" for remote_id in remote_ids)


def _as_written(response: dict[str, Any]) -> dict[str, Any]:
    """X's answer with each post's text as its author wrote it: what the City sent, to
    recognise its own posts, and what residents wrote, to judge and archive. X gives &, < and
    > as HTML entities (`&amp;` `&lt;` `&gt;`), every & included, so unescaping gives back
    what was written; and each link as t.co, which `entities.urls` (when asked for) expands."""
    data = response.get("data")
    for post in data if isinstance(data, list) else [data]:
        if isinstance(post, dict) and isinstance(post.get("text"), str):
            post["text"] = _links_expanded(html.unescape(post["text"]), post.get("entities", {}))
    return response


def _links_expanded(text: str, entities: dict[str, Any]) -> str:
    """`text` with each t.co link as the link its author wrote (`expanded_url`): found by its
    t.co address, not at `start`/`end`, which unescaping the text first would shift."""
    expanded = {
        u["url"]: u["expanded_url"]
        for u in entities.get("urls", [])
        if u.get("url") and u.get("expanded_url")
    }
    if not expanded:
        return text
    shortened = re.compile("|".join(map(re.escape, expanded)))
    return shortened.sub(lambda link: expanded[link[0]], text)


def _daily_cap_reached(headers: Mapping[str, str]) -> QuotaExhausted | None:
    """The daily quota, if a 429 says a 24-hour post cap is used up: the account's or the
    app's, each in its own headers. Either holds every post back until it resets (the later,
    if both are used up), however soon the 15-minute window ends."""
    reached = [cap for cap in DAILY_CAPS if headers.get(f"x-{cap}-limit-24hour-remaining") == "0"]
    if not reached:
        return None
    resets = [_epoch(headers.get(f"x-{cap}-limit-24hour-reset")) for cap in reached]
    reset = max((r for r in resets if r is not None), default=None)
    whose = " and ".join(DAILY_CAPS[cap] for cap in reached)
    when = f"; it resets {reset:%Y-%m-%d %H:%M} UTC" if reset else ""
    return QuotaExhausted(f"X daily post limit reached ({whose}){when}", reset)


def _epoch(value: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC) if value else None
    except ValueError:
        return None


def _announces(tweet: dict[str, Any], url: str, author: str) -> bool:
    """Whether the tweet is `author`'s own post of the announcement at `url`: not a reply,
    repost or quote, and its last line is the link, as `x_text` puts it (read as written, not
    as X's t.co). A post that mentions the URL elsewhere is not it."""
    if tweet.get("referenced_tweets") or str(tweet.get("author_id")) != author:
        return False
    return tweet.get("text", "").rsplit("\n", 1)[-1].strip() == url


def _retitled(entry: Entry, posted: Record) -> bool:
    """Whether the headline changed since the post; a post recorded before headlines were
    (an older ledger) began with its headline, after any "URGENT: "."""
    if posted.title is not None:
        return entry.title != posted.title
    return posted.text is not None and entry.title not in posted.text
