"""The thin base every repository stands on: declared queries, row mapping, paging, patches.

A repository declares data (its sql/ namespace, the entity it names in NotFoundError, the
model each query's rows map to, its constraint messages and domain errors) and its methods
are one to three lines over the helpers below. docs/repositories.md is the guide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar, overload

from aiosql.types import SQLOperationType as Op
from pydantic import BaseModel, SecretStr

from shopdb.core import checks
from shopdb.core.errors import (
    ConstraintRules,
    DomainError,
    InvalidCursor,
    InvalidInput,
    NotFoundError,
    ProgrammingError,
    StaleVersionError,
)
from shopdb.core.paging import CursorPage, Keyset, Page, offset_of
from shopdb.core.queries import Query, load_queries
from shopdb.core.runner_async import AsyncConnectionRunner
from shopdb.core.unit_async import AsyncComponent

M = TypeVar("M", bound=BaseModel)
Row = dict[str, Any]

_ROW = frozenset({Op.SELECT_ONE, Op.INSERT_RETURNING})
_ROWS = frozenset({Op.SELECT})
_VALUE = frozenset({Op.SELECT_VALUE})
_COUNT = frozenset({Op.INSERT_UPDATE_DELETE})
_EACH = frozenset({Op.INSERT_UPDATE_DELETE_MANY})
_WRITE_RETURNING = frozenset({Op.INSERT_RETURNING})
_SCRIPT = frozenset({Op.SCRIPT})
_LOCK_ONE = frozenset({Op.SELECT_ONE, Op.SELECT_VALUE})


class AsyncRepository(AsyncComponent):
    """Base of the repositories. Subclasses declare the class data below and nothing else
    that is shared; ``shopdb check`` reads the same data to verify every query."""

    namespace: ClassVar[str]
    """The sql/ file its queries come from, and the attribute it is (``db.users``)."""
    entity: ClassVar[str]
    """The noun NotFoundError and StaleVersionError use: ``user``."""
    queries: ClassVar[Mapping[str, type[BaseModel] | None]]
    """Every query the repository runs -> the model its rows map to (None: a value or count)."""
    locks: ClassVar[Mapping[str, type[BaseModel] | None]] = {}
    """The lock statements it runs (``SELECT ... FOR NO KEY UPDATE`` of its own rows, an
    advisory lock) -> the model of their rows; run by ``_lock`` / ``_lock_each`` only."""
    tables: ClassVar[tuple[str, ...]] = ()
    """The tables of its aggregate: the only ones its statements write or lock."""
    constraint_messages: ClassVar[Mapping[str, str]] = {}
    """Constraint name -> the sentence its ConflictError / ConstraintViolation carries."""
    constraint_errors: ClassVar[Mapping[str, type[DomainError]]] = {}
    """Constraint name -> the domain error raised in place of ConstraintViolation. Both
    apply to the errors of this repository's statements (an application's own repository
    brings its own)."""
    idempotent: ClassVar[frozenset[str]] = frozenset()
    """Write queries that are harmless to run twice (retried once on a dead connection)."""
    replica_reads: ClassVar[frozenset[str]] = frozenset()
    """Reads that a streaming replica may answer (DATABASE_REPLICA_URLS), slightly behind
    the primary: never one whose caller must see its own or another's latest write (a
    session check, a stock level before a sale) unless it runs in ``db.consistent()``."""
    planned_per_call: ClassVar[frozenset[str]] = frozenset()
    """Queries never prepared: the server plans each call with its values (prepare=False),
    for a query whose best plan depends on the values in a way a generic plan cannot keep."""
    max_page_size: ClassVar[int] = 500
    """The largest page a listing returns: a ``limit`` or ``per_page`` that is not an int
    from 1 to it is refused (InvalidInput stating the range), never clamped: a caller asking
    for 10**6 rows learns the rule instead of silently getting 500. It bounds what one call
    can make a statement read, send and validate (500 rows, 501 with the keyset's look-ahead
    row), so that no caller turns a page into a dump of the table. A class constant, not a
    setting: it is part of each repository's contract (ProductRepository.search_window
    follows it), not a figure an operator tunes per server."""
    max_batch_size: ClassVar[int] = 10_000
    """The largest ``batch_size`` a batched statement takes (``_count_in_batches``): one batch,
    one statement, locks at most this many rows (sessions.delete_expired: 5,000 a batch
    removed 1,000,000 rows in 20.5 s, docs/performance.md)."""
    json_parameters: ClassVar[frozenset[str]] = frozenset()
    """The parameters that carry a JSON document (a jsonb column): each is checked against
    the settings json_max_bytes and json_max_depth before the statement runs."""
    sql_directory: ClassVar[Path | None] = None
    """Where ``namespace``.sql lives when it is not one of shopdb's own sql/ files."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._named = declared_queries(type(self))

    @classmethod
    def constraint_rules(cls) -> ConstraintRules:
        """The class's constraint messages and domain errors, as its statements carry them
        (``translate(exc, name, rules=...)`` applies them to an error of the application's)."""
        return ConstraintRules(dict(cls.constraint_messages), dict(cls.constraint_errors))

    # --- rows to models ----------------------------------------------------------------

    async def _get(self, name: str, model: type[M], /, **params: Any) -> M:
        """The model of the one row of a ``^`` or ``<!`` query; NotFoundError when none."""
        row = await self._run(name, model, _ROW, params)
        if row is None:
            raise NotFoundError(self.entity, _key(params))
        return model.model_validate(row)

    async def _find(self, name: str, model: type[M], /, **params: Any) -> M | None:
        """The model of the one row of a ``^`` or ``<!`` query, or None."""
        row = await self._run(name, model, _ROW, params)
        return None if row is None else model.model_validate(row)

    async def _list(self, name: str, model: type[M], /, **params: Any) -> list[M]:
        """Every row of a plain SELECT, as models."""
        rows = await self._run(name, model, _ROWS, params)
        return [model.model_validate(row) for row in rows]

    async def _value(self, name: str, /, **params: Any) -> Any:
        """The single value of a ``$`` query."""
        return await self._run(name, None, _VALUE, params)

    async def _count(self, name: str, /, **params: Any) -> int:
        """How many rows a ``!`` statement touched."""
        count: int = await self._run(name, None, _COUNT, params)
        return count

    async def _count_in_batches(self, name: str, batch_size: int, /, **params: Any) -> int:
        """Run a ``!`` statement that takes ``batch_size`` (and touches at most that many
        rows) until a batch comes back short; return the rows touched in all. Outside a
        transaction each batch commits on its own, so no lock is held for long."""
        if not 1 <= batch_size <= self.max_batch_size:
            raise InvalidInput(f"batch_size must be 1 to {self.max_batch_size}")
        total = 0
        while (done := await self._count(name, batch_size=batch_size, **params)) > 0:
            total += done
            if done < batch_size:
                break
        return total

    async def _count_each(self, name: str, rows: Sequence[Mapping[str, Any]], /) -> int:
        """Run a ``*!`` statement once for each parameter set of ``rows`` (each with exactly
        the declared parameters); how many rows they touched."""
        query, parameters, _ = self._statement(name, None, _EACH, lock=False)
        for params in rows:
            if params.keys() != parameters:
                raise _wrong_parameters(query, parameters, params)
        self._refuse_bypass(query.name)
        count: int = await self._runner.run(query, [dict(params) for params in rows])
        return count

    async def _script(self, name: str, /) -> None:
        """Run a ``#`` statement that takes no parameters (``CREATE DATABASE``, ...)."""
        await self._run(name, None, _SCRIPT, {})

    async def _copy(self, name: str, rows: Iterable[Sequence[Any]], /) -> int:
        """Stream ``rows`` (tuples in the column order of the statement) through a ``#`` query
        that is a ``COPY table (columns) FROM STDIN``; returns how many were sent. Only inside
        a transaction: the bulk path of the seeds, where many rows go in one round trip."""
        query, _, _ = self._statement(name, None, _SCRIPT, lock=False)
        if not isinstance(self._runner, AsyncConnectionRunner):
            raise ProgrammingError(f"{query.name}: COPY runs inside a transaction only (tx.<repo>)")
        return await self._runner.copy(query, rows)

    async def _touch(self, name: str, /, **params: Any) -> None:
        """Run a ``!`` statement that must touch a row; NotFoundError when it touched none."""
        if await self._run(name, None, _COUNT, params) == 0:
            raise NotFoundError(self.entity, _key(params))

    # --- pages ---------------------------------------------------------------------------

    async def _page(
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
        """One keyset page: decode the cursor (or start at ``keyset.start``), check the limit,
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
        rows: list[Row] = await self._run(
            name, model, _ROWS, {**filters, **after, "limit": size + 1}
        )
        items = [model.model_validate(row) for row in rows[:size]]
        if len(rows) <= size:
            return CursorPage(items, None)
        last = rows[size - 1]
        return CursorPage(items, codec.encode(listing, [last[key] for key in order], filters))

    async def _offset_page(
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
        size = self._page_size(per_page, "per_page")
        offset = offset_of(page, size)
        total = int(await self._run(count_name, None, _VALUE, dict(filters)))
        rows = await self._run(name, model, _ROWS, {**filters, "limit": size, "offset": offset})
        return Page([model.model_validate(row) for row in rows], total, page, size)

    # --- patches and optimistic locking -----------------------------------------------------

    async def _patch(
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
            return await self._write_one(name, model, params)
        return await self._update_versioned(
            name, model, expected_version=expected_version, **params
        )

    async def _update_versioned(
        self, name: str, model: type[M], /, *, expected_version: int, **params: Any
    ) -> M:
        """A ``<!`` update that sets ``version = next_version(version, :expected_version)``:
        NotFoundError when no row matched, StaleVersionError when the row moved on."""
        try:
            return await self._write_one(
                name, model, {**params, "expected_version": expected_version}
            )
        except StaleVersionError as stale:
            raise StaleVersionError(self.entity, _key(params), expected_version) from stale

    async def _write_one(self, name: str, model: type[M], params: dict[str, Any]) -> M:
        row = await self._run(name, model, _WRITE_RETURNING, params)
        if row is None:
            raise NotFoundError(self.entity, _key(params))
        return model.model_validate(row)

    # --- locks ---------------------------------------------------------------------------

    @overload
    async def _lock(self, name: str, model: type[M], /, **params: Any) -> M: ...
    @overload
    async def _lock(self, name: str, model: None, /, **params: Any) -> Any: ...
    async def _lock(self, name: str, model: type[M] | None, /, **params: Any) -> Any:
        """Run a declared lock (``locks``) of one row (``^``: its model) or one value (``$``:
        an advisory lock, the id of a row); NotFoundError when it found nothing to lock, so
        an advisory lock selects a value (``SELECT true AS locked FROM pg_advisory_xact_lock(...)``:
        the function itself returns void, which reads as NULL).
        Only inside a transaction: on an autocommit connection a FOR UPDATE locks nothing."""
        row = await self._run(name, model, _LOCK_ONE, params, lock=True)
        if row is None:
            raise NotFoundError(self.entity, _key(params))
        return row if model is None else model.model_validate(row)

    async def _lock_each(self, name: str, model: type[M], /, **params: Any) -> list[M]:
        """Run a declared lock of several rows (a plain SELECT ... FOR NO KEY UPDATE, in
        the order that the lock order asks for); the rows as models."""
        rows = await self._run(name, model, _ROWS, params, lock=True)
        return [model.model_validate(row) for row in rows]

    # --- the one call path ----------------------------------------------------------------

    def _page_size(self, limit: int, field: str = "limit") -> int:
        """``limit`` when it is an int from 1 to ``max_page_size``; InvalidInput otherwise."""
        return checks.page_size(field, limit, self.max_page_size)

    def _statement(
        self, name: str, model: type[BaseModel] | None, ops: frozenset[Op], *, lock: bool
    ) -> _Declared:
        declared = self._named.get(name)
        if declared is None:
            raise ProgrammingError(
                f"{self.namespace}.{name}: not declared in {type(self).__name__}.queries"
            )
        query, _, mapped = declared
        if query.lock != lock:
            raise ProgrammingError(
                f"{query.name}: {'a lock: run it with _lock' if query.lock else 'not a lock'}"
                f" ({type(self).__name__}.{'locks' if query.lock else 'queries'})"
            )
        if lock and not self._in_transaction:
            raise ProgrammingError(
                f"{query.name}: a lock runs inside a transaction only (on an autocommit "
                "connection it would lock nothing); use it in a @unit_of_work method"
            )
        if query.operation not in ops or mapped is not model:
            raise _misfit(query, model, mapped, ops)
        return declared

    async def _run(
        self,
        name: str,
        model: type[BaseModel] | None,
        ops: frozenset[Op],
        params: dict[str, Any],
        *,
        lock: bool = False,
    ) -> Any:
        query, parameters, _ = self._statement(name, model, ops, lock=lock)
        if params.keys() != parameters:
            raise _wrong_parameters(query, parameters, params)
        self._refuse_bypass(f"db.{self.namespace}")
        if self.json_parameters:  # most repositories have none: no set built per call
            settings = self._context.settings
            for field in self.json_parameters & params.keys():
                checks.json_document(
                    field, params[field], settings.json_max_bytes, settings.json_max_depth
                )
        try:
            result = await self._runner.run(query, params)
        except InvalidInput as error:
            ids = checks.not_uuids(params) if error.sqlstate == "22P02" else []
            if not ids:
                raise
            # ``id`` is the repository's own key: named as its methods name it (user_id).
            ids = [f"{self.entity.replace(' ', '_')}_id" if n == "id" else n for n in ids]
            named = [{"field": n, "message": "must be a UUID", "type": "uuid"} for n in ids]
            message = f"{query.name}: {', '.join(ids)} must be a UUID"
            raise InvalidInput(message, errors=named) from None
        cache = self._context.cache
        if cache is not None and (query.lock or not query.is_read):  # bumped after COMMIT
            await cache.wrote(self._owner, query.name, params, result)
        return result


_Declared = tuple[Query, frozenset[str], type[BaseModel] | None]
_DECLARED: dict[type[AsyncRepository], dict[str, _Declared]] = {}
"""The checked declarations of each repository class, made on its first instance."""


def declared_queries(cls: type[AsyncRepository]) -> dict[str, _Declared]:
    """The queries and locks ``cls`` declares, checked once: each exists in its namespace,
    none is both, each name in ``idempotent`` is a declared write and each in
    ``planned_per_call`` a declared query. Each carries the class's constraint rules."""
    found = _DECLARED.get(cls)
    if found is None:
        found = _DECLARED[cls] = _declare(cls)
    return found


def _declare(cls: type[AsyncRepository]) -> dict[str, _Declared]:
    namespace = load_queries(cls.sql_directory).get(cls.namespace)
    if namespace is None:
        raise ProgrammingError(f"{cls.__name__}: there is no {cls.namespace}.sql")
    declared = {**cls.queries, **cls.locks}
    both = sorted(set(cls.queries) & set(cls.locks))
    if both:
        raise ProgrammingError(f"{cls.__name__}: {', '.join(both)} in both queries and locks")
    missing = sorted(set(declared) - set(namespace))
    if missing:
        raise ProgrammingError(f"{cls.__name__}: no query {', '.join(missing)} in {cls.namespace}")
    wrong = sorted(n for n in cls.idempotent if n not in cls.queries or namespace[n].is_read)
    if wrong:
        raise ProgrammingError(
            f"{cls.__name__}.idempotent: {', '.join(wrong)} is no declared write"
        )
    not_reads = sorted(
        n for n in cls.replica_reads if n not in cls.queries or not namespace[n].is_read
    )
    if not_reads:
        raise ProgrammingError(
            f"{cls.__name__}.replica_reads: {', '.join(not_reads)} is no declared read"
        )
    unknown = sorted(n for n in cls.planned_per_call if n not in declared)
    if unknown:
        raise ProgrammingError(
            f"{cls.__name__}.planned_per_call: {', '.join(unknown)} is no declared query"
        )
    rules = cls.constraint_rules()
    found = {}
    for name, model in declared.items():
        query = replace(
            namespace[name],
            idempotent=name in cls.idempotent,
            prepare=False if name in cls.planned_per_call else None,
            lock=name in cls.locks,
            rules=rules,
            replica=name in cls.replica_reads,
        )
        found[name] = (query, frozenset(query.parameters), model)
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
