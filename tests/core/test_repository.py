"""The repository kit: declared queries, row mapping, paging, patches, versions, units of work.

The kit is exercised through a repository that only these tests declare (tests/core/sql/kit.sql
over the carts table), so that every helper meets a real statement on a real PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar
from uuid import UUID, uuid4

import pytest

from shopdb import Database
from shopdb.core.constraints import install_constraint_rules
from shopdb.core.errors import (
    ConflictError,
    ConstraintViolation,
    DomainError,
    InvalidCursor,
    NotFoundError,
    ProgrammingError,
    SerializationFailure,
    StaleVersionError,
    TransactionBypassed,
)
from shopdb.core.paging import NEWEST_FIRST, CursorPage, Page
from shopdb.core.repository import Repository
from shopdb.models.base import InputModel, RowModel
from shopdb.models.users import NewUser, User
from shopdb.repositories import REPOSITORIES
from shopdb.transaction import Transaction

SQL = Path(__file__).parent / "sql"


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
    }

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

    def update(self, cart_id: UUID, patch: CartPatch, expected_version: int) -> Cart:
        return self._patch("update", Cart, patch, expected_version=expected_version, id=cart_id)

    def patch(self, cart_id: UUID, patch: CartPatch) -> Cart:
        return self._patch("patch_unversioned", Cart, patch, id=cart_id)

    def delete(self, cart_id: UUID) -> None:
        self._touch("delete", id=cart_id)

    def two_carts_then_fail(self, session_id: str, fail: Exception) -> None:
        with self._atomic() as tx:
            tx.repository(Carts).create(session_id)
            tx.repository(Carts).create(session_id)
            raise fail


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


def test_the_limit_is_clamped_between_one_and_the_maximum_page_size(carts: Carts) -> None:
    session = _session()
    for _ in range(3):
        carts.create(session)

    assert len(carts.list_for_session(session, limit=0).items) == 1
    assert len(carts.list_for_session(session, limit=-5).items) == 1
    assert len(carts.list_for_session(session, limit=10**9).items) == 3


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


def test_planned_per_call_must_name_a_declared_query(db: Database) -> None:
    class Broken(Carts):
        planned_per_call = frozenset({"no_such_query"})

    with pytest.raises(ProgrammingError, match="planned_per_call: no_such_query"):
        db.repository(Broken)


# --- unit of work ------------------------------------------------------------------------------


def test_a_pool_repository_call_inside_a_transaction_names_the_tx_attribute(
    db: Database,
) -> None:
    user = db.users.create(_new_user(1))

    with db.transaction() as tx:
        with pytest.raises(TransactionBypassed, match=r"use tx\.users"):
            db.users.get(user.id)
        assert tx.users.get(user.id) == user

    assert db.users.get(user.id) == user


def test_another_thread_may_use_the_pool_while_a_transaction_is_open(db: Database) -> None:
    user = db.users.create(_new_user(1))

    with db.transaction(), ThreadPoolExecutor(1) as other:
        assert other.submit(db.users.get, user.id).result() == user


def test_a_unit_of_work_outside_a_transaction_leaves_nothing_when_it_fails(
    pooled_carts: Carts,
) -> None:
    carts = pooled_carts
    session = _session()

    with pytest.raises(RuntimeError, match="boom"):
        carts.two_carts_then_fail(session, RuntimeError("boom"))

    assert carts.page_for_session(session, page=1, per_page=10).total == 0


def test_a_unit_of_work_inside_a_transaction_is_a_savepoint_of_it(db: Database) -> None:
    session = _session()

    with db.transaction() as tx:
        kept = tx.repository(Carts).create(session)
        with pytest.raises(RuntimeError):
            tx.repository(Carts).two_carts_then_fail(session, RuntimeError("boom"))
        inside = tx.repository(Carts).page_for_session(session, page=1, per_page=10)

    assert [c.id for c in inside.items] == [kept.id]
    assert db.repository(Carts).page_for_session(session, page=1, per_page=10).total == 1


def test_a_unit_of_work_reaches_the_sibling_repositories_on_the_same_connection(
    db: Database,
) -> None:
    def work(tx: Transaction) -> tuple[int, int]:
        tx.users.create(_new_user(7))
        return tx.users.count(), tx.connection.info.backend_pid

    count, pid = db.repository(Carts)._run_atomic(work)

    assert count == 1
    assert pid > 0
    assert db.users.count() == 1


def test_run_atomic_outside_a_transaction_retries_the_whole_unit_on_serialization_failure(
    db: Database,
) -> None:
    calls: list[int] = []

    def flaky(tx: Transaction) -> int:
        calls.append(1)
        tx.users.create(_new_user(len(calls)))
        if len(calls) == 1:
            raise SerializationFailure("first attempt conflicts")
        return tx.users.count()

    assert db.repository(Carts)._run_atomic(flaky) == 1
    assert len(calls) == 2
    assert db.users.count() == 1


# --- constraint rules as class data ---------------------------------------------------------------


@pytest.fixture
def restore_rules() -> Iterator[None]:
    yield
    install_constraint_rules(REPOSITORIES)


@pytest.mark.usefixtures("restore_rules")
def test_a_constraint_mapped_to_a_domain_error_raises_it(carts: Carts) -> None:
    class CartRules(Carts):
        constraint_errors: ClassVar = {"carts_expires_at_check": CartExpiryInThePast}
        constraint_messages: ClassVar = {
            "carts_expires_at_check": "a cart expires after it is made"
        }

    install_constraint_rules((*REPOSITORIES, CartRules))
    cart = carts.create("s1")

    with pytest.raises(CartExpiryInThePast, match="a cart expires after it is made") as caught:
        carts.patch(cart.id, CartPatch(expires_at=cart.created_at - timedelta(days=1)))

    assert (caught.value.constraint, caught.value.table) == ("carts_expires_at_check", "carts")


def test_without_a_mapping_the_same_violation_is_a_constraint_violation(carts: Carts) -> None:
    cart = carts.create("s1")

    with pytest.raises(ConstraintViolation, match="carts_expires_at_check"):
        carts.patch(cart.id, CartPatch(expires_at=cart.created_at - timedelta(days=1)))


@pytest.mark.usefixtures("restore_rules")
def test_a_constraint_declared_by_two_repositories_is_refused() -> None:
    class One(Carts):
        constraint_messages: ClassVar = {"carts_pkey": "one"}

    class Two(Carts):
        constraint_messages: ClassVar = {"carts_pkey": "two"}

    with pytest.raises(ProgrammingError, match="carts_pkey is declared by both One and Two"):
        install_constraint_rules((One, Two))


def test_the_users_messages_are_installed_from_the_repository_class(db: Database) -> None:
    db.users.create(_new_user(1))

    with pytest.raises(ConflictError, match="a user with this email already exists"):
        db.users.create(_new_user(1))


def _new_user(n: int) -> NewUser:
    return NewUser(email=f"kit{n}@example.com", password_hash="$2b$12$" + "k" * 53)


# --- the rolled-back transaction fixture ----------------------------------------------------------


@pytest.mark.parametrize("run", [1, 2])
def test_each_tx_test_starts_without_the_rows_of_the_one_before(tx: Transaction, run: int) -> None:
    assert tx.users.count() == 0
    tx.users.create(_new_user(0))  # the same email both times: a leftover row would conflict
    assert tx.users.count() == 1


def test_inside_a_unit_of_work_the_repository_reaches_itself_on_the_transaction(
    pooled_carts: Carts,
) -> None:
    carts = pooled_carts
    session = _session()

    with carts._atomic() as tx:
        with pytest.raises(TransactionBypassed, match=r"tx\.kit"):
            carts.create(session)
        made = carts._on(tx).create(session)
        assert carts._on(tx).get(made.id) == made
        assert carts._on(tx) is tx.repository(Carts)

    assert carts.get(made.id) == made
