"""What a video's file says besides its picture and sound, read before it goes to YouTube.

YouTube gets a video's file as it is. A phone's MP4 or QuickTime video says where it was
taken, and may say whose phone took it, in its header (the `moov` box of ISO BMFF, ISO/IEC
14496-12, which MP4, M4V and QuickTime's MOV share):

- `moov/udta/©xyz`, an ISO 6709 string ("+49.0966-117.7116/"): Android, and iPhones before
  iOS 11; `udta/loci`, 3GPP's location (3GPP TS 26.244), some other phones;
- `moov/meta`, whose `keys` name its items (`ilst`) and whose handler is `mdta`: iPhones,
  `com.apple.quicktime.location.ISO6709` (and `.location.name`, …) and
  `com.apple.quicktime.author`;
- `udta/©aut` and 3GPP's `udta/auth`: an author.

None of the libraries that read MP4 files (mutagen, hachoir, pymp4) reads both `©xyz` and
Apple's `keys` (mutagen reads iTunes' `ilst` alone, hachoir neither, pymp4 reads the media
data into memory), so the boxes are walked here: only their headers on the way to `moov`,
then the few boxes inside it where these are written (never the media data, nor a track's
sample tables), each read bounded in size, count and depth, so that a huge or damaged file is
refused as unreadable at once, never read whole.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .file_versions import once_per_version

# Files read as ISO BMFF by their name; a file of another name (a video's other suffixes)
# whose first box is one of these is read too, as it is uploaded as what it holds.
ISO_BMFF_SUFFIXES = frozenset({".mp4", ".mov", ".m4v"})
_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot", b"uuid"})
# The boxes inside `moov` that hold boxes where a location or an author is written.
_HOLDERS = frozenset({b"trak", b"udta", b"meta", b"ilst"})
_PLACES = {b"\xa9xyz": "©xyz", b"loci": "loci"}
_AUTHORS = {b"\xa9aut": "©aut", b"auth": "auth"}
# A QuickTime text (©xyz, ©aut) starts with its length and language: one of no more is empty.
_EMPTY_TEXT = 4
# Bounds: a real header has a few tracks of a few boxes; a fragmented video for streaming
# has two top-level boxes per fragment. A `keys` box names a few items in a few hundred bytes.
MAX_TOP_LEVEL_BOXES = 100_000
MAX_HEADER_BOXES = 10_000
MAX_DEPTH = 8
MAX_KEYS_BYTES = 1 << 20


class UnreadableVideo(Exception):
    """A file that cannot be read as a video: what else it says is not known."""


@dataclass
class Holdings:
    """What a video's header says besides its picture and sound: the boxes or keys naming
    where it was taken and who made it, in the order they come."""

    places: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)

    def add(self, found: list[str], name: str) -> None:
        if name not in found:
            found.append(name)


@once_per_version
def video_problem(path: Path) -> str | None:
    """Why the video file at `path` may not be uploaded as it is (after its name, in a
    message), or None."""
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            held = holdings(file, size, path.suffix.lower() in ISO_BMFF_SUFFIXES)
    except (UnreadableVideo, OSError):
        return "cannot be read as a video"
    if held is None or not (held.places or held.authors):
        return None
    return said_besides(held, path.name)


def said_besides(held: Holdings, name: str) -> str:
    """What a video holds, and how to copy it without that (ffmpeg keeps its picture and
    sound as they are, `-c copy`, and writes none of its metadata, `-map_metadata -1`)."""
    what = []
    if held.places:
        what.append(f"where it was taken ({', '.join(held.places)})")
    if held.authors:
        what.append(f"who made it ({', '.join(held.authors)})")
    stem, dot, suffix = name.rpartition(".")
    clean = f"{stem}-clean{dot}{suffix}" if stem else f"{name}-clean"
    command = f"ffmpeg -i {shlex.quote(name)} -map_metadata -1 -c copy {shlex.quote(clean)}"
    return (
        f"holds {' and '.join(what)}, which would go to YouTube with it; copy it without that "
        f"(in its folder: {command}) and name the copy"
    )


def holdings(file: BinaryIO, size: int, by_name: bool = True) -> Holdings | None:
    """What the header of the ISO BMFF file `file` (of `size` bytes) holds, or UnreadableVideo.
    Unless `by_name` (its name says it is one), a file whose first box is not one of a video's
    is None: not read as one."""
    if not by_name:
        file.seek(0)
        if file.read(8)[4:] not in _FIRST_BOXES:
            return None
    held, offset, boxes, header = Holdings(), 0, 0, False
    while offset < size:
        boxes += 1
        if boxes > MAX_TOP_LEVEL_BOXES:
            raise UnreadableVideo
        kind, body, end = _box(file, offset, size)
        if offset == 0 and kind not in _FIRST_BOXES:
            raise UnreadableVideo
        if kind == b"moov":
            header = True
            _inside(file, body, end, held, [MAX_HEADER_BOXES], 1)
        offset = end  # the media data (mdat) is passed over by its size, never read
    if not header:
        raise UnreadableVideo  # no player can play a video without one
    return held


def _box(file: BinaryIO, offset: int, limit: int) -> tuple[bytes, int, int]:
    """The type of the box at `offset`, where its content starts and where it ends, which
    must be no further than `limit` (its parent's end, or the file's): a size of 1 is a 64-bit
    size after the type, 0 is up to `limit`."""
    file.seek(offset)
    head = file.read(8)
    if len(head) < 8:
        raise UnreadableVideo
    size, kind, body = int.from_bytes(head[:4], "big"), head[4:], offset + 8
    if size == 1:
        large = file.read(8)
        if len(large) < 8:
            raise UnreadableVideo
        size, body = int.from_bytes(large, "big"), offset + 16
    elif size == 0:
        size = limit - offset
    if size < body - offset or offset + size > limit:
        raise UnreadableVideo  # smaller than its own header, or past its parent's end
    return kind, body, offset + size


def _inside(
    file: BinaryIO, start: int, end: int, held: Holdings, budget: list[int], depth: int
) -> None:
    """Note in `held` each location or author among the boxes from `start` to `end`, and in
    those of them that hold more (a track, user data, metadata)."""
    if depth > MAX_DEPTH:
        raise UnreadableVideo
    offset = start
    while offset < end:
        if end - offset == 4:
            file.seek(offset)
            if file.read(4) == bytes(4):
                return  # QuickTime may end a list of user data with a 32-bit zero
        budget[0] -= 1
        if budget[0] < 0:
            raise UnreadableVideo
        kind, body, box_end = _box(file, offset, end)
        if kind in _PLACES and box_end - body > _EMPTY_TEXT:
            held.add(held.places, _PLACES[kind])
        elif kind in _AUTHORS and box_end - body > _EMPTY_TEXT:
            held.add(held.authors, _AUTHORS[kind])
        elif kind == b"keys":
            _keys(file, body, box_end, held)
        elif kind == b"meta":
            _inside(file, _meta_children(file, body, box_end), box_end, held, budget, depth + 1)
        elif kind in _HOLDERS:
            _inside(file, body, box_end, held, budget, depth + 1)
        offset = box_end


def _meta_children(file: BinaryIO, body: int, end: int) -> int:
    """Where a `meta` box's boxes start: at once in QuickTime's (its handler, hdlr, first),
    after a version and flags in ISO's."""
    file.seek(body)
    first = file.read(8)
    return body if first[4:] == b"hdlr" else min(body + 4, end)


def _keys(file: BinaryIO, body: int, end: int, held: Holdings) -> None:
    """Apple's names of a `meta` box's items (`keys`: a version and flags, their count, then
    each one's size, namespace and name): `com.apple.quicktime.location.ISO6709`, …"""
    if end - body > MAX_KEYS_BYTES:
        raise UnreadableVideo
    file.seek(body)
    data = file.read(end - body)
    if len(data) < 8:
        raise UnreadableVideo
    offset = 8
    for _ in range(int.from_bytes(data[4:8], "big")):
        size = int.from_bytes(data[offset : offset + 4], "big")
        if size < 8 or offset + size > len(data):
            raise UnreadableVideo
        name = data[offset + 8 : offset + size].decode("utf-8", "replace")
        words = name.lower().split(".")
        if "location" in words:
            held.add(held.places, name)
        elif words[-1] == "author":
            held.add(held.authors, name)
        offset += size
