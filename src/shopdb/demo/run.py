"""`shopdb demo` from start to end: the database emptied and migrated, the demo shop seeded,
the story played, the query report printed."""

from __future__ import annotations

from contextlib import ExitStack
from time import perf_counter

from rich.console import Console

from shopdb import migrations
from shopdb.database import Database
from shopdb.demo.console import Story, demo_console
from shopdb.demo.database import ensure_demo_database, reset_demo_database
from shopdb.demo.report import StepQueries
from shopdb.demo.story import play
from shopdb.observability.metrics_server import MetricsServer
from shopdb.settings import Settings


def run_demo(url: str, *, console: Console | None = None, metrics_port: int | None = None) -> None:
    """Play the demo on the demo database ``url`` (emptied first), printing to ``console``;
    with ``metrics_port``, Prometheus metrics are served on it while the demo runs."""
    console = console or demo_console()
    started = perf_counter()
    ensure_demo_database(url)
    settings = Settings(database_url=url, database_pool_min=1, database_pool_max=4)
    with ExitStack() as running:
        if metrics_port is not None:
            metrics = running.enter_context(MetricsServer(metrics_port))
            console.print(f"metrics    {metrics.url} (served while the demo runs)")
        reset_demo_database(url)
        console.print(f"database   {settings.safe_url} (emptied)")
        applied = migrations.apply(settings)
        console.print(f"migrations {len(applied)} applied, {applied[0]} to {applied[-1]}")
        db = running.enter_context(Database(settings, name="demo"))
        with db.capture_queries() as seeding:
            console.print(f"seed       {_seed(db)}")
        story = Story(db, console)
        play(story)
        story.report(settings.slow_query_ms, extra=[StepQueries("seed", list(seeding))])
    console.print(f"demo done in {perf_counter() - started:.1f} s")


def _seed(db: Database) -> str:
    try:
        from shopdb.seeds import seed  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        from shopdb.demo.shop import open_shop

        open_shop(db)
        return "the demo's own small shop (shopdb.seeds is not there yet)"
    report = seed(db, "demo", progress=False)
    return f"profile demo: {sum(report.inserted.values())} rows in {report.seconds:.1f} s"
