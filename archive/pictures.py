"""The pictures residents' comments show, kept with the records (FOIPPA: retrievable).

A Facebook comment's attachment (a photo, sticker, GIF, a video's frame) is archived with
each version as Graph gives it, links included (`attachment.media.image.src`), but the CDN's
links are signed and expire within days: months later, an FOI request could get the link and
not the picture. So `invoke collect` downloads the picture of each version it archives, once,
and keeps it content-addressed, `RECORDS_DIR/archive/attachments/<sha256>.<ext>` (the same
picture twice is one file), the version's line saying which file holds it (`picture`:
`sha256`, `file`, `type`, `bytes`) or why it was not kept (`not_kept`: `expired`, a 404 or
410 from the CDN; `too_large`, over `MAX_BYTES`; `not_an_image`, by its Content-Type or its
first bytes (`image_type`: a proxy's error page may be labelled an image); `refused`, another
answer; `unreachable`, no answer, after a retry). A failure never stops the collection nor loses
the comment's line. A later collect tries again a picture not kept because the CDN did not
answer (or of a version archived before pictures were kept) while the comment is listed
with it, and records what became of it on a line of its own (`comment_picture`, naming the
comment and version): the archive's lines are never rewritten. One run asks for at most
`EARLIER_PER_RUN` such earlier pictures, in an order drawn afresh each run (`earlier_turn`),
and none after `STALLED_AFTER` pictures in a row went unanswered (a stalled CDN would
otherwise hold the run, and the archive's lock, for days). X and YouTube give no picture
with a comment (X's replies' media are not asked for, YouTube comments have none).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeGuard

import requests

from syndication.base import TransientError
from syndication.http import DEFAULT_TIMEOUT, is_web_address
from syndication.syndicate import Retry

from .chain import ChainError, ChainFile, naming_line
from .comment_types import COMMENTS_FILE, PICTURE_LINE, check_types

ATTACHMENTS = Path("archive") / "attachments"
# A download under way is written beside the pictures under this prefix, then renamed to its
# hash: one left by a run killed mid-download is never committed (`archive.git.IGNORED`), and
# the next collect removes it.
INCOMING = ".incoming-"
# A phone's photo is a few megabytes; Facebook's largest renditions stay well under this.
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024
# The image types kept, and the extension each file is given.
IMAGE_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/avif": "avif",
    "image/bmp": "bmp",
}
# How each kept type's file begins: a CDN or proxy may answer its error page under an image's
# Content-Type, and that page is no picture. (Pillow would read each format's whole header,
# and knows no HEIC without a plugin: these few bytes say enough.)
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
    b"BM": "image/bmp",
}
# HEIC and AVIF files open with an ISO `ftyp` box naming the brands they follow.
AVIF_BRANDS = frozenset({b"avif", b"avis"})
HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
HEAD = 64  # bytes read for the type: every signature, and an ftyp box's usual brands
# The line recording what became of a version's picture after its own line was written.
# Why a picture was not kept.
EXPIRED = "expired"
TOO_LARGE = "too_large"
NOT_AN_IMAGE = "not_an_image"
REFUSED = "refused"
UNREACHABLE = "unreachable"
# Worth asking again at a later collect: the CDN did not answer; the others would say the same.
TRIED_AGAIN = frozenset({UNREACHABLE})
# Each picture is asked twice, each time waiting up to the timeout: with the CDN stalled and
# thousands of pictured comments, a collect would run for days holding the archive's lock and
# commit nothing. After this many pictures in a row without an answer, a run asks for no more
# (each new version's line says so: not kept, unreachable, not asked); the next run tries again.
STALLED_AFTER = 3
# How many pictures of versions archived before (never tried, or without an answer) one run
# asks for at most, after the new versions' (`earlier_turn`): the rest wait for the next run.
EARLIER_PER_RUN = 50


class _NotKept(Exception):
    def __init__(self, reason: str, why: str) -> None:
        super().__init__(why)
        self.reason = reason
        self.why = why


def picture_address(attachment: Any) -> str | None:
    """The address of the picture an attachment shows, as Graph gives it (`media.image.src`,
    signed), if any. Read here alone: where to see it (`comments.attachment_sources`), what
    is downloaded (`picture_source`) and the no-edit comparison (`unsigned`) take it so."""
    if not isinstance(attachment, dict):
        return None
    media = attachment.get("media")
    image = media.get("image") if isinstance(media, dict) else None
    address = image.get("src") if isinstance(image, dict) else None
    return address if isinstance(address, str) and address else None


def picture_source(attachment: Any) -> str | None:
    """Where to download the picture an attachment shows: its address, when a web one."""
    address = picture_address(attachment)
    return address if address is not None and is_web_address(address) else None


def unsigned(address: str) -> str:
    """A picture's address without its signature: Facebook's CDN signs each link (its query:
    `oh`, `oe`) for days at a time, and Graph then gives it signed anew, the same picture at
    the same address."""
    return address.split("?", 1)[0]


def image_type(head: bytes) -> str | None:
    """The kept image type a file whose first bytes are `head` is, by its signature; None
    for any other file (an HTML page, a video)."""
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":  # size, "ftyp", major brand, minor version, compatible brands
        end = min(int.from_bytes(head[:4], "big"), len(head))
        brands = {head[8:12]} | {head[n : n + 4] for n in range(16, end - 3, 4)}
        if brands & AVIF_BRANDS:
            return "image/avif"
        if brands & HEIC_BRANDS:
            return "image/heic"
    return None


def earlier_turn(version: VersionKey, run: datetime) -> str:
    """Where the picture of a version archived before comes in the run's turn (sorted by
    this): in an order drawn afresh from the run's time. Asked in the same order each run,
    a few at the front that never answer would use up the run's `STALLED_AFTER` every time
    and those behind them would never be asked; the lines say nothing of a picture asked
    again without an answer, so which was asked last is not known. Each run, any picture is
    as likely as any other to come among the first `STALLED_AFTER`, which a run that asks for
    earlier pictures at all asks, whatever they answer."""
    return hashlib.sha256(f"{run.isoformat()} {version}".encode()).hexdigest()


def kept(picture: Any) -> TypeGuard[dict[str, Any]]:
    """Whether a `picture` field says a file holds the picture."""
    return isinstance(picture, dict) and isinstance(picture.get("sha256"), str)


def worth_trying(picture: Any) -> bool:
    """Whether a version's picture, as recorded (None: never tried), may be fetched again."""
    if picture is None:
        return True
    return isinstance(picture, dict) and picture.get("not_kept") in TRIED_AGAIN


