"""The repository kit: declared queries and locks, row mapping, paging, patches, versions,
units of work and per-repository constraint rules.

The kit is exercised through a repository that only these tests declare (tests/core/sql/kit.sql
over the carts table), so that every helper meets a real statement on a real PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import psycopg
import pytest

from shopdb import Database, Settings
from shopdb.components import REPOSITORIES, Components
from shopdb.core.errors import (
    ConflictError,
    ConnectionLost,
    ConstraintRules,
    ConstraintViolation,
    DomainError,
    InvalidCursor,
    InvalidInput,
    LockTimeout,
    NotFoundError,
    ProgrammingError,
    SerializationFailure,
    StaleVersionError,
    TransactionBypassed,
    TransientError,
    WriteOutcomeUnknown,
    translate,
)
from shopdb.core.paging import NEWEST_FIRST, CursorPage, Page
from shopdb.core.repository import Repository, declared_queries
from shopdb.core.unit import bound_components, unit_of_work
from shopdb.models.base import InputModel, RowModel
from shopdb.models.users import NewUser, User
from shopdb.repositories.users import UserRepository
from shopdb.transaction import Transaction

SQL = Path(__file__).parent / "sql"
EXPIRY_RULE = "carts_expires_at_check"


class Cart(RowModel):
    id: UUID
    user_id: UUID | None
    session_id: str | None
    status: str
    expires_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class CartPatch(InputModel):
    session_id: str | None = None
    expires_at: datetime | None = None


class CartExpiryInThePast(DomainError):
    """A cart cannot expire before it was created."""


class Carts(Repository):
    namespace = "kit"
    entity = "cart"
    sql_directory = SQL
    queries: ClassVar = {
        "create": Cart,
        "get": Cart,
        "list_for_session": Cart,
        "count_for_session": None,
        "page_for_session": Cart,
        "update": Cart,
        "patch_unversioned": Cart,
        "delete": None,
        "create_each": None,
        "expire_each": None,
        "shorten_lock_timeout": None,
        "current_lock_timeout": None,
    }
    locks: ClassVar = {"lock_cart": Cart, "lock_session": Cart, "lock_and_die": None}

    def create(self, session_id: str) -> Cart:
        return self._get("create", Cart, session_id=session_id)

    def get(self, cart_id: UUID) -> Cart:
        return self._get("get", Cart, id=cart_id)

    def find(self, cart_id: UUID) -> Cart | None:
        return self._find("get", Cart, id=cart_id)

    def list_for_session(
        self, session_id: str, *, limit: int = 20, cursor: str | None = None
    ) -> CursorPage[Cart]:
        return self._page(
            "list_for_session",
            Cart,
            NEWEST_FIRST,
            limit=limit,
            cursor=cursor,
            session_id=session_id,
        )

    def page_for_session(self, session_id: str, *, page: int, per_page: int) -> Page[Cart]:
        return self._offset_page(
            "page_for_session",
            "count_for_session",
            Cart,
            page=page,
            per_page=per_page,
            session_id=session_id,
        )

    def count_for_session(self, session_id: str) -> int:
        return int(self._value("count_for_session", session_id=session_id))

    def update(self, cart_id: UUID, patch: CartPatch, expected_version: int) -> Cart:
        return self._patch("update", Cart, patch, expected_version=expected_version, id=cart_id)

    def patch(self, cart_id: UUID, patch: CartPatch) -> Cart:
        return self._patch("patch_unversioned", Cart, patch, id=cart_id)

    def delete(self, cart_id: UUID) -> None:
        self._touch("delete", id=cart_id)

    def create_each(self, session_ids: list[str]) -> int:
        return self._count_each("create_each", [{"session_id": s} for s in session_ids])

    def expire_each(self, expiries: Mapping[UUID, datetime]) -> int:
        rows = [{"id": cart_id, "expires_at": at} for cart_id, at in expiries.items()]
        return self._count_each("expire_each", rows)

    def shorten_lock_timeout(self) -> None:
        self._script("shorten_lock_timeout")

    def lock_timeout(self) -> str:
        return str(self._value("current_lock_timeout"))

    def lock(self, cart_id: UUID) -> Cart:
        return self._lock("lock_cart", Cart, id=cart_id)

    def lock_session(self, session_id: str) -> list[Cart]:
        return self._lock_each("lock_session", Cart, session_id=session_id)

    # --- units of work --------------------------------------------------------------------

    @unit_of_work
    def create_two(self, session_id: str, fail: Exception | None = None) -> list[Cart]:
        made = [self.create(session_id), self.create(session_id)]
        if fail is not None:
            raise fail
        return made

    @unit_of_work
    def create_conflicting(self, session_id: str, attempts: list[int], conflicts: int) -> int:
        """Create a cart, then fail with a serialization failure the first ``conflicts`` times."""
        attempts.append(len(attempts) + 1)
        self.create(session_id)
        if len(attempts) <= conflicts:
            raise SerializationFailure("kit: this attempt conflicts")
        return self.count_for_session(session_id)

    @unit_of_work
    def lock_in_turn(self, first: UUID, second: UUID, between: Callable[[], None]) -> None:
        self.lock(first)
        between()
        self.lock(second)

    @unit_of_work
    def lock_in_unit(self, cart_id: UUID) -> Cart:
        return self.lock(cart_id)

    @unit_of_work
    def die_holding_a_lock(self, key: str) -> None:
        self._lock("lock_and_die", None, key=key)

    @unit_of_work
    def create_with_user(self, session_id: str, user: NewUser) -> tuple[int, int]:
        tx: Transaction = self._tx
        self.create(session_id)
        tx.users.create(user)
        return tx.users.count(), tx.connection.info.backend_pid

    @unit_of_work
    def create_user(self, user: NewUser) -> User:
        tx: Transaction = self._tx
        return tx.users.create(user)

    @unit_of_work
    def create_and_reach_itself(self, session_id: str) -> tuple[Cart, Cart, bool]:
        made = self.create(session_id)
        tx: Transaction = self._tx
        return made, self.get(made.id), self is tx.repository(type(self))

    @unit_of_work
    def create_then_call(self, session_id: str, call: Callable[[], object]) -> None:
        self.create(session_id)
        call()


@pytest.fixture
def carts(tx: Transaction) -> Carts:
    """The test repository on a rolled-back transaction."""
    return tx.repository(Carts)


@pytest.fixture
def pooled_carts(db: Database) -> Carts:
    """The test repository on the pool of the test's own database (for threads and commits)."""
    return db.repository(Carts)


