"""Prepare a query on the server without running it, and read back what it would take and give."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq


@dataclass(frozen=True, slots=True)
class ResultColumn:
    """One column a statement returns: name, type oid, and its source table column when the
    server knows one (``table`` 0 for a computed column)."""

    name: str
    type: int
    table: int
    table_column: int


@dataclass(frozen=True, slots=True)
class Described:
    """The parameter types and result columns of one prepared statement."""

    parameter_types: tuple[int, ...]
    columns: tuple[ResultColumn, ...]


class Refused(Exception):
    """The server refused to prepare the statement; the message is its first line."""


def describe(conn: psycopg.Connection[Any], sql: str) -> Described:
    """Prepare ``sql`` (``$n`` placeholders) as the unnamed statement and describe it."""
    encoding = conn.info.encoding
    pgconn = conn.pgconn
    result = pgconn.prepare(b"", sql.encode(encoding))
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise Refused(_first_line(result.error_message.decode(encoding, "replace")))
    result = pgconn.describe_prepared(b"")
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise Refused(_first_line(result.error_message.decode(encoding, "replace")))
    columns = tuple(
        ResultColumn(
            (result.fname(i) or b"").decode(encoding),
            result.ftype(i),
            result.ftable(i),
            result.ftablecol(i),
        )
        for i in range(result.nfields)
    )
    return Described(tuple(result.param_type(i) for i in range(result.nparams)), columns)


def _first_line(message: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "refused"
    return line.removeprefix("ERROR:").strip()
