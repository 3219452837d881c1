"""Bases and field types shared by the domain models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError

from shopdb.core.errors import invalid_input


class RowModel(BaseModel):
    """A row read from the database: immutable."""

    model_config = ConfigDict(frozen=True)


class InputModel(BaseModel):
    """Input to a write: unknown fields are refused and rejected values stay out of messages.

    Built by Python code (``NewUser(...)``, ``model_validate``, ``model_validate_json``,
    ``model_validate_strings``), bad data raises shopdb's InvalidInput (``.errors`` names each
    field), never pydantic's ValidationError. Validation through the core schema (a
    ``TypeAdapter``, FastAPI's request bodies, a field of another model) still raises
    ValidationError, so a web framework answers it as it always does (a 422).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    if not TYPE_CHECKING:
        # Runtime only: under mypy the pydantic plugin's synthesized signature of each
        # model's fields stays, so NewUser(emial=...) is still a type error. Each raises
        # outside its ``except``: the ValidationError (whose .errors() holds the input) is
        # neither the __cause__ nor the __context__ of the InvalidInput.

        def __init__(self, /, **data: Any) -> None:
            try:
                super().__init__(**data)
                return
            except ValidationError as exc:
                refused = invalid_input(type(self).__name__, exc)
            raise refused

        # Marked as BaseModel.__init__ is: pydantic then validates through the core schema
        # (TypeAdapter, a field of another model) without calling this __init__, and raises
        # ValidationError there (tests/models/test_base.py).
        __init__.__pydantic_base_init__ = True

        @classmethod
        def model_validate(cls, obj: Any, /, **options: Any) -> Any:
            try:
                return super().model_validate(obj, **options)
            except ValidationError as exc:
                refused = invalid_input(cls.__name__, exc)
            raise refused

        @classmethod
        def model_validate_json(cls, json_data: Any, /, **options: Any) -> Any:
            try:
                return super().model_validate_json(json_data, **options)
            except ValidationError as exc:
                refused = invalid_input(cls.__name__, exc)
            raise refused

        @classmethod
        def model_validate_strings(cls, obj: Any, /, **options: Any) -> Any:
            try:
                return super().model_validate_strings(obj, **options)
            except ValidationError as exc:
                refused = invalid_input(cls.__name__, exc)
            raise refused


def _no_nul(value: str) -> str:
    """No NUL character (PostgreSQL text cannot hold one)."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_no_nul)]