def _session() -> str:
    return f"session-{uuid4().hex[:8]}"


def _new_user(n: int) -> NewUser:
    return NewUser(email=f"kit{n}@example.com", password_hash="$2b$12$" + "k" * 53)


def _before_creation(cart: Cart) -> CartPatch:
    """A patch that breaks carts_expires_at_check: an expiry before the cart was made."""
    return CartPatch(expires_at=cart.created_at - timedelta(days=1))


# --- mapping rows to models ---------------------------------------------------------------


def test_get_maps_the_row_to_the_model_and_find_gives_none_when_absent(carts: Carts) -> None:
    created = carts.create("s1")

    assert carts.get(created.id) == created
    assert isinstance(created, Cart)
    assert carts.find(uuid4()) is None


def test_get_of_a_missing_row_is_not_found_naming_the_entity_and_key(carts: Carts) -> None:
    missing = uuid4()

    with pytest.raises(NotFoundError, match=f"cart {missing} not found") as caught:
        carts.get(missing)

    assert (caught.value.entity, caught.value.key) == ("cart", missing)


def test_touch_of_no_row_is_not_found_and_of_one_row_deletes_it(carts: Carts) -> None:
    cart = carts.create("s1")

    carts.delete(cart.id)

    assert carts.find(cart.id) is None
    with pytest.raises(NotFoundError, match="cart"):
        carts.delete(cart.id)


# --- keyset pages ---------------------------------------------------------------------------


def test_keyset_pages_return_every_row_once_newest_first(carts: Carts) -> None:
    session = _session()
    made = [carts.create(session) for _ in range(7)]
    carts.create("someone-else")

    seen: list[Cart] = []
    page = carts.list_for_session(session, limit=3)
    sizes = [len(page.items)]
    seen += page.items
    while page.next_cursor is not None:
        page = carts.list_for_session(session, limit=3, cursor=page.next_cursor)
        sizes.append(len(page.items))
        seen += page.items

    assert sizes == [3, 3, 1]
    expected = sorted(made, key=lambda c: (c.created_at, c.id), reverse=True)
    assert [c.id for c in seen] == [c.id for c in expected]


def test_a_page_that_ends_exactly_at_the_last_row_has_no_next_cursor(carts: Carts) -> None:
    session = _session()
    for _ in range(3):
        carts.create(session)

    page = carts.list_for_session(session, limit=3)

    assert len(page.items) == 3
    assert page.next_cursor is None


@pytest.mark.parametrize("limit", [0, -5, 501, 10**9, 2.5, "20", True])
def test_a_limit_outside_one_to_the_maximum_page_size_is_refused_not_clamped(
    carts: Carts, limit: Any
) -> None:
    with pytest.raises(InvalidInput, match="limit must be an integer from 1 to 500"):
        carts.list_for_session(_session(), limit=limit)


def test_the_maximum_page_size_is_a_valid_limit(carts: Carts) -> None:
    session = _session()
    for _ in range(3):
        carts.create(session)

    assert len(carts.list_for_session(session, limit=500).items) == 3


