"""The `shopdb` command: migrate, rollback, status, break-lock, schema-doc, demo, check,
explain, metrics-serve, seed, partitions (maintain, list, partman), budgets, expire-orders,
report (--indexes), quality and dispatch.

To add a command, decorate a function with ``@main.command()``: its docstring is its --help
and every option needs a ``help=``. The group gives it the conventions (tests/cli checks
them for every command): --help (-h), the global options --database-url (overrides
DATABASE_URL for every ``Settings()`` built during the run), --verbose and --version, exit
codes 0 (ok), 1 (error), 2 (usage), and any error as one line ``Error: ...`` on stderr (after
its traceback with --verbose). Raise ``click.ClickException`` for an error of the command
itself, ``click.UsageError`` or ``click.BadParameter`` for a misuse; import what the command
needs inside it so that ``shopdb --help`` stays quick.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from shopdb.extras import require

# Every command runs from here (seed, demo, check included): the whole cli extra, checked
# once, before click is imported.
require("shopdb's command line")

import click

from shopdb import migrations
from shopdb.core.errors import ShopDBError
from shopdb.seeds.cli import seed_command
from shopdb.settings import Settings


class _Commands(click.Group):
    """The commands, each of whose errors ends the run with one line ``Error: ...`` and exit
    code 1 (2 for a usage error); with --verbose the traceback comes first."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ShopDBError as exc:
            _traceback_if_verbose(ctx)
            raise click.ClickException(" ".join(str(exc).split())) from None
        except Exception as exc:
            # A bug, or an error shopdb did not expect: still one line, and the way to see more.
            _traceback_if_verbose(ctx)
            hint = "" if ctx.params.get("verbose") else " (--verbose shows the traceback)"
            message = " ".join(f"{type(exc).__name__}: {exc}".split())
            raise click.ClickException(message + hint) from None


def _traceback_if_verbose(ctx: click.Context) -> None:
    if ctx.params.get("verbose"):
        click.echo(traceback.format_exc().rstrip(), err=True)


@contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """The variable ``name`` set to ``value`` (when not None) for the block, then restored."""
    if value is None:
        yield
        return
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


@click.group(cls=_Commands, name="shopdb", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url",
    metavar="URL",
    default=None,
    help="The database to work on, in place of the DATABASE_URL environment variable.",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Log shopdb's INFO lines; show tracebacks of errors."
)
@click.version_option(
    version("shopdb"), "--version", prog_name="shopdb", message="%(prog)s %(version)s"
)
@click.pass_context
def main(ctx: click.Context, database_url: str | None, verbose: bool) -> None:
    """shopdb: migrations and tools for the shop's PostgreSQL database (DATABASE_URL)."""
    ctx.with_resource(_environment("DATABASE_URL", database_url))
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.option(
    "--lock-timeout", default=10.0, show_default=True, help="Seconds to wait for the lock."
)
def migrate(lock_timeout: float) -> None:
    """Apply every pending migration, under yoyo's lock."""
    applied = migrations.apply(Settings(), lock_timeout_s=lock_timeout)
    click.echo("\n".join(f"applied {m}" for m in applied) or "nothing to apply")


@main.command()
@click.option("--count", "count", default=None, help="How many, or 'all'.  [default: 1]")
@click.option("--to", "to", default=None, help="Roll back every migration applied after this id.")
@click.option(
    "--lock-timeout", default=10.0, show_default=True, help="Seconds to wait for the lock."
)
def rollback(count: str | None, to: str | None, lock_timeout: float) -> None:
    """Roll back the newest migrations (1 by default), or every one applied after --to."""
    if count is not None and to is not None:
        raise click.UsageError("--count and --to cannot be used together: give one of them")
    count = count or "1"
    if count != "all" and not count.isdigit():
        raise click.BadParameter("a number or 'all'", param_hint="--count")
    number = None if count == "all" else int(count)
    undone = migrations.rollback(Settings(), count=number, to=to, lock_timeout_s=lock_timeout)
    click.echo("\n".join(f"rolled back {m}" for m in undone) or "nothing to roll back")


@main.command()
def status() -> None:
    """List every migration: applied (with its UTC date) or pending. Changes nothing."""
    for state in migrations.status(Settings()):
        when = state.applied_at.strftime("%Y-%m-%d %H:%M:%S UTC") if state.applied_at else ""
        click.echo(f"{'applied' if state.applied else 'pending':8} {state.id:40} {when}".rstrip())


@main.command("break-lock")
def break_lock() -> None:
    """Remove the migration lock left by a killed run (only when none is running)."""
    migrations.break_lock(Settings())
    click.echo("migration lock removed")


