"""Every constraint a repository names must exist in the migrated schema, and only one
repository may name it (its rules travel with that repository's statements)."""

from __future__ import annotations

from shopdb.core.errors import DomainError
from tests.check.conftest import RunCheck, repository

SQL = {
    "things": """
        -- name: count_things()$
        -- How many things there are.
        SELECT count(*) FROM check_things;
    """
}


class ThingGone(DomainError):
    """A domain error a constraint maps to."""


def test_a_constraint_the_schema_lacks_is_reported_for_each_attribute(run_check: RunCheck) -> None:
    declared = repository(
        "things",
        {"count_things": None},
        constraint_messages={"check_things_pkey": "exists", "check_things_colour_check": "gone"},
        constraint_errors={"check_things_gone_fkey": ThingGone},
    )
    problems = run_check(SQL, declared)
    assert [(p.file, p.problem) for p in problems] == [
        (
            "ThingsRepository.constraint_errors",
            "constraint check_things_gone_fkey is not in the migrated schema",
        ),
        (
            "ThingsRepository.constraint_messages",
            "constraint check_things_colour_check is not in the migrated schema",
        ),
    ]


def test_unique_indexes_constraint_triggers_and_constraints_are_found(run_check: RunCheck) -> None:
    declared = repository(
        "things",
        {"count_things": None},
        constraint_messages={
            "users_email_lower_key": "a unique index, not a constraint",
            "check_things_deferred_rule": "a constraint trigger",
            "users_email_format_check": "a CHECK constraint",
            "user_roles_role_id_fkey": "a foreign key",
        },
    )
    assert run_check(SQL, declared) == []


def test_a_constraint_two_repositories_name_is_reported_on_each(run_check: RunCheck) -> None:
    sql = {**SQL, "others": SQL["things"].replace("count_things", "count_others")}
    things = repository(
        "things",
        {"count_things": None},
        constraint_messages={"check_things_pkey": "a thing with this id exists"},
        constraint_errors={"check_things_pkey": ThingGone},
    )
    others = repository(
        "others",
        {"count_others": None},
        constraint_messages={"check_things_pkey": "another sentence for it"},
    )
    problems = run_check(sql, things, others)
    assert [(p.file, p.problem) for p in problems] == [
        (
            "OthersRepository.constraint_messages",
            "constraint check_things_pkey is also named by ThingsRepository: one repository "
            "owns each constraint",
        ),
        (
            "ThingsRepository.constraint_errors",
            "constraint check_things_pkey is also named by OthersRepository: one repository "
            "owns each constraint",
        ),
        (
            "ThingsRepository.constraint_messages",
            "constraint check_things_pkey is also named by OthersRepository: one repository "
            "owns each constraint",
        ),
    ]


def test_a_constraint_one_repository_names_in_messages_and_errors_is_no_duplicate(
    run_check: RunCheck,
) -> None:
    declared = repository(
        "things",
        {"count_things": None},
        constraint_messages={"check_things_pkey": "a thing with this id exists"},
        constraint_errors={"check_things_pkey": ThingGone},
    )
    assert run_check(SQL, declared) == []
