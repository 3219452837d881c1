"""shopdb.check.explain: parameter values of every JSON kind reach the server as the types it
describes; queries that cannot be explained are refused with the reason."""

from __future__ import annotations

from uuid import uuid4

import psycopg
import pytest

from shopdb import Transaction
from shopdb.check.explain import ExplainError, explain, find_query


def _count(tx: Transaction, table: str) -> int:
    row = tx.connection.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    assert row is not None
    return int(row[0])


def test_a_list_of_uuids_with_a_null_among_them_fits_an_array_parameter(tx: Transaction) -> None:
    query = find_query("orders.list_items_of_orders")

    plan = explain(tx.connection, query, {"order_ids": [str(uuid4()), None, str(uuid4())]})

    assert "order_items" in "\n".join(plan.lines)
    assert plan.execution_ms is not None


def test_a_json_object_and_a_boolean_are_sent_as_jsonb_and_boolean_and_rolled_back(
    tx: Transaction,
) -> None:
    audits, coupons = _count(tx, "audit_logs"), _count(tx, "coupons")
    audit = {
        "user_id": None,
        "actor_type": "SYSTEM",
        "action": "explain/test",
        "entity": "users",
        "entity_id": str(uuid4()),
        "before": {"status": "ACTIVE", "tags": ["a", "b"]},
        "after": None,
        "ip_address": None,
        "user_agent": None,
    }
    coupon = {
        "code": f"EXPLAIN{uuid4().hex[:8].upper()}",
        "description": None,
        "type": "PERCENTAGE",
        "value": 10,
        "min_order_amount": None,
        "max_discount_amount": None,
        "usage_limit": None,
        "per_user_limit": None,
        "starts_at": None,
        "expires_at": None,
        "is_active": True,
    }

    audit_plan = explain(tx.connection, find_query("audit.record"), audit)
    coupon_plan = explain(tx.connection, find_query("coupons.create"), coupon)

    assert audit_plan.lines[0].startswith("Insert on audit_logs")
    assert coupon_plan.lines[0].startswith("Insert on coupons")
    assert (_count(tx, "audit_logs"), _count(tx, "coupons")) == (audits, coupons)


def test_a_json_object_for_a_parameter_that_is_not_json_is_refused(tx: Transaction) -> None:
    with pytest.raises(ExplainError, match="a JSON dict does not fit a parameter of type uuid"):
        explain(tx.connection, find_query("users.get"), {"id": {"not": "a uuid"}})


def test_a_script_cannot_be_explained(tx: Transaction) -> None:
    with pytest.raises(ExplainError, match=r"admin\.create_demo_database is a script"):
        explain(tx.connection, find_query("admin.create_demo_database"), {})


def test_a_query_the_server_refuses_is_reported_as_refused(empty_url: str) -> None:
    with (
        psycopg.connect(empty_url) as conn,
        pytest.raises(ExplainError, match=r'users\.get: the server refuses it: .*"users"'),
    ):
        explain(conn, find_query("users.get"), {"id": str(uuid4())})
