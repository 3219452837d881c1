"""Every live product with variants has exactly one primary variant, held by the database
(migration 0014): checked at COMMIT, so these tests commit, on their own database (``db``)."""

from __future__ import annotations

import pytest

from shopdb import Database
from shopdb.errors import ConflictError, ConstraintViolation
from shopdb.models import ProductDetails, VariantPatch
from tests.support.catalog import new_product, new_variant

RULE = "product_variants_has_primary_check"


def committed(db: Database, variants: int = 2) -> ProductDetails:
    with db.transaction() as tx:
        return tx.products.create_with_variants(new_product(variants=variants))


def assert_refused_naming_the_rule(caught: pytest.ExceptionInfo[ConstraintViolation]) -> None:
    assert caught.value.constraint == RULE
    assert caught.value.table == "product_variants"
    assert str(caught.value).startswith(f"{RULE}: every product with variants needs a primary")


def test_a_commit_leaving_the_only_variant_demoted_is_refused(db: Database) -> None:
    made = committed(db, variants=1)
    only = made.variants[0]
    with pytest.raises(ConstraintViolation) as caught, db.transaction() as tx:
        tx.products.update_variant(only.id, VariantPatch(is_primary=False))
        # Inside the transaction the product may lack a primary for a while: no error yet.
        assert not tx.products.get_variant(only.id).is_primary
    assert_refused_naming_the_rule(caught)
    assert db.products.get_variant(only.id).is_primary


def test_a_commit_adding_variants_none_primary_is_refused(db: Database) -> None:
    made = committed(db, variants=1)
    with db.transaction() as tx:
        tx.products.delete_variant(made.variants[0].id)  # a product may have no variant
    new = new_variant()
    with pytest.raises(ConstraintViolation) as caught, db.transaction() as tx:
        tx.products.add_variant(made.product.id, new)
    assert_refused_naming_the_rule(caught)
    assert db.products.find_by_sku(new.sku) is None


def test_a_primary_written_later_in_the_same_transaction_is_enough(db: Database) -> None:
    made = committed(db, variants=1)
    with db.transaction() as tx:
        tx.products.delete_variant(made.variants[0].id)
        plain = tx.products.add_variant(made.product.id, new_variant())
        primary = tx.products.add_variant(made.product.id, new_variant(is_primary=True))
    assert not db.products.get_variant(plain.id).is_primary
    assert db.products.get_variant(primary.id).is_primary


def test_deleting_or_demoting_the_primary_commits_with_another_promoted(db: Database) -> None:
    made = committed(db, variants=3)
    first, second, third = made.variants
    db.products.delete_variant(first.id)
    assert db.products.get_variant(second.id).is_primary
    db.products.update_variant(second.id, VariantPatch(is_primary=False))
    assert db.products.get_variant(third.id).is_primary
    assert not db.products.get_variant(second.id).is_primary


def test_promoting_a_variant_demotes_the_previous_primary(db: Database) -> None:
    made = committed(db, variants=2)
    first, second = made.variants
    db.products.update_variant(second.id, VariantPatch(is_primary=True))
    details = db.products.get_with_details(made.product.id)
    assert [(v.id, v.is_primary) for v in details.variants] == [
        (second.id, True),
        (first.id, False),
    ]


def test_a_second_primary_variant_is_still_a_conflict(db: Database) -> None:
    made = committed(db, variants=1)
    with pytest.raises(ConflictError, match="one primary variant only"):
        db.products.add_variant(made.product.id, new_variant(is_primary=True))


def test_a_soft_deleted_product_is_left_out_until_it_is_restored(db: Database) -> None:
    made = committed(db, variants=1)
    only = made.variants[0]
    db.products.soft_delete(made.product.id)
    db.products.update_variant(only.id, VariantPatch(is_primary=False))  # not live: allowed
    with pytest.raises(ConstraintViolation) as caught:
        db.products.restore(made.product.id)
    assert_refused_naming_the_rule(caught)
    with db.transaction() as tx:
        tx.products.update_variant(only.id, VariantPatch(is_primary=True))
        tx.products.restore(made.product.id)
    assert db.products.get(made.product.id).deleted_at is None


def test_deleting_a_product_deletes_its_variants_without_a_complaint(db: Database) -> None:
    made = committed(db, variants=3)
    with db.transaction() as tx:
        tx.connection.execute("DELETE FROM products WHERE id = %s", [made.product.id])
    assert db.products.find_by_sku(made.variants[0].sku) is None
