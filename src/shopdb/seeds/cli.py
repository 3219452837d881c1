"""`shopdb seed --profile dev|qa|prod|demo [--scale N]`: the command behind the seeds."""

from __future__ import annotations

import click

from shopdb.seeds.profiles import PROFILES


@click.command("seed")
@click.option(
    "--profile",
    "profile",
    required=True,
    type=click.Choice(list(PROFILES)),
    help="Which data set: " + "; ".join(f"{p.name}: {p.summary}" for p in PROFILES.values()),
)
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Multiply the generated rows (products, customers, orders, carts).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="A progress bar (default: on a terminal; plain lines otherwise).",
)
def seed_command(profile: str, scale: int, progress: bool | None) -> None:
    """Seed DATABASE_URL with a profile, in one transaction; running it again adds nothing.
    prod needs SHOPDB_ADMIN_PASSWORD (and takes SHOPDB_ADMIN_EMAIL)."""
    from shopdb.database import Database
    from shopdb.seeds import seed
    from shopdb.settings import Settings

    settings = Settings(database_pool_min=1, database_pool_max=2)
    with Database(settings) as db:
        report = seed(db, profile, scale=scale, progress=progress)
    added = sum(report.inserted.values())
    seconds = f"{report.seconds:.2f} s"
    click.echo(f"seeded {report.profile} (scale {report.scale}) in {seconds}: {added} rows added")
    for table, rows in report.counts.items():
        if rows or report.inserted.get(table):
            click.echo(f"  {table:22} {rows:>9} rows  (+{report.inserted.get(table, 0)})")
