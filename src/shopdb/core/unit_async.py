"""Units of work: what repositories and services are bound to, and the one way to run a block
of them atomically.

A *component* (a repository or a service) is built by its owner, a UnitOfWork: the Database
(each statement on a pooled connection of its own) or a Transaction (every statement on the
transaction's connection). A method decorated with ``@unit_of_work`` runs with ``self`` bound
to a transaction: a new one, retried as a whole on serialization failure and deadlock, when
the component belongs to the Database; a savepoint of the caller's, never retried, when it
already belongs to a Transaction (the unit that opened it retries it). Inside, ``self._tx``
is that transaction and its attributes are the siblings, reached by their public methods.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from shopdb.core.errors import ProgrammingError, TransactionBypassed
from shopdb.core.paging import CursorCodec
from shopdb.core.runner_async import AsyncRunner
from shopdb.core.trackers import AsyncTransactionTracker
from shopdb.settings import Settings

T = TypeVar("T")
P = ParamSpec("P")
C = TypeVar("C", bound="AsyncComponent")


@dataclass(frozen=True, slots=True)
class AsyncRepositoryContext:
    """What every component of one Database shares: settings, cursor signer, transactions,
    and the read-through cache (None without REDIS_URL; shopdb.cache)."""

    settings: Settings
    cursors: CursorCodec
    transactions: AsyncTransactionTracker = field(default_factory=AsyncTransactionTracker)
    cache: Any = None


class AsyncUnitOfWork:
    """The owner of components: builds each once (``repository(cls)``) and runs functions
    atomically (``run_in_transaction(fn)``). Database and Transaction are the two kinds."""

    _runner: AsyncRunner
    _context: AsyncRepositoryContext
    in_transaction: bool = False
    """True for a Transaction: its components run every statement on its connection."""

    def repository(self, cls: type[C]) -> C:
        """The component ``cls`` (a Repository or Service subclass, the application's own
        too) bound to this owner: to the pool, or to this transaction. Built once per owner."""
        built: dict[type[AsyncComponent], AsyncComponent] = self.__dict__.setdefault(
            "_components", {}
        )
        found = built.get(cls)
        if found is None:
            found = built[cls] = cls(self._runner, self._context, self)
        assert isinstance(found, cls)
        return found

    async def run_in_transaction(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        """``fn(tx)`` atomically; retried as a whole on 40001/40P01 when this owner opens the
        transaction (a Database), a savepoint without retry inside one (a Transaction)."""
        raise NotImplementedError


class AsyncComponent:
    """Base of repositories and services: bound to the UnitOfWork that built it."""

    def __init__(
        self, runner: AsyncRunner, context: AsyncRepositoryContext, owner: AsyncUnitOfWork
    ) -> None:
        self._runner = runner
        self._context = context
        self._owner = owner
        self._in_transaction = owner.in_transaction

    @property
    def _tx(self) -> Any:
        """The transaction this component is bound to (its attributes are the siblings);
        ProgrammingError outside one: use it in a method decorated with ``@unit_of_work``."""
        if not self._in_transaction:
            raise ProgrammingError(
                f"{type(self).__name__}: no transaction here; decorate the method with "
                "@unit_of_work (or call it on tx.<attribute>)"
            )
        return self._owner

    def _refuse_bypass(self, what: str) -> None:
        """TransactionBypassed when a pool-bound call comes from inside ``db.transaction()``
        on the same thread: it would take another connection and miss the block's writes."""
        if not self._in_transaction and self._context.transactions.active():
            raise TransactionBypassed(
                f"{what} called on the AsyncDatabase inside `async with db.transaction()` on this "
                "thread: call it on the transaction (tx.<attribute>), which owns the connection"
            )


def unit_of_work(
    method: Callable[Concatenate[C, P], Awaitable[T]],
) -> Callable[Concatenate[C, P], Awaitable[T]]:
    """Run the decorated method atomically with ``self`` bound to a transaction: a new one,
    retried as a whole on serialization failure and deadlock, or a savepoint of the caller's
    transaction (no retry: the unit that opened it retries)."""
    return _bound_to_a_transaction(method, savepoint=True)


def in_transaction(
    method: Callable[Concatenate[C, P], Awaitable[T]],
) -> Callable[Concatenate[C, P], Awaitable[T]]:
    """``unit_of_work`` without the savepoint when the caller's transaction is there: for a
    method that needs a transaction (a lock) but whose failure writes nothing that a
    savepoint would undo (a lock and one statement); nested, it costs no round trip."""
    return _bound_to_a_transaction(method, savepoint=False)


def _bound_to_a_transaction(
    method: Callable[Concatenate[C, P], Awaitable[T]], *, savepoint: bool
) -> Callable[Concatenate[C, P], Awaitable[T]]:
    @functools.wraps(method)
    async def in_unit(self: C, /, *args: P.args, **kwargs: P.kwargs) -> T:
        if self._in_transaction and not savepoint:
            return await method(self, *args, **kwargs)
        self._refuse_bypass(f"{type(self).__name__}.{method.__name__}")

        async def run(unit: AsyncUnitOfWork) -> T:
            return await method(unit.repository(type(self)), *args, **kwargs)

        return await self._owner.run_in_transaction(run)

    return in_unit


class Bound(Generic[C]):
    """A component as an attribute of every UnitOfWork (``users = Bound(UserRepository)``):
    ``db.users`` is the pool's, ``tx.users`` the transaction's, each built on first use and
    then kept in the owner's ``__dict__`` (later reads are plain attribute reads)."""

    def __init__(self, cls: type[C]) -> None:
        self.cls = cls
        self.__doc__ = (cls.__doc__ or "").strip().split("\n\n")[0]

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, unit: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, unit: AsyncUnitOfWork, owner: type[Any]) -> C: ...
    def __get__(self, unit: AsyncUnitOfWork | None, owner: type[Any]) -> C | Self:
        if unit is None:
            return self
        found = unit.__dict__[self.name] = unit.repository(self.cls)
        return found


def bound_components(
    unit_class: type[AsyncUnitOfWork],
) -> Iterator[tuple[str, type[AsyncComponent]]]:
    """Every ``Bound`` attribute of ``unit_class``: its name and component class."""
    for klass in reversed(unit_class.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, Bound):
                yield name, value.cls
