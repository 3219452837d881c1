"""`shopdb check` on customer repositories: every query of a class that declares ``owner``
takes that parameter, and its statements are held to the tables of its ``aggregate``."""

from __future__ import annotations

from tests.check.conftest import RunCheck, repository, texts

OWNED = {
    "my_things": """
        -- name: get(id, user_id)$
        -- The customer's thing.
        SELECT id FROM check_things WHERE id = :id AND note = CAST(:user_id AS text);

        -- name: get_any(id)$
        -- Any thing: no owner.
        SELECT id FROM check_things WHERE id = :id;

        -- name: touch(id, user_id)!
        -- Stamp the customer's thing.
        UPDATE check_things SET seen_on = current_date
         WHERE id = :id AND note = CAST(:user_id AS text);
    """
}


def owned(queries: dict[str, None], aggregate: type[object] | None = None) -> type[object]:
    """A customer repository of check_things, bound to ``user_id``."""
    things = aggregate or repository("things", {}, tables=("check_things",))
    return repository("my_things", queries, owner="user_id", aggregate=things)


def test_a_customer_repository_whose_queries_all_take_the_owner_is_clean(
    run_check: RunCheck,
) -> None:
    things = repository("things", {}, tables=("check_things",))
    problems = run_check(OWNED, owned({"get": None, "touch": None}, things), things)
    assert texts(problems) == ["get_any: no repository or tool uses this query"]


def test_a_query_of_a_customer_repository_without_its_owner_parameter_is_refused(
    run_check: RunCheck,
) -> None:
    things = repository("things", {}, tables=("check_things",))
    declared = owned({"get": None, "get_any": None, "touch": None}, things)
    problems = run_check(OWNED, declared, things)
    assert texts(problems) == [
        "get_any: does not use the owner parameter user_id: every query of "
        "My_ThingsRepository binds its rows to their owner (AND user_id = :user_id, or a "
        "join to an owned row)"
    ]


def test_a_customer_repository_writes_only_its_aggregates_tables(run_check: RunCheck) -> None:
    users = repository("users_repo", {}, tables=("users",))
    problems = run_check(OWNED, owned({"get": None, "get_any": None, "touch": None}, users), users)
    assert any("touch: writes check_things" in text for text in texts(problems))


def test_shopdbs_customer_repositories_declare_an_owner_and_an_aggregate() -> None:
    from shopdb.check.declarations import repository_classes
    from shopdb.components import REPOSITORIES
    from shopdb.customers import CUSTOMER_REPOSITORIES, CustomerRepository

    assert set(CUSTOMER_REPOSITORIES) <= set(repository_classes())
    for cls in CUSTOMER_REPOSITORIES:
        assert issubclass(cls, CustomerRepository)
        assert cls.owner == "user_id"
        assert cls.aggregate in REPOSITORIES
