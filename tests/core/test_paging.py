"""Page arithmetic and tamper-evident keyset cursors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopdb import InvalidCursor, Page
from shopdb.core.paging import CursorCodec, offset_of
from shopdb.models import UserStatus

positions = st.tuples(st.datetimes(timezones=st.just(UTC)), st.uuids())


@given(total=st.integers(0, 10_000), per_page=st.integers(1, 200), page=st.integers(1, 100))
def test_page_flags_agree_with_the_rows_before_and_after_it(
    total: int, per_page: int, page: int
) -> None:
    current: Page[int] = Page(items=[], total=total, page=page, per_page=per_page)

    assert current.has_previous == (page > 1)
    assert current.has_next == (offset_of(page, per_page) + per_page < total)
    assert current.pages * per_page >= total
    assert current.offset == (page - 1) * per_page


@pytest.mark.parametrize(("page", "per_page"), [(0, 10), (1, 0), (-3, 5)])
def test_a_page_or_size_below_one_is_refused(page: int, per_page: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        offset_of(page, per_page)


@given(position=positions)
def test_a_cursor_round_trips_its_position(position: tuple[datetime, UUID]) -> None:
    codec = CursorCodec(b"k" * 32)

    assert codec.decode("users:*", codec.encode("users:*", position)) == position


@given(position=positions, index=st.integers(0, 10_000), char=st.sampled_from("AbZ9-_x."))
def test_any_altered_character_makes_the_cursor_invalid(
    position: tuple[datetime, UUID], index: int, char: str
) -> None:
    codec = CursorCodec(b"k" * 32)
    token = codec.encode("users:*", position)
    at = index % len(token)
    forged = token[:at] + char + token[at + 1 :]
    if forged == token:
        return

    with pytest.raises(InvalidCursor):
        codec.decode("users:*", forged)


@given(garbage=st.text(max_size=200))
def test_arbitrary_text_is_an_invalid_cursor_never_another_error(garbage: str) -> None:
    with pytest.raises(InvalidCursor):
        CursorCodec(b"k" * 32).decode("users:*", garbage)


def test_a_cursor_signed_with_another_key_is_refused() -> None:
    position = (datetime(2026, 1, 1, tzinfo=UTC), UUID(int=7))
    token = CursorCodec(b"a" * 32).encode("users:*", position)

    with pytest.raises(InvalidCursor, match="not issued by this service"):
        CursorCodec(b"b" * 32).decode("users:*", token)


def test_a_cursor_of_another_listing_is_refused() -> None:
    codec = CursorCodec(b"k" * 32)
    token = codec.encode("users:ACTIVE", (datetime(2026, 1, 1, tzinfo=UTC), UUID(int=7)))

    with pytest.raises(InvalidCursor, match="listing users:\\*"):
        codec.decode("users:*", token)


def test_a_sort_key_of_a_type_a_cursor_cannot_carry_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="float"):
        CursorCodec(b"k" * 32).encode("products.list", (1.5,))


sort_keys = st.one_of(
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.uuids(),
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.text(max_size=50),
    st.sampled_from(list(UserStatus)),
)


@given(position=st.lists(sort_keys, min_size=1, max_size=4))
def test_every_kind_of_sort_key_round_trips_exactly_with_its_type(position: list[Any]) -> None:
    codec = CursorCodec(b"k" * 32)

    decoded = codec.decode("products.list", codec.encode("products.list", position))

    assert decoded == tuple(position)
    expected = [str if isinstance(value, UserStatus) else type(value) for value in position]
    assert [type(value) for value in decoded] == expected


def test_a_decimal_sort_key_keeps_its_exponent() -> None:
    codec = CursorCodec(b"k" * 32)

    (price,) = codec.decode("p", codec.encode("p", [Decimal("19.90")]))

    assert str(price) == "19.90"


filter_values = st.one_of(
    st.none(), st.text(max_size=5), st.uuids(), st.lists(st.uuids(), max_size=2)
)
filters = st.dictionaries(
    st.sampled_from(["status", "category_id", "q"]), filter_values, max_size=3
)


@given(issued=filters, shown=filters)
def test_a_cursor_is_accepted_only_with_the_filter_values_it_was_issued_for(
    issued: dict[str, Any], shown: dict[str, Any]
) -> None:
    codec = CursorCodec(b"k" * 32)
    token = codec.encode("products.list", [UUID(int=1)], issued)

    if issued == shown:
        assert codec.decode("products.list", token, shown) == (UUID(int=1),)
    else:
        with pytest.raises(InvalidCursor, match="other filters"):
            codec.decode("products.list", token, shown)


def test_a_cursor_issued_for_any_status_is_refused_for_one_status() -> None:
    codec = CursorCodec(b"k" * 32)
    token = codec.encode("users.list", [UUID(int=1)], {"status": None})

    with pytest.raises(InvalidCursor, match="other filters"):
        codec.decode("users.list", token, {"status": UserStatus.ACTIVE})
    assert codec.decode("users.list", token, {"status": None}) == (UUID(int=1),)


def test_a_last_character_that_decodes_to_the_same_bytes_is_still_refused() -> None:
    import base64

    codec = CursorCodec(b"k" * 32)
    token = codec.encode("users:*", (datetime(2026, 1, 1, tzinfo=UTC), UUID(int=7)))
    body, tag = token.split(".")
    decoded = base64.urlsafe_b64decode(tag + "=" * (-len(tag) % 4))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twins = [
        tag[:-1] + char
        for char in alphabet
        if char != tag[-1]
        and base64.urlsafe_b64decode(tag[:-1] + char + "=" * (-len(tag) % 4)) == decoded
    ]
    assert twins, "unpadded base64 of 16 bytes leaves spare bits in the last character"

    for twin in twins:
        with pytest.raises(InvalidCursor):
            codec.decode("users:*", f"{body}.{twin}")
