"""docs/troubleshooting.md names real errors, with the parents it says they have."""

from __future__ import annotations

import re

import shopdb.errors
from shopdb import migrations
from tests.docs.guides import DOCS

GUIDE = DOCS / "troubleshooting.md"


def _error(name: str) -> type[BaseException] | None:
    found = getattr(shopdb.errors, name, None) or getattr(migrations, name, None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def test_every_error_the_guide_names_is_one_shopdb_raises() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    named = set(
        re.findall(
            r"`([A-Z][A-Za-z]+(?:Error|Exhausted|Unavailable|Timeout|Locked|"
            r"Failure|Detected|Lost|Unknown|Cursor))`",
            text,
        )
    )

    assert {"PoolExhausted", "LockTimeout", "MigrationLocked", "WriteOutcomeUnknown"} <= named
    assert sorted(name for name in named if _error(name) is None) == []


def test_the_errors_are_the_kinds_the_guide_says_they_are() -> None:
    errors = shopdb.errors
    kinds = [
        (errors.PoolExhausted, errors.DatabaseUnavailable),
        (errors.QueryTimeout, errors.ShopDBError),
        (errors.LockTimeout, errors.QueryTimeout),
        (migrations.MigrationLocked, migrations.MigrationError),
        (errors.SerializationFailure, errors.TransientError),
        (errors.DeadlockDetected, errors.TransientError),
        (errors.WriteOutcomeUnknown, errors.ConnectionLost),
        (errors.ConnectionLost, errors.DatabaseUnavailable),
    ]

    assert [(kind, parent) for kind, parent in kinds if not issubclass(kind, parent)] == []
