"""CustomerRepository: a repository of one aggregate's rows as their owner sees them.

Every query of such a class takes the owner parameter (``owner``, ``user_id``) and binds the
rows to it (``AND user_id = :user_id``, or a join to an owned row), so another customer's row
is not found, exactly as if it did not exist, and a write through it touches nothing of
theirs. ``shopdb check`` refuses a query of the class that does not use its owner parameter.
"""

from __future__ import annotations

from typing import ClassVar

from shopdb.core.errors import ConstraintRules
from shopdb.core.repository_async import AsyncRepository
from shopdb.repositories.base_async import AsyncShopRepository


class AsyncCustomerRepository(AsyncShopRepository):
    """Base of the owner-bound repositories behind ``db.customer(user_id)``."""

    owner: ClassVar[str] = "user_id"
    """The parameter every query of the class takes and binds its rows to."""
    aggregate: ClassVar[type[AsyncRepository]]
    """The repository whose aggregate the rows are: its ``tables`` are the only ones the
    statements write, and its constraint rules explain their errors."""

    @classmethod
    def constraint_rules(cls) -> ConstraintRules:
        """The aggregate's rules: a constraint is explained the same way whoever hit it."""
        return cls.aggregate.constraint_rules()
