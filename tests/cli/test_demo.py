"""`shopdb demo` through the installed console script, as `make demo` runs it: the story to
its end in under a minute, with --metrics-port serving Prometheus metrics while it runs."""

from __future__ import annotations

import re
import subprocess
import threading
import urllib.request
from time import perf_counter

from tests.support.commands import SHOPDB, command_env

BUDGET_S = 60
STEPS = ["Register", "Search", "Browse", "Cart", "Checkout", "Payment", "Shipping", "Review"]


def scrape_until_done(url: str, process: subprocess.Popen[str], pages: list[str]) -> None:
    """Read ``url`` again and again while ``process`` runs, keeping every page read."""
    while process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (http://127.0.0.1)
                pages.append(answer.read().decode())
        except OSError:
            pass


def test_the_demo_command_plays_the_story_in_under_a_minute_serving_metrics(
    demo_db_url: str,
) -> None:
    started = perf_counter()
    process = subprocess.Popen(
        [str(SHOPDB), "--database-url", demo_db_url, "demo", "--metrics-port", "0"],
        env=command_env(None),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    found = re.match(r"metrics +(http://127\.0\.0\.1:\d+/metrics) ", first)
    assert found, first
    pages: list[str] = []
    scraper = threading.Thread(target=scrape_until_done, args=(found[1], process, pages))
    scraper.start()
    rest, errors = process.communicate(timeout=BUDGET_S * 2)
    scraper.join()
    took = perf_counter() - started
    output = first + rest

    assert process.returncode == 0, errors
    assert took < BUDGET_S, f"the demo took {took:.1f} s"
    for step in STEPS:
        assert re.search(rf"^\d+\. {step}", output, re.MULTILINE), step
    assert "refused: OutOfStockError" in output and "refused: StaleVersionError" in output
    assert "no N+1 found" in output
    assert pages, "no scrape answered while the demo ran"
    assert 'shopdb_query_duration_seconds_count{query="users.create"} 1.0' in pages[-1]
    assert "shopdb_pool_" in pages[-1]
