"""Helpers for tests and benchmarks that run against a real PostgreSQL: shopdb's own suites
(tests/, benchmarks/) and an application's tests of its use of shopdb.

- ``choose_server(os.environ)``: the server to create test databases on (SHOPDB_TEST_DATABASE_URL,
  else the local one at 127.0.0.1:5432, else a throwaway cluster that pytest-postgresql starts);
- ``scratch_database(server, prefix, template=...)``: a database of its own for a test or a
  benchmark, dropped afterwards;
- ``url_of`` and ``with_settings``: URLs and Settings derived from the ones at hand.

Importing this package needs nothing beyond the library's own dependencies (a test of the
plain wheel imports it); ``scratch_database`` uses pytest-postgresql, imported when called.
"""

from shopdb.testing.databases import scratch_database, url_of, with_settings
from shopdb.testing.servers import NoServer, Server, choose_server, reachable

__all__ = [
    "NoServer",
    "Server",
    "choose_server",
    "reachable",
    "scratch_database",
    "url_of",
    "with_settings",
]
