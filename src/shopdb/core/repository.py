"""The thin base every repository stands on: declared queries, row mapping, paging, patches.

A repository declares data (its sql/ namespace, the entity it names in NotFoundError, the
model each query's rows map to, its constraint messages and domain errors) and its methods
are one to three lines over the helpers below. docs/repositories.md is the guide.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from aiosql.types import SQLOperationType as Op
from pydantic import BaseModel, SecretStr, ValidationError

from shopdb.core.errors import (
    DomainError,
    InvalidCursor,
    InvalidInput,
    NotFoundError,
    ProgrammingError,
    StaleVersionError,
    TransactionBypassed,
)
from shopdb.core.paging import CursorCodec, CursorPage, Keyset, Page, offset_of
from shopdb.core.queries import Query, load_queries
from shopdb.core.runner import ConnectionRunner, Runner
from shopdb.settings import Settings

if TYPE_CHECKING:
    from shopdb.models.audit import Actor
    from shopdb.transaction import Transaction

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
A = TypeVar("A", bound=BaseModel | None)
B = TypeVar("B", bound=BaseModel | None)
Row = dict[str, Any]

_ROW = frozenset({Op.SELECT_ONE, Op.INSERT_RETURNING})
_ROWS = frozenset({Op.SELECT})
_VALUE = frozenset({Op.SELECT_VALUE})
_COUNT = frozenset({Op.INSERT_UPDATE_DELETE, Op.INSERT_UPDATE_DELETE_MANY})
_WRITE_RETURNING = frozenset({Op.INSERT_RETURNING})
_SCRIPT = frozenset({Op.SCRIPT})


class TransactionTracker:
    """Which threads are inside ``with db.transaction()``: a ``db.<repo>`` call there is refused."""

    def __init__(self) -> None:
        self._local = threading.local()

    def active(self) -> bool:
        """True while the calling thread is inside a transaction block of this Database."""
        return bool(getattr(self._local, "depth", 0))

    def __enter__(self) -> None:
        self._local.depth = getattr(self._local, "depth", 0) + 1

    def __exit__(self, *exc: object) -> None:
        self._local.depth -= 1


class UnitOfWork:
    """What a repository needs from its owner (a Database or a Transaction) to run a block
    atomically: ``atomic()`` and ``run_in_transaction(fn)``, both giving a Transaction."""

    def atomic(self) -> AbstractContextManager[Transaction]:
        """A new transaction (on a Database) or a savepoint (inside a Transaction)."""
        raise NotImplementedError

    def run_in_transaction(self, fn: Callable[[Transaction], T]) -> T:
        """``fn(tx)`` atomically; retried as a whole on 40001/40P01 when it owns the unit."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class RepositoryContext:
    """What every repository of one Database shares: settings, cursor signer, transactions."""

    settings: Settings
    cursors: CursorCodec
    transactions: TransactionTracker = field(default_factory=TransactionTracker)