class PictureKeeper:
    """Downloads pictures into RECORDS_DIR/archive/attachments, streaming, within `max_bytes`."""

    def __init__(
        self,
        records_dir: Path,
        session: requests.Session | None = None,
        max_bytes: int = MAX_BYTES,
        retry: Retry | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        stalled_after: int | None = None,
        earlier_per_run: int | None = None,
    ) -> None:
        self.folder = records_dir / ATTACHMENTS
        self.session = session or requests.Session()
        self.max_bytes = max_bytes
        self.retry = retry or Retry(attempts=2, backoff=0.5)
        self.timeout = timeout
        self.stalled_after = STALLED_AFTER if stalled_after is None else stalled_after
        self.earlier_left = EARLIER_PER_RUN if earlier_per_run is None else earlier_per_run
        self.unanswered = 0  # pictures in a row the CDN did not answer
        # A run holds the archive's lock: a download file there now is a killed run's.
        for left in self.folder.glob(f"{INCOMING}*"):
            left.unlink(missing_ok=True)

    @property
    def stalled(self) -> bool:
        """Whether the CDN left the last `stalled_after` pictures unanswered: not asked again
        in this run."""
        return self.unanswered >= self.stalled_after

    def keep(self, source: str) -> dict[str, Any]:
        """The `picture` field for the picture at `source`: the file that holds it, or why it
        was not kept (not asked, once the CDN has stopped answering). Never raises for what
        the CDN answers or fails to answer."""
        if self.stalled:
            return {
                "not_kept": UNREACHABLE,
                "why": f"not asked: the CDN did not answer the last {self.stalled_after}",
            }
        try:
            picture = self.retry(self._download, source)
        except _NotKept as failure:
            picture = {"not_kept": failure.reason, "why": failure.why}
        except TransientError as error:
            self.unanswered += 1
            return {"not_kept": UNREACHABLE, "why": str(error)}
        except OSError as error:  # the records folder: a full disk, say
            return {"not_kept": UNREACHABLE, "why": f"not written ({error.strerror or error})"}
        self.unanswered = 0
        return picture

    def keep_earlier(self, source: str) -> dict[str, Any] | None:
        """`keep`, for the picture of a version archived before (never tried, or without an
        answer); None, not asked, once this run has asked for its share (`earlier_per_run`)
        or the CDN has stopped answering: the next run asks."""
        if self.stalled or self.earlier_left <= 0:
            return None
        self.earlier_left -= 1
        return self.keep(source)

    def _download(self, source: str) -> dict[str, Any]:
        try:
            response = self.session.get(source, stream=True, timeout=self.timeout)
        except requests.RequestException as error:
            raise TransientError(f"no answer ({type(error).__name__})") from None
        with response:
            status = response.status_code
            if status in (404, 410):
                raise _NotKept(EXPIRED, f"the link answered {status} (expired)")
            if status == 429 or status >= 500:
                raise TransientError(f"the link answered {status}")
            if status != 200:
                raise _NotKept(REFUSED, f"the link answered {status}")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type not in IMAGE_TYPES:
                raise _NotKept(NOT_AN_IMAGE, f"not an image ({content_type or 'no type given'})")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise _NotKept(TOO_LARGE, f"{declared} bytes, over {self.max_bytes}")
            return self._store(response, content_type)

    def _store(self, response: requests.Response, labelled: str) -> dict[str, Any]:
        """The body written under a temporary name, hashed as it comes, then named by its hash
        and given the type its bytes are (`image_type`), whatever its label (`labelled`)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        handle, name_given = tempfile.mkstemp(dir=self.folder, prefix=INCOMING)
        temporary = Path(name_given)
        try:
            with os.fdopen(handle, "wb") as out:
                try:
                    for chunk in response.iter_content(CHUNK):
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise _NotKept(TOO_LARGE, f"over {self.max_bytes} bytes")
                        digest.update(chunk)
                        out.write(chunk)
                        if len(head) < HEAD:
                            head += chunk[: HEAD - len(head)]
                except requests.RequestException as error:
                    raise TransientError(f"cut short ({type(error).__name__})") from None
                content_type = image_type(head)
                if content_type is None:
                    raise _NotKept(
                        NOT_AN_IMAGE,
                        f"not an image (labelled {labelled}, but its bytes are no picture "
                        "of a kept type)",
                    )
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            name = ATTACHMENTS / f"{sha256}.{IMAGE_TYPES[content_type]}"
            target = self.folder / name.name
            if target.is_file() and file_sha256(target) == sha256:
                temporary.unlink()  # the same picture, kept already
            else:
                temporary.replace(target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return {"sha256": sha256, "file": name.as_posix(), "type": content_type, "bytes": size}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


VersionKey = tuple[str, str, int]  # platform, comment id, version


class PictureLine(NamedTuple):
    """A comment line that records a version's picture: its own (`comment`), or what a later
    collect found of it (`comment_picture`)."""

    number: int  # the line's, in the comment file
    kind: str
    version: VersionKey
    picture: Any


def picture_lines(lines: Iterable[tuple[int, Mapping[str, Any]]]) -> Iterator[PictureLine]:
    """Each picture the comment lines (numbered, of the types their writers give) record, by
    the version it belongs to, in file order: a version's own, then any later line's about
    it."""
    for number, event in lines:
        kind = event.get("kind")
        if kind in ("comment", PICTURE_LINE) and "picture" in event:
            key = (str(event.get("platform")), str(event.get("comment_id")), event.get("version"))
            yield PictureLine(number, str(kind), (key[0], key[1], key[2] or 0), event["picture"])


def kept_file(picture: Any) -> str | None:
    """The file a `picture` field says holds the picture, if it says one does."""
    return picture["file"] if kept(picture) and isinstance(picture.get("file"), str) else None


def version_pictures(records_dir: Path) -> dict[VersionKey, dict[str, Any]]:
    """The picture kept for each comment version (the last line about it that kept one)."""
    found: dict[VersionKey, dict[str, Any]] = {}
    for line in picture_lines(ChainFile(records_dir / COMMENTS_FILE).reading()):
        if kept(line.picture):
            found[line.version] = line.picture
    return found


def verify_pictures(records_dir: Path) -> list[str]:
    """One problem per picture file the comment lines name that is missing or no longer the
    picture kept (its SHA-256 differs), and per line that says a picture was kept without
    naming its file; empty when every one is intact. Only the lines that hold a record of the
    types their writers give are read for their pictures: a line that holds none (cut short,
    not JSON) is the chain's to name (`ChainFile.verify`), and one with a field not of its
    type (added by hand) is named here, as every records command names it."""
    comments = ChainFile(records_dir / COMMENTS_FILE)
    problems = []

    def typed() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, event in comments.whole_events():
            try:
                with naming_line(comments.path, number, "comment"):
                    check_types(event)
            except ChainError as error:
                problems.append(str(error))
                continue
            yield number, event

    # Each file named, with its SHA-256, in order, and the lines naming it: the records
    # officer needs the comment a missing picture belongs to, not only the file's name.
    recorded: dict[tuple[str, str], list[int]] = {}
    for line in picture_lines(typed()):
        if not kept(line.picture):
            continue
        file = kept_file(line.picture)
        if file is None:
            problems.append(
                f"{comments.path}:{line.number}: picture recorded (sha256 "
                f"{line.picture['sha256']}) without the file that holds it"
            )
            continue
        recorded.setdefault((file, line.picture["sha256"]), []).append(line.number)
    for (name, sha256), numbers in recorded.items():
        path = records_dir / name
        by = _recorded_by(comments.path, numbers)
        if not path.is_file():
            problems.append(f"{path}: picture missing (recorded with sha256 {sha256} by {by})")
        elif file_sha256(path) != sha256:
            problems.append(
                f"{path}: picture altered: its sha256 is not {sha256}, as recorded by {by}"
            )
    return problems


def _recorded_by(comments: Path, numbers: list[int]) -> str:
    """The comment lines that recorded a picture, as a problem names them: the first, and
    how many more (a picture shown by many versions would fill the screen)."""
    more = len(numbers) - 1
    return f"{comments}:{numbers[0]}" + (f" and {more} later line(s)" if more else "")
