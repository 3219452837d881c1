"""Query budgets as data (issue 19, point 5): `shopdb budgets` asserts every budgeted plan on
a generated data set (CI_USERS users), refuses the plans of a data set too small for them,
and `shopdb check` reports a read of a hot table that carries no budget."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from shopdb.budgets import BudgetError, parse_budget
from shopdb.budgets.dataset import CI_USERS
from shopdb.budgets.model import budgeted_queries
from shopdb.budgets.rules import UNBUDGETED, budget_problems
from shopdb.cli import main
from shopdb.core.queries import load_queries, sql_dir

BUDGETED = [
    "orders.list_for_user",
    "sessions.find_active",
    "users.find_by_email",
    "users.get",
    "users.get_credentials",
]


def test_every_budgeted_plan_holds_on_the_ci_data_set(db_url: str) -> None:
    # In this process (CliRunner), so that the query coverage of the suite sees its queries.
    done = CliRunner().invoke(
        main, ["budgets", "--generate", str(CI_USERS)], env={"DATABASE_URL": db_url}
    )

    assert done.exit_code == 0, done.output
    lines = [line for line in done.output.splitlines() if not line.startswith("slow query")]
    assert lines[1] == f"{len(BUDGETED)} budgeted queries on {CI_USERS} users"
    assert [line.split()[:2] for line in lines[2:]] == [["ok", name] for name in BUDGETED]


def test_a_data_set_too_small_for_the_full_size_plans_fails(db_url: str) -> None:
    done = CliRunner().invoke(main, ["budgets", "--generate", "100"], env={"DATABASE_URL": db_url})

    assert done.exit_code == 1
    assert "OVER users.find_by_email" in done.output
    assert "its plan does not use users_email_lower_key" in done.output
    assert "its plan reads 100 rows, over its budget of 1" in done.output
    assert done.output.strip().endswith("query(ies) over budget")


def test_an_empty_database_is_told_to_generate_first(db_url: str) -> None:
    done = CliRunner().invoke(main, ["budgets"], env={"DATABASE_URL": db_url})

    assert done.exit_code == 1
    assert "run with --generate USERS" in done.output


def test_the_budget_lines_read_as_budgets() -> None:
    budgets = {budget.query: budget for _, budget in budgeted_queries()}

    assert sorted(budgets) == BUDGETED
    assert budgets["sessions.find_active"].indexes == (
        "user_sessions_refresh_token_hash_key",
        "users_pkey",
    )
    assert budgets["users.find_by_email"].ms == 2.0
    assert budgets["users.find_by_email"].dataset == "10M users"
    doc = load_queries()["users"]["find_by_email"].doc
    assert "budget" not in doc and "\n" not in doc  # the comment stays one line


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 ms; index users_pkey; rows 1", "does not read as"),
        ("2 ms at 1M users; index users_pkey; rows 1", "no data set named '1M users'"),
        ("fast; index users_pkey; rows 1", "does not read as"),
        ("2 ms at 10M users; index users_pkey; rows many", "does not read as"),
    ],
)
def test_a_malformed_budget_is_refused(text: str, message: str) -> None:
    with pytest.raises(BudgetError, match=message):
        parse_budget("users.get", text)


def test_a_read_of_a_hot_table_without_a_budget_is_reported(tmp_path: Path) -> None:
    (tmp_path / "shop.sql").write_text(
        "-- name: newest_orders(limit)\n"
        "-- The newest orders.\n"
        "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id"
        " ORDER BY o.created_at DESC LIMIT :limit;\n\n"
        "-- name: budgeted(id)^\n"
        "-- A user.\n"
        "-- budget: 1 ms at 10M users; index users_pkey; rows 1\n"
        "SELECT id FROM users WHERE id = :id;\n\n"
        "-- name: bad_budget(id)^\n"
        "-- A user.\n"
        "-- budget: quick\n"
        "SELECT id FROM users WHERE id = :id;\n\n"
        "-- name: categories()\n"
        "-- Not a hot table.\n"
        "SELECT id FROM categories;\n"
    )
    namespaces = load_queries(tmp_path)

    found = budget_problems(namespaces, {"shop": "shop.sql"})

    own = {(p.query, p.problem.split(":")[0]) for p in found if p.file == "shop.sql"}
    assert own == {
        ("newest_orders", "reads the hot table orders, users without a budget"),
        (
            "bad_budget",
            "budget 'quick' does not read as '<ms> ms at <data set>; "
            "index <name>[, <name>]; rows <n>'",
        ),
    }


def test_the_library_keeps_the_budget_rules() -> None:
    files = {namespace: f"sql/{namespace}.sql" for namespace in load_queries(sql_dir())}

    assert budget_problems(load_queries(sql_dir()), files) == []
    assert not set(BUDGETED) & UNBUDGETED


def test_timings_on_a_smaller_set_say_so(db_url: str) -> None:
    runner, env = CliRunner(), {"DATABASE_URL": db_url}
    runner.invoke(main, ["budgets", "--generate", str(CI_USERS)], env=env)

    done = runner.invoke(main, ["budgets", "--timings"], env=env)

    # Its exit code is a timing (held to the budgets' times): not asserted in this suite.
    assert len([line for line in done.output.splitlines() if line[:4] in ("ok  ", "OVER")]) == 5
    assert f"note: times held at {CI_USERS} users; budgets state them at 10M users" in done.output
