"""An identity data set generated with COPY, for the identity benchmarks (issue 9, point 8).

For ``users`` users: five sessions each (one in five expired), the roles customer / staff /
admin over 40 permissions (every user a customer, one in 100 staff, one in 10,000 admin, one
in 50 a direct grant), and one API key per 10 users. Tokens and keys are derived from their
row number, so the benchmarks can present real ones. Rerun at other sizes against a migrated
database that holds no users yet:

    python -m benchmarks.identity_data postgresql://postgres@127.0.0.1:5432/DB --users 100000

(the pepper must be the one the benchmark's Settings use: IDENTITY_PEPPER below).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg

IDENTITY_PEPPER = "bench-api-key-pepper-0123456789abcdef"
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VlZHNlZWQ$YmVuY2htYXJraGFzaA"
SESSIONS_PER_USER = 5
DOMAINS = (
    "orders",
    "products",
    "users",
    "payments",
    "reviews",
    "coupons",
    "carts",
    "media",
    "inventory",
    "reports",
)
ACTIONS = ("read", "write", "refund", "export")


def user_id(n: int) -> UUID:
    """The id of user n (fixed, so the benchmarks know it)."""
    return UUID(int=(0x1B << 120) | n)


def refresh_token(session: int) -> str:
    """The refresh token of session number ``session``."""
    return f"bench-refresh-token-{session:012d}"


def session_is_expired(session: int) -> bool:
    """One session in five is expired."""
    return session % 5 == 4


def api_key(k: int) -> str:
    """The full text ``prefix.secret`` of API key number k."""
    secret = base64.urlsafe_b64encode(hashlib.sha256(f"bench-key-{k}".encode()).digest())
    return f"sdb_{k:016x}.{secret.decode().rstrip('=')}"


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much a run generated."""

    users: int
    sessions: int
    expired_sessions: int
    api_keys: int
    seconds: float


def generate(url: str, users: int) -> Sizes:
    """Fill the (migrated, user-less) database at ``url``; ANALYZE; the sizes and the time."""
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        _copy_users(conn, users)
        _copy_sessions(conn, users)
        _access(conn, users)
        _copy_api_keys(conn, users)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    sessions = users * SESSIONS_PER_USER
    return Sizes(users, sessions, sessions // 5, users // 10, time.perf_counter() - started)


def _copy_users(conn: psycopg.Connection[tuple[Any, ...]], users: int) -> None:
    with conn.cursor().copy("COPY users (id, email, password_hash) FROM STDIN") as copy:
        for n in range(users):
            copy.write_row((user_id(n), f"bench{n}@example.com", PASSWORD_HASH))


def _copy_sessions(conn: psycopg.Connection[tuple[Any, ...]], users: int) -> None:
    live = ("now() - interval '1 day'", "now() + interval '29 days'")
    expired = ("now() - interval '40 days'", "now() - interval '10 days'")
    moments = {}
    for name, (created, expires) in {"live": live, "expired": expired}.items():
        row = conn.execute(f"SELECT {created}, {expires}").fetchone()
        assert row is not None
        moments[name] = row
    columns = "user_id, refresh_token_hash, created_at, updated_at, expires_at"
    with conn.cursor().copy(f"COPY user_sessions ({columns}) FROM STDIN") as copy:
        for n in range(users):
            owner = str(user_id(n))
            for session in range(n * SESSIONS_PER_USER, (n + 1) * SESSIONS_PER_USER):
                created, expires = moments["expired" if session_is_expired(session) else "live"]
                token_hash = hashlib.sha256(refresh_token(session).encode()).hexdigest()
                copy.write_row((owner, token_hash, created, created, expires))


def _access(conn: psycopg.Connection[tuple[Any, ...]], users: int) -> None:
    keys = [f"{domain}:{action}" for domain in DOMAINS for action in ACTIONS]
    keys += [f"{domain}:*" for domain in DOMAINS]
    conn.execute("INSERT INTO permissions (key) SELECT unnest(%s::text[])", [keys])
    conn.execute("INSERT INTO roles (name) VALUES ('customer'), ('staff'), ('admin')")
    grants = {
        "customer": [k for k in keys if k.endswith(":read")][:5],
        "staff": [k for k in keys if not k.endswith(":*")][:20],
        "admin": [k for k in keys if k.endswith(":*")],
    }
    for role, granted in grants.items():
        conn.execute(
            "INSERT INTO role_permissions (role_id, permission_id)"
            " SELECT r.id, p.id FROM roles r, permissions p"
            " WHERE r.name = %s AND p.key = ANY(%s)",
            [role, granted],
        )
    ids: dict[str, UUID] = dict(conn.execute("SELECT name, id FROM roles").fetchall())
    direct = conn.execute("SELECT id FROM permissions WHERE key = 'reports:export'").fetchone()
    assert direct is not None
    with conn.cursor().copy("COPY user_roles (user_id, role_id) FROM STDIN") as copy:
        for n in range(users):
            copy.write_row((user_id(n), ids["customer"]))
            if n % 100 == 1:
                copy.write_row((user_id(n), ids["staff"]))
            if n % 10_000 == 2:
                copy.write_row((user_id(n), ids["admin"]))
    with conn.cursor().copy("COPY user_permissions (user_id, permission_id) FROM STDIN") as copy:
        for n in range(3, users, 50):
            copy.write_row((user_id(n), direct[0]))


def _copy_api_keys(conn: psycopg.Connection[tuple[Any, ...]], users: int) -> None:
    columns = "user_id, name, prefix, secret_hash, scopes"
    pepper = IDENTITY_PEPPER.encode()
    with conn.cursor().copy(f"COPY api_keys ({columns}) FROM STDIN") as copy:
        for k in range(users // 10):
            prefix, secret = api_key(k).split(".")
            digest = hmac.new(pepper, secret.encode(), hashlib.sha256).hexdigest()
            copy.write_row((user_id(k * 10), "bench", prefix, digest, ["orders:read"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a migrated database without users")
    parser.add_argument("--users", type=int, default=1_000_000)
    args = parser.parse_args()
    sizes = generate(args.url, args.users)
    print(sizes)


if __name__ == "__main__":
    main()
