"""The cache's decisions without I/O: the breaker's states, entries and their judgement, the
tags a write bumps, the shape check of Redis's replies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopdb.cache.core import (
    Breaker,
    BreakerState,
    Call,
    Entry,
    Freshness,
    Keys,
    bumped_tags,
    judge,
)
from shopdb.cache.shared import checked_reply
from shopdb.cache.spec import Bump, CachedRead

SPEC = CachedRead(Decimal, ("get",), ("product_id",), {"product": "product_id"}, 10, 100)


def test_the_breaker_opens_after_its_failures_probes_once_after_the_cooldown_and_closes() -> None:
    breaker = Breaker(failures=3, cooldown_s=2)
    assert [breaker.failed(0.0), breaker.failed(0.1)] == [None, None]
    assert breaker.failed(0.2) is BreakerState.OPEN
    assert breaker.allow(1.0) == (False, None)
    assert breaker.allow(2.3) == (True, BreakerState.HALF_OPEN)
    assert breaker.allow(2.3) == (False, None)  # one probe at a time
    assert breaker.succeeded() is BreakerState.CLOSED
    assert breaker.allow(2.4) == (True, None)


def test_a_failed_probe_opens_the_breaker_again_for_a_full_cooldown() -> None:
    breaker = Breaker(failures=1, cooldown_s=2)
    assert breaker.failed(0.0) is BreakerState.OPEN
    assert breaker.allow(2.0) == (True, BreakerState.HALF_OPEN)
    assert breaker.failed(2.1) is BreakerState.OPEN
    assert breaker.allow(3.9) == (False, None)
    assert breaker.allow(4.2)[0] is True


def test_a_success_resets_the_count_of_failures_in_a_row() -> None:
    breaker = Breaker(failures=2, cooldown_s=1)
    breaker.failed(0.0)
    assert breaker.succeeded() is None
    assert breaker.failed(0.1) is None
    assert breaker.state is BreakerState.CLOSED


def test_an_entry_is_fresh_stale_or_a_miss_by_its_tokens_and_age() -> None:
    raw = Entry(1_000, ("a", "b"), b'"1.50"').encode()
    assert Entry.decode(raw) == Entry(1_000, ("a", "b"), b'"1.50"')
    assert judge(raw, ["a", "b"], 5_000, SPEC)[0] is Freshness.FRESH
    assert judge(raw, ["a", "b"], 11_000, SPEC)[0] is Freshness.STALE
    assert judge(raw, ["a", "c"], 5_000, SPEC)[0] is Freshness.MISS  # a tag moved
    assert judge(None, ["a", "b"], 5_000, SPEC)[0] is Freshness.MISS
    with pytest.raises(ValueError, match="unpack"):
        judge(b"garbage", ["a"], 0, SPEC)
    with pytest.raises(ValueError, match="not a cache entry"):
        judge(b"v9|1|a|x", ["a"], 0, SPEC)


def test_keys_escape_their_values_and_every_entry_depends_on_the_global_tag() -> None:
    keys = Keys("p")
    assert keys.entry("products.details", ["a:b c"]) == "p:c:products.details:a%3Ab%20c"
    assert keys.tags_of(SPEC, {"product_id": 7}) == ["p:t:product:7", "p:t:all"]


def test_a_write_bumps_tags_from_its_parameters_or_rows_and_names_variants_apart() -> None:
    bumps = [
        Bump("x.w", "product", "id"),
        Bump("x.w", "listings"),
        Bump("x.w", "product", "variant_ids", via="variant"),
        Bump("x.w", "reviews", "product_id"),
    ]
    params = {"id": 1, "variant_ids": [5, 6]}
    rows = [{"product_id": 9}, {"product_id": None}]
    tags, variants = bumped_tags(bumps, params, rows)
    assert tags == {("product", 1), ("listings", None), ("reviews", 9)}
    assert variants == {("product", 5), ("product", 6)}


def test_a_reply_of_the_wrong_shape_is_refused() -> None:
    read = Call("read", ("e", "t1"), ("x", 1))
    assert checked_reply(read, [None, b"tok"]) == [None, "tok"]
    for garbage in ([b"x"], "OK", [None, 3], 5):
        with pytest.raises(ValueError, match="unexpected Redis reply to read"):
            checked_reply(read, garbage)
    assert checked_reply(Call("set_nx", ("l",), ("o", 1)), True) is True
    assert checked_reply(Call("set_nx", ("l",), ("o", 1)), None) is False
    with pytest.raises(ValueError, match="unexpected Redis reply to fill"):
        checked_reply(Call("fill", ("e",), ()), b"1")
