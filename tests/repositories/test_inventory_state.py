"""A hypothesis state machine of reserve / reserve_many / release / commit / restock / adjust
against a model of the counters: on_hand = available + reserved and every counter >= 0,
whatever the sequence; each refusal is the one the model predicts and changes nothing; every
accepted adjustment (and no refused one) has its audit entry."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from shopdb import Database
from shopdb.errors import InvalidInput, OutOfStockError, ReservationExceeded
from shopdb.models import Actor, Inventory
from tests.support.catalog import new_product, new_variant

QUANTITY = st.integers(min_value=1, max_value=12)
REASON = st.sampled_from(["stock-take", "damaged", "", "  "])


def stock_machine(db: Database) -> type[RuleBasedStateMachine]:
    class Stock(RuleBasedStateMachine):
        """One variant's inventory, driven through db.inventory, beside a model of it."""

        def __init__(self) -> None:
            super().__init__()
            with db.transaction() as tx:
                new = new_product(variants=[new_variant(is_primary=True, quantity_on_hand=5)])
                self.variant: UUID = tx.products.create_with_variants(new).variants[0].id
            self.on_hand, self.reserved, self.adjustments = 5, 0, 0

        def check(self, row: Inventory) -> None:
            assert (row.quantity_on_hand, row.quantity_reserved) == (self.on_hand, self.reserved)

        @rule(quantity=QUANTITY, many=st.booleans())
        def reserve(self, quantity: int, many: bool) -> None:
            def call() -> Inventory:
                if many:
                    return db.inventory.reserve_many([(self.variant, quantity)])[0]
                return db.inventory.reserve(self.variant, quantity)

            available = self.on_hand - self.reserved
            if quantity > available:
                with pytest.raises(OutOfStockError) as refused:
                    call()
                assert refused.value.available == available
                return
            self.reserved += quantity
            self.check(call())

        @rule(quantity=QUANTITY, sell=st.booleans())
        def release_or_commit(self, quantity: int, sell: bool) -> None:
            method = db.inventory.commit if sell else db.inventory.release
            if quantity > self.reserved:
                with pytest.raises(ReservationExceeded):
                    method(self.variant, quantity)
                return
            self.reserved -= quantity
            self.on_hand -= quantity if sell else 0
            self.check(method(self.variant, quantity))

        @rule(quantity=QUANTITY)
        def restock(self, quantity: int) -> None:
            self.on_hand += quantity
            self.check(db.inventory.restock(self.variant, quantity))

        @rule(count=st.integers(min_value=0, max_value=20), reason=REASON)
        def adjust(self, count: int, reason: str) -> None:
            version = db.inventory.get_for_variant(self.variant).version
            if not reason.strip():
                with pytest.raises(InvalidInput):
                    self.adjust_to(count, version, reason)
                return
            if count < self.reserved:
                with pytest.raises(OutOfStockError):
                    self.adjust_to(count, version, reason)
                return
            self.on_hand = count
            self.adjustments += 1
            self.check(self.adjust_to(count, version, reason))

        def adjust_to(self, count: int, version: int, reason: str) -> Inventory:
            return db.inventory.adjust(
                self.variant, count, expected_version=version, reason=reason, actor=Actor.system()
            )

        @invariant()
        def counters_add_up(self) -> None:
            row = db.inventory.get_for_variant(self.variant)
            self.check(row)
            assert row.quantity_available == row.quantity_on_hand - row.quantity_reserved
            assert min(row.quantity_on_hand, row.quantity_reserved, row.quantity_available) >= 0

        @invariant()
        def each_adjustment_is_audited_once(self) -> None:
            audited = db.audit.history("inventory", self.variant, limit=500).items
            assert len(audited) == self.adjustments

    return Stock


def test_the_counters_follow_the_model_for_any_sequence(db: Database) -> None:
    run_state_machine_as_test(
        stock_machine(db),
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        ),
    )
