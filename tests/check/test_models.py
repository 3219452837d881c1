"""`shopdb check` on result columns against their model: names, types, missing fields."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, HttpUrl, SecretStr

from tests.check.conftest import RunCheck, repository, texts

THINGS = """
    -- name: get_thing(id)^
    -- One thing.
    SELECT id, mood, note, tags, price, data, seen_on FROM check_things WHERE id = :id;
"""


class Mood(StrEnum):
    """All the labels of check_mood."""

    HAPPY = "HAPPY"
    SAD = "SAD"
    BORED = "BORED"


class Thing(BaseModel):
    """Exactly what get_thing returns."""

    id: UUID
    mood: Mood
    note: str | None
    tags: list[str]
    price: Decimal
    data: dict[str, Any] | None
    seen_on: date | None


def problems_for(run_check: RunCheck, model: type[BaseModel], sql: str = THINGS) -> list[str]:
    return texts(
        run_check(
            {"things": sql}, repository("things", {"get_thing": model}, tables=("check_things",))
        )
    )


def test_a_model_that_fits_every_column_is_clean(run_check: RunCheck) -> None:
    assert problems_for(run_check, Thing) == []


def test_a_renamed_column_is_reported_on_both_sides(run_check: RunCheck) -> None:
    renamed = THINGS.replace("SELECT id, mood, note,", "SELECT id, mood, note AS remark,")
    assert sorted(problems_for(run_check, Thing, renamed)) == [
        "get_thing: column remark fills no field of Thing",
        "get_thing: no column fills the required field Thing.note",
    ]


def test_a_model_with_an_extra_required_field_is_reported(run_check: RunCheck) -> None:
    class WithExtra(Thing):
        colour: str

    class WithDefault(Thing):
        colour: str = "red"

    assert problems_for(run_check, WithExtra) == [
        "get_thing: no column fills the required field WithExtra.colour"
    ]
    assert problems_for(run_check, WithDefault) == []


def test_type_mismatches_are_reported(run_check: RunCheck) -> None:
    class Wrong(BaseModel):
        id: str
        mood: Mood
        note: int | None
        tags: list[int]
        price: float
        data: str | None
        seen_on: datetime | None

    assert sorted(problems_for(run_check, Wrong)) == [
        "get_thing: column data: jsonb does not fit str (Wrong.data)",
        "get_thing: column id: uuid does not fit str (Wrong.id)",
        "get_thing: column note: text does not fit int (Wrong.note)",
        "get_thing: column price: numeric does not fit float (Wrong.price)",
        "get_thing: column seen_on: date does not fit datetime (Wrong.seen_on)",
        "get_thing: column tags: text does not fit int (Wrong.tags)",
    ]


def test_enum_labels_the_python_type_lacks_are_reported(run_check: RunCheck) -> None:
    class TwoMoods(StrEnum):
        HAPPY = "HAPPY"
        SAD = "SAD"

    class Narrow(Thing):
        mood: TwoMoods  # type: ignore[assignment]

    class AsLiteral(Thing):
        mood: Literal["HAPPY", "SAD", "BORED"]  # type: ignore[assignment]

    class AsText(Thing):
        mood: str  # type: ignore[assignment]

    assert problems_for(run_check, Narrow) == [
        "get_thing: column mood: enum check_mood has labels BORED that TwoMoods lacks (Narrow.mood)"
    ]
    assert problems_for(run_check, AsLiteral) == []
    assert problems_for(run_check, AsText) == []


def test_secrets_string_types_and_any_fit_text(run_check: RunCheck) -> None:
    class Loose(Thing):
        note: SecretStr | None  # type: ignore[assignment]
        data: Any

    class Url(Thing):
        note: HttpUrl | None  # type: ignore[assignment]

    assert problems_for(run_check, Loose) == []
    assert problems_for(run_check, Url) == []


def test_a_model_declared_for_a_query_returning_nothing_is_reported(run_check: RunCheck) -> None:
    sql = """
        -- name: get_thing(id)<!
        -- An update without RETURNING.
        UPDATE check_things SET note = NULL WHERE id = :id;
    """
    assert problems_for(run_check, Thing, sql) == [
        "get_thing: it returns no columns but is declared to fill Thing"
    ]
