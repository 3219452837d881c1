"""The 10M-user data set of issue 19 (point 6): the commerce data set at 10M users and 10M
orders (benchmarks/commerce_data.py: users and orders by COPY FREEZE, indexes built after),
plus one refresh session per user (the identity generator's tokens,
benchmarks/identity_data.py), COPYed with user_sessions' indexes dropped and built again.

Made once on this machine (the figures are in docs/performance.md), never in CI:

    python -m benchmarks.scale_data --users 10000000

A complete run leaves a COMMENT on user_sessions; a later run reuses the set.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Iterator
from typing import Any

import psycopg

from benchmarks import commerce_rows as rows
from benchmarks.commerce_data import SERVER_URL, ensure
from benchmarks.identity_data import refresh_token

MARKER = "scale_data v1: one session per user"
SESSION_INDEXES = (
    "user_sessions_refresh_token_hash_key",
    "user_sessions_user_id_idx",
    "user_sessions_expires_at_revoked_at_idx",
)


def size_of(users: int) -> rows.Size:
    """As many orders as users, one item each."""
    return rows.Size(users, users, users)


def session_lines(users: int) -> Iterator[str]:
    """One live session per user (session n of user n), as COPY text lines."""
    for n in range(users):
        token_hash = hashlib.sha256(refresh_token(n).encode()).hexdigest()
        yield f"{rows.user_id(n)}\t{token_hash}\n"


def ensure_scale(users: int, server_url: str = SERVER_URL) -> tuple[str, dict[str, float]]:
    """The URL of the data set of ``users`` users, made unless complete; each phase's seconds."""
    url, timings = ensure(size_of(users), server_url)
    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT obj_description('user_sessions'::regclass, 'pg_class')")
        row = found.fetchone()
        if row is not None and row[0] == MARKER:
            return url, timings
        _load_sessions(conn, users, timings)
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute("VACUUM (ANALYZE) user_sessions")
        timings["analyze sessions"] = round(time.perf_counter() - started, 1)
    return url, timings


def _load_sessions(conn: psycopg.Connection[Any], users: int, timings: dict[str, float]) -> None:
    definitions = [
        r[0]
        for r in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(SESSION_INDEXES)]
        )
    ]
    conn.execute("SET maintenance_work_mem = '512MB'")
    conn.execute("SET synchronous_commit = off")
    conn.execute("ALTER TABLE user_sessions DROP CONSTRAINT user_sessions_refresh_token_hash_key")
    conn.execute("DROP INDEX user_sessions_user_id_idx, user_sessions_expires_at_revoked_at_idx")
    conn.execute("TRUNCATE user_sessions")
    started = time.perf_counter()
    statement = (
        "COPY user_sessions (user_id, refresh_token_hash, expires_at)"
        " FROM STDIN WITH (FORMAT text, FREEZE)"
    )
    expires = conn.execute("SELECT (now() + interval '365 days')::text").fetchone()
    assert expires is not None
    with conn.cursor().copy(statement) as copy:
        batch: list[str] = []
        for line in session_lines(users):
            batch.append(f"{line[:-1]}\t{expires[0]}\n")
            if len(batch) == 20_000:
                copy.write("".join(batch))
                batch.clear()
        copy.write("".join(batch))
    timings["copy sessions"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    for definition in definitions:
        conn.execute(definition)
    conn.execute(
        "ALTER TABLE user_sessions ADD CONSTRAINT user_sessions_refresh_token_hash_key"
        " UNIQUE USING INDEX user_sessions_refresh_token_hash_key"
    )
    conn.execute(f"COMMENT ON TABLE user_sessions IS '{MARKER}'")
    conn.commit()
    timings["session indexes"] = round(time.perf_counter() - started, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000_000)
    parser.add_argument("--server", default=SERVER_URL, help="a URL of the server's postgres db")
    args = parser.parse_args()
    started = time.perf_counter()
    url, timings = ensure_scale(args.users, args.server)
    print(f"{url} in {time.perf_counter() - started:.1f} s {timings}")


if __name__ == "__main__":
    main()
