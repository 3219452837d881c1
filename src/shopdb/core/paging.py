"""Page (offset pagination) and CursorPage with opaque, tamper-evident keyset cursors."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar
from uuid import UUID

from shopdb.core.errors import InvalidCursor, InvalidInput

T = TypeVar("T")
_TAG_BYTES = 16


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of an offset listing; ``page`` counts from 1."""

    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the listing has (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        """True when a later page holds rows."""
        return self.page * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        """True unless this is the first page."""
        return self.page > 1

    @property
    def offset(self) -> int:
        """Rows skipped before this page."""
        return offset_of(self.page, self.per_page)


@dataclass(frozen=True, slots=True)
class Keyset:
    """How a keyset listing is sorted: the row keys of its ORDER BY (the query takes
    ``after_<key>`` for each) and the position before its first row."""

    order: tuple[str, ...]
    start: tuple[Any, ...]

    def __post_init__(self) -> None:
        if not self.order or len(self.order) != len(self.start):
            raise ValueError("a keyset needs one start value per sort key")


_LATEST = datetime.max.replace(tzinfo=UTC)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
NEWEST_FIRST = Keyset(("created_at", "id"), (_LATEST, UUID(int=(1 << 128) - 1)))
"""ORDER BY created_at DESC, id DESC with ``(created_at, id) < (:after_created_at, :after_id)``."""
OLDEST_FIRST = Keyset(("created_at", "id"), (_EARLIEST, UUID(int=0)))
"""ORDER BY created_at, id with ``(created_at, id) > (:after_created_at, :after_id)``."""


def offset_of(page: int, per_page: int) -> int:
    """The OFFSET of a 1-based page; a page below 1 or a size below 1 is refused."""
    for field, value in (("page", page), ("per_page", per_page)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            message = "must be an integer from 1 (page and per_page start at 1)"
            raise InvalidInput(
                f"{field} {message}", errors=[{"field": field, "message": message, "type": field}]
            )
    return (page - 1) * per_page


@dataclass(frozen=True, slots=True)
class CursorPage(Generic[T]):
    """One page of a keyset listing; ``next_cursor`` fetches the following page."""

    items: Sequence[T]
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        """True when there is a page after this one."""
        return self.next_cursor is not None


class CursorCodec:
    """Signs keyset positions so a client can hold them but not forge or alter them.

    A cursor is bound to the listing it was issued for (the query's name) and to the filter
    values of that call: shown to another listing, or with other filters, it is refused.
    Sort keys keep their exact type: datetime, date, Decimal, UUID, int, bool and text
    (enum members travel as their text value).
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._key = secret or secrets.token_bytes(32)

    def use_key(self, secret: bytes) -> None:
        """Sign and check with ``secret`` from now on (Database.open: the database's key)."""
        self._key = secret

    def encode(
        self, listing: str, position: Sequence[Any], filters: Mapping[str, Any] | None = None
    ) -> str:
        """An opaque cursor for ``position`` (the sort key of the last row) in ``listing``."""
        payload = [listing, _fingerprint(filters), [_tagged(value) for value in position]]
        body = json.dumps(payload, separators=(",", ":")).encode()
        return f"{_b64(body)}.{_b64(self._sign(body))}"

    def decode(
        self, listing: str, cursor: str, filters: Mapping[str, Any] | None = None
    ) -> tuple[Any, ...]:
        """The position stored in ``cursor``; InvalidCursor unless it is intact, ours, and
        issued for this listing with these filters."""
        try:
            body_text, tag_text = cursor.split(".")
            body, tag = _unb64(body_text), _unb64(tag_text)
        except (ValueError, binascii.Error, AttributeError):
            raise InvalidCursor("the cursor is malformed") from None
        if not hmac.compare_digest(tag, self._sign(body)):
            raise InvalidCursor("the cursor was altered or not issued by this service")
        try:
            name, fingerprint, values = json.loads(body)
            if name != listing:
                raise ValueError
            position = tuple(_untagged(value) for value in values)
        except (ValueError, TypeError, KeyError, ArithmeticError):
            raise InvalidCursor(f"the cursor does not belong to the listing {listing}") from None
        if fingerprint != _fingerprint(filters):
            raise InvalidCursor(f"the cursor was issued for other filters of {listing}")
        return position

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_TAG_BYTES]


# Order matters: bool before int (a bool is an int), datetime before date (likewise).
_TAGS: tuple[tuple[type, str, Callable[[Any], str], Callable[[str], Any]], ...] = (
    (bool, "b", lambda v: "1" if v else "0", lambda t: {"1": True, "0": False}[t]),
    (int, "i", str, int),
    (datetime, "t", datetime.isoformat, datetime.fromisoformat),
    (date, "d", date.isoformat, date.fromisoformat),
    (Decimal, "n", str, Decimal),
    (UUID, "u", str, UUID),
    (str, "s", str, str),  # StrEnum members too: their value
)
_BY_TAG = {tag: load for _, tag, _, load in _TAGS}


def _tagged(value: Any) -> list[str]:
    for kind, tag, dump, _ in _TAGS:
        if isinstance(value, kind):
            text = value.value if isinstance(value, Enum) else dump(value)
            return [tag, str(text)]
    raise TypeError(f"a sort key of type {type(value).__name__} cannot go into a cursor")


def _untagged(value: Any) -> Any:
    tag, text = value
    if not isinstance(text, str):
        raise TypeError
    return _BY_TAG[tag](text)


def _fingerprint(filters: Mapping[str, Any] | None) -> str:
    """A short digest of the filter values a cursor was issued for (None counts as a value)."""
    if not filters:
        return ""
    items = sorted((name, _filter_value(value)) for name, value in filters.items())
    digest = hashlib.sha256(json.dumps(items, separators=(",", ":")).encode()).digest()
    return _b64(digest[:12])


def _filter_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple | set | frozenset):
        return [_filter_value(item) for item in value]
    try:
        return _tagged(value)
    except TypeError:
        return ["r", repr(value)]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text or not text.isascii():
        raise ValueError("empty")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # The last character of unpadded base64 has spare bits: only the canonical form counts,
    # so that every altered character is refused.
    if _b64(data) != text:
        raise ValueError("not canonical")
    return data
