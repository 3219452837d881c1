"""Page (offset pagination) and CursorPage with opaque, tamper-evident keyset cursors."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from shopdb.core.errors import InvalidCursor

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


def offset_of(page: int, per_page: int) -> int:
    """The OFFSET of a 1-based page; a page below 1 or a size below 1 is refused."""
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page start at 1")
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


_DECODERS: dict[type, Any] = {datetime: datetime.fromisoformat, UUID: UUID, int: int, str: str}


class CursorCodec:
    """Signs keyset positions so a client can hold them but not forge or alter them."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._key = secret or secrets.token_bytes(32)

    def encode(self, listing: str, position: Sequence[Any]) -> str:
        """An opaque cursor for ``position`` (the sort key of the last row) in ``listing``."""
        payload = json.dumps(
            [listing, [_plain(value) for value in position]], separators=(",", ":")
        )
        body = payload.encode()
        return f"{_b64(body)}.{_b64(self._sign(body))}"

    def decode(self, listing: str, cursor: str, shape: Sequence[type]) -> tuple[Any, ...]:
        """The position stored in ``cursor``; InvalidCursor unless it is intact and ours."""
        try:
            body_text, tag_text = cursor.split(".")
            body, tag = _unb64(body_text), _unb64(tag_text)
        except (ValueError, binascii.Error):
            raise InvalidCursor("the cursor is malformed") from None
        if not hmac.compare_digest(tag, self._sign(body)):
            raise InvalidCursor("the cursor was altered or not issued by this service")
        try:
            name, values = json.loads(body)
            if name != listing or len(values) != len(shape):
                raise ValueError
            return tuple(_DECODERS[kind](value) for kind, value in zip(shape, values, strict=True))
        except (ValueError, TypeError, KeyError):
            raise InvalidCursor(f"the cursor does not belong to the listing {listing}") from None

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_TAG_BYTES]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


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
