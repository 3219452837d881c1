"""Stampede protection: 200 threads in 4 processes on a cold key make one fill."""

from __future__ import annotations

import redis

from shopdb import Database
from shopdb.testing import with_settings
from shopdb.testing.stampede import burst
from tests.support.catalog import new_product


def test_two_hundred_threads_in_four_processes_on_a_cold_key_make_one_database_read(
    cached_db: Database, raw_redis: redis.Redis
) -> None:
    pid = cached_db.products.create_with_variants(new_product()).product.id
    # a loaded CI machine may be slow to fill or to answer: generous waits, so that only a
    # second fill, never a slow one, fails the test
    settings = with_settings(cached_db.settings, cache_lock_wait_ms=5000, cache_timeout_ms=3000)
    result = burst(settings, pid, processes=4, threads=50)
    assert result.errors == ()
    assert result.callers == 200
    assert result.fills == 1, result.events  # products.get ran once in all four processes
    assert result.queries == 4  # and its three detail queries once each
    assert len(result.values) == 1  # every caller got the same value
    expected = cached_db.products.get_with_details(pid).model_dump_json()
    assert result.values == {expected}