class Repository:
    """Base of the repositories. Subclasses declare the class data below and nothing else
    that is shared; ``shopdb check`` reads the same data to verify every query."""

    namespace: ClassVar[str]
    """The sql/ file its queries come from, and the attribute it is (``db.users``)."""
    entity: ClassVar[str]
    """The noun NotFoundError and StaleVersionError use: ``user``."""
    queries: ClassVar[Mapping[str, type[BaseModel] | None]]
    """Every query the repository runs -> the model its rows map to (None: a value or count)."""
    constraint_messages: ClassVar[Mapping[str, str]] = {}
    """Constraint name -> the sentence its ConflictError / ConstraintViolation carries."""
    constraint_errors: ClassVar[Mapping[str, type[DomainError]]] = {}
    """Constraint name -> the domain error raised in place of ConstraintViolation."""
    idempotent: ClassVar[frozenset[str]] = frozenset()
    """Write queries that are harmless to run twice (retried once on a dead connection)."""
    planned_per_call: ClassVar[frozenset[str]] = frozenset()
    """Queries never prepared: the server plans each call with its values (prepare=False),
    for a query whose best plan depends on the values in a way a generic plan cannot keep."""
    max_page_size: ClassVar[int] = 500
    max_batch_size: ClassVar[int] = 10_000
    sql_directory: ClassVar[Path | None] = None
    """Where ``namespace``.sql lives when it is not one of shopdb's own sql/ files."""

    def __init__(self, runner: Runner, context: RepositoryContext, owner: UnitOfWork) -> None:
        self._runner = runner
        self._context = context
        self._owner = owner
        self._in_transaction = isinstance(runner, ConnectionRunner)
        self._named = declared_queries(type(self))

    # --- rows to models ----------------------------------------------------------------

    def _get(self, name: str, model: type[M], /, **params: Any) -> M:
        """The model of the one row of a ``^`` or ``<!`` query; NotFoundError when none."""
        row = self._run(name, model, _ROW, params)
        if row is None:
            raise NotFoundError(self.entity, _key(params))
        return model.model_validate(row)

    def _find(self, name: str, model: type[M], /, **params: Any) -> M | None:
        """The model of the one row of a ``^`` or ``<!`` query, or None."""
        row = self._run(name, model, _ROW, params)
        return None if row is None else model.model_validate(row)

    def _list(self, name: str, model: type[M], /, **params: Any) -> list[M]:
        """Every row of a plain SELECT, as models."""
        rows = self._run(name, model, _ROWS, params)
        return [model.model_validate(row) for row in rows]

    def _value(self, name: str, /, **params: Any) -> Any:
        """The single value of a ``$`` query."""
        return self._run(name, None, _VALUE, params)

    def _count(self, name: str, /, **params: Any) -> int:
        """How many rows a ``!`` statement touched."""
        count: int = self._run(name, None, _COUNT, params)
        return count

    def _count_in_batches(self, name: str, batch_size: int, /, **params: Any) -> int:
        """Run a ``!`` statement that takes ``batch_size`` (and touches at most that many
        rows) until a batch comes back short; return the rows touched in all. Outside a
        transaction each batch commits on its own, so no lock is held for long."""
        if not 1 <= batch_size <= self.max_batch_size:
            raise InvalidInput(f"batch_size must be 1 to {self.max_batch_size}")
        total = 0
        while (done := self._count(name, batch_size=batch_size, **params)) > 0:
            total += done
            if done < batch_size:
                break
        return total

    def _copy(self, name: str, rows: Iterable[Sequence[Any]], /) -> int:
        """Stream ``rows`` (tuples in the column order of the statement) through a ``#`` query
        that is a ``COPY table (columns) FROM STDIN``; returns how many were sent. Only inside
        a transaction: the bulk path of the seeds, where many rows go in one round trip."""
        query, _, _ = self._declared(name, None, _SCRIPT)
        if not isinstance(self._runner, ConnectionRunner):
            raise ProgrammingError(f"{query.name}: COPY runs inside a transaction only (tx.<repo>)")
        return self._runner.copy(query, rows)

    def _touch(self, name: str, /, **params: Any) -> None:
        """Run a ``!`` statement that must touch a row; NotFoundError when it touched none."""
        if self._run(name, None, _COUNT, params) == 0:
            raise NotFoundError(self.entity, _key(params))

    # --- pages ---------------------------------------------------------------------------

    def _page(
        self,
        name: str,
        model: type[M],
        keyset: Keyset,
        /,
        *,
        limit: int,
        cursor: str | None,
        **filters: Any,
    ) -> CursorPage[M]:
        """One keyset page: decode the cursor (or start at ``keyset.start``), clamp the limit,
        fetch limit + 1 rows, encode the next cursor. The query takes the filters,
        ``after_<key>`` for each sort key and ``limit``. The cursor is bound to this query
        and to these filter values: shown to another listing or filter it is InvalidCursor."""
        listing = f"{self.namespace}.{name}"
        codec = self._context.cursors
        order = keyset.order
        position = codec.decode(listing, cursor, filters) if cursor is not None else keyset.start
        if len(position) != len(order):
            raise InvalidCursor(f"the cursor does not belong to the listing {listing}")
        size = self._page_size(limit)
        after = {f"after_{key}": value for key, value in zip(order, position, strict=True)}
        rows: list[Row] = self._run(name, model, _ROWS, {**filters, **after, "limit": size + 1})
        items = [model.model_validate(row) for row in rows[:size]]
        if len(rows) <= size:
            return CursorPage(items, None)
        last = rows[size - 1]
        return CursorPage(items, codec.encode(listing, [last[key] for key in order], filters))

    def _offset_page(
        self,
        name: str,
        count_name: str,
        model: type[M],
        /,
        *,
        page: int,
        per_page: int,
        **filters: Any,
    ) -> Page[M]:
        """One page of an offset listing with its total: ``count_name`` (a ``$`` query) takes
        the filters, ``name`` the filters plus ``limit`` and ``offset``."""
        size = self._page_size(per_page)
        offset = offset_of(page, size)
        total = int(self._run(count_name, None, _VALUE, dict(filters)))
        rows = self._run(name, model, _ROWS, {**filters, "limit": size, "offset": offset})
        return Page([model.model_validate(row) for row in rows], total, page, size)

    # --- patches and optimistic locking -----------------------------------------------------

    def _patch(
        self,
        name: str,
        model: type[M],
        patch: BaseModel,
        /,
        *,
        expected_version: int | None = None,
        **params: Any,
    ) -> M:
        """Apply ``patch`` with a ``<!`` query that takes ``set_<field>`` and ``<field>`` for
        every field of the patch model (the flag is true for the fields the caller set).
        With ``expected_version`` the query is versioned: see ``_update_versioned``."""
        for field_name in type(patch).model_fields:
            value = getattr(patch, field_name)
            params[f"set_{field_name}"] = field_name in patch.model_fields_set
            params[field_name] = value.get_secret_value() if isinstance(value, SecretStr) else value
        if expected_version is None:
            return self._write_one(name, model, params)
        return self._update_versioned(name, model, expected_version=expected_version, **params)

    def _update_versioned(
        self, name: str, model: type[M], /, *, expected_version: int, **params: Any
    ) -> M:
        """A ``<!`` update that sets ``version = next_version(version, :expected_version)``:
        NotFoundError when no row matched, StaleVersionError when the row moved on."""
        try:
            return self._write_one(name, model, {**params, "expected_version": expected_version})
        except StaleVersionError as stale:
            raise StaleVersionError(self.entity, _key(params), expected_version) from stale

    def _write_one(self, name: str, model: type[M], params: dict[str, Any]) -> M:
        row = self._run(name, model, _WRITE_RETURNING, params)
        if row is None:
            raise NotFoundError(self.entity, _key(params))
        return model.model_validate(row)

    # --- unit of work ----------------------------------------------------------------------

    def _atomic(self) -> AbstractContextManager[Transaction]:
        """``with self._atomic() as tx:`` runs the block in a new transaction, or in a
        savepoint of the caller's; ``tx.<repo>`` are the sibling repositories on it."""
        return self._owner.atomic()

    def _on(self, tx: Transaction) -> Self:
        """This repository bound to ``tx``: inside ``with self._atomic() as tx`` its own
        statements go through ``self._on(tx)`` (``self`` may be the pool's)."""
        bound = getattr(tx, self.namespace, None)
        if isinstance(bound, type(self)):
            return bound
        return tx.repository(type(self))

    def _run_atomic(self, fn: Callable[[Transaction], T]) -> T:
        """``fn(tx)`` atomically; outside a transaction it is retried as a whole on
        serialization failure or deadlock (inside one, the caller's unit retries)."""
        return self._owner.run_in_transaction(fn)

    def _audited(
        self,
        actor: Actor,
        action: str,
        entity_id: object,
        write: Callable[[Transaction], tuple[B, A]],
        *,
        entity: str | None = None,
    ) -> tuple[B, A]:
        """The audit hook: run ``write(tx)`` atomically (``_run_atomic``); it returns the
        entity's state ``(before, after)`` as models (None: no state, before a create or after
        a delete). Both go to ``tx.audit.record`` in the same unit: the write and its audit
        entry are kept together or not at all. No entry when ``before == after`` (the write
        changed nothing: a repeated assignment, the same price). ``entity`` defaults to the
        namespace (``products``). ``write`` should read ``before`` with a locking read
        (FOR UPDATE) so that it is the state it changed. Returns ``(before, after)``."""

        def unit(tx: Transaction) -> tuple[B, A]:
            before, after = write(tx)
            if before != after:
                tx.audit.record(actor, action, entity or self.namespace, entity_id, before, after)
            return before, after

        return self._run_atomic(unit)

    # --- the one call path ----------------------------------------------------------------

    def _page_size(self, limit: int) -> int:
        return max(1, min(limit, self.max_page_size))

    def _declared(self, name: str, model: type[BaseModel] | None, ops: frozenset[Op]) -> _Declared:
        declared = self._named.get(name)
        if declared is None:
            raise ProgrammingError(
                f"{self.namespace}.{name}: not declared in {type(self).__name__}.queries"
            )
        query, _, mapped = declared
        if query.operation not in ops or mapped is not model:
            raise _misfit(query, model, mapped, ops)
        return declared

    def _run(
        self, name: str, model: type[BaseModel] | None, ops: frozenset[Op], params: dict[str, Any]
    ) -> Any:
        query, parameters, _ = self._declared(name, model, ops)
        if params.keys() != parameters:
            raise _wrong_parameters(query, parameters, params)
        if not self._in_transaction and self._context.transactions.active():
            raise TransactionBypassed(
                f"db.{self.namespace} called inside `with db.transaction()` on this thread: "
                f"use tx.{self.namespace} (db.{self.namespace} would take another connection)"
            )
        return self._runner.run(query, params)


