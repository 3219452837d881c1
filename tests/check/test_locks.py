"""`shopdb check` on locks and aggregates: lock statements declared in ``locks`` (and only
they), each repository writing and row-locking only its ``tables``, one lock strength per
table, each table in one repository's ``tables``."""

from __future__ import annotations

from tests.check.conftest import RunCheck, repository, texts

THINGS = {
    "things": """
        -- name: count_things()$
        -- How many things there are.
        SELECT count(*) FROM check_things;

        -- name: lock_thing(id)$
        -- Lock one thing's row until the transaction ends.
        SELECT id FROM check_things WHERE id = :id FOR NO KEY UPDATE;

        -- name: lock_key(key)$
        -- Serialize the changes under one key (an advisory lock).
        SELECT true AS locked FROM pg_advisory_xact_lock(hashtextextended(:key, 0));

        -- name: purge_batch(batch_size)!
        -- Delete a batch of things without notes, skipping rows others hold.
        DELETE FROM check_things
         WHERE id IN (SELECT id FROM check_things WHERE note IS NULL
                       LIMIT :batch_size FOR UPDATE SKIP LOCKED);
    """
}


def things(**attributes: object) -> type[object]:
    """The repository of check_things, declaring the statements of THINGS as they should be."""
    return repository(
        "things",
        {"count_things": None, "purge_batch": None},
        locks={"lock_thing": None, "lock_key": None},
        tables=("check_things",),
        **attributes,
    )


def test_row_locks_advisory_locks_and_locking_batch_writes_declared_as_they_are_are_clean(
    run_check: RunCheck,
) -> None:
    assert run_check(THINGS, things()) == []


def test_a_lock_declared_among_the_queries_must_be_declared_in_locks(run_check: RunCheck) -> None:
    declared = repository(
        "things",
        {"count_things": None, "purge_batch": None, "lock_thing": None, "lock_key": None},
        tables=("check_things",),
    )
    problems = texts(run_check(THINGS, declared))
    assert problems == [
        "lock_key: takes a lock (pg_advisory_xact_lock) and writes nothing: declare it in "
        "ThingsRepository.locks, not queries, and run it with _lock or _lock_each (inside a "
        "transaction only)",
        "lock_thing: takes a lock (a row-locking clause) and writes nothing: declare it in "
        "ThingsRepository.locks, not queries, and run it with _lock or _lock_each (inside a "
        "transaction only)",
    ]


def test_a_declared_lock_that_locks_nothing_or_writes_is_not_a_lock(run_check: RunCheck) -> None:
    declared = repository(
        "things",
        {"lock_thing": None, "lock_key": None},
        locks={"count_things": None, "purge_batch": None},
        tables=("check_things",),
    )
    problems = texts(run_check(THINGS, declared))
    assert problems == [
        "count_things: is not a lock: it has no row-locking clause (FOR UPDATE, FOR NO KEY "
        "UPDATE, FOR SHARE or FOR KEY SHARE) and calls no pg_advisory_xact_lock; declare it "
        "in ThingsRepository.queries",
        "purge_batch: is not a lock: it writes check_things; declare it in "
        "ThingsRepository.queries",
        "lock_key: takes a lock (pg_advisory_xact_lock) and writes nothing: declare it in "
        "ThingsRepository.locks, not queries, and run it with _lock or _lock_each (inside a "
        "transaction only)",
        "lock_thing: takes a lock (a row-locking clause) and writes nothing: declare it in "
        "ThingsRepository.locks, not queries, and run it with _lock or _lock_each (inside a "
        "transaction only)",
    ]


OTHERS = {
    "others": """
        -- name: lock_their_thing(id)$
        -- Locks a row of check_things (only its alias t), joined to users.
        SELECT t.id
          FROM check_things t JOIN users u ON u.id = t.id
         WHERE t.id = :id
           FOR NO KEY UPDATE OF t;

        -- name: note_all(note)!
        -- Writes check_things in a data-modifying CTE.
        WITH noted AS (UPDATE check_things SET note = :note RETURNING id)
        SELECT count(*) FROM noted;

        -- name: add_seen(id)!
        -- Writes a table no repository lists.
        INSERT INTO check_thing_view (id, mood) VALUES (:id, 'HAPPY');
    """
}


