"""`shopdb check` and `shopdb explain`: named queries verified against a migrated database.

The engine: ``check(conn, directory=None, declarations=None) -> list[Problem]`` and
``format_table(problems)``; what the code declares: ``collect(repositories, tools)``,
``repository_classes()`` and ``package_declarations()``; ``explain(conn, query, params) -> Plan``.
"""

from shopdb.extras import require

# pglast parses each query (engine, nullability, sources).
require("shopdb.check", "pglast")

from shopdb.check.declarations import (
    Declarations,
    QueryUse,
    collect,
    package_declarations,
    repository_classes,
)
from shopdb.check.engine import check, check_query
from shopdb.check.problems import Problem, format_table
from shopdb.check.tools import TOOL_QUERIES

__all__ = [
    "TOOL_QUERIES",
    "Declarations",
    "Problem",
    "QueryUse",
    "check",
    "check_query",
    "collect",
    "format_table",
    "package_declarations",
    "repository_classes",
]
