"""Named queries run by shopdb's own tools rather than by a repository, declared as data.

`shopdb check` reports a query that nothing declares. Repositories declare theirs in their
``queries`` class attribute; the tools below declare theirs here, one entry per sql/ file they
read, each query mapped to the model its rows are checked against (None: the tool reads plain
dict rows or one value, so only the query itself is checked). A tool that starts or stops
using a query changes this mapping in the same commit.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

ToolQueries = Mapping[str, Mapping[str, type[BaseModel] | None]]

# Repository classes of the tools (``module:Class``), over sql/tools/: checked as repositories
# are (queries, locks, models), but held to no aggregate's tables, since the seeds' bulk
# loader writes every table by design. Imported only by `shopdb check`.
TOOL_REPOSITORIES: tuple[str, ...] = (
    "shopdb.seeds.store:SeedRepository",
    "shopdb.quality.checks:QualityRepository",
)

TOOL_QUERIES: ToolQueries = {
    # shopdb.demo.ensure_demo_database (on the maintenance database), reset_demo_database.
    "admin": {
        "database_exists": None,
        "create_demo_database": None,
        "drop_demo_schema": None,
        "create_demo_schema": None,
    },
    # shopdb.schema_doc.read_catalog runs every one of them.
    "catalog": {
        "tables": None,
        "columns": None,
        "constraints": None,
        "indexes": None,
        "foreign_keys": None,
        "triggers": None,
        "functions": None,
    },
    # shopdb.check.catalog: the lookups of `shopdb check` itself.
    "check": {
        "type_of": None,
        "relation": None,
        "columns": None,
        "existing_constraints": None,
        "writing_functions": None,
    },
    # shopdb.database.Database.health.
    "health": {"ping": None},
    # shopdb.core.replicas: lag sampling and read-your-writes (DATABASE_REPLICA_URLS).
    "replicas": {"primary_lsn": None, "replay_lsn": None},
    # shopdb.database.Database.open: the shared cursor key (migration 0060).
    "service_keys": {"cursor_key": None},
    # shopdb.migrations.status.
    "migrations": {"yoyo_bookkeeping_exists": None, "applied_migrations": None},
    # shopdb.observability: statements.installed_version, slow_plans.generic_plan.
    "observability": {"extension_version": None, "force_generic_plan": None},
    # shopdb.observability.indexes: `shopdb report --indexes`.
    "indexes": {
        "unused_indexes": None,
        "duplicate_indexes": None,
        "invalid_indexes": None,
        "largest_relations": None,
    },
    # shopdb.budgets.dataset and shopdb.budgets.plans: `shopdb budgets`.
    "budgets": {
        "fill_users": None,
        "fill_sessions": None,
        "fill_orders": None,
        "analyze_hot_tables": None,
        "sample": None,
        "user_count": None,
    },
    # shopdb.partitions: `shopdb partitions maintain` and the default-partition gauge.
    "partitions": {
        "create_ahead": None,
        "drop_old": None,
        "list_partitions": None,
        "default_rows": None,
        "lock_briefly": None,
        "adopt_by_partman": None,
    },
}

# The queries of sql/extensions/<extension>.sql, which only a database with that extension
# can prepare: `shopdb check` checks them where it is installed. shopdb.observability.statements.
EXTENSION_QUERIES: ToolQueries = {
    "pg_stat_statements": {"top_by_total_time": None},
    # shopdb.partitions.hand_to_partman.
    "pg_cron": {"schedule_partman_maintenance": None},
}
