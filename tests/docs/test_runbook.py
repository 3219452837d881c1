"""The shopdb commands of the guides (README.md, getting-started.md, migrations.md,
troubleshooting.md), run as they are written against scratch databases."""

from __future__ import annotations

import psycopg
from yoyo import read_migrations

from shopdb import Settings, migrations
from shopdb.core.queries import migrations_dir
from tests.docs.shell import run_documented

IDS = [m.id for m in read_migrations(str(migrations_dir()))]


def _shopdb(command: str, url: str, returncode: int = 0) -> list[str]:
    env = {"DATABASE_URL": url}
    return run_documented(command, env, returncode=returncode).stdout.splitlines()


def _states(url: str) -> list[str]:
    states = migrations.status(Settings(database_url=url))
    return ["applied" if m.applied else "pending" for m in states]


def _rolled_back(ids: list[str]) -> list[str]:
    return [f"rolled back {id_}" for id_ in reversed(ids)]


def test_the_migration_commands_of_the_guides(db_url: str) -> None:
    for export in (
        "export DATABASE_URL=postgresql://shop:secret@127.0.0.1:5432/shop",
        "export DATABASE_URL=postgresql://shop:secret@db.internal:5432/shop",
    ):
        run_documented(export, {"DATABASE_URL": db_url})
    status = _shopdb("shopdb status", db_url)
    assert [line.split()[:2] for line in status] == [["applied", id_] for id_ in IDS]

    assert _shopdb("shopdb rollback", db_url) == _rolled_back(IDS[-1:])
    assert _shopdb("shopdb rollback --count 1", db_url) == _rolled_back(IDS[-2:-1])
    assert _shopdb("shopdb rollback --count 3", db_url) == _rolled_back(IDS[-5:-2])
    assert _states(db_url) == ["applied"] * (len(IDS) - 5) + ["pending"] * 5
    assert _shopdb("shopdb migrate", db_url) == [f"applied {id_}" for id_ in IDS[-5:]]

    upto_0018, upto_0006 = IDS.index("0018_primary_variant") + 1, IDS.index("0006_orders") + 1
    after_0018 = _shopdb("shopdb rollback --to 0018_primary_variant", db_url)
    after_0006 = _shopdb("shopdb rollback --to 0006_orders", db_url)
    assert (after_0018, after_0006) == (
        _rolled_back(IDS[upto_0018:]),
        _rolled_back(IDS[upto_0006:upto_0018]),
    )
    assert _states(db_url) == ["applied"] * upto_0006 + ["pending"] * (len(IDS) - upto_0006)
    assert _shopdb("shopdb rollback --count all", db_url) == _rolled_back(IDS[:upto_0006])
    assert _states(db_url) == ["pending"] * len(IDS)
    assert _shopdb("shopdb migrate", db_url) == [f"applied {id_}" for id_ in IDS]


def test_a_lock_left_by_a_killed_run_is_broken_and_the_migration_goes_on(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        # What a run killed while holding yoyo's lock leaves behind: its row in yoyo_lock.
        conn.execute("INSERT INTO yoyo_lock (locked, ctime, pid) VALUES (1, now(), 999999)")

        assert _shopdb("shopdb break-lock", db_url) == ["migration lock removed"]
        assert conn.execute("SELECT count(*) FROM yoyo_lock").fetchone() == (0,)
    assert migrations.apply(Settings(database_url=db_url), lock_timeout_s=1) == []


def test_explain_shows_the_plan_of_a_named_query(db_url: str) -> None:
    lines = _shopdb(
        """shopdb explain users.find_by_email --params '{"email": "ada@example.com"}'""", db_url
    )

    assert " on users " in lines[0] and "actual time=" in lines[0], lines
    assert lines[-1].startswith("time: planning ")
