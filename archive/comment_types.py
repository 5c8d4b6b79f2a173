"""What each field of a comments.jsonl line holds, and the values it takes, as its writers
give it (`CommentArchive.record` and `_deletion` in archive/comments.py, `_tried_again` for a
picture's later line): read by the archive's state, the records search, retention and verify
(archive/pictures.py), each checking a line by it before reading it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .line_types import (
    CHAINED,
    COUNT,
    MAPPING_OR_NULL,
    ORDINAL,
    PLATFORM,
    TEXT,
    TEXT_OR_NULL,
    TIME_OR_NULL,
    TRUE_OR_FALSE,
    FieldType,
    check_fields,
    is_moment,
    of,
    one_of,
)

# Where the archive keeps the comment lines, under RECORDS_DIR.
COMMENTS_FILE = Path("archive") / "comments.jsonl"
# Each kind of line: a version of a comment, its deletion, and what a later collect found of a
# version's picture (archive/pictures.py).
COMMENT, DELETION, PICTURE_LINE = "comment", "comment_deleted", "comment_picture"
KINDS = (COMMENT, DELETION, PICTURE_LINE)
# Each field of a comments.jsonl line as its writers give it (`CommentArchive.record`, a
# version: the platform's `Comment`; `_deletion`, a deletion), where the line has it. Read
# otherwise, a line added by hand would stop a later step with a TypeError ("version": "2"
# plus one), or be misread ("by_city": "no" is true), or its values would ("created": "x"
# sorted among times, a due date counted from it).
FIELD_TYPES: dict[str, FieldType] = {
    **CHAINED,
    "kind": one_of(KINDS),
    "platform": PLATFORM,
    **dict.fromkeys(("announcement", "post_id", "comment_id"), TEXT),
    "version": ORDINAL,
    **dict.fromkeys(("author", "text", "author_id", "author_username"), TEXT),
    # When the platform says it was made, in its own form (Graph's +0000, X's Z); empty where
    # it gave none (`Comment.created`). An edit's, where it says (YouTube), or null.
    "created": of(
        str,
        expected="an ISO 8601 time with its offset, or empty",
        values=lambda value: value == "" or is_moment(value),
    ),
    "updated": TIME_OR_NULL,
    **dict.fromkeys(("parent_id", "moderation_status"), TEXT_OR_NULL),
    **dict.fromkeys(("hidden", "by_city", "post_deleted_on_platform"), TRUE_OR_FALSE),
    "attachment": MAPPING_OR_NULL,  # as Graph gives it: `type`, `url`, `media`
    "picture": MAPPING_OR_NULL,  # kept with the records (archive/pictures.py), or why not
    **dict.fromkeys(("removed_with", "removed_with_post"), TEXT),  # a deletion's
}
# Of an attachment, what is read of it to show where to see it (`attachment_sources`).
ATTACHMENT_TYPES: dict[str, FieldType] = {"media": MAPPING_OR_NULL}
MEDIA_TYPES: dict[str, FieldType] = {"image": MAPPING_OR_NULL}
# Of a picture, what export, retention and verify read of it.
PICTURE_TYPES: dict[str, FieldType] = {
    **dict.fromkeys(("sha256", "file", "type", "not_kept", "why"), TEXT),
    "bytes": COUNT,
}


def check_types(event: Mapping[str, Any]) -> None:
    """WrongType for the first field of a comment line, or of its attachment, not of the type
    its writers give it (the records search reads the file by it too)."""
    check_fields(event, FIELD_TYPES)
    attachment = event.get("attachment") or {}
    check_fields(attachment, ATTACHMENT_TYPES, "attachment.")
    check_fields(attachment.get("media") or {}, MEDIA_TYPES, "attachment.media.")
    check_fields(event.get("picture") or {}, PICTURE_TYPES, "picture.")
