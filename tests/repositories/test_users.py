"""UserRepository against a real PostgreSQL."""

from __future__ import annotations

from shopdb import Database
from shopdb.models import NewUser

HASH = "$2b$12$" + "x" * 53


def test_created_user_can_be_read_back(db: Database) -> None:
    user = db.users.create(NewUser(email="ann@example.com", password_hash=HASH, first_name="Ann"))
    assert db.users.get(user.id) == user
