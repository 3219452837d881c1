"""shopdb: the data layer of an e-commerce backend, named SQL over a psycopg 3 pool."""

from psycopg import IsolationLevel

from shopdb import errors
from shopdb.core.paging import CursorPage, Page
from shopdb.core.timer import QueryRecord
from shopdb.database import Database, Health
from shopdb.database_async import AsyncDatabase
from shopdb.errors import *  # noqa: F403 (the error hierarchy, listed in errors.__all__)
from shopdb.migrations import MigrationError
from shopdb.settings import Settings
from shopdb.transaction import Transaction
from shopdb.transaction_async import AsyncTransaction

__all__ = [
    *errors.__all__,
    "AsyncDatabase",
    "AsyncTransaction",
    "CursorPage",
    "Database",
    "Health",
    "IsolationLevel",
    "MigrationError",
    "Page",
    "QueryRecord",
    "Settings",
    "Transaction",
]