@main.command("schema-doc")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("docs/schema.md"),
    show_default=True,
    help="Where to write the document.",
)
@click.option("--check", is_flag=True, help="Write nothing; fail if the file is out of date.")
def schema_doc(output: Path, check: bool) -> None:
    """Write the schema reference with its ER diagram from the catalog of DATABASE_URL."""
    from shopdb import schema_doc as doc

    settings = Settings()
    pending = [m.id for m in migrations.status(settings) if not m.applied]
    if pending:
        raise click.ClickException(f"migrate first: {', '.join(pending)} not applied")
    if check:
        if not output.exists():
            raise click.ClickException(f"{output} is missing: run `shopdb schema-doc`")
        if output.read_text(encoding="utf-8") != doc.generate(settings):
            raise click.ClickException(f"{output} is out of date: run `shopdb schema-doc`")
        click.echo(f"{output} is up to date")
        return
    changed = doc.write(settings, output)
    click.echo(f"{'wrote' if changed else 'unchanged'} {output}")


@main.command()
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve Prometheus metrics on 127.0.0.1:PORT while the demo runs (0: any free port).",
)
def demo(metrics_port: int | None) -> None:
    """Play a shopping story on the demo's own database, emptied first: shopdb_demo on
    DATABASE_URL's server (or the database DATABASE_URL names when its name starts with
    shopdb_demo), else on the local server, else on a throwaway cluster. It migrates, seeds
    the demo shop, and ends with the query report. It never writes into another database."""
    from shopdb.demo import demo_database_url, run_demo

    with demo_database_url(os.environ.get("DATABASE_URL"), say=click.echo) as url:
        run_demo(url, metrics_port=metrics_port)


@main.command()
def check() -> None:
    """Prepare every named query of sql/ on the migrated DATABASE_URL (running none) and
    report each problem as a table: file, query, problem. Exit 1 on any."""
    from shopdb.check import check as check_queries
    from shopdb.check import format_table
    from shopdb.check.connect import connect
    from shopdb.check.extensions import check_extensions

    settings = Settings()
    with connect(settings) as conn:
        problems = check_queries(conn)
        extension_problems, missing = check_extensions(conn)
    problems += extension_problems
    if problems:
        click.echo(format_table(problems))
        raise click.ClickException(f"{len(problems)} problem(s) in the named queries")
    click.echo("every named query is prepared, declared and used as its model expects")
    for name in missing:
        click.echo(f"not checked: sql/extensions/{name}.sql (extension {name} not installed)")