def test_a_cursor_issued_for_one_filter_value_is_refused_for_another(carts: Carts) -> None:
    session = _session()
    for _ in range(3):
        carts.create(session)
    cursor = carts.list_for_session(session, limit=1).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursor, match="other filters"):
        carts.list_for_session("another-session", limit=1, cursor=cursor)


def test_a_cursor_of_another_listing_is_refused(tx: Transaction, carts: Carts) -> None:
    for n in range(3):
        tx.users.create(_new_user(n))
    users_cursor = tx.users.list_users(limit=1).next_cursor
    assert users_cursor is not None

    with pytest.raises(InvalidCursor, match=r"listing kit\.list_for_session"):
        carts.list_for_session("s", limit=1, cursor=users_cursor)


# --- offset pages ---------------------------------------------------------------------------


def test_an_offset_page_carries_the_total_and_its_rows(carts: Carts) -> None:
    session = _session()
    made = [carts.create(session) for _ in range(5)]

    second = carts.page_for_session(session, page=2, per_page=2)

    assert second.total == 5
    assert (second.page, second.per_page, second.pages) == (2, 2, 3)
    oldest_first = sorted(made, key=lambda c: (c.created_at, c.id))
    assert [c.id for c in second.items] == [c.id for c in oldest_first[2:4]]


def test_an_offset_page_below_one_is_refused_before_any_query(
    shared_db: Database, carts: Carts
) -> None:
    with shared_db.capture_queries() as ran, pytest.raises(ValueError, match="start at 1"):
        carts.page_for_session("s", page=0, per_page=10)

    assert ran == []


# --- patches and versions ---------------------------------------------------------------------


def test_a_patch_changes_only_the_fields_it_sets_and_none_clears(carts: Carts) -> None:
    cart = carts.create("s1")
    later = datetime.now(UTC) + timedelta(days=1)

    moved = carts.patch(cart.id, CartPatch(expires_at=later))
    cleared = carts.patch(cart.id, CartPatch(session_id=None))

    assert (moved.session_id, moved.expires_at) == ("s1", later)
    assert (cleared.session_id, cleared.expires_at) == (None, later)


def test_an_empty_patch_changes_nothing(carts: Carts) -> None:
    cart = carts.create("s1")

    same = carts.patch(cart.id, CartPatch())

    assert (same.session_id, same.expires_at, same.version) == ("s1", None, 1)


def test_a_patch_of_a_missing_row_is_not_found(carts: Carts) -> None:
    with pytest.raises(NotFoundError, match="cart"):
        carts.patch(uuid4(), CartPatch(session_id="x"))


def test_a_versioned_update_bumps_the_version(carts: Carts) -> None:
    cart = carts.create("s1")

    first = carts.update(cart.id, CartPatch(session_id="s2"), expected_version=1)
    second = carts.update(cart.id, CartPatch(session_id="s3"), expected_version=2)

    assert (first.version, second.version, second.session_id) == (2, 3, "s3")


def test_a_stale_version_is_told_apart_from_a_missing_row(tx: Transaction, carts: Carts) -> None:
    cart = carts.create("s1")
    carts.update(cart.id, CartPatch(session_id="s2"), expected_version=1)

    stale = pytest.raises(StaleVersionError, match=f"cart {cart.id} is no longer at version 1")
    with stale as e, tx.savepoint():
        carts.update(cart.id, CartPatch(session_id="s3"), expected_version=1)
    with pytest.raises(NotFoundError, match="cart"):
        carts.update(uuid4(), CartPatch(session_id="s3"), expected_version=1)

    assert isinstance(e.value, ConflictError)
    assert carts.get(cart.id).session_id == "s2"


def test_concurrent_updates_with_the_same_expected_version_exactly_one_succeeds(
    pooled_carts: Carts,
) -> None:
    carts = pooled_carts
    cart = carts.create("s1")
    workers = 4
    start = threading.Barrier(workers)

    def attempt(n: int) -> str:
        start.wait(timeout=10)
        try:
            carts.update(cart.id, CartPatch(session_id=f"writer-{n}"), expected_version=1)
        except StaleVersionError:
            return "stale"
        return "won"

    with ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(attempt, range(workers)))

    assert sorted(outcomes) == ["stale"] * (workers - 1) + ["won"]
    final = carts.get(cart.id)
    assert final.version == 2
    assert final.session_id == f"writer-{outcomes.index('won')}"


# --- every call checked against its declaration -----------------------------------------------


def test_a_missing_parameter_is_a_programming_error_and_runs_nothing(
    shared_db: Database, carts: Carts
) -> None:
    with shared_db.capture_queries() as ran, pytest.raises(ProgrammingError) as caught:
        carts._get("create", Cart)

    assert "kit.create" in str(caught.value)
    assert "missing session_id" in str(caught.value)
    assert ran == []


