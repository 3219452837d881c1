"""Service: a flow across aggregates (checkout, settlement, fulfilment), composed of the
repositories' public methods inside one unit of work. A service runs no SQL of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from shopdb.core.unit_async import AsyncComponent

if TYPE_CHECKING:
    from shopdb.components_async import AsyncComponents
    from shopdb.transaction_async import AsyncTransaction


class AsyncService(AsyncComponent):
    """Base of the services: bound like a repository (``db.checkout``, ``tx.checkout``);
    its steps run in ``@unit_of_work`` methods, where ``self._tx`` holds the repositories."""

    @property
    def _tx(self) -> AsyncTransaction:
        """The transaction of the unit of work; its attributes are the repositories."""
        return cast("AsyncTransaction", super()._tx)

    @property
    def _unit(self) -> AsyncComponents:
        """The owner (the Database or a Transaction): its repositories, for a step that runs
        outside the service's own unit of work (one statement, or a unit of its own)."""
        return cast("AsyncComponents", self._owner)