def test_a_statement_that_writes_or_locks_another_aggregates_table_names_the_owner(
    run_check: RunCheck,
) -> None:
    others = repository(
        "others",
        {"note_all": None, "add_seen": None},
        locks={"lock_their_thing": None},
        tables=("users",),
    )
    problems = run_check({**THINGS, **OTHERS}, things(), others)
    rule = (
        "a repository writes and locks only the tables of its aggregate "
        "(OthersRepository.tables: users)"
    )
    assert [(p.file, p.query, p.problem) for p in problems] == [
        (
            "OthersRepository.locks",
            "lock_their_thing",
            "locks check_things FOR NO KEY UPDATE, a table of ThingsRepository (in its "
            f"tables); {rule}",
        ),
        (
            "OthersRepository.queries",
            "add_seen",
            f"writes check_thing_view, a table no repository lists in its tables; {rule}",
        ),
        (
            "OthersRepository.queries",
            "note_all",
            f"writes check_things, a table of ThingsRepository (in its tables); {rule}",
        ),
    ]


READ_AND_PURGE = {
    "things": """
        -- name: count_things()$
        -- How many things there are.
        SELECT count(*) FROM check_things;

        -- name: purge_batch(batch_size)!
        -- Delete a batch of things without notes, skipping rows others hold.
        DELETE FROM check_things
         WHERE id IN (SELECT id FROM check_things WHERE note IS NULL
                       LIMIT :batch_size FOR UPDATE SKIP LOCKED);
    """
}


def test_a_repository_without_tables_may_read(run_check: RunCheck) -> None:
    reader = repository("things", {"count_things": None, "purge_batch": None})
    problems = texts(run_check({"things": READ_AND_PURGE["things"]}, reader))
    rule = (
        "a repository writes and locks only the tables of its aggregate "
        "(ThingsRepository.tables: none declared)"
    )
    assert problems == [
        "purge_batch: locks check_things FOR UPDATE, a table no repository lists in its "
        f"tables; {rule}",
        f"purge_batch: writes check_things, a table no repository lists in its tables; {rule}",
    ]


STRENGTHS = {
    "strong": """
        -- name: lock_for_delete(id)$
        -- Locks a thing's row as a delete would.
        SELECT id FROM check_things WHERE id = :id FOR UPDATE;

        -- name: lock_user(id)$
        -- Locks a user's row.
        SELECT id FROM users WHERE id = :id FOR NO KEY UPDATE;
    """
}


def test_two_lock_strengths_on_one_table_are_reported_with_the_statements(
    run_check: RunCheck,
) -> None:
    strong = repository(
        "strong", {}, locks={"lock_for_delete": None, "lock_user": None}, tables=("users",)
    )
    problems = [p for p in run_check({**THINGS, **STRENGTHS}, things(), strong) if p.query == "-"]
    assert [(p.file, p.problem) for p in problems] == [
        (
            "table check_things",
            "is locked with 2 strengths (FOR NO KEY UPDATE by ThingsRepository.locks "
            "lock_thing; FOR UPDATE by StrongRepository.locks lock_for_delete): take one lock "
            "strength per table",
        )
    ]


def test_a_batch_writes_lock_counts_for_no_strength(run_check: RunCheck) -> None:
    # purge_batch locks FOR UPDATE, lock_thing FOR NO KEY UPDATE: the batch is a write.
    problems = run_check(THINGS, things())
    assert [p for p in problems if p.file.startswith("table ")] == []


def test_a_table_in_two_repositories_or_missing_from_the_schema_is_reported(
    run_check: RunCheck,
) -> None:
    others = repository(
        "others",
        {"note_all": None},
        locks={"lock_their_thing": None},
        tables=("check_things", "check_no_such_table"),
        constraint_messages={},
    )
    problems = run_check(
        {**THINGS, "others": OTHERS["others"].split("-- name: add_seen")[0]}, things(), others
    )
    assert [(p.file, p.problem) for p in problems if p.query == "-"] == [
        ("OthersRepository.tables", "check_no_such_table is not a table of the migrated schema"),
        (
            "OthersRepository.tables",
            "check_things is also in ThingsRepository.tables: each table belongs to one repository",
        ),
        (
            "ThingsRepository.tables",
            "check_things is also in OthersRepository.tables: each table belongs to one repository",
        ),
    ]
