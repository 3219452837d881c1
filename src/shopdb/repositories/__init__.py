"""One repository per aggregate, exposed as attributes of Database and Transaction."""

from __future__ import annotations

from functools import cached_property

from shopdb.core.repository import RepositoryContext
from shopdb.core.runner import Runner
from shopdb.repositories.users import UserRepository


class Repositories:
    """The repository attributes (``db.users``, ...), each built on first use."""

    _runner: Runner
    _context: RepositoryContext

    @cached_property
    def users(self) -> UserRepository:
        """Users: accounts, credentials and login bookkeeping."""
        return UserRepository(self._runner, self._context)
