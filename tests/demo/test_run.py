"""The whole demo in-process on a demo database of its own: every step of the story, the
report, and a second run that starts again from an emptied database."""

from __future__ import annotations

import io
import re

from rich.console import Console

from shopdb.demo import run_demo

STEPS = [
    "1. Register",
    "2. Search for 'headphones'",
    "3. Browse the category 'audio'",
    "4. Cart",
    "5. Checkout with the coupon WELCOME10",
    "6. Checkout again with the same idempotency key",
    "7. Payment",
    "8. Fulfilment",
    "9. Shipping",
    "10. Review",
    "11. A refused oversell",
    "12. A refused stale update",
    "Query report",
]


def play(url: str) -> str:
    out = io.StringIO()
    run_demo(url, console=Console(file=out, width=160))
    return out.getvalue()


def test_the_demo_plays_every_step_and_ends_with_the_query_report(demo_db_url: str) -> None:
    text = play(demo_db_url)

    headings = [line.split(" ─")[0] for line in text.splitlines() if " ───" in line]
    assert headings == STEPS
    assert "(emptied)" in text and "migrations " in text
    assert "same order: SO-" in text
    assert re.search(r"coupon uses: (\d+) before, \1 after \(counted once\)", text)
    assert "PENDING -> PAID" in text and "SHIPPED -> DELIVERED" in text
    assert "(verified purchase: True)" in text
    assert "refused: OutOfStockError: " in text
    assert "refused: StaleVersionError: " in text
    assert "slow queries (over 200 ms): " in text
    assert "no N+1 found: no step ran the same query 3 times or more" in text
    assert text.splitlines()[-1].startswith("demo done in ")


def test_the_demo_runs_again_from_an_emptied_database(demo_db_url: str) -> None:
    first = play(demo_db_url)
    second = play(demo_db_url)

    for text in (first, second):
        assert "registered ada.lovelace@example.com" in text
        assert "refused: StaleVersionError: " in text