@main.command()
@click.argument("query_name")
@click.option("--params", "params", default="{}", help="JSON object: parameter name -> value.")
def explain(query_name: str, params: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) one named query (users.get) in a rolled-back transaction."""
    import json

    from shopdb.check.connect import connect
    from shopdb.check.explain import explain as explain_query
    from shopdb.check.explain import find_query

    try:
        values = json.loads(params)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc.msg}", param_hint="--params") from None
    if not isinstance(values, dict):
        raise click.BadParameter("a JSON object of parameter values", param_hint="--params")
    query = find_query(query_name)
    with connect(Settings()) as conn:
        plan = explain_query(conn, query, values)
    click.echo("\n".join(plan.lines))
    click.echo(f"time: planning {plan.planning_ms} ms, execution {plan.execution_ms} ms")


@main.command("metrics-serve")
@click.option("--port", type=click.IntRange(0, 65535), required=True, help="TCP port of /metrics.")
@click.option("--addr", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--interval", default=15.0, show_default=True, help="Seconds between health checks.")
def metrics_serve(port: int, addr: str, interval: float) -> None:
    """Serve the query and pool metrics of a Database on DATABASE_URL at /metrics for
    Prometheus, checking its health every --interval seconds, until SIGTERM or Ctrl-C."""
    from shopdb.observability.metrics_server import serve_database_metrics

    serve_database_metrics(Settings(), port, addr, interval, out=click.echo)


main.add_command(seed_command)


@main.command()
@click.option(
    "--generate",
    "generate_users",
    type=click.IntRange(1, 10_000_000),
    default=None,
    metavar="USERS",
    help="First add this many users, with a session and an order each (shopdb.budgets.dataset).",
)
@click.option(
    "--timings", is_flag=True, help="Also hold each query to its time (at its budget's size)."
)
def budgets(generate_users: int | None, timings: bool) -> None:
    """Explain every budgeted query of sql/ on DATABASE_URL's data set with sample values and
    check that its plan uses the indexes and reads no more rows than its budget allows
    (docs/budgets.md). Exit 1 when a plan breaks its budget."""
    from shopdb.budgets import dataset
    from shopdb.budgets.plans import judge_all
    from shopdb.check.connect import connect
    from shopdb.core.timer import QueryTimer

    settings = Settings()
    timer = QueryTimer(settings.slow_query_ms)
    with connect(settings) as conn:
        if generate_users is not None:
            seconds = dataset.generate(conn, timer, generate_users)
            click.echo(f"generated {generate_users} users, sessions and orders in {seconds:.1f} s")
        users = dataset.user_count(conn, timer)
        try:
            values = dataset.sample_values(conn, timer)
        except LookupError as exc:
            raise click.ClickException(f"{exc}: run with --generate USERS") from None
        verdicts = judge_all(conn, values, timings=timings)
    click.echo(f"{len(verdicts)} budgeted queries on {users} users")
    if timings:
        from shopdb.budgets.model import DATASET_USERS

        smaller = sorted(
            {v.budget.dataset for v in verdicts if DATASET_USERS[v.budget.dataset] > users}
        )
        if smaller:
            click.echo(
                f"note: times held at {users} users; budgets state them at {', '.join(smaller)}"
            )
    for v in verdicts:
        mark = "ok  " if not v.problems else "OVER"
        uses = ", ".join(v.indexes) or "no index"
        click.echo(
            f"{mark} {v.budget.query:28} {v.execution_ms:8.3f} ms  {v.rows_read:>6} rows"
            f"  ({uses}; budget {v.budget.ms:g} ms at {v.budget.dataset}, {v.budget.rows} rows)"
        )
        for problem in v.problems:
            click.echo(f"     {problem}")
    over = [v for v in verdicts if v.problems]
    if over:
        raise click.ClickException(f"{len(over)} query(ies) over budget")


@main.group()
def partitions() -> None:
    """The monthly partitions of audit_logs and security_events (docs/partitions.md)."""


@partitions.command("maintain")
def partitions_maintain() -> None:
    """Make the months up to PARTITION_PREMAKE_MONTHS ahead and drop the partitions older than
    PARTITION_RETENTION_MONTHS (run it daily where pg_partman does not; it is idempotent)."""
    from shopdb.check.connect import connect
    from shopdb.core.timer import QueryTimer
    from shopdb.partitions import maintain

    settings = Settings()
    with connect(settings) as conn:
        done = maintain(
            conn,
            QueryTimer(settings.slow_query_ms),
            premake_months=settings.partition_premake_months,
            retention_months=settings.partition_retention_months,
        )
    for table in done:
        dropped = ", ".join(table.dropped) or "none"
        click.echo(f"{table.table}: {table.created} partition(s) made, dropped: {dropped}")


@partitions.command("partman")
@click.option(
    "--schedule",
    default="17 * * * *",
    show_default=True,
    help="The pg_cron schedule of partman.run_maintenance() (when pg_cron is installed here).",
)
def partitions_partman(schedule: str) -> None:
    """Hand audit_logs and security_events to pg_partman (installed in schema partman) with
    PARTITION_PREMAKE_MONTHS and PARTITION_RETENTION_MONTHS, and schedule its maintenance with
    pg_cron where the database has it. Run again to change the figures."""
    from shopdb.check.connect import connect
    from shopdb.core.timer import QueryTimer
    from shopdb.partitions import hand_to_partman

    settings = Settings()
    with connect(settings) as conn:
        job = hand_to_partman(
            conn,
            QueryTimer(settings.slow_query_ms),
            premake_months=settings.partition_premake_months,
            retention_months=settings.partition_retention_months,
            schedule=schedule,
        )
    click.echo("audit_logs and security_events are kept by pg_partman")
    if job is None:
        click.echo("pg_cron is not installed here: run partman.run_maintenance() from a scheduler")
    else:
        click.echo(f"pg_cron job {job} runs partman.run_maintenance() at '{schedule}'")


@partitions.command("list")
def partitions_list() -> None:
    """Each partition of audit_logs and security_events with its months and estimated rows,
    and the rows of each default partition (which should hold none)."""
    from shopdb.check.connect import connect
    from shopdb.core.timer import QueryTimer
    from shopdb.partitions import PARTITIONED, default_rows
    from shopdb.partitions import partitions as list_partitions

    settings = Settings()
    timer = QueryTimer(settings.slow_query_ms)
    with connect(settings) as conn:
        for table in PARTITIONED:
            for p in list_partitions(conn, timer, table):
                low = "" if p.low is None else f"{p.low:%Y-%m-%d}"
                high = "" if p.high is None else f"{p.high:%Y-%m-%d}"
                span = "DEFAULT" if p.is_default else f"{low:>10} .. {high}"
                click.echo(f"{table:16} {p.name:32} {span:26} ~{p.estimated_rows} rows")
        for table, rows in default_rows(conn, timer).items():
            click.echo(f"{table}: {rows} row(s) in the default partition")


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(_ctx: click.Context, _param: click.Parameter, value: str) -> timedelta:
    """``30m``, ``2h``, ``1d``, ``90s``: a whole number and its unit."""
    number, unit = value[:-1], value[-1:]
    if unit not in _DURATION_UNITS or not number.isdigit() or int(number) < 1:
        raise click.BadParameter("a whole number and s, m, h or d: 30m, 2h, 1d")
    return timedelta(seconds=int(number) * _DURATION_UNITS[unit])


@main.command("expire-orders")
@click.option(
    "--older-than",
    "older_than",
    required=True,
    callback=_duration,
    metavar="DURATION",
    help="Cancel PENDING orders placed longer ago than this (30m, 2h, 1d).",
)
@click.option(
    "--batch-size", type=click.IntRange(1, 10_000), default=100, show_default=True,
    help="Orders cancelled per transaction.",
)  # fmt: skip
def expire_orders(older_than: timedelta, batch_size: int) -> None:
    """Cancel unpaid PENDING orders and release their stock, in batches (orders another
    worker holds are skipped). Schedule it: docs/transactions.md, "Expiring unpaid orders"."""
    from shopdb.database import Database

    with Database(Settings()) as db:
        expired = db.orders.expire_unpaid(older_than, batch_size=batch_size)
    click.echo(f"expired {expired} unpaid order(s)")


@main.command()
@click.option(
    "--limit",
    type=click.IntRange(1, 500),
    default=100,
    show_default=True,
    help="Deliveries claimed (and outbox events consumed) per batch.",
)
@click.option(
    "--idle",
    "idle_s",
    type=click.FloatRange(0.01),
    default=1.0,
    show_default=True,
    help="Seconds to wait when a batch found nothing to do.",
)
@click.option("--once", is_flag=True, help="Run one batch and exit.")
@click.option(
    "--notifications/--no-notifications", default=True, show_default=True,
    help="Also make the in-app notifications from the outbox.",
)  # fmt: skip
def dispatch(limit: int, idle_s: float, once: bool, notifications: bool) -> None:
    """The outbox worker: send due webhooks (signed, retried with backoff, dead after
    WEBHOOK_MAX_ATTEMPTS) and make notifications, in a loop until SIGTERM or SIGINT.
    Run several at once if needed. Needs the webhooks extra. docs/events.md."""
    from shopdb.database import Database
    from shopdb.webhooks.worker import WorkerOptions, run

    with Database(Settings()) as db:
        attempts = run(db, WorkerOptions(limit, idle_s, once, notifications))
    click.echo(f"made {attempts} webhook attempt(s)")


@main.command()
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=15,
    show_default=True,
    help="How many statements to print.",
)
@click.option(
    "--indexes",
    is_flag=True,
    help="Report index health instead: invalid, duplicate and unused indexes, and the largest"
    " tables and indexes (--limit of them).",
)
def report(limit: int, indexes: bool) -> None:
    """The statements of DATABASE_URL's database with the most execution time in all, from
    pg_stat_statements, under their shopdb query names; with --indexes, its index health."""
    if indexes:
        from shopdb.observability.indexes import print_index_report

        print_index_report(Settings(), limit, out=click.echo)
        return
    from shopdb.observability.statements import print_report

    print_report(Settings(), limit, out=click.echo)


@main.command()
@click.option(
    "--textfile", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Also write the checks' gauges to this file (node_exporter's textfile collector).",
)  # fmt: skip
def quality(textfile: Path | None) -> None:
    """Run the data-quality checks on DATABASE_URL's database (docs/quality.md), record the
    run and its anomalies (quality_runs, quality_anomalies) and print one line per check;
    exit code 1 when any check found offending rows."""
    from shopdb.database import Database
    from shopdb.quality.report import print_report, write_textfile
    from shopdb.quality.runner import run_checks

    with Database(Settings()) as db:
        report = run_checks(db)
    print_report(report, out=click.echo)
    if textfile is not None:
        write_textfile(textfile)
    if report.anomalies:
        raise click.ClickException(
            f"{len(report.anomalies)} of {len(report.outcomes)} checks found offending rows"
            f" (run {report.run.id})"
        )


if __name__ == "__main__":
    sys.exit(main())
