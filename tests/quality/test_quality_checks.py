"""The data-quality checks against a real PostgreSQL: each anomaly injected with plain SQL in
the test's own database is reported by its check (count and sample ids), recorded in
quality_runs / quality_anomalies and exported as its gauge; a clean database, after real
orders, payments, coupons and reviews, reports none. Where the schema forbids an anomaly,
the test switches the forbidding trigger off on its own connection or its own database and
says so."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from prometheus_client import REGISTRY

from shopdb import Database
from shopdb.models import NewCoupon, NewReview, PaymentProvider
from shopdb.quality import CHECKS, QualityReport, run_checks
from shopdb.quality.checks import QualityRepository
from tests.repositories.fixture_orders import checkout_of, fill_cart, new_shop
from tests.schema.rows import Rows
from tests.support.factories import new_user

NOW = datetime.now(UTC)


@contextmanager
def rows_of(db: Database) -> Iterator[Rows]:
    """Rows on a committed transaction of the test's own database."""
    with db.transaction() as tx:
        yield Rows(tx.connection)


@contextmanager
def without_triggers(db: Database) -> Iterator[Rows]:
    """Rows on a transaction whose triggers do not fire (session_replication_role = replica:
    this connection only, reset when the transaction ends): the constraint triggers that
    forbid the anomaly, and the ones that keep counters, are off for the injection."""
    with db.transaction() as tx:
        tx.connection.execute("SET LOCAL session_replication_role = replica")
        yield Rows(tx.connection)


def found(report: QualityReport, name: str) -> tuple[int, list[str]]:
    outcome = next(o for o in report.outcomes if o.check.name == name)
    return outcome.found.offending, outcome.found.sample_ids


def only_anomaly(report: QualityReport) -> str:
    names = [outcome.check.name for outcome in report.anomalies]
    assert len(names) == 1, names
    return names[0]


def gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value("shopdb_quality_offending_rows", {"check": name})


def order_item(rows: Rows) -> dict[str, Any]:
    """An item of a new PENDING order, of a variant of a product with that one variant."""
    variant = rows.insert("product_variants")
    return dict(rows.insert("order_items", product_id=variant["product_id"],
                            product_variant_id=variant["id"]))  # fmt: skip


# --- one injection per check -------------------------------------------------------------------


def inject_reserved_without_reservation(db: Database) -> list[str]:
    with rows_of(db) as rows:
        row = rows.insert("inventory", quantity_on_hand=5, quantity_reserved=2)
    return [str(row["id"])]


def inject_order_subtotal_off_its_items(db: Database) -> list[str]:
    # orders_subtotal_matches_items_check (0016) refuses this at COMMIT: triggers off.
    with without_triggers(db) as rows:
        item = order_item(rows)
        rows.conn.execute(
            "UPDATE orders SET subtotal_amount = subtotal_amount + 1,"
            " total_amount = total_amount + 1 WHERE id = %s",
            [item["order_id"]],
        )
    return [str(item["order_id"])]


def inject_settled_payment_of_a_pending_order(db: Database) -> list[str]:
    with rows_of(db) as rows:
        item = order_item(rows)
        payment = rows.insert("payments", order_id=item["order_id"])  # SETTLED, order PENDING
    return [str(payment["id"])]


def inject_paid_order_without_payment(db: Database) -> list[str]:
    with rows_of(db) as rows:
        item = order_item(rows)
        rows.conn.execute("UPDATE orders SET status = 'PAID' WHERE id = %s", [item["order_id"]])
    return [str(item["order_id"])]


def inject_product_without_variants(db: Database) -> list[str]:
    with rows_of(db) as rows:
        product = rows.insert("products")
    return [str(product["id"])]


def inject_stale_session(db: Database) -> list[str]:
    with rows_of(db) as rows:
        session = rows.insert(
            "user_sessions", created_at=NOW - timedelta(days=40), expires_at=NOW - timedelta(days=2)
        )
    return [str(session["id"])]


def inject_coupon_counter_off_its_usages(db: Database) -> list[str]:
    # usage_count is kept by the coupon_usages_count trigger: a direct write breaks it.
    with rows_of(db) as rows:
        coupon = rows.insert("coupons")
        rows.conn.execute("UPDATE coupons SET usage_count = 3 WHERE id = %s", [coupon["id"]])
    return [str(coupon["id"])]


def inject_user_past_the_per_user_limit(db: Database) -> list[str]:
    # coupon_usages_per_user_limit_check (0085) refuses the second usage: triggers off (the
    # counter trigger too, so usage_count is set to match the usages by hand).
    with without_triggers(db) as rows:
        coupon = rows.insert("coupons", per_user_limit=1)
        user = rows.insert("users")
        for _ in range(2):
            item = order_item(rows)
            rows.insert(
                "coupon_usages", coupon_id=coupon["id"], user_id=user["id"],
                order_id=item["order_id"],
            )  # fmt: skip
        rows.conn.execute("UPDATE coupons SET usage_count = 2 WHERE id = %s", [coupon["id"]])
    return [str(coupon["id"])]


def inject_rating_off_its_reviews(db: Database) -> list[str]:
    # reviews_rate (0085) would count the approved review in product_ratings: triggers off.
    with without_triggers(db) as rows:
        item = order_item(rows)
        review = rows.insert(
            "reviews", order_id=item["order_id"], product_id=item["product_id"], status="APPROVED"
        )
    return [str(review["product_id"])]