def test_an_extra_parameter_is_a_programming_error_naming_it(carts: Carts) -> None:
    with pytest.raises(ProgrammingError, match=r"kit\.get: .*unexpected session_id"):
        carts._get("get", Cart, id=uuid4(), session_id="x")


def test_a_helper_that_does_not_fit_the_statement_is_refused(carts: Carts) -> None:
    with pytest.raises(ProgrammingError, match=r"kit\.delete: is a ! query; this helper needs"):
        carts._get("delete", Cart, id=uuid4())
    with pytest.raises(ProgrammingError, match=r"kit\.get: is a \^ query"):
        carts._count("get", id=uuid4())


def test_a_model_other_than_the_declared_one_is_refused(carts: Carts) -> None:
    with pytest.raises(ProgrammingError, match="declared to map to Cart, called with User"):
        carts._get("get", User, id=uuid4())


def test_an_undeclared_query_is_refused(carts: Carts) -> None:
    with pytest.raises(ProgrammingError, match=r"kit\.nothing: not declared in Carts\.queries"):
        carts._find("nothing", Cart, id=uuid4())


def test_a_declaration_of_a_query_the_sql_file_lacks_is_refused(db: Database) -> None:
    class Broken(Carts):
        queries: ClassVar = {"get": Cart, "no_such_query": Cart}

    with pytest.raises(ProgrammingError, match="no query no_such_query in kit"):
        db.repository(Broken)


def test_a_read_declared_idempotent_is_refused(db: Database) -> None:
    class Broken(Carts):
        idempotent = frozenset({"get"})

    with pytest.raises(ProgrammingError, match="idempotent: get"):
        db.repository(Broken)


def test_a_write_declared_a_replica_read_is_refused(db: Database) -> None:
    class Broken(Carts):
        replica_reads = frozenset({"get", "delete"})

    with pytest.raises(ProgrammingError, match="replica_reads: delete is no declared read"):
        db.repository(Broken)


def test_a_replica_read_is_marked_on_its_query_and_nothing_else_is(db: Database) -> None:
    class Readable(Carts):
        replica_reads = frozenset({"get"})

    from shopdb.core.repository import declared_queries

    marked = {name for name, (query, _, _) in declared_queries(Readable).items() if query.replica}
    assert marked == {"get"}


def test_planned_per_call_must_name_a_declared_query(db: Database) -> None:
    class Broken(Carts):
        planned_per_call = frozenset({"no_such_query"})

    with pytest.raises(ProgrammingError, match="planned_per_call: no_such_query"):
        db.repository(Broken)


def test_a_query_declared_both_as_a_query_and_as_a_lock_is_refused(db: Database) -> None:
    class Broken(Carts):
        locks: ClassVar = {**Carts.locks, "get": Cart}

    with pytest.raises(ProgrammingError, match="get in both queries and locks"):
        db.repository(Broken)


def test_a_lock_the_sql_file_lacks_is_refused(db: Database) -> None:
    class Broken(Carts):
        locks: ClassVar = {"no_such_lock": Cart}

    with pytest.raises(ProgrammingError, match="no query no_such_lock in kit"):
        db.repository(Broken)


# --- locks ------------------------------------------------------------------------------------


def test_a_lock_outside_a_transaction_is_refused_and_sends_nothing(
    db: Database, pooled_carts: Carts
) -> None:
    cart = pooled_carts.create(_session())

    with (
        db.capture_queries() as ran,
        pytest.raises(ProgrammingError, match="runs inside a transaction only"),
    ):
        pooled_carts.lock(cart.id)
    with db.capture_queries() as ran_each, pytest.raises(ProgrammingError, match="@unit_of_work"):
        pooled_carts.lock_session("s1")

    assert ran == [] and ran_each == []


def test_a_lock_holds_the_row_until_its_transaction_ends(
    db: Database, pooled_carts: Carts, admin: psycopg.Connection[Any]
) -> None:
    cart = pooled_carts.create(_session())
    admin.execute("SET lock_timeout = '100ms'")
    take = "SELECT id FROM carts WHERE id = %s FOR NO KEY UPDATE"

    with db.transaction() as tx:
        locked = tx.repository(Carts).lock(cart.id)
        with pytest.raises(psycopg.errors.LockNotAvailable):
            admin.execute(take, [cart.id])

    assert locked == cart
    assert admin.execute(take, [cart.id]).fetchone() == (cart.id,)


def test_a_unit_of_work_on_the_database_may_lock(
    pooled_carts: Carts, admin: psycopg.Connection[Any]
) -> None:
    cart = pooled_carts.create(_session())

    locked = pooled_carts.lock_in_unit(cart.id)

    assert locked == cart
    admin.execute("SET lock_timeout = '100ms'")
    take = "SELECT id FROM carts WHERE id = %s FOR NO KEY UPDATE"
    assert admin.execute(take, [cart.id]).fetchone() == (cart.id,)  # released at its COMMIT


