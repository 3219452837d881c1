"""services/erasure.py (issue 23, point 5): ``users.erase`` anonymizes the user, their
addresses, saved cards, payment card details, order snapshots and review texts in one unit of
work; the orders keep their accounting rows and the audit log only the fact."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg import sql

from shopdb import Transaction
from shopdb.errors import NotFoundError
from shopdb.models import (
    Actor,
    ActorType,
    NewAddress,
    NewApiKey,
    NewSecurityEvent,
    NewSession,
    User,
)
from shopdb.models.payments import Authorization, NewSavedCard, PaymentProvider
from shopdb.models.reviews import NewReview
from tests.repositories.fixture_orders import Shop, checkout_of, fill_cart, new_shop
from tests.support.factories import new_user


@dataclass(frozen=True)
class Customer:
    """A user with personal values no other row holds, an order, a payment, a card, a review."""

    user: User
    order_id: UUID
    personal: tuple[str, ...]
    last_four: str


def digits(n: int) -> str:
    return "".join(random.choices("0123456789", k=n))


@pytest.fixture
def customer(tx: Transaction) -> Customer:
    tag = uuid4().hex[:12]
    phone, token, last_four = f"+90{digits(10)}", f"tok_{uuid4().hex}", digits(4)
    user = tx.users.create(
        new_user(first_name=f"Ada{tag}", last_name=f"Lovelace{tag}", phone=phone)
    )
    address = tx.addresses.create(
        user.id,
        NewAddress(label=f"home {tag}", full_name=f"Ada Lovelace {tag}", phone=phone,
                   line1=f"{tag} Main Street", line2=f"flat {tag}", city="Istanbul",
                   state=f"state {tag}", postal_code=f"PC{tag}", country="TR"),
    )  # fmt: skip
    shop = Shop(user.id, address.id, new_shop(tx, tx.connection).variants)
    order = tx.orders.place_from_cart(fill_cart(tx, shop), checkout_of(shop)).order
    payment = tx.payments.initiate(order.id, PaymentProvider.IYZICO, device_id=f"dev-{tag}")
    tx.payments.authorize(
        payment.id,
        Authorization(transaction_id=f"tr-{tag}", card_token=token, last_four_digits=last_four),
    )
    tx.payments.save_card(
        user.id,
        NewSavedCard(card_token=f"{token}-saved", last_four_digits=last_four,
                     card_holder_name=f"ADA LOVELACE {tag}", expiry_month=12, expiry_year=2099),
    )  # fmt: skip
    product = tx.connection.execute(
        "SELECT product_id FROM product_variants WHERE id = %s", [shop.variants[0]]
    ).fetchone()
    assert product is not None
    tx.reviews.submit(
        user.id, product[0], NewReview(rating=4, title=f"Title {tag}", content=f"Text {tag}")
    )
    ip, agent = f"198.51.{random.randint(1, 254)}.{random.randint(1, 254)}", f"Agent/{tag}"
    tx.security_events.record(
        NewSecurityEvent(type="LOGIN_SUCCEEDED", user_id=user.id, ip_address=ip,
                         user_agent=agent, payload={"device": f"device {tag}"})
    )  # fmt: skip
    tx.sessions.create(
        NewSession(user_id=user.id, fingerprint=f"print {tag}", ip_address=ip, user_agent=agent)
    )
    staff = Actor(type=ActorType.ADMIN, user_id=tx.users.create(new_user()).id)
    tx.users.suspend(user.id, staff)  # entries whose states hold the email, names, phone
    tx.users.reactivate(user.id, staff)
    key = tx.api_keys.create(user.id, NewApiKey(name="mine")).api_key
    tx.api_keys.revoke(  # an entry the user acted in, with their IP address and user agent
        user.id, key.id, Actor(type=ActorType.USER, user_id=user.id, ip_address=ip,
                               user_agent=agent)
    )  # fmt: skip
    personal = (user.email, f"Ada{tag}", f"Lovelace{tag}", phone, token, f"{tag} Main Street",
                f"flat {tag}", f"PC{tag}", f"state {tag}", f"home {tag}", f"Title {tag}",
                f"Text {tag}", f"dev-{tag}", ip, agent, f"device {tag}",
                f"print {tag}")  # fmt: skip
    return Customer(user, order.id, personal, last_four)


def tables_holding(conn: psycopg.Connection[Any], value: str) -> list[str]:
    """Every table of the schema one of whose rows holds ``value`` in its text."""
    names = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1"
    ).fetchall()
    found = []
    for (name,) in names:
        query = sql.SQL(
            "SELECT EXISTS (SELECT 1 FROM {} t WHERE row_to_json(t)::text LIKE %s)"
        ).format(sql.Identifier(name))
        row = conn.execute(query, [f"%{value}%"]).fetchone()
        if row is not None and row[0]:
            found.append(name)
    return found


def order_figures(conn: psycopg.Connection[Any], order_id: UUID) -> tuple[Any, ...]:
    row = conn.execute(
        """SELECT o.status, o.total_amount, o.subtotal_amount, o.user_id,
                  o.shipping_address_id, (SELECT array_agg((i.quantity, i.unit_price,
                  i.title_snapshot) ORDER BY i.id) FROM order_items i WHERE i.order_id = o.id),
                  (SELECT array_agg((p.amount, p.status, p.transaction_id))
                     FROM payments p WHERE p.order_id = o.id)
             FROM orders o WHERE o.id = %s""",
        [order_id],
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_before_erasure_the_personal_values_are_in_the_database(
    tx: Transaction, customer: Customer
) -> None:
    assert all(tables_holding(tx.connection, value) for value in customer.personal)


def test_after_erasure_no_personal_value_is_anywhere_in_the_database(
    tx: Transaction, customer: Customer
) -> None:
    tx.users.erase(customer.user.id, Actor.system())

    left = {v: tables_holding(tx.connection, v) for v in customer.personal}
    assert {v: t for v, t in left.items() if t} == {}
    cards = tx.connection.execute(
        """SELECT (SELECT count(*) FROM saved_cards WHERE user_id = %(u)s),
                  (SELECT count(*) FROM payments WHERE user_id = %(u)s
                      AND (last_four_digits IS NOT NULL OR card_token IS NOT NULL))""",
        {"u": customer.user.id},
    ).fetchone()
    assert cards == (0, 0)


def test_erasure_keeps_the_orders_items_totals_payments_city_country_and_rating(
    tx: Transaction, customer: Customer
) -> None:
    before = order_figures(tx.connection, customer.order_id)

    tx.erasure.erase(customer.user.id, actor=Actor.system())

    assert order_figures(tx.connection, customer.order_id) == before
    order = tx.orders.get(customer.order_id).order
    for snapshot in (order.shipping_address_snapshot, order.billing_address_snapshot):
        assert snapshot is not None
        assert (snapshot["full_name"], snapshot["line1"], snapshot["phone"]) == (
            "[erased]", "[erased]", None,
        )  # fmt: skip
        assert (snapshot["city"], snapshot["country"]) == ("Istanbul", "TR")
    review = tx.connection.execute(
        "SELECT rating, title, content FROM reviews WHERE user_id = %s", [customer.user.id]
    ).fetchone()
    assert review == (4, None, None)
    assert tx.addresses.list_for_user(customer.user.id) == []


def test_the_audit_log_records_the_erasure_once_and_nothing_erased(
    tx: Transaction, customer: Customer
) -> None:
    tx.users.erase(customer.user.id, Actor.system())

    entries = tx.audit.history("users", customer.user.id).items
    assert [e.action for e in entries] == ["erase", "reactivate", "suspend"]
    assert (entries[0].before, entries[0].after) == (None, None)
    suspension = entries[2]
    assert suspension.before is not None and suspension.after is not None
    assert (suspension.before["status"], suspension.after["status"]) == ("ACTIVE", "SUSPENDED")
    assert not {"email", "first_name", "last_name", "phone"} & {
        *suspension.before,
        *suspension.after,
    }
    text = tx.connection.execute(
        "SELECT string_agg(row_to_json(a)::text, '') FROM audit_logs a WHERE entity_id = %s::text",
        [customer.user.id],
    ).fetchone()
    assert text is not None and text[0] is not None
    assert not [v for v in customer.personal if v in text[0]]


def test_erasing_twice_is_not_found_and_changes_nothing(
    tx: Transaction, customer: Customer
) -> None:
    tx.users.erase(customer.user.id, Actor.system())

    with pytest.raises(NotFoundError):
        tx.erasure.erase(customer.user.id, actor=Actor.system())
    assert [e.action for e in tx.audit.history("users", customer.user.id).items].count("erase") == 1


@pytest.mark.sync_only
def test_a_failed_step_leaves_every_aggregate_as_it_was(
    tx: Transaction, customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(user_id: UUID) -> int:
        raise RuntimeError("the reviews step failed")

    monkeypatch.setattr(type(tx.reviews), "erase_text_for_user", lambda _, user_id: refuse(user_id))
    with pytest.raises(RuntimeError):
        tx.users.erase(customer.user.id, Actor.system())

    assert all(tables_holding(tx.connection, value) for value in customer.personal)
    assert tx.users.get(customer.user.id).email == customer.user.email
