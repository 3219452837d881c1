"""One shopdb version in a long-lived process, driven by benchmarks/test_revisions.py.

Run as ``PYTHONPATH=<checkout>/src python benchmarks/revision_worker.py``: it imports only the
standard library and the shopdb found first on the path (the version under test), so the same
script drives the code before and after a change. Commands come one JSON object per line on
stdin; each answer is one JSON line on stdout:

- ``{"do": "open", "users_url": ..., "commerce_url": ...}``: open a Database on each (default
  settings: ``Database(Settings(database_url=url))``) and wait for their pools; answers where
  shopdb was imported from.
- ``{"do": "lookups", "ids": [...], "calls": n}``: ``users.get`` n times over the ids in turn;
  answers the seconds of the whole block.
- ``{"do": "checkouts", "carts": [{"cart_id": ..., "checkout": {...}}, ...]}``:
  ``orders.place_from_cart`` of each cart; answers the seconds of each call.
- ``{"do": "profile", "carts": [...]}``: check out the carts on the commerce Database, each
  under ``capture_queries``; answers each checkout's named queries with their seconds.
- ``{"do": "count_open", "url": ...}``: open a third Database on ``url`` (the counting
  proxy of test_revisions.py) and wait for its pool, so its connections' start-up is over
  before the proxy's counters are reset.
- ``{"do": "count", "carts": [...]}``: check out the carts on that Database, each under
  ``capture_queries``; answers the named queries of each checkout. ``count_close`` closes it.
- ``{"do": "quit"}``.
"""

from __future__ import annotations

import json
import sys
from time import perf_counter
from typing import Any
from uuid import UUID

import shopdb
from shopdb import Database, Settings
from shopdb.models import Checkout


def _open(url: str) -> Database:
    database = Database(Settings(database_url=url)).open()
    database.pool.wait()
    return database


def _checkout(database: Database, cart: dict[str, Any]) -> int:
    order = database.orders.place_from_cart(UUID(cart["cart_id"]), Checkout(**cart["checkout"]))
    return len(order.items)


def main() -> None:
    users: Database | None = None
    commerce: Database | None = None
    counted: Database | None = None
    for line in sys.stdin:
        command: dict[str, Any] = json.loads(line)
        answer: dict[str, Any] = {}
        if command["do"] == "open":
            users, commerce = _open(command["users_url"]), _open(command["commerce_url"])
            answer = {"shopdb": shopdb.__file__}
        elif command["do"] == "lookups":
            assert users is not None
            ids = [UUID(i) for i in command["ids"]]
            get, count, found = users.users.get, len(ids), 0
            start = perf_counter()
            for n in range(command["calls"]):
                found += get(ids[n % count]) is not None
            answer = {"seconds": perf_counter() - start, "found": found}
        elif command["do"] == "checkouts":
            assert commerce is not None
            seconds, lines = [], []
            for cart in command["carts"]:
                start = perf_counter()
                lines.append(_checkout(commerce, cart))
                seconds.append(perf_counter() - start)
            answer = {"seconds": seconds, "lines": lines}
        elif command["do"] == "profile":
            assert commerce is not None
            profiled = []
            for cart in command["carts"]:
                with commerce.capture_queries() as records:
                    _checkout(commerce, cart)
                profiled.append([[record.name, record.duration_s] for record in records])
            answer = {"queries": profiled}
        elif command["do"] == "count_open":
            counted = _open(command["url"])
        elif command["do"] == "count":
            assert counted is not None
            queries = []
            for cart in command["carts"]:
                with counted.capture_queries() as records:
                    _checkout(counted, cart)
                queries.append([record.name for record in records])
            answer = {"queries": queries}
        elif command["do"] == "count_close":
            assert counted is not None
            counted.close()
            counted = None
        elif command["do"] == "quit":
            break
        print(json.dumps(answer), flush=True)
    for database in (users, commerce):
        if database is not None:
            database.close()


if __name__ == "__main__":
    main()
