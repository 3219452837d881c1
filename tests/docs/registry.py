"""Which test runs each shell command the guides show (tests/docs/test_commands.py checks it).

A guide that shows a new command in a ```sh block adds one line here, in one of three places:

- ``RUN_BY``: the command -> the test that runs it, as ``path::test_name`` (a tuple of them
  when several tests run it). A test of
  tests/docs runs it through ``tests.docs.shell.run_documented`` (which checks that this is
  the test named here); a test elsewhere runs the same thing its own way (``make demo`` is
  ``shopdb demo``, which tests/cli/test_demo.py runs through the console script).
- ``SUITE``: the commands that run this suite itself; no test can run the suite it is in.
- ``MEASUREMENTS``: the benchmark and chaos runs whose figures a guide reports (minutes each,
  outside `make test` on purpose); every file and make target they name must exist.

The key is the command as tests.docs.commands reads it: continuation lines joined, the
trailing comment dropped, blanks collapsed. A key no guide shows any more fails the check too.
"""

from __future__ import annotations

PITR = (
    "tests/docs/test_pitr.py::"
    "test_a_recovery_to_a_moment_keeps_what_committed_before_it_and_nothing_after"
)

RUN_BY: dict[str, str | tuple[str, ...]] = {
    # README.md, getting-started.md, migrations.md: the migration commands.
    "shopdb migrate": "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides",
    "shopdb status": (
        "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides",
        PITR,
    ),
    "shopdb rollback": "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides",
    "shopdb rollback --count 1": (
        "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides"
    ),
    "shopdb rollback --count 3": (
        "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides"
    ),
    "shopdb rollback --to 0006_orders": (
        "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides"
    ),
    "shopdb rollback --count all": (
        "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides"
    ),
    "shopdb break-lock": (
        "tests/docs/test_runbook.py::"
        "test_a_lock_left_by_a_killed_run_is_broken_and_the_migration_goes_on"
    ),
    "export DATABASE_URL=postgresql://shop:secret@127.0.0.1:5432/shop": (
        "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides"
    ),
    "export DATABASE_URL=postgresql://shop:secret@db.internal:5432/shop": (
        "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides",
        "tests/docs/test_backup.py::"
        "test_a_dump_restores_into_a_new_database_with_the_same_schema_rows_and_migrations",
    ),
    # troubleshooting.md
    """shopdb explain users.find_by_email --params '{"email": "ada@example.com"}'""": (
        "tests/docs/test_runbook.py::test_explain_shows_the_plan_of_a_named_query"
    ),
    "shopdb rollback --to 0018_primary_variant": (
        "tests/docs/test_runbook.py::test_the_migration_commands_of_the_guides"
    ),
    # backup.md and migrations.md: the dump and the restore.
    **dict.fromkeys(
        [
            "export BACKUP_FILE=shop.dump",
            'pg_dump --format=custom --file="$BACKUP_FILE" "$DATABASE_URL"',
            'pg_restore --list "$BACKUP_FILE"',
            "export RESTORE_DB=shop_restored",
            "export RESTORE_URL=postgresql://shop:secret@db.internal:5432/shop_restored",
            'createdb --maintenance-db="$DATABASE_URL" "$RESTORE_DB"',
            "pg_restore --exit-on-error --single-transaction --no-owner "
            '--dbname="$RESTORE_URL" "$BACKUP_FILE"',
            'DATABASE_URL="$RESTORE_URL" shopdb status',
            'DATABASE_URL="$RESTORE_URL" shopdb check',
        ],
        "tests/docs/test_backup.py::"
        "test_a_dump_restores_into_a_new_database_with_the_same_schema_rows_and_migrations",
    ),
    # backup.md: point-in-time recovery.
    **dict.fromkeys(
        [
            "export ADMIN_URL=postgresql://postgres@db.internal:5432/postgres",
            "export BASE_BACKUP=/backups/base-2026-12-02",
            'pg_basebackup --pgdata="$BASE_BACKUP" --wal-method=stream --checkpoint=fast '
            '--dbname="$ADMIN_URL"',
            "export PGDATA=/var/lib/postgresql/15/main",
            "export WAL_ARCHIVE=/var/lib/postgresql/wal_archive",
            "export TARGET_TIME='2026-12-02 14:05:00+00'",
            "pg_ctl stop --mode=fast",
            'mv "$PGDATA" "$PGDATA.before-recovery"',
            'cp -a "$BASE_BACKUP" "$PGDATA"',
            """echo "restore_command = 'cp $WAL_ARCHIVE/%f %p'" >> "$PGDATA/postgresql.conf\"""",
            """echo "recovery_target_time = '$TARGET_TIME'" >> "$PGDATA/postgresql.conf\"""",
            """echo "recovery_target_action = 'promote'" >> "$PGDATA/postgresql.conf\"""",
            'touch "$PGDATA/recovery.signal"',
            'pg_ctl start --wait --log="$PGDATA/recovery.log"',
            'psql "$ADMIN_URL" --tuples-only --command="SELECT pg_is_in_recovery()"',
        ],
        PITR,
    ),
    # testing.md
    ".venv/bin/python -m pytest tests/models -q -n 0 -k email": (
        "tests/docs/test_testing_guide.py::test_a_folder_by_name_in_one_process"
    ),
    # seeds.md
    **dict.fromkeys(
        [
            "SHOPDB_ADMIN_PASSWORD='a long secret' shopdb seed --profile prod",
            "shopdb seed --profile dev",
            "shopdb seed --profile dev --scale 2",
            "shopdb seed --profile qa --no-progress",
        ],
        "tests/seeds/test_progress_and_cli.py::test_the_commands_of_the_seeds_guide_run_as_written",
    ),
    # README.md: the demo.
    "make demo": ("tests/cli/test_demo.py::test_the_demo_command_plays_the_story_serving_metrics"),
    # README.md, getting-started.md: the wheel, built from this checkout, with and without extras.
    # partitions.md, budgets.md, observability: issue 19
    "shopdb partitions maintain": (
        "tests/partitions/test_maintain.py::test_the_commands_maintain_and_list"
    ),
    "shopdb partitions list": (
        "tests/partitions/test_maintain.py::test_the_commands_maintain_and_list"
    ),
    "shopdb partitions partman --schedule '17 3 * * *'": (
        "tests/partitions/test_partman.py::test_partman_and_maintain_leave_the_same_partitions"
    ),
    "shopdb budgets --generate 1000": (
        "tests/budgets/test_budgets.py::test_every_budgeted_plan_holds_on_the_ci_data_set"
    ),
    "shopdb report --indexes --limit 3": (
        "tests/observability/test_index_report.py::test_the_command_prints_each_section"
    ),
    "pip install shopdb": (
        "tests/test_packaging.py::"
        "test_the_wheel_without_extras_migrates_and_runs_the_users_slice_without_the_cli_packages",
        "tests/test_packaging.py::"
        "test_the_command_of_the_wheel_without_extras_names_the_extra_to_install",
    ),
    "pip install 'shopdb[cli]'": (
        "tests/test_packaging.py::test_the_command_of_the_wheel_with_the_cli_extra_runs"
    ),
    "pip install 'shopdb[binary,cli]'": (
        "tests/test_packaging.py::"
        "test_a_fresh_virtualenv_with_the_wheel_migrates_a_database_and_runs_every_query"
    ),
    # getting-started.md: the example shop (examples/shop), served by uvicorn
    "uvicorn --factory examples.shop.app:create_app --port 8000": (
        "tests/examples/test_shop_server.py::test_uvicorn_serves_the_shop_with_the_documented_command"
    ),
}

