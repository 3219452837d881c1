"""The ``shopdb_partition_default_rows`` gauge: rows in the default partition of each table
partitioned by month, sampled by `shopdb metrics-serve` (ops/prometheus alerts on it). A row
lands there when its month has no partition: maintenance stopped, or a row dated far ahead."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from prometheus_client import Gauge

from shopdb.core.errors import ShopDBError
from shopdb.core.timer import QueryTimer
from shopdb.partitions import default_rows
from shopdb.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_ROWS = Gauge(
    "shopdb_partition_default_rows",
    "Rows in the default partition of a table partitioned by month: rows whose month has no"
    " partition of its own (should be 0; `shopdb partitions maintain` makes the months).",
    ["table"],
)


class DefaultRowsSampler:
    """Sets the gauge from one connection of its own, made again after a failure."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._timer = QueryTimer(settings.slow_query_ms)
        self._conn: psycopg.Connection[Any] | None = None

    def sample(self) -> dict[str, int] | None:
        """{table: rows in its default partition}, also set on the gauge; None (and the
        reason logged) when the database cannot say."""
        from shopdb.check.connect import connect

        try:
            if self._conn is None or self._conn.closed:
                self._conn = connect(self._settings)
            counts = default_rows(self._conn, self._timer)
        except ShopDBError as exc:
            log.warning("default partition rows not sampled: %s", exc)
            self.close()
            return None
        for table, rows in counts.items():
            DEFAULT_ROWS.labels(table=table).set(rows)
        return counts

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
