"""The AsyncDatabase has the sync API's names and guarantees: repositories, transactions,
run_in_transaction retried as a whole, the customer view, captures, health, metrics, errors,
the LIFO pool."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from shopdb import (
    AsyncDatabase,
    AsyncTransaction,
    ConflictError,
    NotFoundError,
    SerializationFailure,
    TransactionBypassed,
    TransactionClosed,
    TransientError,
)
from shopdb.core.pool_async import AsyncShopPool
from shopdb.models import NewAddress, User, UserPatch
from tests.support.factories import new_user

pytestmark = pytest.mark.anyio


async def test_a_repository_call_is_awaited_and_maps_its_row(adb: AsyncDatabase) -> None:
    created = await adb.users.create(new_user(first_name="Ada"))

    fetched = await adb.users.get(created.id)

    assert isinstance(fetched, User)
    assert fetched == created and fetched.first_name == "Ada"


async def test_errors_are_the_sync_apis_errors(adb: AsyncDatabase) -> None:
    taken = await adb.users.create(new_user())
    with pytest.raises(NotFoundError):
        await adb.users.get(uuid4())
    with pytest.raises(ConflictError):
        await adb.users.create(new_user(email=taken.email.upper()))


async def test_a_transaction_commits_on_exit_and_rolls_back_on_error(adb: AsyncDatabase) -> None:
    async with adb.transaction() as tx:
        assert isinstance(tx, AsyncTransaction)
        kept = await tx.users.create(new_user())
    with pytest.raises(RuntimeError, match="undo"):
        async with adb.transaction() as tx:
            undone = await tx.users.create(new_user())
            raise RuntimeError("undo")

    assert await adb.users.get(kept.id) == kept
    with pytest.raises(NotFoundError):
        await adb.users.get(undone.id)
    with pytest.raises(TransactionClosed):
        await tx.users.get(kept.id)


async def test_a_pooled_call_inside_the_tasks_transaction_block_is_refused(
    adb: AsyncDatabase, user: User
) -> None:
    async with adb.transaction() as tx:
        with pytest.raises(TransactionBypassed):
            await adb.users.get(user.id)
        assert await tx.users.get(user.id) == user
    assert await adb.users.get(user.id) == user


async def test_run_in_transaction_runs_the_function_again_after_a_serialization_failure(
    adb: AsyncDatabase, user: User
) -> None:
    calls: list[int] = []

    async def rename(tx: AsyncTransaction) -> User:
        calls.append(1)
        renamed = await tx.users.update(user.id, UserPatch(first_name=f"Try{len(calls)}"))
        if len(calls) < 3:
            raise SerializationFailure("simulated 40001")
        return renamed

    result = await adb.run_in_transaction(rename)

    assert len(calls) == 3 and result.first_name == "Try3"
    assert (await adb.users.get(user.id)).first_name == "Try3"

    async def always(tx: AsyncTransaction) -> None:
        raise SerializationFailure("simulated 40001")

    with pytest.raises(TransientError):
        await adb.run_in_transaction(always, attempts=2)


async def test_a_savepoint_undoes_its_block_and_the_transaction_goes_on(
    adb: AsyncDatabase,
) -> None:
    async with adb.transaction() as tx:
        first = await tx.users.create(new_user())
        with pytest.raises(ConflictError):
            async with tx.savepoint():
                await tx.users.create(new_user(email=first.email))
        second = await tx.users.create(new_user())
    assert {(await adb.users.get(u.id)).id for u in (first, second)} == {first.id, second.id}


async def test_the_customer_view_reaches_only_the_customers_rows(
    adb: AsyncDatabase, user: User
) -> None:
    other = await adb.users.create(new_user())
    mine, theirs = adb.customer(user.id), adb.customer(other.id)

    address = await mine.addresses.create(
        NewAddress(full_name="Ada Lee", line1="1 Main St", city="Istanbul", country="TR")
    )

    assert await mine.addresses.get(address.id) == address
    assert [a.id for a in await mine.addresses.list_for_user()] == [address.id]
    with pytest.raises(NotFoundError):
        await theirs.addresses.get(address.id)
    async with adb.transaction() as tx:
        assert await tx.customer(user.id).addresses.get(address.id) == address


async def test_capture_queries_sees_every_query_and_health_answers(
    adb: AsyncDatabase, user: User
) -> None:
    with adb.capture_queries() as records:
        await adb.users.get(user.id)
        async with adb.transaction() as tx:
            await tx.users.get(user.id)
    health = await adb.health()

    assert [r.name for r in records] == ["users.get", "users.get"]
    assert all(r.rows == 1 and not r.failed for r in records)
    assert health.ok and health.server_version and health.pool["pool_max"] == 4


async def test_the_pool_hands_out_the_most_recently_returned_connection(
    adb: AsyncDatabase, user: User
) -> None:
    pool = adb.pool
    assert isinstance(pool, AsyncShopPool) and pool.handout == "lifo"
    await pool.wait()
    first, second = await pool.getconn(), await pool.getconn()
    await pool.putconn(first)
    await pool.putconn(second)

    again = await pool.getconn()
    await pool.putconn(again)

    assert again is second and pool.checked_out == 0


async def test_every_statement_is_prepared_on_its_connection_after_the_threshold(
    adb: AsyncDatabase, user: User
) -> None:
    for _ in range((adb.settings.database_prepare_threshold or 0) + 2):
        await adb.users.get(user.id)
    pool = adb.pool
    conn = await pool.getconn()
    try:
        cursor = await conn.execute("SELECT count(*) FROM pg_prepared_statements")
        prepared = await cursor.fetchone()
    finally:
        await pool.putconn(conn)
    assert prepared is not None and prepared[0] >= 1


async def test_concurrent_tasks_share_the_pool(adb: AsyncDatabase, user: User) -> None:
    found = await asyncio.gather(*(adb.users.get(user.id) for _ in range(40)))
    assert len(found) == 40 and all(f == user for f in found)
    assert adb.pool.checked_out == 0


async def test_a_closed_database_refuses_and_reopens(adb: AsyncDatabase, user: User) -> None:
    await adb.close()
    with pytest.raises(Exception, match="not open"):
        await adb.users.get(user.id)
    await adb.open()
    assert await adb.users.get(user.id) == user