def inject_delivery_pending_for_two_hours(db: Database) -> list[str]:
    with rows_of(db) as rows:
        event = rows.insert("outbox_events", created_at=NOW - timedelta(hours=2))
        delivery = rows.insert("webhook_deliveries", event_id=event["id"])
        rows.insert("webhook_deliveries", event_id=rows.insert("outbox_events")["id"])  # fresh
    return [str(delivery["id"])]


INJECTIONS: dict[str, Callable[[Database], list[str]]] = {
    "inventory_reserved_mismatch": inject_reserved_without_reservation,
    "order_amounts_mismatch": inject_order_subtotal_off_its_items,
    "settled_payment_unpaid_order": inject_settled_payment_of_a_pending_order,
    "paid_order_without_settled_payment": inject_paid_order_without_payment,
    "product_without_variants": inject_product_without_variants,
    "expired_sessions_not_cleaned": inject_stale_session,
    "coupon_over_limit": inject_coupon_counter_off_its_usages,
    "product_rating_mismatch": inject_rating_off_its_reviews,
    "undelivered_webhook_events": inject_delivery_pending_for_two_hours,
}


def test_every_check_has_an_injection() -> None:
    assert set(INJECTIONS) == {check.name for check in CHECKS}


@pytest.mark.parametrize("name", list(INJECTIONS))
def test_an_injected_anomaly_is_reported_recorded_and_exported(db: Database, name: str) -> None:
    offending = INJECTIONS[name](db)

    report = run_checks(db)

    assert only_anomaly(report) == name
    assert found(report, name) == (len(offending), sorted(offending))
    assert (report.run.checks_run, report.run.anomalies) == (len(CHECKS), 1)
    assert gauge(name) == len(offending)
    with db.pool.connection() as conn:
        recorded = conn.execute(
            """SELECT a.check_name, a.offending_count, a.sample_ids, r.finished_at IS NOT NULL
                 FROM quality_anomalies a JOIN quality_runs r ON r.id = a.run_id
                WHERE a.run_id = %s""",
            [report.run.id],
        ).fetchall()
    assert recorded == [(name, len(offending), sorted(offending), True)]
    with db.transaction() as tx:
        anomalies = tx.repository(QualityRepository).run_anomalies(report.run.id)
    assert [(a.check_name, a.offending_count, a.sample_ids) for a in anomalies] == [
        (name, len(offending), sorted(offending))
    ]


def test_a_user_past_the_per_user_limit_is_a_coupon_anomaly(db: Database) -> None:
    offending = inject_user_past_the_per_user_limit(db)

    report = run_checks(db)

    assert only_anomaly(report) == "coupon_over_limit"
    assert found(report, "coupon_over_limit") == (1, offending)


def test_the_sample_holds_at_most_twenty_ids_and_the_count_all(db: Database) -> None:
    with rows_of(db) as rows:
        ids = sorted(str(rows.insert("products")["id"]) for _ in range(25))

    report = run_checks(db)

    assert found(report, "product_without_variants") == (25, ids[:20])


# --- a clean database ----------------------------------------------------------------------------


def real_activity(db: Database) -> None:
    """Orders placed, paid and fulfilled, with a coupon, and reviews moderated, through the
    repositories only."""
    with db.transaction() as tx:
        shop = new_shop(tx, tx.connection)
        coupon = tx.coupons.create(
            NewCoupon(code="CLEAN-10", type="PERCENTAGE", value=10, usage_limit=5, per_user_limit=2)
        )
    placed = db.checkout.place_from_cart(
        fill_cart(db, shop), checkout_of(shop, coupon_code=coupon.code)
    )
    payment = db.payments.initiate(placed.order.id, PaymentProvider.IYZICO)
    db.payments.settle(payment.id)
    db.checkout.place_from_cart(fill_cart(db, shop, (1, 0)), checkout_of(shop))  # stays PENDING
    with db.transaction() as tx:
        product_id = placed.items[0].product_id
        assert product_id is not None
        reviews = [
            tx.reviews.submit(tx.users.create(new_user()).id, product_id, NewReview(rating=r))
            for r in (5, 3, 1)
        ]
        tx.reviews.approve(reviews[0].id)
        tx.reviews.approve(reviews[1].id)
        tx.reviews.reject(reviews[2].id)
        tx.reviews.delete(reviews[1].id)


def test_a_clean_database_reports_no_anomaly(db: Database) -> None:
    real_activity(db)

    report = run_checks(db)

    assert report.anomalies == (), [(o.check.name, o.found) for o in report.anomalies]
    assert (report.run.checks_run, report.run.anomalies) == (len(CHECKS), 0)
    assert all(gauge(check.name) == 0 for check in CHECKS)
    with db.pool.connection() as conn:
        assert conn.execute(
            "SELECT count(*) FROM quality_anomalies WHERE run_id = %s", [report.run.id]
        ).fetchone() == (0,)


def test_an_anomaly_repaired_is_gone_from_the_next_run(db: Database) -> None:
    [product_id] = inject_product_without_variants(db)
    assert run_checks(db).anomalies

    with db.pool.connection() as conn:
        conn.execute("UPDATE products SET deleted_at = now() WHERE id = %s", [UUID(product_id)])

    assert run_checks(db).anomalies == ()