def test_a_second_transaction_waiting_for_a_locked_row_gives_up_with_lock_timeout(
    db: Database, pooled_carts: Carts
) -> None:
    cart = pooled_carts.create(_session())

    def take_it_elsewhere() -> Cart:
        with db.transaction() as other:
            other.repository(Carts).shorten_lock_timeout()
            return other.repository(Carts).lock(cart.id)

    with db.transaction() as tx, ThreadPoolExecutor(1) as elsewhere:
        tx.repository(Carts).lock(cart.id)
        attempt = elsewhere.submit(take_it_elsewhere)
        with pytest.raises(LockTimeout, match=r"kit\.lock_cart: gave up waiting for a lock"):
            attempt.result(timeout=10)


def test_a_lock_of_a_missing_row_is_not_found(carts: Carts) -> None:
    missing = uuid4()

    with pytest.raises(NotFoundError, match=f"cart {missing} not found"):
        carts.lock(missing)


def test_a_lock_of_several_rows_returns_them_in_the_order_of_the_statement(
    carts: Carts,
) -> None:
    session = _session()
    made = [carts.create(session) for _ in range(3)]
    carts.create("someone-else")

    locked = carts.lock_session(session)

    assert [c.id for c in locked] == sorted(c.id for c in made)


def test_a_lock_is_run_by_the_lock_helpers_only_and_a_query_never_by_them(
    carts: Carts,
) -> None:
    cart = carts.create("s1")

    with pytest.raises(ProgrammingError, match=r"kit\.lock_cart: a lock: run it with _lock"):
        carts._get("lock_cart", Cart, id=cart.id)
    with pytest.raises(ProgrammingError, match=r"kit\.lock_cart: a lock: .*\(Carts\.locks\)"):
        carts._find("lock_cart", Cart, id=cart.id)
    with pytest.raises(ProgrammingError, match=r"kit\.get: not a lock .*Carts\.queries"):
        carts._lock("get", Cart, id=cart.id)
    with pytest.raises(ProgrammingError, match=r"kit\.list_for_session: not a lock"):
        carts._lock_each(
            "list_for_session",
            Cart,
            session_id="s1",
            after_created_at=cart.created_at,
            after_id=cart.id,
            limit=1,
        )


def test_a_lock_helper_that_does_not_fit_the_lock_statement_is_refused(carts: Carts) -> None:
    with pytest.raises(ProgrammingError, match=r"kit\.lock_session: is a plain SELECT query"):
        carts._lock("lock_session", Cart, session_id="s1")
    with pytest.raises(ProgrammingError, match=r"kit\.lock_cart: is a \^ query"):
        carts._lock_each("lock_cart", Cart, id=uuid4())


def test_a_lock_is_not_safe_to_retry_where_the_same_select_as_a_query_is() -> None:
    declared = declared_queries(Carts)
    lock, read = declared["lock_cart"][0], declared["get"][0]

    assert (lock.lock, lock.is_read, lock.retry_safe) == (True, True, False)
    assert (read.lock, read.retry_safe) == (False, True)


def test_a_lock_whose_connection_dies_is_not_run_again_by_the_pool(db: Database) -> None:
    lock = declared_queries(Carts)["lock_and_die"][0]
    as_read = dataclasses.replace(lock, lock=False)

    with db.capture_queries() as locked, pytest.raises(WriteOutcomeUnknown):
        db._pool_runner.run(lock, {"key": "kit"})
    with db.capture_queries() as read, pytest.raises(ConnectionLost):
        db._pool_runner.run(as_read, {"key": "kit"})

    assert [(r.name, r.failed) for r in locked] == [("kit.lock_and_die", True)]
    assert [r.name for r in read] == ["kit.lock_and_die"] * 2


def test_a_lock_whose_connection_dies_in_a_unit_of_work_is_not_run_again(
    db: Database, pooled_carts: Carts
) -> None:
    with db.capture_queries() as ran, pytest.raises(ConnectionLost):
        pooled_carts.die_holding_a_lock("kit")

    assert [r.name for r in ran if r.name.startswith("kit.")] == ["kit.lock_and_die"]
    assert pooled_carts.count_for_session("s1") == 0  # the pool goes on


# --- *! and # statements ----------------------------------------------------------------------


def test_count_each_runs_the_statement_once_per_parameter_set_under_the_timer(
    shared_db: Database, carts: Carts
) -> None:
    sessions = [_session(), _session(), _session()]

    with shared_db.capture_queries() as ran:
        touched = carts.create_each([sessions[0], sessions[1], sessions[1]])

    assert touched == 3
    assert [carts.count_for_session(s) for s in sessions] == [1, 2, 0]
    assert [(r.name, r.rows, r.failed) for r in ran] == [("kit.create_each", 3, False)]


