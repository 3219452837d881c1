"""The demo behind `shopdb demo` and `make demo`: a short tour of the users slice."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from shopdb import migrations
from shopdb.core.errors import ShopDBError
from shopdb.core.queries import load_queries
from shopdb.core.runner import execute
from shopdb.core.timer import QueryTimer
from shopdb.database import Database
from shopdb.models import NewUser, UserPatch
from shopdb.settings import Settings, unavailable

DEMO_HASH = "$2b$12$" + "demo.hash.for.display.only.not.a.real.bcrypt.value0"
PEOPLE = [
    ("ada@example.com", "Ada", "Lovelace"),
    ("Grace.Hopper@example.com", "Grace", "Hopper"),
    ("edsger@example.org", "Edsger", "Dijkstra"),
]


DEMO_DATABASE = "shopdb_demo"


def demo_url(url: str) -> str:
    """The URL of the demo's own database on the server ``url`` names: the application's
    database is never where demo rows go."""
    params = conninfo_to_dict(Settings(database_url=url).conninfo)
    params["dbname"] = DEMO_DATABASE
    user = quote(str(params.pop("user", "")), safe="")
    password = params.pop("password", None)
    auth = f"{user}:{quote(str(password), safe='')}@" if password else (f"{user}@" if user else "")
    host = str(params.pop("host", "127.0.0.1"))
    port = str(params.pop("port", "5432"))
    dbname = params.pop("dbname")
    query = "&".join(f"{key}={quote(str(value), safe='')}" for key, value in params.items())
    return f"postgresql://{auth}{host}:{port}/{dbname}" + (f"?{query}" if query else "")


def ensure_demo_database(url: str) -> None:
    """Create shopdb_demo on the local server when the demo runs without DATABASE_URL."""
    settings = Settings(database_url=url)
    if conninfo_to_dict(settings.conninfo).get("dbname") != "shopdb_demo":
        return
    admin = load_queries()["admin"]
    timer = QueryTimer(settings.slow_query_ms)
    maintenance = make_conninfo(settings.conninfo, dbname="postgres")
    try:
        conn = psycopg.connect(
            maintenance, autocommit=True, connect_timeout=settings.database_connect_timeout_s
        )
    except psycopg.OperationalError as exc:
        raise unavailable(settings, exc) from exc
    with conn:
        if not execute(conn, admin["database_exists"], {"name": "shopdb_demo"}, timer):
            try:
                execute(conn, admin["create_demo_database"], {}, timer)
            except ShopDBError:
                # Made by a concurrent run between the check and the CREATE: that is fine.
                if not execute(conn, admin["database_exists"], {"name": "shopdb_demo"}, timer):
                    raise


def run_demo(url: str, out: Callable[[str], None] = print) -> None:
    """Migrate, create users (once), read them back, and print what each query cost."""
    ensure_demo_database(url)
    settings = Settings(database_url=url, database_pool_min=1, database_pool_max=4)
    applied = migrations.apply(settings)
    out(f"database   {settings.safe_url}")
    out(f"migrations {', '.join(applied) or 'already up to date'}")
    with Database(settings) as db, db.capture_queries() as queries:
        for email, first, last in PEOPLE:
            if not db.users.email_exists(email):
                db.users.create(
                    NewUser(email=email, password_hash=DEMO_HASH, first_name=first, last_name=last)
                )
        ada = db.users.find_by_email("ADA@example.com")
        assert ada is not None
        db.users.get(ada.id)
        db.users.update(ada.id, UserPatch(phone="+441234567890"))
        db.users.record_failed_login(ada.id)
        db.users.record_successful_login(ada.id)
        page = db.users.list_users(limit=2)
        rest = db.users.list_users(limit=2, cursor=page.next_cursor) if page.next_cursor else None
        total = db.users.count()
        health = db.health()
    out(f"users      {total} live; first page {[u.email for u in page.items]}")
    out(f"           next page {[u.email for u in rest.items] if rest else []}")
    out(f"health     ok={health.ok} latency={health.latency_ms} ms server={health.server_version}")
    out("")
    out(f"{'query':32} {'calls':>5} {'rows':>5} {'total ms':>9} {'max ms':>8}")
    summary: dict[str, list[float]] = defaultdict(list)
    rows: dict[str, int] = defaultdict(int)
    for record in queries:
        summary[record.name].append(record.duration_s * 1000)
        rows[record.name] += record.rows or 0
    for name, durations in summary.items():
        total_ms = math.fsum(durations)
        out(f"{name:32} {len(durations):5} {rows[name]:5} {total_ms:9.3f} {max(durations):8.3f}")
    out(
        f"{len(queries)} queries, {sum(r.duration_s for r in queries) * 1000:.3f} ms in all; "
        f"slow threshold {settings.slow_query_ms} ms"
    )
