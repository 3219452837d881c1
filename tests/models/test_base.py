"""The model bases and shared field types of models/base.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError, model_validator

from shopdb.errors import InvalidInput
from shopdb.models import NewUser
from shopdb.models.base import InputModel, Name, RowModel, Text


class Row(RowModel):
    """A row with one field, to exercise RowModel on its own."""

    value: int


class Input(InputModel):
    """An input with a required and two optional fields, to exercise InputModel."""

    name: Text
    note: Text | None = None
    size: int | None = None


class Outer(InputModel):
    """An input holding inputs, with a rule across its fields."""

    inputs: list[Input]
    limit: int = 10

    @model_validator(mode="after")
    def _within_limit(self) -> Outer:
        if len(self.inputs) > self.limit:
            raise ValueError("more inputs than the limit")
        return self


class Request(BaseModel):
    """A web framework's request body model with an input model in it (not an InputModel)."""

    user: NewUser


NAME = TypeAdapter(Name)
TEXT = TypeAdapter(Text)


def test_a_row_model_is_immutable() -> None:
    row = Row(value=1)

    with pytest.raises(ValidationError):
        row.value = 2  # type: ignore[misc]

    assert row.value == 1


def test_an_input_model_is_immutable() -> None:
    given_input = Input(name="a")

    with pytest.raises(ValidationError):
        given_input.name = "b"  # type: ignore[misc]


def test_an_input_model_refuses_unknown_fields() -> None:
    with pytest.raises(InvalidInput) as caught:
        Input.model_validate({"name": "a", "is_admin": True})

    assert caught.value.errors[0]["type"] == "extra_forbidden"
    assert caught.value.errors[0]["field"] == "is_admin"


def test_an_input_model_keeps_rejected_values_out_of_its_messages() -> None:
    with pytest.raises(InvalidInput) as caught:
        Input.model_validate({"name": "a", "size": "secret-4242-not-a-number"})

    assert "secret-4242" not in str(caught.value)
    assert "secret-4242" not in repr(caught.value)
    assert "secret-4242" not in json.dumps(caught.value.errors)


BUILDS: dict[str, Callable[[], object]] = {
    "constructor": lambda: Input(name="a", size="secret-4242"),
    "model_validate": lambda: Input.model_validate({"name": "a", "size": "secret-4242"}),
    "model_validate_json": lambda: Input.model_validate_json(
        '{"name": "a", "size": "secret-4242"}'
    ),
    "model_validate_strings": lambda: Input.model_validate_strings(
        {"name": "a", "size": "secret-4242"}
    ),
}


@pytest.mark.parametrize("build", BUILDS.values(), ids=BUILDS.keys())
def test_every_way_python_code_builds_an_input_model_refuses_with_invalid_input(
    build: Callable[[], object],
) -> None:
    with pytest.raises(InvalidInput) as caught:
        build()

    assert caught.value.errors == [
        {
            "field": "size",
            "message": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]
    assert str(caught.value).startswith("invalid Input: size: ")


def test_invalid_input_names_the_model_and_every_field_at_fault() -> None:
    with pytest.raises(InvalidInput) as caught:
        Input(note="\x00", size=-1.5)  # type: ignore[call-arg]

    assert [error["field"] for error in caught.value.errors] == ["name", "note", "size"]
    assert str(caught.value).startswith("invalid Input: name: Field required; note: ")


def test_the_errors_of_invalid_input_are_json_strings_with_dotted_fields() -> None:
    data: dict[str, Any] = {"inputs": [{"name": "a"}, {"name": 5}]}

    with pytest.raises(InvalidInput) as caught:
        Outer.model_validate(data)

    errors = caught.value.errors
    assert json.loads(json.dumps(errors)) == errors
    assert [(error["field"], error["type"]) for error in errors] == [
        ("inputs.1.name", "string_type")
    ]


def test_a_rule_across_fields_is_an_error_of_the_whole_model() -> None:
    with pytest.raises(InvalidInput) as caught:
        Outer(inputs=[Input(name="a"), Input(name="b")], limit=1)

    assert caught.value.errors == [
        {"field": "", "message": "more inputs than the limit", "type": "value_error"}
    ]
    assert str(caught.value) == "invalid Outer: more inputs than the limit"


def test_invalid_input_does_not_chain_the_validation_error_that_holds_the_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        Input(name="a", size="secret-4242")

    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_a_valid_input_model_is_built_by_every_path() -> None:
    assert Input(name="a", size=1) == Input.model_validate({"name": "a", "size": 1})
    assert Input.model_validate_json('{"name": "a", "size": 1}') == Input(name="a", size=1)


def test_validation_through_the_core_schema_still_raises_pydantic_validation_error() -> None:
    # FastAPI validates request bodies this way (a TypeAdapter, a field of a model): it must
    # get ValidationError there to answer 422, not an InvalidInput it would answer 500.
    bad = {"email": "not-an-email", "password_hash": "plain"}

    with pytest.raises(ValidationError) as caught:
        TypeAdapter(NewUser).validate_python(bad)
    with pytest.raises(ValidationError):
        TypeAdapter(NewUser).validate_json(json.dumps(bad))
    with pytest.raises(ValidationError) as nested:
        Request.model_validate({"user": bad})

    assert {error["loc"] for error in caught.value.errors()} == {("email",), ("password_hash",)}
    assert nested.value.errors()[0]["loc"][0] == "user"


def test_what_a_patch_changes_is_the_fields_given_explicitly_none_included() -> None:
    patch = Input(name="a", note=None)

    assert patch.model_dump(exclude_unset=True) == {"name": "a", "note": None}


def test_what_a_patch_changes_leaves_out_defaults_even_when_equal_to_a_given_value() -> None:
    assert Input(name="a").model_dump(exclude_unset=True) == {"name": "a"}
    assert Input(name="a", size=None).model_dump(exclude_unset=True) == {"name": "a", "size": None}


@pytest.mark.parametrize("text", ["", "plain", "tab\tand newline\n", "\U0001f600 ünïcödé"])
def test_text_accepts_any_string_without_nul(text: str) -> None:
    assert TEXT.validate_python(text) == text


@given(st.text(), st.text())
def test_text_refuses_a_nul_character_anywhere(before: str, after: str) -> None:
    with pytest.raises(ValidationError):
        TEXT.validate_python(before + "\x00" + after)


@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=100))
def test_a_name_of_one_to_a_hundred_characters_is_kept_exactly(name: str) -> None:
    assert NAME.validate_python(name) == name


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("x" * 101, id="101-chars"),
        pytest.param("\U0001f600" * 101, id="101-astral-chars"),
        pytest.param("Ann\x00", id="nul"),
    ],
)
def test_a_name_that_is_empty_too_long_or_has_a_nul_is_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        NAME.validate_python(name)