def test_count_each_counts_only_the_rows_its_parameter_sets_touched(carts: Carts) -> None:
    cart = carts.create("s1")
    later = datetime.now(UTC) + timedelta(days=1)

    touched = carts.expire_each({cart.id: later, uuid4(): later})

    assert touched == 1
    assert carts.get(cart.id).expires_at == later


def test_count_each_of_no_parameter_sets_touches_nothing(shared_db: Database, carts: Carts) -> None:
    assert carts.create_each([]) == 0


def test_count_each_translates_errors_and_on_the_database_writes_none_of_the_sets(
    db: Database, pooled_carts: Carts
) -> None:
    first, second = pooled_carts.create("s1"), pooled_carts.create("s1")
    later = datetime.now(UTC) + timedelta(days=1)
    expiries = {first.id: later, second.id: second.created_at - timedelta(days=1)}

    with db.capture_queries() as ran, pytest.raises(ConstraintViolation, match=EXPIRY_RULE):
        pooled_carts.expire_each(expiries)

    assert [(r.name, r.failed) for r in ran] == [("kit.expire_each", True)]
    assert pooled_carts.get(first.id).expires_at is None


def test_count_each_with_a_wrong_parameter_set_is_a_programming_error_and_runs_nothing(
    shared_db: Database, carts: Carts
) -> None:
    rows = [{"session_id": "a"}, {"session": "b"}]

    with shared_db.capture_queries() as ran, pytest.raises(ProgrammingError) as caught:
        carts._count_each("create_each", rows)

    assert "kit.create_each" in str(caught.value)
    assert "missing session_id; unexpected session" in str(caught.value)
    assert ran == []
    assert carts.count_for_session("a") == 0


def test_count_each_refuses_a_statement_that_is_not_a_star_bang(carts: Carts) -> None:
    with pytest.raises(
        ProgrammingError, match=r"kit\.create: is a <! query; this helper needs \*!"
    ):
        carts._count_each("create", [{"session_id": "a"}])


def test_script_runs_a_hash_statement_on_the_connection_of_its_transaction(
    carts: Carts,
) -> None:
    before = carts.lock_timeout()

    carts.shorten_lock_timeout()

    assert (before, carts.lock_timeout()) == ("0", "100ms")


def test_script_refuses_a_statement_that_is_not_a_hash(carts: Carts) -> None:
    with pytest.raises(ProgrammingError, match=r"kit\.current_lock_timeout: is a \$ query"):
        carts._script("current_lock_timeout")


# --- units of work -----------------------------------------------------------------------------


def test_a_unit_of_work_on_the_database_commits_when_it_returns(pooled_carts: Carts) -> None:
    session = _session()

    made = pooled_carts.create_two(session)

    assert pooled_carts.page_for_session(session, page=1, per_page=10).items == made


def test_a_unit_of_work_on_the_database_leaves_nothing_when_it_fails(
    pooled_carts: Carts,
) -> None:
    session = _session()

    with pytest.raises(RuntimeError, match="boom"):
        pooled_carts.create_two(session, RuntimeError("boom"))

    assert pooled_carts.page_for_session(session, page=1, per_page=10).total == 0


def test_a_unit_of_work_on_the_database_is_retried_as_a_whole_on_serialization_failure(
    pooled_carts: Carts,
) -> None:
    session = _session()
    attempts: list[int] = []

    count = pooled_carts.create_conflicting(session, attempts, conflicts=1)

    assert count == 1  # the first attempt's cart was rolled back with it
    assert attempts == [1, 2]
    assert pooled_carts.count_for_session(session) == 1


def test_a_unit_of_work_that_keeps_conflicting_gives_up_after_the_configured_attempts(
    settings: Settings, pooled_carts: Carts
) -> None:
    session = _session()
    attempts: list[int] = []

    with pytest.raises(TransientError, match=f"gave up after {settings.transaction_attempts}"):
        pooled_carts.create_conflicting(session, attempts, conflicts=10**6)

    assert len(attempts) == settings.transaction_attempts
    assert pooled_carts.count_for_session(session) == 0


def test_the_victim_of_a_real_deadlock_between_two_units_of_work_is_run_again(
    pooled_carts: Carts,
) -> None:
    one, two = pooled_carts.create(_session()), pooled_carts.create(_session())
    both_hold_one = threading.Barrier(2)
    runs: list[str] = []

    def lock(first: Cart, second: Cart) -> None:
        def between() -> None:
            runs.append(str(first.id))
            if runs.count(str(first.id)) == 1:  # only the first attempt waits for the other
                both_hold_one.wait(timeout=10)

        pooled_carts.lock_in_turn(first.id, second.id, between)

    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(lock, one, two), pool.submit(lock, two, one)]
        for future in done:
            future.result(timeout=30)

    assert sorted(runs.count(str(c.id)) for c in (one, two)) == [1, 2]


