"""The small interface every platform implements, and the errors it raises.

One class per platform (facebook.py, twitter.py, youtube.py), the way granary does it: the
same verbs everywhere. Each maps its client library's exceptions onto the few errors below,
so retrying, deferring and reporting are decided once, in `syndicate.py`.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from .manifest import Entry

if TYPE_CHECKING:  # at run time, the ledger imports config.py, which imports http.py, this
    from .ledger import Record


class PlatformError(Exception):
    """A call failed; the message is the platform's own, with secrets removed."""


class TransientError(PlatformError):
    """5xx, timeouts and dropped connections: worth retrying after a pause."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AnswerLost(TransientError):
    """The call was sent but no answer came (the client gave up waiting, or the connection
    dropped): the platform may have carried it out, or may still be carrying it out."""


class RateLimited(TransientError):
    """429 with a reset time: wait until then (up to a cap), then retry."""


class QuotaExhausted(PlatformError):
    """A daily quota is used up: a normal condition; the rest waits for the next run."""

    def __init__(self, message: str, resume_at: datetime | None) -> None:
        super().__init__(message)
        self.resume_at = resume_at


class PermanentError(PlatformError):
    """4xx: authentication or validation. Retrying would not help."""


class AuthError(PermanentError):
    """The platform refuses the City's credentials (expired, revoked or mistyped): every
    further call with them would be refused the same way, so the platform stops at the first.
    The message names the environment variables to renew, never their values."""

    def __init__(self, message: str, variables: Iterable[str]) -> None:
        super().__init__(f"{message}; the credentials were refused: renew {', '.join(variables)}")


class Duplicate(PermanentError):
    """The platform refuses the write as one it already has (X: "duplicate content"): it is
    there, landed unseen or made by hand, to be found and recorded rather than sent again."""


class NotFound(PermanentError):
    """The remote object does not exist (e.g. already deleted)."""


class CommentsOff(PlatformError):
    """The post's comments are turned off: none is listed now, and none is known deleted."""


@dataclass(frozen=True)
class RemotePost:
    """A post as it exists on the platform."""

    id: str
    url: str
    text: str = ""


@dataclass(frozen=True)
class Comment:
    """A public comment or reply on one of the City's posts, as the platform shows it now."""

    platform: str
    post_id: str
    id: str
    author: str
    text: str
    created: str
    parent_id: str | None = None
    author_id: str = ""
    # The author's @username where the platform has one besides their name (X): it names them
    # too, and replies to them start with it.
    author_username: str = ""
    updated: str | None = None
    hidden: bool = False
    # Written by the City's own account (its answers to residents): kept as a record like any
    # comment, never moderated.
    by_city: bool = False
    # Where the platform holds comments back from the public until the City publishes or
    # rejects them (YouTube: published, heldForReview, likelySpam), the state it is in.
    moderation_status: str | None = None
    # What the comment shows besides its text (Facebook: a photo, sticker, GIF, video or link,
    # as `type`, `url` and `media`): a picture may be all there is.
    attachment: dict[str, Any] | None = None


# Each platform's name as people know it, for every message that names one.
LABELS = {"facebook": "Facebook", "twitter": "X", "youtube": "YouTube"}


