"""`shopdb check`'s budget rules: a budget line must parse, and every read of a hot table
(HOT_TABLES) carries one, but the reads recorded in UNBUDGETED when the rule came in."""

from __future__ import annotations

from collections.abc import Mapping

from pglast import ast, parse_sql

from shopdb.budgets.model import HOT_TABLES, BudgetError, parse_budget
from shopdb.check.problems import Problem
from shopdb.check.sources import is_node, walk
from shopdb.core.placeholders import number_placeholders
from shopdb.core.queries import Query

# The reads of hot tables that had no budget when budgets came in (issue 19). Shrink it by
# giving them budgets; `shopdb check` refuses a name added here that has one or is gone.
UNBUDGETED = frozenset(
    {
        "access.users_with_role",
        "api_keys.find_for_authentication",
        # Came in with the outbox and cart recovery (issue 21), beside the budget rule: batch
        # reads of a worker, not of a request; each should get a budget line as the others.
        "cart_recovery.candidates",
        "customer_orders.find_by_idempotency_key",
        "customer_orders.get",
        "customer_orders.get_by_reference",
        "customer_orders.list_items",
        "events.orders_of",
        "orders.find_by_idempotency_key",
        "orders.get",
        "orders.get_by_reference",
        "orders.list_by_status",
        "orders.list_for_user_by_status",
        "orders.lock_for_status_change",
        "orders.lock_unpaid",
        "orders.statistics_by_day",
        "orders.statistics_by_status",
        "sessions.list_for_user",
        "users.count",
        "users.email_exists",
        "users.get_including_deleted",
        "users.is_locked",
        "users.list_users",
        "users.list_users_by_status",
        "users.lock_for_erasure",
        "users.lock_for_status_change",
    }
)


def tables_read(query: Query) -> frozenset[str]:
    """The tables a statement names in FROM, JOIN and subqueries (CTE names left out)."""
    try:
        tree = parse_sql(number_placeholders(query.sql).sql)
    except Exception:  # pglast's refusals: the engine reports them
        return frozenset()
    nodes = [node for statement in tree for node in walk(statement.stmt)]
    ctes = {node.ctename for node in nodes if is_node(node, ast.CommonTableExpr)}
    return frozenset(
        str(node.relname)
        for node in nodes
        if is_node(node, ast.RangeVar)
        and node.schemaname in (None, "public")
        and node.relname not in ctes
    )


def budget_problems(
    namespaces: Mapping[str, Mapping[str, Query]], files: Mapping[str, str]
) -> list[Problem]:
    """The problems of the library's queries (sql/*.sql) with their budgets."""
    found: list[Problem] = []
    seen: set[str] = set()
    for namespace, queries in namespaces.items():
        where = files[namespace]
        for name, query in queries.items():
            seen.add(query.name)
            if query.budget is not None:
                try:
                    parse_budget(query.name, query.budget)
                except BudgetError as exc:
                    found.append(Problem(where, name, str(exc).partition(": ")[2]))
                if query.name in UNBUDGETED:
                    found.append(Problem(where, name, "has a budget: remove it from UNBUDGETED"))
                continue
            hot = sorted(tables_read(query) & HOT_TABLES) if query.is_read else []
            if hot and query.name not in UNBUDGETED:
                found.append(
                    Problem(
                        where,
                        name,
                        f"reads the hot table {', '.join(hot)} without a budget: add a "
                        "'-- budget:' line under its comment (docs/budgets.md)",
                    )
                )
    for gone in sorted(UNBUDGETED - seen):
        found.append(Problem("shopdb.budgets.rules", gone, "is in UNBUDGETED but no such query"))
    return found
