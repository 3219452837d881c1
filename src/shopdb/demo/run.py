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
from shopdb.seeds import seed
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
        console.print(f"seed       {_seed(db)}")
        story = Story(db, console)
        play(story)
        story.report(settings.slow_query_ms)
    console.print(f"demo done in {perf_counter() - started:.1f} s")


def _seed(db: Database) -> str:
    """Seed the demo profile; what it wrote and what its queries cost (not in the report,
    which is the story's)."""
    with db.capture_queries() as records:
        report = seed(db, "demo", progress=False)
    queries = StepQueries("seed", list(records))
    slowest = max((r.duration_s for r in records), default=0) * 1000
    return (
        f"profile demo: {sum(report.inserted.values())} rows added in {report.seconds:.1f} s "
        f"({len(queries.records)} queries, {queries.total_ms:.0f} ms, slowest {slowest:.1f} ms)"
    )
