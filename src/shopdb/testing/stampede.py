"""A cold-key burst: processes of threads that read one product's details at the same
moment through the cache; each process reports the database queries it ran and what every
thread got. Used by tests/cache/test_stampede.py and the cache benchmark."""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from shopdb.settings import Settings

DETAILS_QUERIES = frozenset(
    {"products.get", "products.variants_for", "products.categories_for", "products.media_for"}
)


@dataclass(frozen=True)
class Burst:
    """What one burst did: database queries of the key (``products.get`` runs once per
    fill), the distinct values the callers got (JSON), how many callers answered."""

    fills: int
    queries: int
    values: frozenset[str]
    callers: int
    errors: tuple[str, ...]
    events: tuple[dict[str, float], ...] = ()
    """Each process's cache events of the key (counted since the process forked)."""


def _process(settings: Settings, product_id: UUID, threads: int, start_at: float, out: Any) -> None:
    from shopdb import Database

    with Database(
        settings.model_copy(update={"database_pool_max": 4, "database_pool_min": 1})
    ) as db:
        values: list[str] = []
        errors: list[str] = []
        lock = threading.Lock()

        def read() -> None:
            time.sleep(max(0.0, start_at - time.time()))
            try:
                value = db.products.get_with_details(product_id).model_dump_json()
            except Exception as exc:  # reported to the parent, which fails the test
                with lock:
                    errors.append(repr(exc))
                return
            with lock:
                values.append(value)

        with db.capture_queries() as records:
            workers = [threading.Thread(target=read) for _ in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(30)
        names = [r.name for r in records if r.name in DETAILS_QUERIES]
        events = _events()
        out.put(
            (
                names.count("products.get"),
                len(names),
                sorted(set(values)),
                len(values),
                errors,
                events,
            )
        )


def _events() -> dict[str, float]:
    """This process's cache events of products.details, by event."""
    from prometheus_client import REGISTRY

    return {
        sample.labels["event"]: sample.value
        for metric in REGISTRY.collect()
        if metric.name == "shopdb_cache_events"
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("cache") == "products.details"
    }


def burst(settings: Settings, product_id: UUID, *, processes: int = 4, threads: int = 50) -> Burst:
    """``processes`` processes of ``threads`` threads each read ``product_id``'s details at
    the same instant (about 1.5 s from now, once every process is up)."""
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 1.5 + 0.3 * processes
    workers = [
        context.Process(target=_process, args=(settings, product_id, threads, start_at, out))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(10)
    return Burst(
        fills=sum(r[0] for r in results),
        queries=sum(r[1] for r in results),
        values=frozenset(v for r in results for v in r[2]),
        callers=sum(r[3] for r in results),
        errors=tuple(e for r in results for e in r[4]),
        events=tuple(r[5] for r in results),
    )
