"""AccessRepository against a real PostgreSQL: roles, permissions, holders, audit, races."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest

from shopdb import Database, Transaction
from shopdb.errors import ConflictError, ConstraintViolation, InvalidCursor, InvalidInput
from shopdb.models import Actor, NewPermission, NewRole, Permission, Role, User
from tests.support.factories import new_user


@pytest.fixture
def user(tx: Transaction) -> User:
    return tx.users.create(new_user())


@pytest.fixture
def staff(tx: Transaction) -> Role:
    return tx.access.create_role(NewRole(name=f"staff-{uuid4().hex[:8]}", description="Staff"))


def permission(tx: Transaction, key: str) -> Permission:
    return tx.access.create_permission(NewPermission(key=key))


ADMIN = Actor.system()


# --- roles and permissions ---------------------------------------------------------------


def test_a_role_can_be_created_found_and_listed(tx: Transaction, staff: Role) -> None:
    assert tx.access.find_role(staff.name) == staff
    assert staff in tx.access.list_roles()
    assert tx.access.find_role("no-such-role") is None


def test_a_duplicate_role_name_is_a_conflict(tx: Transaction, staff: Role) -> None:
    with pytest.raises(ConflictError, match="a role with this name exists"), tx.savepoint():
        tx.access.create_role(NewRole(name=staff.name))


def test_a_permission_can_be_created_and_found(tx: Transaction) -> None:
    made = permission(tx, "orders:refund")

    assert tx.access.find_permission("orders:refund") == made
    assert tx.access.find_permission("orders:nothing") is None


def test_a_duplicate_permission_key_is_a_conflict(tx: Transaction) -> None:
    permission(tx, "orders:refund")

    with pytest.raises(ConflictError, match="permission with this key"), tx.savepoint():
        permission(tx, "orders:refund")


@pytest.mark.parametrize(
    "key", ["orders", "Orders:read", ":read", "orders:", "orders:Read", "a b:c"]
)
def test_a_permission_key_not_in_domain_action_form_is_refused(key: str) -> None:
    with pytest.raises(InvalidInput):
        NewPermission(key=key)


@pytest.mark.parametrize("name", ["", "Staff", "9lives", "a" * 64, "with space"])
def test_a_malformed_role_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        NewRole(name=name)


def test_role_permissions_are_added_once_and_removed_once(tx: Transaction, staff: Role) -> None:
    read = permission(tx, "orders:read")

    assert tx.access.add_role_permission(staff.id, read.id) is True
    assert tx.access.add_role_permission(staff.id, read.id) is False
    assert tx.access.remove_role_permission(staff.id, read.id) is True
    assert tx.access.remove_role_permission(staff.id, read.id) is False


def test_adding_an_unknown_permission_to_a_role_is_a_constraint_violation(
    tx: Transaction, staff: Role
) -> None:
    with pytest.raises(ConstraintViolation, match="permission does not exist"), tx.savepoint():
        tx.access.add_role_permission(staff.id, uuid4())


# --- assignments -------------------------------------------------------------------------


def test_assign_role_gives_the_role_and_audits_it(tx: Transaction, user: User, staff: Role) -> None:
    assert tx.access.assign_role(user.id, staff.id, ADMIN) is True

    assert tx.access.roles_of_user(user.id) == [staff]
    (entry,) = tx.audit.history("users", user.id).items
    assert entry.action == "assign_role" and entry.before is None
    assert entry.after is not None and entry.after["role_id"] == str(staff.id)


def test_assigning_twice_is_a_no_op_that_records_nothing(
    tx: Transaction, user: User, staff: Role
) -> None:
    tx.access.assign_role(user.id, staff.id, ADMIN)

    assert tx.access.assign_role(user.id, staff.id, ADMIN) is False
    assert len(tx.audit.history("users", user.id).items) == 1


def test_unassign_role_takes_it_away_and_audits_it_once(
    tx: Transaction, user: User, staff: Role
) -> None:
    tx.access.assign_role(user.id, staff.id, ADMIN)

    assert tx.access.unassign_role(user.id, staff.id, ADMIN) is True
    assert tx.access.unassign_role(user.id, staff.id, ADMIN) is False

    assert tx.access.roles_of_user(user.id) == []
    actions = [e.action for e in tx.audit.history("users", user.id).items]
    assert actions == ["unassign_role", "assign_role"]


def test_assigning_an_unknown_role_or_to_an_unknown_user_is_a_constraint_violation(
    tx: Transaction, user: User, staff: Role
) -> None:
    with pytest.raises(ConstraintViolation, match="role does not exist"), tx.savepoint():
        tx.access.assign_role(user.id, uuid4(), ADMIN)
    with pytest.raises(ConstraintViolation, match="user does not exist"), tx.savepoint():
        tx.access.assign_role(uuid4(), staff.id, ADMIN)
    assert tx.audit.history("users", user.id).items == []


def test_grant_and_revoke_a_direct_permission_are_audited_no_ops_when_repeated(
    tx: Transaction, user: User
) -> None:
    refund = permission(tx, "orders:refund")

    assert tx.access.grant_permission(user.id, refund.id, ADMIN) is True
    assert tx.access.grant_permission(user.id, refund.id, ADMIN) is False
    assert tx.access.has_permission(user.id, "orders:refund")
    assert tx.access.revoke_permission(user.id, refund.id, ADMIN) is True
    assert tx.access.revoke_permission(user.id, refund.id, ADMIN) is False

    assert not tx.access.has_permission(user.id, "orders:refund")
    actions = [e.action for e in tx.audit.history("users", user.id).items]
    assert actions == ["revoke_permission", "grant_permission"]


def test_granting_an_unknown_permission_is_a_constraint_violation(
    tx: Transaction, user: User
) -> None:
    with pytest.raises(ConstraintViolation), tx.savepoint():
        tx.access.grant_permission(user.id, uuid4(), ADMIN)


def test_a_role_change_whose_audit_fails_leaves_nothing(
    tx: Transaction, user: User, staff: Role
) -> None:
    ghost = Actor.admin(uuid4())  # no such user: the audit insert fails

    with pytest.raises(ConstraintViolation, match="acting user"):
        tx.access.assign_role(user.id, staff.id, ghost)

    assert tx.access.roles_of_user(user.id) == []


def test_two_racing_assignments_of_one_role_both_succeed_and_store_it_once(db: Database) -> None:
    user = db.users.create(new_user())
    role = db.access.create_role(NewRole(name="racer"))
    barrier = threading.Barrier(2, timeout=10)

    def assign(_: int) -> bool:
        with db.transaction() as tx:
            # Both transactions insert before either commits: the second waits on the first.
            barrier.wait()
            return tx.access.assign_role(user.id, role.id, ADMIN)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(assign, range(2)))

    assert outcomes == [False, True]
    assert db.access.roles_of_user(user.id) == [role]
    assert len(db.audit.history("users", user.id).items) == 1


def test_many_racing_assignments_never_fail(db: Database) -> None:
    user = db.users.create(new_user())
    role = db.access.create_role(NewRole(name="crowd"))
    threads = 6
    barrier = threading.Barrier(threads, timeout=10)

    def assign(_: int) -> bool:
        barrier.wait()
        return db.access.assign_role(user.id, role.id, ADMIN)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(pool.map(assign, range(threads)))

    assert outcomes.count(True) == 1 and outcomes.count(False) == threads - 1


# --- checks --------------------------------------------------------------------------------


def test_permissions_for_user_is_the_union_of_role_and_direct_permissions(
    tx: Transaction, user: User, staff: Role
) -> None:
    read, refund, ship = (
        permission(tx, k) for k in ("orders:read", "orders:refund", "orders:ship")
    )
    other = tx.access.create_role(NewRole(name=f"other-{uuid4().hex[:8]}"))
    tx.access.add_role_permission(staff.id, read.id)
    tx.access.add_role_permission(other.id, read.id)
    tx.access.add_role_permission(other.id, ship.id)
    tx.access.assign_role(user.id, staff.id, ADMIN)
    tx.access.assign_role(user.id, other.id, ADMIN)
    tx.access.grant_permission(user.id, refund.id, ADMIN)
    tx.access.grant_permission(user.id, read.id, ADMIN)

    held = tx.access.permissions_for_user(user.id)

    assert held == {"orders:read", "orders:refund", "orders:ship"}


def test_permissions_for_user_is_one_query(db: Database) -> None:
    user = db.users.create(new_user())
    role = db.access.create_role(NewRole(name="one-query"))
    read = db.access.create_permission(NewPermission(key="orders:read"))
    db.access.add_role_permission(role.id, read.id)
    db.access.assign_role(user.id, role.id, ADMIN)

    with db.capture_queries() as captured:
        assert db.access.permissions_for_user(user.id) == {"orders:read"}
        assert db.access.has_permission(user.id, "orders:read")

    assert [r.name for r in captured] == ["access.permissions_for_user", "access.has_permission"]


def test_a_user_without_grants_has_no_permission(tx: Transaction, user: User) -> None:
    permission(tx, "orders:read")

    assert tx.access.permissions_for_user(user.id) == frozenset()
    assert not tx.access.has_permission(user.id, "orders:read")
    assert not tx.access.has_permission(uuid4(), "orders:read")


def test_has_permission_through_a_role(tx: Transaction, user: User, staff: Role) -> None:
    ship = permission(tx, "orders:ship")
    tx.access.add_role_permission(staff.id, ship.id)
    tx.access.assign_role(user.id, staff.id, ADMIN)

    assert tx.access.has_permission(user.id, "orders:ship")
    assert not tx.access.has_permission(user.id, "orders:refund")


def test_a_domain_wildcard_grants_every_action_of_that_domain_only(
    tx: Transaction, user: User
) -> None:
    tx.access.grant_permission(user.id, permission(tx, "orders:*").id, ADMIN)

    assert tx.access.has_permission(user.id, "orders:refund")
    assert not tx.access.has_permission(user.id, "products:write")
    assert not tx.access.has_permission(user.id, "orders")


def test_has_permission_of_a_malformed_key_is_false(tx: Transaction, user: User) -> None:
    assert not tx.access.has_permission(user.id, "")
    assert not tx.access.has_permission(user.id, "%:%")


def test_users_with_role_pages_by_user_id_over_live_holders_only(
    tx: Transaction, staff: Role
) -> None:
    holders = [tx.users.create(new_user()) for _ in range(5)]
    for holder in holders:
        tx.access.assign_role(holder.id, staff.id, ADMIN)
    tx.users.soft_delete(holders[0].id)
    tx.users.create(new_user())  # holds nothing

    seen: list[User] = []
    page = tx.access.users_with_role(staff.id, limit=2)
    seen += page.items
    while page.next_cursor is not None:
        page = tx.access.users_with_role(staff.id, limit=2, cursor=page.next_cursor)
        seen += page.items

    assert [u.id for u in seen] == sorted(h.id for h in holders[1:])


def test_a_users_with_role_cursor_is_refused_for_another_role(tx: Transaction, staff: Role) -> None:
    for _ in range(3):
        tx.access.assign_role(tx.users.create(new_user()).id, staff.id, ADMIN)
    other = tx.access.create_role(NewRole(name=f"other-{uuid4().hex[:8]}"))
    cursor = tx.access.users_with_role(staff.id, limit=1).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursor):
        tx.access.users_with_role(other.id, limit=1, cursor=cursor)
