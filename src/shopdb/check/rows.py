"""Result columns against the model their rows map to: names, types and nullability."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from shopdb.check.catalog import Catalog
from shopdb.check.describe import ResultColumn
from shopdb.check.nullability import Verdict
from shopdb.check.typemap import field_type, mismatch


def model_problems(
    catalog: Catalog,
    columns: tuple[ResultColumn, ...],
    verdicts: list[Verdict],
    model: type[BaseModel],
) -> list[str]:
    """What is wrong between ``columns`` (with their NULL verdicts) and ``model``'s fields."""
    fields = {_key(name, info): (name, info) for name, info in model.model_fields.items()}
    found: list[str] = []
    seen: set[str] = set()
    for column, verdict in zip(columns, verdicts, strict=True):
        if column.name in seen:
            found.append(f"column {column.name} appears twice")
            continue
        seen.add(column.name)
        if column.name not in fields:
            found.append(f"column {column.name} fills no field of {model.__name__}")
            continue
        name, info = fields[column.name]
        where = f"{model.__name__}.{name}"
        reason = mismatch(catalog, column.type, info.annotation)
        if reason is not None:
            found.append(f"column {column.name}: {reason} ({where})")
        if verdict.never_null is not True and not field_type(info.annotation).optional:
            found.append(
                f"column {column.name} can be NULL ({verdict.why}) but {where} is not Optional"
            )
    for key, (name, info) in fields.items():
        if key not in seen and info.is_required():
            found.append(f"no column fills the required field {model.__name__}.{name}")
    return found


def _key(name: str, info: Any) -> str:
    alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
    return str(alias or name)
