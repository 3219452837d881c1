"""`shopdb check` on the queries themselves: refused, parameters, %, reads that write, use."""

from __future__ import annotations

from pydantic import BaseModel

from tests.check.conftest import RunCheck, repository, texts


class Count(BaseModel):
    """A row with one count."""

    n: int


def test_a_query_the_server_refuses_is_reported(run_check: RunCheck) -> None:
    sql = {
        "things": """
            -- name: broken()
            -- Selects a column that does not exist.
            SELECT no_such_column AS n FROM check_things;
        """
    }
    problems = run_check(sql, repository("things", {"broken": Count}))
    assert [(p.file, p.query) for p in problems] == [("sql/things.sql", "broken")]
    assert 'the server refuses it: column "no_such_column" does not exist' in problems[0].problem


def test_a_clean_file_has_no_problem(run_check: RunCheck) -> None:
    sql = {
        "things": """
            -- name: count_things()
            -- How many things there are.
            SELECT count(*) AS n FROM check_things;
        """
    }
    assert run_check(sql, repository("things", {"count_things": Count})) == []


def test_a_placeholder_aiosql_did_not_declare_is_reported(run_check: RunCheck) -> None:
    # aiosql leaves string literals alone, but psycopg still reads %(name)s inside them.
    sql = {
        "things": """
            -- name: count_like(note)$
            -- Things whose note matches.
            SELECT count(*) FROM check_things WHERE note = :note OR note = '%(other)s';
        """
    }
    problems = texts(run_check(sql, repository("things", {"count_like": None})))
    assert problems == [
        "count_like: parameters differ from the declaration (uses undeclared other)"
    ]


def test_a_declared_parameter_the_query_never_uses_is_reported(run_check: RunCheck) -> None:
    sql = {
        "things": """
            -- name: count_things(unused)$
            -- Declares a parameter it never uses.
            SELECT count(*) FROM check_things;
        """,
        "other": """
            -- name: still_checked()$
            -- The other files are still checked.
            SELECT no_such_column FROM check_things;
        """,
    }
    problems = run_check(sql, repository("things", {"count_things": None}))
    found = sorted((p.file, p.query, p.problem.split(":")[0]) for p in problems)
    assert ("sql/things.sql", "-", "aiosql refuses the file") in found
    assert "unused" in next(p.problem for p in problems if p.file == "sql/things.sql")
    assert ("sql/other.sql", "still_checked", "the server refuses it") in found


def test_a_literal_percent_not_doubled_is_reported_with_its_line(run_check: RunCheck) -> None:
    sql = {
        "things": """
            -- name: count_notes(prefix)$
            -- Things whose note starts with the prefix.
            SELECT count(*)
              FROM check_things
             WHERE note LIKE :prefix || '%';

            -- name: count_doubled(prefix)$
            -- The same, written right.
            SELECT count(*) FROM check_things WHERE note LIKE :prefix || '%%';
        """
    }
    declared = repository("things", {"count_notes": None, "count_doubled": None})
    assert texts(run_check(sql, declared)) == [
        "count_notes: line 3 of the query: a literal % must be written %%"
    ]


def test_a_read_with_a_data_modifying_cte_is_reported(run_check: RunCheck) -> None:
    sql = {
        "things": """
            -- name: purge_and_count()$
            -- Deletes, then counts: a read retried after a lost connection would delete twice.
            WITH gone AS (DELETE FROM check_things WHERE note IS NULL RETURNING id)
            SELECT count(*) FROM gone;

            -- name: purge_and_count_write()<!
            -- The same named as a write is fine.
            WITH gone AS (DELETE FROM check_things WHERE note IS NULL RETURNING id)
            SELECT count(*) AS n FROM gone;
        """
    }
    declared = repository(
        "things",
        {"purge_and_count": None, "purge_and_count_write": Count},
        tables=("check_things",),
    )
    problems = texts(run_check(sql, declared))
    assert len(problems) == 1
    assert problems[0].startswith("purge_and_count: a read modifies data (a data-modifying WITH)")


def test_a_read_that_is_an_update_or_calls_a_writing_function_is_reported(
    run_check: RunCheck,
) -> None:
    sql = {
        "things": """
            -- name: touch(id)^
            -- An UPDATE named as a one-row read.
            UPDATE check_things SET note = 'x' WHERE id = :id RETURNING 1 AS n;

            -- name: bump()$
            -- A read whose function writes.
            SELECT check_things_bump();

            -- name: next_value()$
            -- A read that advances a sequence.
            SELECT nextval('check_seq');
        """
    }
    declared = repository(
        "things", {"touch": Count, "bump": None, "next_value": None}, tables=("check_things",)
    )
    problems = texts(run_check(sql, declared))
    assert any(
        p.startswith("touch: a read (^, $ or plain) must be a SELECT, this is UPDATE")
        for p in problems
    )
    assert any(
        p.startswith("bump: a read calls check_things_bump(), a VOLATILE function")
        for p in problems
    )
    assert any(p.startswith("next_value: a read calls nextval(), a VOLATILE") for p in problems)
    assert len(problems) == 3