def test_a_unit_of_work_inside_a_transaction_is_a_savepoint_of_it(
    carts: Carts,
) -> None:
    session = _session()
    kept = carts.create(session)

    with pytest.raises(RuntimeError, match="boom"):
        carts.create_two(session, RuntimeError("boom"))
    inside = carts.page_for_session(session, page=1, per_page=10)

    assert [c.id for c in inside.items] == [kept.id]


def test_a_unit_of_work_inside_a_transaction_is_not_retried_there(carts: Carts) -> None:
    session = _session()
    attempts: list[int] = []

    with pytest.raises(SerializationFailure, match="this attempt conflicts"):
        carts.create_conflicting(session, attempts, conflicts=1)

    assert attempts == [1]
    assert carts.count_for_session(session) == 0  # its savepoint was rolled back
    assert carts.create(session).session_id == session  # and the transaction goes on


def test_a_unit_of_work_inside_a_transaction_commits_with_it(db: Database) -> None:
    session = _session()

    with db.transaction() as tx:
        made = tx.repository(Carts).create_two(session)

    assert db.repository(Carts).page_for_session(session, page=1, per_page=10).items == made


def test_a_unit_of_work_reaches_the_sibling_repositories_on_the_same_connection(
    db: Database, pooled_carts: Carts
) -> None:
    session = _session()

    count, pid = pooled_carts.create_with_user(session, _new_user(7))

    assert count == 1
    assert pid > 0
    assert (db.users.count(), pooled_carts.count_for_session(session)) == (1, 1)


def test_inside_a_unit_of_work_the_repository_is_the_one_of_its_transaction(
    pooled_carts: Carts,
) -> None:
    session = _session()

    made, read_back, is_the_transactions = pooled_carts.create_and_reach_itself(session)

    assert read_back == made
    assert is_the_transactions
    assert pooled_carts.get(made.id) == made


def test_inside_a_unit_of_work_the_database_repository_is_refused(
    db: Database, pooled_carts: Carts
) -> None:
    session = _session()

    with pytest.raises(TransactionBypassed, match=r"db\.kit called on the Database"):
        pooled_carts.create_then_call(session, lambda: pooled_carts.create(session))

    assert pooled_carts.count_for_session(session) == 0


def test_the_transaction_of_a_repository_outside_a_unit_of_work_is_refused(
    pooled_carts: Carts,
) -> None:
    with pytest.raises(ProgrammingError, match="Carts: no transaction here"):
        pooled_carts._tx  # noqa: B018


# --- the Database refused inside a transaction block ----------------------------------------


def test_a_pool_repository_call_inside_a_transaction_names_the_tx_attribute(
    db: Database,
) -> None:
    user = db.users.create(_new_user(1))

    with db.transaction() as tx:
        with pytest.raises(TransactionBypassed, match=r"db\.users called .*\(tx\.<attribute>\)"):
            db.users.get(user.id)
        assert tx.users.get(user.id) == user

    assert db.users.get(user.id) == user


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda carts: carts.get(uuid4()), r"db\.kit called on the Database"),
        (lambda carts: carts.create_two("s1"), r"Carts\.create_two called on the Database"),
        (lambda carts: carts.create_each(["s1"]), r"kit\.create_each called on the Database"),
    ],
    ids=["query", "unit_of_work", "count_each"],
)
def test_a_database_repository_inside_a_transaction_block_is_refused_and_sends_nothing(
    db: Database, call: Callable[[Carts], object], named: str
) -> None:
    bypass = pytest.raises(TransactionBypassed, match=named)
    with db.transaction(), db.capture_queries() as ran, bypass:
        call(db.repository(Carts))

    assert ran == []
    assert db.repository(Carts).count_for_session("s1") == 0


def test_another_thread_may_use_the_pool_while_a_transaction_is_open(db: Database) -> None:
    user = db.users.create(_new_user(1))

    with db.transaction(), ThreadPoolExecutor(1) as other:
        assert other.submit(db.users.get, user.id).result() == user


# --- constraint rules carried by each repository's statements --------------------------------


class CartRules(Carts):
    constraint_errors: ClassVar = {EXPIRY_RULE: CartExpiryInThePast}
    constraint_messages: ClassVar = {EXPIRY_RULE: "a cart expires after it is made"}


def test_a_constraint_mapped_to_a_domain_error_raises_it(tx: Transaction) -> None:
    rules = tx.repository(CartRules)
    cart = rules.create("s1")

    with pytest.raises(CartExpiryInThePast, match="a cart expires after it is made") as caught:
        rules.patch(cart.id, _before_creation(cart))

    assert (caught.value.constraint, caught.value.table) == (EXPIRY_RULE, "carts")


