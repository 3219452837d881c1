"""One migrated database for the check tests, with a few objects of their own added once
(an enum, a view, a constraint trigger); ``run_check`` checks SQL files written to a tmp dir
against repository-like classes declared by the test."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pydantic import BaseModel

from shopdb.check import Problem, check, collect
from shopdb.testing import scratch_database

EXTRA_SCHEMA = """
CREATE TYPE check_mood AS ENUM ('HAPPY', 'SAD', 'BORED');
CREATE TABLE check_things (
    id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
    mood check_mood NOT NULL,
    note text,
    tags text[] NOT NULL DEFAULT '{}',
    price numeric(12, 2) NOT NULL DEFAULT 0,
    data jsonb,
    seen_on date
);
CREATE SEQUENCE check_seq;
CREATE VIEW check_thing_view AS SELECT id, mood FROM check_things;
CREATE FUNCTION check_things_noop() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER check_things_deferred_rule AFTER INSERT ON check_things
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_things_noop();
CREATE FUNCTION check_things_bump() RETURNS int LANGUAGE sql VOLATILE AS
    $$ UPDATE check_things SET price = price + 1 RETURNING 1 $$;
"""

RunCheck = Callable[..., list[Problem]]


@pytest.fixture(scope="session")
def check_url(postgresql_server: Any) -> Iterator[str]:
    """One migrated database for every check test (the check runs none of the queries it
    checks, so the tests cannot disturb each other), with the objects above added."""
    with scratch_database(
        postgresql_server, "shopdb_check", template=postgresql_server.template_dbname
    ) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(EXTRA_SCHEMA)
        yield url


@pytest.fixture(scope="session")
def check_conn(check_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to that database."""
    with psycopg.connect(check_url, autocommit=True) as conn:
        yield conn


def repository(
    namespace: str,
    queries: Mapping[str, type[BaseModel] | None],
    **attributes: Any,
) -> type[Any]:
    """A class declaring what a repository declares (the class data of core.repository)."""
    data = {
        "namespace": namespace,
        "entity": namespace.rstrip("s"),
        "queries": queries,
        "constraint_messages": {},
        "constraint_errors": {},
        "idempotent": frozenset(),
        **attributes,
    }
    return type(f"{namespace.title()}Repository", (), data)


@pytest.fixture
def run_check(check_conn: psycopg.Connection[Any], tmp_path: Path) -> RunCheck:
    """Write ``files`` ({stem: sql}) to a fresh sql/ dir and check them against ``repositories``."""

    runs = iter(range(1000))

    def run(files: Mapping[str, str], *repositories: type[Any]) -> list[Problem]:
        # A new folder each run: load_queries caches what it loaded per folder.
        root = tmp_path / f"run{next(runs)}" / "sql"
        root.mkdir(parents=True)
        for stem, text in files.items():
            (root / f"{stem}.sql").write_text(textwrap.dedent(text), encoding="utf-8")
        return check(check_conn, root, collect(repositories, tools={}))

    return run


def texts(problems: list[Problem]) -> list[str]:
    """``query: problem`` for each problem, to assert on."""
    return [f"{p.query}: {p.problem}" for p in problems]
