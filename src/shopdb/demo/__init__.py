"""The demo behind `shopdb demo` and `make demo`: a shopping story played on a demo shop in
the demo's own database, ending with the query timer's report."""

from shopdb.extras import require

# rich prints the story and its tables; the demo shop is seeded (shopdb.seeds: argon2).
require("shopdb.demo", "rich", "argon2")

from shopdb.demo.database import DEMO_DATABASE, demo_url, ensure_demo_database, reset_demo_database
from shopdb.demo.run import run_demo
from shopdb.demo.server import NoDemoServer, demo_database_url

__all__ = [
    "DEMO_DATABASE",
    "NoDemoServer",
    "demo_database_url",
    "demo_url",
    "ensure_demo_database",
    "reset_demo_database",
    "run_demo",
]
