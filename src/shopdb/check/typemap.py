"""Which Python field types can hold what a PostgreSQL type gives (psycopg's loaders, then
pydantic). The table is strict on purpose: an int column in a ``str`` field would validate
in lax mode only by accident, and a ``timestamptz`` in a ``date`` field loses the time."""

from __future__ import annotations

import enum
import ipaddress
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel, SecretBytes, SecretStr

from shopdb.check.catalog import Catalog, TypeInfo

_TEXT = ("text", "varchar", "bpchar", "name", "citext", "char", "unknown")
_INTS = ("int2", "int4", "int8", "oid", "regclass", "regtype", "xid")
_IP = (
    ipaddress.IPv4Address,
    ipaddress.IPv6Address,
    ipaddress.IPv4Interface,
    ipaddress.IPv6Interface,
    ipaddress.IPv4Network,
    ipaddress.IPv6Network,
)
SCALARS: dict[str, tuple[type[Any], ...]] = {
    "uuid": (UUID,),
    **{name: (str, SecretStr) for name in _TEXT},
    **{name: (int,) for name in _INTS},
    "numeric": (Decimal,),
    "float4": (float,),
    "float8": (float,),
    "bool": (bool,),
    "timestamptz": (datetime,),
    "timestamp": (datetime,),
    "date": (date,),
    "time": (time,),
    "timetz": (time,),
    "interval": (timedelta,),
    "bytea": (bytes, SecretBytes),
    "inet": _IP,
    "cidr": _IP,
    "json": (dict, list),
    "jsonb": (dict, list),
}
_SEQUENCES = (list, tuple, set, frozenset, typing.Sequence, typing.AbstractSet)


@dataclass(frozen=True, slots=True)
class FieldType:
    """A field's annotation cut into its alternatives; ``optional`` when None is one."""

    alternatives: tuple[Any, ...]
    optional: bool


def field_type(annotation: Any) -> FieldType:
    """``X | None``, ``Optional[Annotated[X, ...]]`` and friends as their alternatives."""
    alternatives: list[Any] = []
    optional = False
    for alt in _flatten(annotation):
        if alt is type(None):
            optional = True
        else:
            alternatives.append(alt)
    if any(alt is Any or alt is object for alt in alternatives):
        optional = True
    return FieldType(tuple(alternatives), optional)


def _flatten(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _flatten(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [alt for arg in get_args(annotation) for alt in _flatten(arg)]
    return [annotation]


def mismatch(catalog: Catalog, oid: int, annotation: Any) -> str | None:
    """Why a value of type ``oid`` does not fit ``annotation``; None when it fits."""
    info = catalog.resolve(oid)
    if info is None:
        return f"type oid {oid} is unknown to the server"
    alternatives = field_type(annotation).alternatives
    if not alternatives:
        return None
    reasons = [_fits(catalog, info, alt) for alt in alternatives]
    if any(reason is None for reason in reasons):
        return None
    return reasons[0]


def _fits(catalog: Catalog, info: TypeInfo, alt: Any) -> str | None:
    shown = f"{info.name} does not fit {_name(alt)}"
    if alt is Any or alt is object:
        return None
    if info.category == "A" and info.element:
        origin = get_origin(alt) or alt
        if origin not in _SEQUENCES:
            return f"{info.name.removeprefix('_')}[] does not fit {_name(alt)}"
        args = get_args(alt)
        element = catalog.resolve(info.element)
        if not args or element is None:
            return None
        return _fits(catalog, element, args[0])
    if info.kind == "e" or info.name in _TEXT:
        return _fits_text(info, alt, shown)
    if info.name in ("json", "jsonb"):
        origin = get_origin(alt) or alt
        ok = origin in (dict, list, typing.Mapping, typing.Sequence)
        return None if ok or _is_model(alt) else shown
    if get_origin(alt) is Literal:
        values = get_args(alt)
        ok = all(type(v) in SCALARS.get(info.name, ()) for v in values)
        return None if ok else shown
    if isinstance(alt, type) and issubclass(alt, enum.Enum):
        return None if info.name in _INTS and issubclass(alt, int) else shown
    if info.kind == "c" and _is_model(alt):
        return None
    accepted = SCALARS.get(info.name)
    if accepted is None:
        return f"no Python type is known for {info.name} (declare the field Any to skip)"
    return None if alt in accepted else shown


def _fits_text(info: TypeInfo, alt: Any, shown: str) -> str | None:
    values: tuple[Any, ...]
    if get_origin(alt) is Literal:
        values = get_args(alt)
    elif isinstance(alt, type) and issubclass(alt, enum.Enum):
        values = tuple(member.value for member in alt)
    elif alt in (str, SecretStr) or _string_like(alt):
        return None
    else:
        return shown
    if not all(isinstance(v, str) for v in values):
        return shown
    if info.kind == "e":
        missing = [label for label in info.labels if label not in values]
        if missing:
            return f"enum {info.name} has labels {', '.join(missing)} that {_name(alt)} lacks"
    return None


def _string_like(alt: Any) -> bool:
    """A str subclass, or one of pydantic's types validated from a string (EmailStr, HttpUrl)."""
    if not isinstance(alt, type) or _is_model(alt):
        return False
    return issubclass(alt, str) or alt.__module__.startswith("pydantic.networks")


def _is_model(alt: Any) -> bool:
    return isinstance(alt, type) and issubclass(alt, BaseModel)


def _name(annotation: Any) -> str:
    if isinstance(annotation, type) and get_origin(annotation) is None:
        return annotation.__name__
    return str(annotation).replace("typing.", "")