class Platform(ABC):
    """What syndication needs from a social platform."""

    name: ClassVar[str]
    label: ClassVar[str]
    # How far back `comments` reaches (None: every comment ever made). A comment older than
    # that which is no longer listed may simply have aged out, not been deleted.
    comments_window: ClassVar[timedelta | None] = None
    # Whether `comments` still lists a comment the City hid. Where it does not, a hidden comment
    # (or a reply to it) that is no longer listed is not known to be deleted; where it does, one
    # that vanished was.
    lists_hidden_comments: ClassVar[bool] = True
    # Whether `comments` still lists a withdrawn post's comments; where not, they went with it.
    comments_outlive_withdrawal: ClassVar[bool] = False
    # Whether deleting a comment deletes its replies (Facebook, YouTube): there a reply that
    # vanished with its comment was removed with it, not deleted by its own author.
    replies_go_with_their_comment: ClassVar[bool] = True
    # Whether `update` edits the post (Facebook's message, YouTube's title and description);
    # where not (X), it sends a reply only when there is news to tell, and otherwise nothing.
    edits_posts: ClassVar[bool] = True

    @abstractmethod
    def create(self, entry: Entry) -> RemotePost:
        """Publish the entry's post; return what was created."""

    @abstractmethod
    def update(self, entry: Entry, posted: Record) -> RemotePost | None:
        """Bring the post (`posted.remote_id`) in step with a changed entry, or a step nearer
        (see `update_preview`). Returns a new post when the platform cannot edit and answers
        with a reply instead (X), else None."""

    # What `withdraw` does to the announcement's post here, as `invoke preview` says it.
    withdrawal_said: ClassVar[str]

    @abstractmethod
    def withdraw(self, remote_id: str) -> None:
        """Take the post, or the City's reply to it (X), down (delete, or make private where
        deleting loses records)."""

    @abstractmethod
    def announcing(self, entry: Entry) -> Iterator[RemotePost]:
        """The City's own posts whose link is the entry's canonical URL (where the platform
        carries the link, as `create` puts it), newest first, looked up page by page. A post
        that merely mentions the URL (a correction pointing at a newer notice, a resident's
        share) does not announce the entry."""

    def find_existing(self, entry: Entry, taken: Collection[str] = ()) -> RemotePost | None:
        """The entry's post, if already on the platform: never one of `taken`, the posts the
        ledger gives other announcements."""
        return next((post for post in self.announcing(entry) if post.id not in taken), None)

    def told_by_create(self, entry: Entry) -> list[str]:
        """The entry's correction notes the post `create` makes tells, recorded as told: all of
        them where it leads with them (Facebook's message, YouTube's description). Those it
        does not tell are told after it, as `update` tells any correction not yet told."""
        return entry.correction_notes

    def find_update(
        self, entry: Entry, posted: Record, intent: Mapping[str, Any] | None = None
    ) -> RemotePost | None:
        """The reply `update` would post, if it is already there (platforms that reply); given
        the intent of an interrupted update, the reply that update sent (its `reply_text`),
        whatever the announcement says now."""
        return None

    def reply_up(self, reply_id: str) -> bool:
        """Whether the City's reply to a post is still on the platform (platforms that reply:
        a withdrawal's deletion of it may have gone through unrecorded)."""
        return False

    def edited_text(self, entry: Entry) -> str | None:
        """What the post says once `update` has edited it, kept in the ledger as the City's
        record of what it published; None where `update` does not edit the post (X answers
        with a reply, whose text is recorded instead)."""
        return None

    def says_now(self, remote_id: str) -> str | None:
        """What the post says now, read from the platform as `edited_text` gives it (Facebook's
        message, YouTube's title and description), so that an edit a stopped run made unrecorded
        is told from one it never made; None where the platform cannot tell (X, which answers
        with a reply, found by `find_update` instead). Raises NotFound if the post is gone."""
        return None

    def update_preview(self, entry: Entry, posted: Record) -> dict[str, Any]:
        """What `update` would send, as the ledger records it with the update's intent and
        its outcome (named as a create's lines name it): `text`, the post's text once edited
        (`edited_text`), or the `reply_text` of the reply a platform that cannot edit posts
        sends instead (X). Where one `update` tells only part of a change (X: a reply per
        correction), also what the platform has then been told (`hash`, `corrections`,
        `title`); else it is all of it."""
        edited = self.edited_text(entry)
        return {} if edited is None else {"text": edited}

    @abstractmethod
    def comments(self, remote_id: str) -> list[Comment]:
        """Every comment and reply on the post, as the platform lists them now."""

    def batches(self, remote_ids: Sequence[str]) -> list[list[str]]:
        """The posts, in their order, in the groups `comments_of` asks about in one call
        (with its pages): each alone where the platform asks about one post a call."""
        return [[remote_id] for remote_id in remote_ids]

    def comments_of(self, remote_ids: Sequence[str]) -> dict[str, list[Comment]]:
        """`comments` of each post of one of `batches`' groups, by post."""
        return {remote_id: self.comments(remote_id) for remote_id in remote_ids}

    @abstractmethod
    def hide_comment(self, comment_id: str, hidden: bool) -> None:
        """Hide (or unhide) a comment on the platform. Nothing is ever deleted."""

    def post_gone(self, post_id: str) -> bool:
        """Once the platform has answered that a comment of the post does not exist
        (`NotFound`): whether that is because the post is gone from the platform, and its
        comments with it (deleted there outside this system, or taken down by the platform).
        False where the comment alone is gone, or the platform's answer says which already;
        raises an AuthError where the City's credentials no longer reach the account."""
        return False

    def preview(self, entry: Entry) -> dict[str, Any]:
        """Exactly what `create` would send, without sending it."""
        return dict(entry.posts[self.name])


# Tokens a message may quote that are in no environment variable: one a client obtained in
# the run (YouTube's access token, from its refresh token), echoed by an error body as a
# header, a query or a JSON answer.
TOKEN_NAMES = r"access_token|oauth_token|client_secret|refresh_token|id_token"
_TOKENS = (
    # In a query string or an OAuth 1.0a header: name=value, name="value".
    (re.compile(rf"\b({TOKEN_NAMES})=(\"?)[^&\s\"',]+"), r"\1=\2[redacted]"),
    # In JSON: "name": "value".
    (re.compile(rf'("(?:{TOKEN_NAMES})"\s*:\s*")[^"]*'), r"\1[redacted]"),
    # In an Authorization header.
    (re.compile(r"\b(Bearer)\s+[\w.~+/=-]+"), r"\1 [redacted]"),
)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Remove secrets, and any token a message quotes (see `_TOKENS`), from a message."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    for pattern, replacement in _TOKENS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Scrubs secrets from every log record, including client libraries' debug logs
    (urllib3 logs URLs with facebook-sdk's query-string token; requests-oauthlib logs headers)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


@contextmanager
def redacted_logs(secrets: Iterable[str]) -> Iterator[None]:
    """Attach a RedactingFilter to every handler of the root logger while the block runs."""
    scrub = RedactingFilter(secrets)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(scrub)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(scrub)
