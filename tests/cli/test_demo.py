"""`shopdb demo` through the installed console script, as `make demo` runs it: the story to
its end, with --metrics-port serving Prometheus metrics while it runs. How long it takes is
measured by benchmarks/test_demo.py (under a minute, the README's promise)."""

from __future__ import annotations

import re
import subprocess
import threading
import urllib.request

from shopdb.testing.commands import SHOPDB, command_env

HANG_S = 100
"""A demo still running after this long has hung (pytest-timeout stops the test at 120 s)."""
STEPS = ["Register", "Search", "Browse", "Cart", "Checkout", "Payment", "Shipping", "Review"]


def scrape_until_done(url: str, process: subprocess.Popen[str], pages: list[str]) -> None:
    """Read ``url`` again and again while ``process`` runs, keeping every page read."""
    while process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (http://127.0.0.1)
                pages.append(answer.read().decode())
        except OSError:
            pass


def test_the_demo_command_plays_the_story_serving_metrics(
    demo_db_url: str,
) -> None:
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
    rest, errors = process.communicate(timeout=HANG_S)
    scraper.join()
    output = first + rest

    assert process.returncode == 0, errors
    for step in STEPS:
        assert re.search(rf"^\d+\. {step}", output, re.MULTILINE), step
    assert "refused: OutOfStockError" in output and "refused: StaleVersionError" in output
    assert "no N+1 found" in output
    assert pages, "no scrape answered while the demo ran"
    assert 'shopdb_query_duration_seconds_count{query="users.create"} 1.0' in pages[-1]
    assert "shopdb_pool_" in pages[-1]
