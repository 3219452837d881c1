"""Run by tests/test_packaging.py, as ``python -I light_smoke.py URL``, with the interpreter of
a fresh virtualenv into which pip installed shopdb's wheel with no extra at all (``pip install
shopdb-*.whl``: psycopg in its pure-Python form, over the system's libpq).

Given the URL of an empty database it checks that the light library works on its own: none of
the cli extra's packages is installed, none is imported by the library (nor by
shopdb.testing), ``shopdb.migrations.apply`` migrates the database, and ``db.users.create``
then ``db.users.get`` run through a Database. It ends with ``light ok``.
"""

from __future__ import annotations

import sys
from importlib import metadata

import psycopg

import shopdb.testing
from shopdb import Database, Settings, migrations
from shopdb.extras import EXTRAS
from shopdb.models import NewUser

HASH = "$2b$12$" + "w" * 53


def check_environment() -> None:
    """No distribution of the cli extra is installed; the library imported none of them."""
    for distribution in EXTRAS["cli"].values():
        try:
            found = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
        raise AssertionError(f"{distribution} {found} is installed without the cli extra")
    imported = sorted(m for m in sys.modules if m.split(".")[0] in EXTRAS["cli"])
    assert imported == [], imported
    assert shopdb.testing.choose_server is not None
    print(f"psycopg {psycopg.__version__}, {psycopg.pq.__impl__}, libpq {psycopg.pq.version()}")


def main(url: str) -> None:
    check_environment()
    settings = Settings(database_url=url, database_pool_min=1, database_pool_max=2)
    applied = migrations.apply(settings)
    assert applied, "nothing applied to the empty database"
    print(f"applied {len(applied)} migrations")
    with Database(settings) as db:
        user = db.users.create(NewUser(email="light@example.com", password_hash=HASH))
        assert db.users.get(user.id) == user
    print("light ok")


if __name__ == "__main__":
    main(sys.argv[1])