# .ci/run runs `make test`, whose recipe first sets up .venv (the rule of `make install`).
SUITE: set[str] = {"make test", "make install"}

MEASUREMENTS: set[str] = {
    "make bench",
    "make chaos",
    "SHOPDB_TEST_DATABASE_URL=postgresql://u:p@host:5432/postgres make bench",
    ".venv/bin/python -m pytest benchmarks --benchmark-only --benchmark-sort=name "
    "--benchmark-columns=min,median,mean,stddev,rounds --benchmark-json=.benchmarks/latest.json",
    ".venv/bin/python -m pytest benchmarks/test_speed.py --benchmark-only",
    "SHOPDB_BENCH_IDENTITY_USERS=100000 .venv/bin/python -m pytest benchmarks/test_identity.py "
    "--benchmark-only -s",
    "python -m benchmarks.identity_data postgresql://... --users 100000",
    ".venv/bin/python -m pytest benchmarks/test_seeds.py --benchmark-only "
    "--benchmark-columns=min,median,max,rounds",
    ".venv/bin/python -m pytest benchmarks/test_demo.py --benchmark-only "
    "--benchmark-columns=min,median,max,rounds",
    # issue 10: the catalogue at scale, its plans and the loop of the concurrency tests
    "python -m benchmarks.catalog.data --database-url "
    "postgresql://postgres@127.0.0.1:5432/postgres --products 1000000 "
    "--variants-per-product 3 --categories 10000 --database bench_catalog",
    "python -m benchmarks.catalog.data --products 1000000",
    ".venv/bin/python -m pytest benchmarks/catalog -s --benchmark-columns=min,median,mean,rounds",
    ".venv/bin/python -m pytest benchmarks/catalog/test_plans.py -s",
    "SHOPDB_BENCH_PRODUCTS=100000 SHOPDB_BENCH_CATALOG_DB=bench_catalog_small "
    ".venv/bin/python -m pytest benchmarks/catalog -s",
    "psql -c 'DROP DATABASE bench_catalog'",
    "for i in $(seq 20); do .venv/bin/python -m pytest -n 0 -q -p no:randomly "
    '"tests/repositories/test_inventory.py::'
    'test_fifty_threads_reserving_the_last_ten_units_never_oversell" '
    '"tests/repositories/test_inventory.py::'
    'test_reserve_many_over_overlapping_variants_in_any_order_never_deadlocks" '
    "tests/repositories/test_inventory_state.py || break; done",
    # issue 20: the catalog cache, cached vs uncached and the cold-key burst
    "SHOPDB_BENCH_CATALOG_DB=bench_catalog_cache .venv/bin/python -m pytest "
    "benchmarks/catalog/test_cache.py -s -p no:cacheprovider",
    # issue 11: the commerce data set and its benchmarks at two sizes
    "python -m benchmarks.commerce_data --users 1000000 --orders 5000000",
    ".venv/bin/python -m pytest benchmarks/test_commerce.py --benchmark-only -s",
    "SHOPDB_BENCH_COMMERCE_USERS=100000 SHOPDB_BENCH_COMMERCE_ORDERS=500000 "
    ".venv/bin/python -m pytest benchmarks/test_commerce.py --benchmark-only -s",
    "python -m benchmarks.commerce_data --users 1000000 --orders 5000000 --drop",
    # issue 19: the 10M-user set, its benchmark and the budget timings at full size
    "python -m benchmarks.scale_data --users 10000000",
    ".venv/bin/python -m pytest benchmarks/test_scale.py --benchmark-only -s",
    "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_commerce_10000000_10000000_10000000 "
    "shopdb budgets --timings",
    # issue 17: kit v2 before (a worktree of d75cc51) and after, side by side
    "git worktree add /tmp/oldmain d75cc51",
    "SHOPDB_BASELINE_SRC=/tmp/oldmain/src .venv/bin/python -m pytest benchmarks/test_revisions.py "
    "-s -p no:cacheprovider",
    # issue 23: main before the trust work (a worktree of 91529ff) and after, side by side
    "git worktree add /tmp/pretrust 91529ff",
    "SHOPDB_BASELINE_SRC=/tmp/pretrust/src .venv/bin/python -m pytest "
    "benchmarks/test_revisions.py -s -p no:cacheprovider",
    # issue 18: the async API against asyncpg, and the sync API before (4c0ef36) and after
    ".venv/bin/python -m pytest benchmarks/test_async_speed.py --benchmark-only -s",
    "git worktree add /tmp/preasync 4c0ef36",
    "SHOPDB_BASELINE_SRC=/tmp/preasync/src .venv/bin/python -m pytest "
    "benchmarks/test_async_speed.py --benchmark-only -s -p no:cacheprovider",
}


def runners_of(command: str) -> tuple[str, ...]:
    """The tests registered as running ``command`` (none when it is not in RUN_BY)."""
    tests = RUN_BY.get(command, ())
    return (tests,) if isinstance(tests, str) else tests
