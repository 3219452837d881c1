"""DATABASE_POOLER=pgbouncer-transaction: a Database works through Debian's PgBouncer 1.18 in
transaction mode, with what such a pooler breaks turned off; migrations and tools go to
DATABASE_DIRECT_URL. (The whole repository suite runs through it too: make test-pgbouncer.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopdb import Database, Settings, migrations
from shopdb.testing import with_settings
from shopdb.testing.pgbouncer import pgbouncer, pgbouncer_binary, through
from shopdb.testing.replication import new_product

pytestmark = pytest.mark.skipif(
    pgbouncer_binary() is None, reason="pgbouncer is not installed (make pgbouncer)"
)


@pytest.fixture(scope="module")
def pooler() -> Iterator[int]:
    from tests.conftest import SERVER

    assert SERVER is not None
    with pgbouncer(SERVER.host, SERVER.port, pool_size=2) as port:
        yield port


@pytest.fixture
def pooled(settings: Settings, pooler: int) -> Settings:
    url = settings.database_url.get_secret_value()
    return with_settings(
        settings,
        database_url=through(url, pooler),
        database_direct_url=url,
        database_pooler="pgbouncer-transaction",
        slow_query_explain=True,
    )


def test_behind_pgbouncer_nothing_is_prepared_and_no_session_state_is_sent(
    pooled: Settings,
) -> None:
    assert pooled.prepare_threshold is None  # protocol-level prepared statements before 1.21
    with Database(pooled) as db:
        assert db.timer.explainer is None  # its PREPARE and DEALLOCATE would part ways
        # Many clients' statements over two server connections, past prepare_threshold.
        product = new_product(db)
        for _ in range(12):
            assert db.products.get(product.id).id == product.id
        with db.pool.connection() as conn:
            # No startup "options" went through the pooler: the server connection's timeout
            # is the one the pooler (or the role) sets, as docs/operations.md says.
            assert conn.execute("SHOW statement_timeout").fetchone() == ("5s",)
            prepared = conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()
            assert prepared == (0,)


def test_migrations_and_tools_use_the_direct_url(pooled: Settings) -> None:
    # DATABASE_URL leads nowhere here: only the direct URL can answer.
    nowhere = with_settings(pooled, database_url="postgresql://postgres@127.0.0.1:1/nowhere")
    states = migrations.status(nowhere)
    assert states and all(state.applied for state in states)