_Declared = tuple[Query, frozenset[str], type[BaseModel] | None]
_declared: dict[type[Repository], dict[str, _Declared]] = {}


def validated(model: type[M], fields: Mapping[str, Any], *, refusal: str | None = None) -> M:
    """``fields`` as ``model``, for a repository method that takes plain arguments where it
    also takes the model; InvalidInput (``refusal``, else each field's problem) when they do
    not make one."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        if refusal is not None:
            raise InvalidInput(refusal) from None
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or model.__name__}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        )
        raise InvalidInput(f"not a valid {model.__name__}: {problems}") from None


def declared_queries(cls: type[Repository]) -> dict[str, _Declared]:
    """The queries ``cls`` declares, checked once: each exists in its namespace, each name
    in ``idempotent`` is a declared write and each in ``planned_per_call`` a declared query."""
    found = _declared.get(cls)
    if found is not None:
        return found
    namespace = load_queries(cls.sql_directory).get(cls.namespace)
    if namespace is None:
        raise ProgrammingError(f"{cls.__name__}: there is no {cls.namespace}.sql")
    missing = sorted(set(cls.queries) - set(namespace))
    if missing:
        raise ProgrammingError(f"{cls.__name__}: no query {', '.join(missing)} in {cls.namespace}")
    wrong = sorted(n for n in cls.idempotent if n not in cls.queries or namespace[n].is_read)
    if wrong:
        raise ProgrammingError(
            f"{cls.__name__}.idempotent: {', '.join(wrong)} is no declared write"
        )
    unknown = sorted(n for n in cls.planned_per_call if n not in cls.queries)
    if unknown:
        raise ProgrammingError(
            f"{cls.__name__}.planned_per_call: {', '.join(unknown)} is no declared query"
        )
    found = {}
    for name, model in cls.queries.items():
        query = namespace[name]
        if name in cls.idempotent:
            query = replace(query, idempotent=True)
        if name in cls.planned_per_call:
            query = replace(query, prepare=False)
        found[name] = (query, frozenset(query.parameters), model)
    _declared[cls] = found
    return found


def _key(params: Mapping[str, Any]) -> Any:
    """What NotFoundError names: the ``id`` parameter, else the first one."""
    if "id" in params:
        return params["id"]
    return next(iter(params.values()), None)


def _wrong_parameters(
    query: Query, declared: frozenset[str], given: Mapping[str, Any]
) -> Exception:
    missing = sorted(declared - given.keys())
    extra = sorted(given.keys() - declared)
    parts = [f"missing {', '.join(missing)}"] if missing else []
    parts += [f"unexpected {', '.join(extra)}"] if extra else []
    return ProgrammingError(
        f"{query.name}: called with parameters that differ from its declaration "
        f"({'; '.join(parts)}; it declares {', '.join(query.parameters) or 'none'})"
    )


_OP_NAMES = {
    Op.SELECT: "plain SELECT",
    Op.SELECT_ONE: "^",
    Op.SELECT_VALUE: "$",
    Op.INSERT_RETURNING: "<!",
    Op.INSERT_UPDATE_DELETE: "!",
    Op.INSERT_UPDATE_DELETE_MANY: "*!",
    Op.SCRIPT: "#",
}


def _misfit(
    query: Query, model: type[BaseModel] | None, mapped: type[BaseModel] | None, ops: frozenset[Op]
) -> Exception:
    if query.operation not in ops:
        wanted = " or ".join(sorted(_OP_NAMES[op] for op in ops))
        return ProgrammingError(
            f"{query.name}: is a {_OP_NAMES[query.operation]} query; this helper needs {wanted}"
        )
    return ProgrammingError(
        f"{query.name}: declared to map to {getattr(mapped, '__name__', None)}, "
        f"called with {getattr(model, '__name__', None)}"
    )
