"""The prod profile's admin: an argon2id hash of SHOPDB_ADMIN_PASSWORD, never the password."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from shopdb import Database
from shopdb.errors import SeedConfigurationError
from shopdb.seeds import seed
from shopdb.seeds.access import DEFAULT_ADMIN_EMAIL, PERMISSIONS, ROLES


def admin_hash(db: Database, email: str = DEFAULT_ADMIN_EMAIL) -> str:
    credentials = db.users.get_credentials(email)
    assert credentials is not None
    return credentials.password_hash.get_secret_value()


def test_the_admin_hash_is_argon2id_and_verifies_the_password(db: Database, admin_env: str) -> None:
    seed(db, "prod", progress=False)

    stored = admin_hash(db)
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, admin_env)
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(stored, admin_env + "x")


def test_the_admin_holds_the_admin_role_and_every_permission(db: Database, admin_env: str) -> None:
    seed(db, "prod", progress=False)

    admin = db.users.find_by_email(DEFAULT_ADMIN_EMAIL)
    assert admin is not None and admin.email_verified
    assert [r.name for r in db.access.roles_of_user(admin.id)] == ["admin"]
    assert db.access.permissions_for_user(admin.id) == {key for key, _ in PERMISSIONS}
    assert {r.name for r in db.access.list_roles()} == {name for name, _ in ROLES}
    assert all(":" in key for key, _ in PERMISSIONS)


def test_the_admin_email_comes_from_the_environment(
    db: Database, admin_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPDB_ADMIN_EMAIL", "Root@Shop.Example.com")

    seed(db, "prod", progress=False)

    assert db.users.find_by_email("root@shop.example.com") is not None
    assert db.users.find_by_email(DEFAULT_ADMIN_EMAIL) is None


def test_a_second_run_keeps_the_admin_and_its_hash(db: Database, admin_env: str) -> None:
    seed(db, "prod", progress=False)
    first = admin_hash(db)

    seed(db, "prod", progress=False)

    assert admin_hash(db) == first
    assert db.users.count() == 1


def test_no_text_column_anywhere_holds_the_password(db: Database, admin_env: str) -> None:
    seed(db, "prod", progress=False)
    seed(db, "demo", progress=False)

    with db.pool.connection() as conn:
        columns: list[Any] = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')"
        ).fetchall()
        holding = [
            f"{table}.{column}"
            for table, column in columns
            if conn.execute(
                f'SELECT EXISTS (SELECT 1 FROM "{table}" '  # noqa: S608
                f'WHERE "{column}"::text LIKE %s)',
                [f"%{admin_env}%"],
            ).fetchone()
            == (True,)
        ]
    assert len(columns) > 50
    assert holding == []


def test_the_password_is_never_logged_or_printed(
    db: Database,
    admin_env: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)

    seed(db, "prod", progress=None)
    seed(db, "prod", progress=None)

    out, err = capsys.readouterr()
    assert "seed prod" in caplog.text
    assert admin_env not in caplog.text
    assert admin_env not in out + err


@pytest.mark.parametrize(
    ("password", "message"),
    [(None, "set SHOPDB_ADMIN_PASSWORD"), ("", "set SHOPDB_ADMIN_PASSWORD"), ("short", "shorter")],
)
def test_without_a_fit_password_prod_writes_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch, password: str | None, message: str
) -> None:
    if password is None:
        monkeypatch.delenv("SHOPDB_ADMIN_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("SHOPDB_ADMIN_PASSWORD", password)

    with pytest.raises(SeedConfigurationError, match=message) as raised:
        seed(db, "prod", progress=False)

    assert "nothing was written" in str(raised.value)
    assert db.access.list_roles() == []
    assert db.users.count() == 0


def test_an_admin_email_that_is_no_email_is_refused(
    db: Database, admin_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPDB_ADMIN_EMAIL", "not an email")

    with pytest.raises(SeedConfigurationError, match="SHOPDB_ADMIN_EMAIL"):
        seed(db, "prod", progress=False)
    assert db.access.list_roles() == []


def test_other_profiles_need_no_admin_password(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOPDB_ADMIN_PASSWORD", raising=False)

    report = seed(db, "demo", progress=False)

    assert report.counts["roles"] == len(ROLES)
    assert admin_hash(db, "maya.demir@example.com").startswith("$argon2id$")
