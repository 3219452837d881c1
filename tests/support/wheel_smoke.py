"""Run by tests/test_packaging.py inside a virtualenv where shopdb is installed from its wheel."""

from __future__ import annotations

import re
import sys

import psycopg

import shopdb
from shopdb import Database, Settings, migrations
from shopdb.core.queries import load_queries, migrations_dir, sql_dir
from shopdb.models import NewUser

url = sys.argv[1]
assert "site-packages" in shopdb.__file__, shopdb.__file__
assert "site-packages" in str(sql_dir()) and "site-packages" in str(migrations_dir())

settings = Settings(database_url=url, database_pool_min=1)
print("applied", migrations.apply(settings))
with psycopg.connect(url) as conn:
    for namespace in load_queries().values():
        for query in namespace.values():
            if query.name.startswith("admin."):
                continue
            names: list[str] = []
            for name in re.findall(r"%\((\w+)\)s", query.sql):
                if name not in names:
                    names.append(name)
            statement = query.sql
            for number, name in enumerate(names, start=1):
                statement = statement.replace(f"%({name})s", f"${number}")
            result = conn.pgconn.prepare(query.name.encode(), statement.encode())
            assert result.status == psycopg.pq.ExecStatus.COMMAND_OK, query.name
with Database(settings) as db:
    user = db.users.create(NewUser(email="wheel@example.com", password_hash="$2b$12$" + "w" * 53))
    assert db.users.get(user.id) == user
print("wheel ok")
