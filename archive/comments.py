"""Every version of every comment, kept as records.

`comments.jsonl` (hash-chained, append-only) gets one line per new comment, one per edit (a new
version, of its text or of what it shows: a photo, sticker or GIF; the earlier one stays in
the file) and one when a comment disappears from the platform: because its author deleted it,
or (`removed_with`) with the comment it replied to, where the platform deletes a comment's
replies with it, or (`removed_with_post`) with the post the City withdrew, where the platform
deletes a post's comments with it, or with a post deleted on the platform itself, outside this
system (`post_deleted_on_platform` as well) (the City's own answer's line is marked `by_city`,
as its versions are). Collecting again records only what changed. The picture a version shows
is downloaded and kept with the records (`archive/pictures.py`): the version's line says which
file holds it, or why it was not kept, and a later line (`comment_picture`) what a later
collect that tried again found. Two runs that collected the same
thing on their own copies of the archive (joined by `records push`) both keep their lines; a
version or deletion read again is the same record, counted once (`Repeats`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from syndication.base import Comment

from .chain import ChainFile, naming_line
from .comment_types import COMMENT, COMMENTS_FILE, DELETION, PICTURE_LINE, check_types
from .pictures import (
    TRIED_AGAIN,
    PictureKeeper,
    earlier_turn,
    kept,
    picture_address,
    picture_source,
    unsigned,
    worth_trying,
)

# How a comment left the platform, as every record of it words it.
DELETED_BY_AUTHOR = "deleted by its author"
REMOVED_WITH_THREAD = "removed with the comment it replied to"
REMOVED_WITH_POST = "removed with the withdrawn post"
REMOVED_WITH_DELETED_POST = "removed with the post deleted on the platform"


@dataclass
class CommentState:
    """A comment as the archive knows it: its latest version and whether it is gone."""

    platform: str
    id: str
    post_id: str
    announcement: str
    author: str
    text: str
    version: int
    deleted: bool = False
    by_city: bool = False  # the City's own answer: a record, never moderated
    attachment: dict[str, Any] | None = None  # what its latest version shows besides its text
    # Whether its latest version's picture was kept, as the lines say (None: never tried).
    picture: dict[str, Any] | None = None
    versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def removal(self) -> str:
        """How the comment, once `deleted`, left the platform (`how_removed`)."""
        return how_removed(self.versions[-1])


def how_removed(event: Mapping[str, Any]) -> str:
    """How a `comment_deleted` line says the comment left the platform: with the post the City
    withdrew, with a post deleted on the platform outside this system, with the comment it
    replied to, or deleted by its author (every line written before replies were told
    apart)."""
    if event.get("removed_with_post"):
        return (
            REMOVED_WITH_DELETED_POST
            if event.get("post_deleted_on_platform")
            else REMOVED_WITH_POST
        )
    return REMOVED_WITH_THREAD if event.get("removed_with") else DELETED_BY_AUTHOR


@dataclass
class CollectCounts:
    new: int = 0
    edited: int = 0
    deleted: int = 0
    unchanged: int = 0
    pictures_kept: int = 0
    pictures_not_kept: int = 0
    pictures_left: int = 0  # of versions archived before: not asked, left for the next run


class Repeats:
    """Which lines of the comment file repeat a record an earlier line made, read in file
    order. Two runs collecting at once on their own copies of the archive each write the same
    new version (or deletion); the join keeps both copies' lines, since hash-chained lines are
    never rewritten. The earlier line is the record: the search, the FOI report and the
    archive's state count it once, and a stale copy's version joined after a newer one does
    not become the comment's latest again. One run never writes a repeat: each of its versions
    is numbered anew, and it deletes only a comment not deleted."""

    def __init__(self) -> None:
        # Each version recorded, and each comment whose last record deleted it: by the line
        # that recorded it.
        self._versions: dict[tuple[str, str, int, str, str], int] = {}
        self._deleted: dict[tuple[str, str], int] = {}

    def of_earlier(self, event: Mapping[str, Any]) -> bool:
        """Whether `event` records again what an earlier line recorded; False for a new record
        (which this then remembers)."""
        return self.earlier_line(event) is not None

    def earlier_line(self, event: Mapping[str, Any], line: int = 0) -> int | None:
        """The line of the record `event` repeats (0 where lines were not numbered); None for
        a new record, which this then remembers as recorded by `line`."""
        key = (event["platform"], event["comment_id"])
        if event["kind"] == COMMENT:
            version = (*key, event["version"], event["text"], _as_text(event.get("attachment")))
            if version in self._versions:
                return self._versions[version]
            self._versions[version] = line
            self._deleted.pop(key, None)
        elif event["kind"] == DELETION:
            if key in self._deleted:  # deleted once: deleting it again adds nothing
                return self._deleted[key]
            self._deleted[key] = line
        return None


def _as_text(attachment: Any) -> str:
    """An attachment as it shows, the same however its keys were ordered when written."""
    return json.dumps(_as_shown(attachment), sort_keys=True)


def _as_shown(attachment: Any) -> Any:
    """An attachment without its picture link's signature (`unsigned`): the same picture
    signed anew is no edit. Another picture has another address."""
    address = picture_address(attachment)
    if address is None or unsigned(address) == address:
        return attachment
    media = attachment["media"]
    return {**attachment, "media": {**media, "image": {**media["image"], "src": unsigned(address)}}}


class EarlierPicture(NamedTuple):
    """An unchanged comment whose latest version's picture is to be tried again, and where
    the platform shows it now (its link signed anew)."""

    announcement: str
    state: CommentState
    source: str


class CommentArchive:
    def __init__(self, records_dir: Path) -> None:
        self.chain = ChainFile(records_dir / COMMENTS_FILE)
        self._by_post: dict[tuple[str, str], dict[tuple[str, str], CommentState]] | None = None
        # Found by `record`, asked by `record_earlier_pictures` once every post is visited.
        self.earlier_pictures: list[EarlierPicture] = []

    def state(self) -> dict[tuple[str, str], CommentState]:
        """Each comment as the archive's lines leave it. ChainError, naming the file, line and
        field, for a line without a field its kind has or with one not of its type (valid
        JSON, so written by hand: the archive's writers give every line them all, so typed),
        as the records commands say it."""
        comments: dict[tuple[str, str], CommentState] = {}
        repeats = Repeats()
        for number, event in self.chain.reading():
            with naming_line(self.chain.path, number, "comment"):
                check_types(event)
                if not repeats.of_earlier(event):
                    _fold(comments, event)
        return comments

    def read(self) -> None:
        """Read the archive now, before anything is recorded: a line added by hand stops the
        run then (`state`), not once it has recorded part of what it found."""
        self._posts()

    def _posts(self) -> dict[tuple[str, str], dict[tuple[str, str], CommentState]]:
        """The archive's comments by (platform, post), read once per instance: a collection
        records hundreds of posts, and the archive grows to hundreds of thousands of lines."""
        if self._by_post is None:
            self._by_post = {}
            for key, state in self.state().items():
                self._by_post.setdefault((state.platform, state.post_id), {})[key] = state
        return self._by_post

    def record(
        self,
        announcement: str,
        platform: str,
        post_id: str,
        current: Iterable[Comment],
        hidden_by_city: frozenset[tuple[str, str]] = frozenset(),
        listed_since: datetime | None = None,
        replies_go_with_their_comment: bool = False,
        pictures: PictureKeeper | None = None,
    ) -> CollectCounts:
        """Compare what the platform shows now with the archive; append only the changes.

        A known comment missing from the listing was deleted by its author, unless it or the
        comment it replies to is in `hidden_by_city` (comments the City hid, on a platform whose
        listing leaves them out) or it was made before `listed_since`, as far back as the
        listing reaches. Where `replies_go_with_their_comment` (the platform deletes a
        comment's replies with it), a reply whose comment is gone too was removed with it.
        With `pictures`, each new version's picture is downloaded and its line says where it
        is kept or why not; an unchanged comment's picture not kept for want of an answer (or
        never tried) is noted, to be tried again once every post is visited
        (`record_earlier_pictures`)."""
        known = self._posts().setdefault((platform, post_id), {})
        counts = CollectCounts()
        seen = set()
        changes: list[dict[str, Any]] = []
        for comment in current:
            key = (platform, comment.id)
            seen.add(key)
            state = known.get(key)
            source = picture_source(comment.attachment) if pictures else None
            if state is not None and _same(state, comment) and not state.deleted:
                counts.unchanged += 1
                if pictures and source and worth_trying(state.picture):
                    self.earlier_pictures.append(EarlierPicture(announcement, state, source))
                continue
            version = state.version + 1 if state else 1
            if state:
                counts.edited += 1
            else:
                counts.new += 1
            line = {
                "kind": COMMENT,
                "announcement": announcement,
                "comment_id": comment.id,
                "version": version,
                **{k: v for k, v in asdict(comment).items() if k != "id"},
            }
            if pictures and source:
                line["picture"] = pictures.keep(source)
                _count_picture(line["picture"], counts)
            changes.append(line)
        vanished = [
            state
            for key, state in known.items()
            if key not in seen
            and not state.deleted
            # A comment the City hid that the platform no longer lists is not known to be
            # deleted, nor is a reply to it (YouTube leaves out a rejected comment's whole
            # thread).
            and key not in hidden_by_city
            and _parent(state) not in hidden_by_city
            # Aged out of the listing: not known to be deleted.
            and (listed_since is None or _created(state) >= listed_since)
        ]
        gone = {(platform, state.id) for state in vanished} | {
            key for key, state in known.items() if state.deleted
        }
        for state in vanished:
            counts.deleted += 1
            # Its comment gone, now or before: the platform took the reply with it, and the
            # records must not say that its author deleted it.
            with_its_comment = replies_go_with_their_comment and _parent(state) in gone
            how = {"removed_with": _parent(state)[1]} if with_its_comment else {}
            changes.append(_deletion(announcement, post_id, state, **how))
        for event in self.chain.extend(changes):
            _fold(known, event)  # this post's comments, kept in step with the file
        return counts

    def record_earlier_pictures(
        self, pictures: PictureKeeper, run: datetime
    ) -> dict[str, CollectCounts]:
        """Try again the pictures `record` noted, every post's together, in the run's turn
        (`earlier_turn`: not the same few first every run), up to the run's share
        (`PictureKeeper.keep_earlier`; the rest are `pictures_left`), and record what came of
        each on a line of its own; counts by platform."""
        counts: dict[str, CollectCounts] = {}
        changes: list[dict[str, Any]] = []
        waiting = sorted(
            self.earlier_pictures,
            key=lambda e: earlier_turn((e.state.platform, e.state.id, e.state.version), run),
        )
        self.earlier_pictures = []
        for earlier in waiting:
            state = earlier.state
            platform = counts.setdefault(state.platform, CollectCounts())
            picture = pictures.keep_earlier(earlier.source)
            if picture is None:  # this run's share asked, or the CDN stopped answering
                platform.pictures_left += 1
            else:
                changes.extend(_tried_again(earlier.announcement, state, picture, platform))
        posts = self._posts()
        for event in self.chain.extend(changes):
            _fold(posts.setdefault((event["platform"], event["post_id"]), {}), event)
        return counts

    def removed_with_post(
        self, announcement: str, platform: str, post_id: str, deleted_on_platform: bool = False
    ) -> CollectCounts:
        """Record each comment still up on a post the City withdrew, or (`deleted_on_platform`)
        that was deleted on the platform itself, where the platform deletes a post's comments
        with it (Facebook), as removed with the post: gone, and not by its author's hand.
        Nothing is asked of the platform, which knows the post no more."""
        known = self._posts().setdefault((platform, post_id), {})
        how: dict[str, Any] = {"removed_with_post": post_id}
        if deleted_on_platform:
            how["post_deleted_on_platform"] = True
        changes = [
            _deletion(announcement, post_id, state, **how)
            for state in known.values()
            if not state.deleted
        ]
        for event in self.chain.extend(changes):
            _fold(known, event)
        return CollectCounts(deleted=len(changes))


def _count_picture(picture: dict[str, Any], counts: CollectCounts) -> None:
    if kept(picture):
        counts.pictures_kept += 1
    else:
        counts.pictures_not_kept += 1


def _tried_again(
    announcement: str, state: CommentState, picture: dict[str, Any], counts: CollectCounts
) -> list[dict[str, Any]]:
    """The line recording what a later collect found of a version's picture: kept, or not
    for good (expired, too large, not an image); or, never tried before, that it was tried.
    Nothing when it again had no answer (said once already: the next collect tries again)."""
    if state.picture is not None and picture.get("not_kept") in TRIED_AGAIN:
        return []
    _count_picture(picture, counts)
    return [
        {
            "kind": PICTURE_LINE,
            "announcement": announcement,
            "platform": state.platform,
            "post_id": state.post_id,
            "comment_id": state.id,
            "version": state.version,
            "author": state.author,
            **({"by_city": True} if state.by_city else {}),
            "picture": picture,
        }
    ]


def _deletion(announcement: str, post_id: str, state: CommentState, **how: Any) -> dict[str, Any]:
    """The line recording that a comment left the platform; `how`, if not by its author."""
    return {
        "kind": DELETION,
        "announcement": announcement,
        "platform": state.platform,
        "post_id": post_id,
        "comment_id": state.id,
        "author": state.author,
        # Whose it was, as its versions say: the City's answer stays the City's.
        **({"by_city": True} if state.by_city else {}),
        **how,
    }


def _fold(comments: dict[tuple[str, str], CommentState], event: dict[str, Any]) -> None:
    """Bring `comments` up to date with one archive line."""
    key = (event["platform"], event["comment_id"])
    if event["kind"] == COMMENT:
        state = comments.get(key)
        if state is None:
            state = comments[key] = CommentState(
                event["platform"],
                event["comment_id"],
                event["post_id"],
                event["announcement"],
                event["author"],
                event["text"],
                0,
            )
        state.text, state.version, state.deleted = event["text"], event["version"], False
        state.by_city = bool(event.get("by_city"))
        state.attachment = event.get("attachment")
        state.picture = event.get("picture")
        state.versions.append(event)
    elif event["kind"] == PICTURE_LINE and key in comments:
        if comments[key].version == event.get("version"):
            comments[key].picture = event.get("picture")
    elif event["kind"] == DELETION and key in comments:
        comments[key].deleted = True
        comments[key].versions.append(event)


def _parent(state: CommentState) -> tuple[str, str]:
    """The comment this one replies to, as the archive keys it (no such comment if none)."""
    return (state.platform, str(state.versions[0].get("parent_id")))


def _same(state: CommentState, comment: Comment) -> bool:
    """Whether the platform shows the comment as its latest version: the same text, and the
    same photo, sticker or GIF (or none)."""
    return state.text == comment.text and _as_shown(state.attachment) == _as_shown(
        comment.attachment
    )


def attachment_sources(attachment: dict[str, Any]) -> list[str]:
    """Where to see what a comment's attachment shows, as Graph gives it: its picture (a
    photo, sticker, GIF, a video's frame), then its page on the platform, each once."""
    found = (picture_address(attachment), attachment.get("url"))
    return list(dict.fromkeys(str(source) for source in found if source))


def _created(state: CommentState) -> datetime:
    """When the platform says the comment was made (its first archived version)."""
    created = str(state.versions[0].get("created") or "")
    try:
        made = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)  # unknown: treat as old, never as deleted
    return made if made.tzinfo else made.replace(tzinfo=UTC)
