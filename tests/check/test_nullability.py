"""NULL-able result columns on non-Optional fields, outer joins included: sqlc vet and
`sqlx prepare --check` take a LEFT JOIN's right side as NOT NULL when its source column is;
describe_prepared alone would too (it reports user_roles.role_id, NOT NULL)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest
from pydantic import BaseModel

from tests.check.conftest import RunCheck, repository, texts


class Pair(BaseModel):
    """Two required ids."""

    id: UUID
    role_id: UUID


class OptionalRole(BaseModel):
    """The role may be missing."""

    id: UUID
    role_id: UUID | None


def problems_for(run_check: RunCheck, select: str, model: type[BaseModel] = Pair) -> list[str]:
    sql = f"-- name: pairs()\n-- The query under test.\n{select};\n"
    return sorted(texts(run_check({"pairs": sql}, repository("pairs", {"pairs": model}))))


def null(column: str, why: str) -> str:
    return f"pairs: column {column} can be NULL ({why}) but Pair.{column} is not Optional"


def test_the_right_side_of_a_left_join_is_nullable_though_its_column_is_not_null(
    run_check: RunCheck,
) -> None:
    select = "SELECT u.id, r.role_id FROM users u LEFT JOIN user_roles r ON r.user_id = u.id"
    assert problems_for(run_check, select) == [
        null("role_id", "r is on the nullable side of an outer join")
    ]
    assert problems_for(run_check, select, OptionalRole) == []


def test_an_inner_join_keeps_not_null_columns_not_null(run_check: RunCheck) -> None:
    select = "SELECT u.id, r.role_id FROM users u JOIN user_roles r ON r.user_id = u.id"
    assert problems_for(run_check, select) == []


@pytest.mark.parametrize(
    ("join", "nullable"),
    [("RIGHT", ["id"]), ("FULL", ["id", "role_id"]), ("LEFT", ["role_id"])],
)
def test_right_and_full_joins_make_their_sides_nullable(
    run_check: RunCheck, join: str, nullable: list[str]
) -> None:
    select = f"SELECT u.id, r.role_id FROM users u {join} JOIN user_roles r ON r.user_id = u.id"  # noqa: S608
    alias = {"id": "u", "role_id": "r"}
    assert problems_for(run_check, select) == [
        null(c, f"{alias[c]} is on the nullable side of an outer join") for c in nullable
    ]


def test_an_inner_join_below_a_left_join_is_on_the_nullable_side(run_check: RunCheck) -> None:
    select = """SELECT u.id, r.id AS role_id
                  FROM users u
                  LEFT JOIN (user_roles ur JOIN roles r ON r.id = ur.role_id)
                    ON ur.user_id = u.id"""
    assert problems_for(run_check, select) == [
        null("role_id", "r is on the nullable side of an outer join")
    ]


def test_nullability_is_carried_out_of_subqueries_and_ctes(run_check: RunCheck) -> None:
    subquery = """SELECT x.id, x.role_id
                    FROM (SELECT u.id, r.role_id
                            FROM users u LEFT JOIN user_roles r ON r.user_id = u.id) x"""
    cte = """WITH x AS (SELECT u.id, r.role_id
                          FROM users u LEFT JOIN user_roles r ON r.user_id = u.id)
             SELECT id, role_id FROM x"""
    joined_subquery = """SELECT u.id, x.role_id
                           FROM users u LEFT JOIN (SELECT user_id, role_id FROM user_roles) x
                             ON x.user_id = u.id"""
    why = "x.role_id: r is on the nullable side of an outer join"
    assert problems_for(run_check, subquery) == [null("role_id", why)]
    assert problems_for(run_check, cte) == [null("role_id", why)]
    assert problems_for(run_check, joined_subquery) == [
        null("role_id", "x is on the nullable side of an outer join")
    ]


def test_a_recursive_cte_is_judged_from_both_of_its_terms(run_check: RunCheck) -> None:
    # The recursive term reads the CTE itself: it is judged with the non-recursive term's
    # verdicts (it used to recurse for ever), and a NULL-able term on either side shows.
    walk = """WITH RECURSIVE walk AS (
                  SELECT c.id, c.id AS role_id FROM categories c WHERE c.parent_id IS NULL
                  UNION ALL
                  SELECT c.id, {second} FROM categories c JOIN walk w ON c.parent_id = w.id)
              SELECT id, role_id FROM walk"""
    assert problems_for(run_check, walk.format(second="w.role_id")) == []
    assert problems_for(run_check, walk.format(second="c.parent_id")) == [
        null("role_id", "walk.role_id: c.parent_id allows NULL")
    ]


def test_a_star_from_the_nullable_side_is_nullable(run_check: RunCheck) -> None:
    class Roles(BaseModel):
        user_id: UUID
        role_id: UUID
        assigned_at: datetime
        created_at: datetime
        updated_at: datetime

    select = "SELECT r.* FROM users u LEFT JOIN user_roles r ON r.user_id = u.id"
    problems = problems_for(run_check, select, Roles)
    assert len(problems) == 5
    assert all("r is on the nullable side of an outer join" in p for p in problems)


def test_a_nullable_source_column_on_a_required_field_is_reported(run_check: RunCheck) -> None:
    class Phone(BaseModel):
        id: UUID
        phone: str

    problems = problems_for(run_check, "SELECT id, phone FROM users", Phone)
    assert problems == [
        "pairs: column phone can be NULL (users.phone allows NULL) but Phone.phone is not Optional"
    ]


def test_returning_columns_keep_the_nullability_of_their_table(run_check: RunCheck) -> None:
    class Phone(BaseModel):
        id: UUID
        phone: str

    sql = """
        -- name: set_phone(id, phone)<!
        -- Returns the nullable phone.
        UPDATE users SET phone = :phone WHERE id = :id RETURNING id, phone;
    """
    problems = texts(
        run_check({"pairs": sql}, repository("pairs", {"set_phone": Phone}, tables=("users",)))
    )
    assert problems == [
        "set_phone: column phone can be NULL (users.phone allows NULL) "
        "but Phone.phone is not Optional"
    ]


class Computed(BaseModel):
    """Required fields filled by computed columns."""

    value: int


@pytest.mark.parametrize(
    "expression",
    [
        "count(*)",
        "count(r.role_id)",
        "(EXISTS (SELECT 1 FROM roles))::int",
        "coalesce(max(u.failed_login_count), 0)",
        "u.failed_login_count + 1",
        "CASE WHEN u.email_verified THEN 1 ELSE 0 END",
        "1",
        "length(u.email)",
        "greatest(u.failed_login_count, NULL)",
        "(SELECT count(*) FROM user_roles x WHERE x.user_id = u.id)",
        "(SELECT coalesce(max(x.failed_login_count), 0) FROM users x WHERE x.id <> u.id)",
        "(SELECT 1)",
    ],
)
def test_computed_columns_proven_not_null_are_clean(run_check: RunCheck, expression: str) -> None:
    select = f"""SELECT {expression} AS value
                   FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
                  GROUP BY u.id"""  # noqa: S608
    if "max(" in expression or "count(" in expression:
        select = select.replace("GROUP BY u.id", "")
    assert problems_for(run_check, select, Computed) == []


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("max(u.failed_login_count)", "max() gives NULL over no rows"),
        ("(SELECT 1 FROM roles LIMIT 1)", "a subquery gives NULL when it finds no row"),
        ("(SELECT max(x.failed_login_count) FROM users x)", "max() gives NULL over no rows"),
        ("(SELECT count(*) FROM roles GROUP BY name)", "a subquery gives NULL"),
        ("CASE WHEN u.email_verified THEN 1 END", "CASE without ELSE gives NULL"),
        ("length(u.phone)", "u.phone allows NULL"),
        ("NULLIF(u.failed_login_count, 0)", "NULLIF can give NULL"),
        ("lag(u.failed_login_count) OVER ()", "nothing proves lag() never gives NULL"),
        ("length(r.role_id::text)", "r is on the nullable side of an outer join"),
    ],
)
def test_computed_columns_that_can_be_null_are_reported(
    run_check: RunCheck, expression: str, why: str
) -> None:
    select = f"SELECT {expression} AS value FROM users u LEFT JOIN user_roles r ON true"  # noqa: S608
    problems = problems_for(run_check, select, Computed)
    assert len(problems) == 1
    assert why in problems[0]


def test_grouping_sets_make_grouped_columns_nullable(run_check: RunCheck) -> None:
    select = "SELECT u.status AS value FROM users u GROUP BY ROLLUP (u.status)"

    class Status(BaseModel):
        value: str

    assert problems_for(run_check, select, Status) == [
        "pairs: column value can be NULL (GROUP BY ROLLUP/CUBE/GROUPING SETS) "
        "but Status.value is not Optional"
    ]


def test_a_union_is_not_null_only_where_both_branches_are(run_check: RunCheck) -> None:
    both = "SELECT id, id AS role_id FROM users UNION ALL SELECT user_id, role_id FROM user_roles"
    one = "SELECT id, id AS role_id FROM users UNION ALL SELECT id, NULL FROM roles"
    assert problems_for(run_check, both) == []
    assert problems_for(run_check, one) == [null("role_id", "it is the NULL literal")]


def test_view_columns_are_nullable(run_check: RunCheck) -> None:
    class ViewRow(BaseModel):
        id: UUID
        mood: str

    problems = problems_for(run_check, "SELECT id, mood FROM check_thing_view", ViewRow)
    assert len(problems) == 2
    assert all("allows NULL" in p for p in problems)