def test_without_a_mapping_the_same_violation_is_a_constraint_violation(carts: Carts) -> None:
    cart = carts.create("s1")

    with pytest.raises(ConstraintViolation, match=EXPIRY_RULE) as caught:
        carts.patch(cart.id, _before_creation(cart))

    assert not isinstance(caught.value, CartExpiryInThePast)
    assert str(caught.value) == f"{EXPIRY_RULE}: carts: value breaks the rule {EXPIRY_RULE}"


def test_a_domain_error_declared_by_one_repository_is_raised_for_its_statements_only(
    tx: Transaction,
) -> None:
    cart = tx.repository(Carts).create("s1")

    with pytest.raises(CartExpiryInThePast), tx.savepoint():
        tx.repository(CartRules).patch(cart.id, _before_creation(cart))
    with pytest.raises(ConstraintViolation) as plain, tx.savepoint():
        tx.repository(Carts).patch(cart.id, _before_creation(cart))

    assert type(plain.value) is ConstraintViolation


def test_two_repositories_with_different_messages_for_one_constraint_each_get_their_own(
    tx: Transaction,
) -> None:
    class One(Carts):
        constraint_messages: ClassVar = {EXPIRY_RULE: "one says no"}

    class Two(Carts):
        constraint_messages: ClassVar = {EXPIRY_RULE: "two says no"}

    cart = tx.repository(Carts).create("s1")
    said = []
    for cls in (One, Two, One):
        with pytest.raises(ConstraintViolation) as caught, tx.savepoint():
            tx.repository(cls).patch(cart.id, _before_creation(cart))
        said.append(str(caught.value))

    assert said == [f"{EXPIRY_RULE}: {who} says no" for who in ("one", "two", "one")]


def test_a_repositorys_rules_do_not_reach_a_sibling_called_from_its_unit_of_work(
    tx: Transaction,
) -> None:
    class Greedy(Carts):
        constraint_messages: ClassVar = {"users_email_lower_key": "greedy's message"}
        constraint_errors: ClassVar = {"users_email_lower_key": CartExpiryInThePast}

    tx.users.create(_new_user(1))

    with pytest.raises(ConflictError) as caught:
        tx.repository(Greedy).create_user(_new_user(1))

    assert type(caught.value) is ConflictError
    assert str(caught.value) == "users_email_lower_key: a user with this email already exists"


def test_constraint_rules_translate_an_error_of_the_applications_own_statement(
    tx: Transaction,
) -> None:
    cart = tx.repository(Carts).create("s1")
    conn = tx.connection
    expire = "UPDATE carts SET expires_at = created_at - interval '1 day' WHERE id = %s"
    with pytest.raises(psycopg.errors.CheckViolation) as raw, conn.transaction():
        conn.execute(expire, [cart.id])

    mine = translate(raw.value, "app.expire", rules=CartRules.constraint_rules())
    none = translate(raw.value, "app.expire")

    assert CartRules.constraint_rules() == ConstraintRules(
        {EXPIRY_RULE: "a cart expires after it is made"}, {EXPIRY_RULE: CartExpiryInThePast}
    )
    assert isinstance(mine, CartExpiryInThePast)
    assert str(mine) == f"{EXPIRY_RULE}: a cart expires after it is made"
    assert type(none) is ConstraintViolation


def test_the_users_messages_come_from_the_repository_class(db: Database) -> None:
    db.users.create(_new_user(1))

    with pytest.raises(ConflictError, match="a user with this email already exists"):
        db.users.create(_new_user(1))

    assert UserRepository.constraint_rules().messages["users_email_lower_key"] == (
        "a user with this email already exists"
    )


def test_the_components_list_every_repository_once_and_no_service(db: Database) -> None:
    bound = dict(bound_components(Components))

    assert len(set(REPOSITORIES)) == len(REPOSITORIES)
    assert {name for name, cls in bound.items() if cls not in REPOSITORIES} == {
        "checkout",
        "erasure",
        "fulfilment",
        "settlement",
    }
    assert all(isinstance(getattr(db, cls.namespace), cls) for cls in REPOSITORIES)
    assert {cls for cls in bound.values() if issubclass(cls, Repository)} == set(REPOSITORIES)


# --- the rolled-back transaction fixture ----------------------------------------------------------


@pytest.mark.parametrize("run", [1, 2])
def test_each_tx_test_starts_without_the_rows_of_the_one_before(tx: Transaction, run: int) -> None:
    assert tx.users.count() == 0
    tx.users.create(_new_user(0))  # the same email both times: a leftover row would conflict
    assert tx.users.count() == 1
