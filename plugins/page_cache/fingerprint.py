"""Fingerprints of the values a page is rendered from.

Two builds give a page the same fingerprint only when every value its template reads is the
same: text, numbers, dates, lists, dicts, Pelican's content objects and URL wrappers, our
dataclasses. A value of a kind this module does not know cannot be fingerprinted, and its
page is simply rendered again; being unsure costs time, never a stale page.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
import re
import types
from collections.abc import Iterable, Mapping
from datetime import date, time, timedelta, tzinfo
from decimal import Decimal
from hashlib import blake2b
from pathlib import PurePath
from typing import Any

from pelican.contents import Content
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper

# Attributes of Pelican's objects that are not what a page shows: the whole build's context
# and settings (settings are fingerprinted once, for the whole site), and the metadata dict,
# whose every entry Pelican also sets as an attribute.
IGNORED_ATTRIBUTES = frozenset({"_context", "settings", "metadata"})
# Scalars whose repr() is their value, and says their type.
_SCALARS = (
    str,
    bytes,
    int,
    float,
    bool,
    type(None),
    date,
    time,
    timedelta,
    tzinfo,
    Decimal,
    PurePath,
)
_SIZE = 16
# A site URL no page has, to resolve a page's links once for all the pages that show it.
_LINK_PROBE = "\0siteurl"


class Unfingerprintable(TypeError):
    """A value this module cannot vouch for; the page that reads it is rendered again."""


def digest(*parts: bytes) -> bytes:
    return blake2b(b"".join(parts), digest_size=_SIZE).digest()


class Fingerprinter:
    """Fingerprints for one build: each object, list and dict is fingerprinted once.

    The memo holds each object it fingerprinted, so an id is never reused for another object
    while the memo lives; objects must not change while pages are written, which holds for
    Pelican's output phase.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Any, bytes]] = {}
        self._open: set[int] = set()  # being fingerprinted: met again, it is a cycle

    def of(self, value: Any) -> bytes:
        """A value's fingerprint: a scalar's own text, or a digest of a compound value's parts.

        A scalar is b"S<type>:<repr>\0" (a repr never holds a NUL byte) and a compound value
        b"D" and a fixed-length digest, so a sequence of parts can be read only one way. The
        class name keeps str apart from Markup, which templates do not escape.
        """
        if isinstance(value, _SCALARS):
            return b"S%s:%s\0" % (type(value).__qualname__.encode(), repr(value).encode())
        remembered = self._memo.get(id(value))
        if remembered is not None:
            return remembered[1]
        if id(value) in self._open:
            # Translations list each other, for one: no finite fingerprint to vouch for.
            raise Unfingerprintable(f"a {type(value).__qualname__} that contains itself")
        self._open.add(id(value))
        try:
            fingerprint = b"D" + self._compute(value)
        finally:
            self._open.discard(id(value))
        self._memo[id(value)] = (value, fingerprint)
        return fingerprint

    def _compute(self, value: Any) -> bytes:
        kind = type(value).__qualname__.encode()
        if isinstance(value, (list, tuple)):
            return digest(kind, *map(self.of, value))
        if isinstance(value, (set, frozenset)):
            return digest(kind, *sorted(self.of(item) for item in value))
        if isinstance(value, Mapping):
            return digest(kind, self._items(value.items()))
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
            return digest(kind, f"{value.__module__}.{value.__qualname__}".encode())
        if isinstance(value, types.ModuleType):
            return digest(kind, value.__name__.encode())
        if isinstance(value, re.Pattern):
            return digest(kind, repr(value).encode())
        if isinstance(value, URLWrapper):
            # A category, tag or author is its name and slug (its URL follows from the slug and
            # the settings); the slug is computed on first use, so read it, not `_slug`.
            return digest(kind, repr((value.name, value.slug)).encode())
        if isinstance(value, Paginator):
            # Not the whole list it pages through: a page shows only its own slice (a Page,
            # fingerprinted as an object) and these numbers.
            numbers = (value.name, value.url, value.per_page, value.count, value.num_pages)
            return digest(kind, repr(numbers).encode())
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = ((f.name, getattr(value, f.name)) for f in dataclasses.fields(value))
            return digest(kind, self._items(fields))
        if hasattr(value, "__dict__"):
            return self._object(value, kind)
        raise Unfingerprintable(f"cannot fingerprint a {type(value).__qualname__}")

    def _object(self, value: Any, kind: bytes) -> bytes:
        attributes = sorted(
            (name, item) for name, item in vars(value).items() if name not in IGNORED_ATTRIBUTES
        )
        parts = [kind, self._pickled(attributes)]
        if isinstance(value, Content) and _has_links(value):
            # {filename} and {static} links are resolved when the page is rendered, against
            # the other pages' and files' URLs: the resolved text is what the page shows.
            parts.append(self.of(value.get_content(_LINK_PROBE)))
        return digest(*parts)

    def _pickled(self, attributes: list[tuple[str, Any]]) -> bytes:
        """An object's attributes as pickle writes them: quicker than walking them here, and
        as exact (pickle records every value with its class). Pelican's objects go in as their
        own fingerprints. A set's order varies from one process to the next, so an object
        holding one is only ever rendered again, never stale.
        """
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, self).dump(attributes)
        except (pickle.PicklingError, TypeError, AttributeError, ValueError) as error:
            raise Unfingerprintable(f"cannot fingerprint an attribute: {error}") from error
        return buffer.getvalue()

    def _items(self, items: Iterable[tuple[Any, Any]]) -> bytes:
        of = self.of
        pairs = []
        for key, item in items:
            # Text is most of what objects hold: it skips a call to `of` (same encoding).
            pairs.append(
                (
                    b"K%s\0" % key.encode() if type(key) is str else of(key),
                    b"Sstr:%s\0" % repr(item).encode() if type(item) is str else of(item),
                )
            )
        pairs.sort()
        return digest(*(part for pair in pairs for part in pair))


def _fingerprinted(fingerprint: bytes) -> bytes:
    """What `_Pickler` writes in place of an object: its fingerprint (never unpickled)."""
    return fingerprint


class _Pickler(pickle.Pickler):
    def __init__(self, buffer: io.BytesIO, fingerprints: Fingerprinter) -> None:
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self.fingerprints = fingerprints
        # No memo: a value shared twice is written twice, so equal values give equal bytes
        # whether or not they happen to be one object in this build (a cycle: ValueError).
        self.fast = True

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, (Content, URLWrapper, Paginator)):
            return (_fingerprinted, (self.fingerprints.of(obj),))
        return NotImplemented


def _has_links(content: Content) -> bool:
    text = getattr(content, "_content", None) or ""
    return "{" in text or "|" in text
