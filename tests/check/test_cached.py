"""`shopdb check` on the cache's class data: a cached read fills with reads only, a Bump names
a write (or a lock) and a parameter or column, every scope is bumped by some write, and every
write to a table a cached read reads bumps one of its tags or says why not (leaves_cached)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from shopdb.cache.spec import Bump, CachedRead
from tests.check.conftest import RunCheck, repository, texts

THINGS = {
    "things": """
        -- name: get(id)^
        -- One thing.
        SELECT id, note FROM check_things WHERE id = :id;

        -- name: set_note(id, note)<!
        -- Change a thing's note.
        UPDATE check_things SET note = :note WHERE id = :id RETURNING id, note;

        -- name: set_price(id, price)!
        -- Change a thing's price.
        UPDATE check_things SET price = :price WHERE id = :id;
    """
}


class Thing(BaseModel):
    id: Any
    note: str | None


def read(*queries: str, scope: str = "thing") -> CachedRead:
    return CachedRead(Thing, queries, ("id",), {scope: "id"}, 1, 10)


def things(**attributes: Any) -> type[object]:
    values: dict[str, Any] = {
        "cached_reads": {"one": read("get")},
        "invalidations": (
            Bump("things.set_note", "thing", "id"),
            Bump("things.set_price", "thing", "id"),
        ),
        "tables": ("check_things",),
        **attributes,
    }
    return repository("things", {"get": Thing, "set_note": Thing, "set_price": None}, **values)


def test_a_cached_read_with_its_bumps_is_clean(run_check: RunCheck) -> None:
    assert run_check(THINGS, things()) == []


def test_a_cached_read_must_fill_with_reads(run_check: RunCheck) -> None:
    problems = texts(run_check(THINGS, things(cached_reads={"one": read("get", "set_note")})))
    assert problems == ["one: fills with set_note, which is no read: a cached query must be a read"]


def test_a_bump_must_name_a_write_and_a_parameter_or_column(run_check: RunCheck) -> None:
    bumps = (
        Bump("things.set_note", "thing", "id"),
        Bump("things.set_price", "thing", "id"),
        Bump("things.get", "thing", "id"),
        Bump("things.set_note", "thing", "colour"),
        Bump("things.nothing", "thing"),
    )
    problems = texts(run_check(THINGS, things(invalidations=bumps)))
    assert problems == [
        "things.get: is a read: only a write (or the lock a write takes first) invalidates",
        "things.nothing: names no query of things.sql",
        "things.set_note: takes its tag from colour, neither a parameter nor a column of its rows",
    ]


def test_a_scope_no_write_bumps_is_reported(run_check: RunCheck) -> None:
    reads = {"one": read("get"), "other": read("get", scope="elsewhere")}
    problems = texts(run_check(THINGS, things(cached_reads=reads)))
    unbumped = (
        "writes check_things, which the cached read ThingsRepository.other reads, and bumps "
        "none of its tags: add a Bump to an invalidations, or say why in leaves_cached"
    )
    assert problems == [
        "other: its scope elsewhere is bumped by no write (Bump): its entries would outlive "
        "every change until the hard TTL",
        f"set_note: {unbumped} ('things.set_note', 'things.other')",
        f"set_price: {unbumped} ('things.set_price', 'things.other')",
    ]


def test_a_write_to_a_cached_table_must_bump_or_say_why_not(run_check: RunCheck) -> None:
    only_notes = (Bump("things.set_note", "thing", "id"),)
    problems = texts(run_check(THINGS, things(invalidations=only_notes)))
    assert problems == [
        "set_price: writes check_things, which the cached read ThingsRepository.one reads, and "
        "bumps none of its tags: add a Bump to an invalidations, or say why in leaves_cached "
        "('things.set_price', 'things.one')",
    ]
    why = {("things.set_price", "things.one"): "the price is not in a thing's read"}
    assert run_check(THINGS, things(invalidations=only_notes, leaves_cached=why)) == []
