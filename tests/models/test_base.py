"""The model bases and shared field types of models/base.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from shopdb.models.base import InputModel, Name, RowModel, Text


class Row(RowModel):
    """A row with one field, to exercise RowModel on its own."""

    value: int


class Input(InputModel):
    """An input with a required and two optional fields, to exercise InputModel."""

    name: Text
    note: Text | None = None
    size: int | None = None


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
    with pytest.raises(ValidationError) as caught:
        Input.model_validate({"name": "a", "is_admin": True})

    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_an_input_model_keeps_rejected_values_out_of_its_messages() -> None:
    with pytest.raises(ValidationError) as caught:
        Input.model_validate({"name": "a", "size": "secret-4242-not-a-number"})

    assert "secret-4242" not in str(caught.value)


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