def test_a_query_no_repository_uses_is_reported(run_check: RunCheck) -> None:
    sql = {
        "things": """
            -- name: count_things()$
            -- Used.
            SELECT count(*) FROM check_things;

            -- name: forgotten()$
            -- Declared by nobody.
            SELECT count(*) FROM check_things;
        """
    }
    problems = texts(run_check(sql, repository("things", {"count_things": None})))
    assert problems == ["forgotten: no repository or tool uses this query"]


def test_a_declared_query_missing_from_sql_and_a_wrong_idempotent_are_reported(
    run_check: RunCheck,
) -> None:
    sql = {
        "things": """
            -- name: count_things()$
            -- A read.
            SELECT count(*) FROM check_things;
        """
    }
    declared = repository(
        "things", {"count_things": None, "vanished": None}, idempotent=frozenset({"count_things"})
    )
    problems = run_check(sql, declared)
    assert [(p.file, p.query, p.problem) for p in problems] == [
        (
            "ThingsRepository.idempotent",
            "count_things",
            "is a read: only writes are declared idempotent",
        ),
        (
            "ThingsRepository.queries",
            "vanished",
            "is declared but sql/things.sql has no such query",
        ),
    ]


def test_a_planned_per_call_name_that_is_no_declared_query_is_reported(
    run_check: RunCheck,
) -> None:
    sql = {
        "things": """
            -- name: count_things()$
            -- A read.
            SELECT count(*) FROM check_things;
        """
    }
    declared = repository(
        "things", {"count_things": None}, planned_per_call=frozenset({"count_things", "gone"})
    )
    problems = run_check(sql, declared)
    assert [(p.file, p.query, p.problem) for p in problems] == [
        (
            "ThingsRepository.planned_per_call",
            "gone",
            "is not one of the repository's declared queries",
        ),
    ]


def test_a_value_query_must_return_one_column(run_check: RunCheck) -> None:
    sql = {
        "things": """
            -- name: two_values()$
            -- Two columns where one is expected.
            SELECT count(*), max(price) FROM check_things;
        """
    }
    problems = texts(run_check(sql, repository("things", {"two_values": None})))
    assert problems == ["two_values: a $ query must return exactly one column, this one returns 2"]


def test_rows_without_a_declared_model_are_reported(run_check: RunCheck) -> None:
    sql = {
        "things": """
            -- name: all_things()
            -- Rows, but no model declared.
            SELECT id FROM check_things;
        """
    }
    problems = texts(run_check(sql, repository("things", {"all_things": None})))
    assert problems == ["all_things: it returns rows but its repository declares no model for them"]


def test_a_script_is_not_prepared_but_still_checked_for_use(run_check: RunCheck) -> None:
    sql = {
        "things": """
            -- name: make_database()#
            -- A statement that cannot be prepared.
            CREATE DATABASE never_created_by_the_check;
        """
    }
    assert run_check(sql, repository("things", {"make_database": None})) == []


def test_a_replica_read_that_is_a_write_or_no_declared_query_is_reported(
    run_check: RunCheck,
) -> None:
    sql = {
        "things": """
            -- name: count_things()$
            -- A read.
            SELECT count(*) FROM check_things;

            -- name: add_thing()!
            -- A write.
            INSERT INTO check_things DEFAULT VALUES;

            -- name: lock_things()$
            -- A lock.
            SELECT count(*) FROM check_things FOR UPDATE;
        """
    }
    declared = repository(
        "things",
        {"count_things": None, "add_thing": None},
        locks={"lock_things": None},
        replica_reads=frozenset({"count_things", "add_thing", "lock_things"}),
    )
    problems = [
        (p.file, p.query, p.problem)
        for p in run_check(sql, declared)
        if p.file.endswith("replica_reads")
    ]
    assert problems == [
        ("ThingsRepository.replica_reads", "add_thing", "is a write: a replica answers reads only"),
        (
            "ThingsRepository.replica_reads",
            "lock_things",
            "is not one of the repository's queries (a lock never reads a replica)",
        ),
    ]
