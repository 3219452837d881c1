"""Bases and field types shared by the domain models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints


class RowModel(BaseModel):
    """A row read from the database: immutable."""

    model_config = ConfigDict(frozen=True)


class InputModel(BaseModel):
    """Input to a write: unknown fields are refused and rejected values stay out of messages."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_no_nul)]
