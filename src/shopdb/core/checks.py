"""Checks of the values a repository method takes beside its input models (a page size, a
quantity, a free-text argument, a JSON document): each refusal is an InvalidInput naming
the field, raised before any statement runs, so nothing is written."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic_core import to_json

from shopdb.core.errors import InvalidInput


def refused(field: str, message: str, kind: str) -> InvalidInput:
    """InvalidInput for one field, its message and ``.errors`` naming it (never the value)."""
    return InvalidInput(
        f"{field} {message}", errors=[{"field": field, "message": message, "type": kind}]
    )


def page_size(field: str, value: object, maximum: int) -> int:
    """A page size: an int (not a bool) from 1 to ``maximum``; refused, not clamped."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise refused(field, f"must be an integer from 1 to {maximum}", "page_size")
    return value


def whole(field: str, value: object, low: int, high: int) -> int:
    """An int (not a bool, nor a float: 3.7 units is refused, never rounded) in low..high."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise refused(field, f"must be a whole number from {low} to {high}", "int_range")
    return value


def finite(field: str, value: Decimal | None) -> Decimal | None:
    """A Decimal that is a number: NaN and infinity are refused (numeric stores NaN)."""
    if value is not None and not (isinstance(value, Decimal) and value.is_finite()):
        raise refused(field, "must be a finite decimal number", "finite_number")
    return value


def text(field: str, value: str | None, max_length: int) -> str | None:
    """Free text of at most ``max_length`` characters, without NUL."""
    if value is not None and (
        not isinstance(value, str) or len(value) > max_length or "\x00" in value
    ):
        raise refused(field, f"must be text of at most {max_length} characters", "string")
    return value


def json_document(field: str, value: Any, max_bytes: int, max_depth: int) -> None:
    """A JSON document (a dict, a list, or its JSON text) of at most ``max_bytes`` bytes
    encoded and ``max_depth`` nested objects and arrays."""
    if value is None:
        return
    encoded = value.encode() if isinstance(value, str) else to_json(value)
    if len(encoded) > max_bytes:
        raise refused(field, f"must be a JSON document of at most {max_bytes} bytes", "json")
    if _depth(json.loads(encoded)) > max_depth:
        raise refused(field, f"must nest at most {max_depth} objects and arrays", "json")


def _depth(document: Any) -> int:
    """How many objects and arrays deep the document nests (iteratively: no recursion)."""
    deepest, todo = 0, [(document, 1)]
    while todo:
        node, level = todo.pop()
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            todo.extend((child, level + 1) for child in children)
    return deepest


def not_uuids(params: Mapping[str, Any]) -> list[str]:
    """The id parameters (``id``, ``*_id``, ``*_ids``) given text that is not a UUID: the
    ones to name when the server refuses a value's text representation (22P02)."""
    names = []
    for name, value in params.items():
        if name == "id" or name.endswith(("_id", "_ids")):
            values = value if isinstance(value, list | tuple) else [value]
            if any(isinstance(v, str) and not _is_uuid(v) for v in values):
                names.append(name)
    return names


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
