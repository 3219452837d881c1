"""What a repository declares about caching, as class data: the reads it caches
(``cached_reads``) and the writes that invalidate them (``invalidations``). ``shopdb check``
reads the same data (``shopdb.check.cached``); nothing here talks to Redis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

GLOBAL = "all"
"""The scope every entry depends on: bumped when an invalidation could not be delivered
(Redis down at COMMIT) or names a row it cannot resolve, it empties the whole cache."""


@dataclass(frozen=True, slots=True)
class CachedRead:
    """One cached read of a repository.

    ``returns``: the type of what it returns (a model, ``list[Model]``, ``CursorPage[Model]``),
    encoded as JSON in Redis. ``queries``: the queries of the repository's namespace that the
    fill runs (each must be a read: ``shopdb check``). ``key``: the method's parameters that
    make the entry's key. ``scopes``: the version tags the entry depends on, each scope name
    -> the key parameter that selects its tag (``{"product": "product_id"}``: one tag per
    product), or None for one tag of the whole scope (``{"categories": None}``); a write
    that bumps a scope's tag (``Bump``) invalidates every entry that depends on it. Past
    ``soft_ttl_s`` an entry is served while one caller refreshes it; past ``hard_ttl_s``
    Redis drops it."""

    returns: Any
    queries: tuple[str, ...]
    key: tuple[str, ...]
    scopes: Mapping[str, str | None]
    soft_ttl_s: float
    hard_ttl_s: float

    def __post_init__(self) -> None:
        if not 0 < self.soft_ttl_s <= self.hard_ttl_s:
            raise ValueError("CachedRead: 0 < soft_ttl_s <= hard_ttl_s")
        unknown = [p for p in self.scopes.values() if p is not None and p not in self.key]
        if unknown:
            raise ValueError(f"CachedRead: scope parameter {unknown[0]} is not in key")


@dataclass(frozen=True, slots=True)
class Bump:
    """A write query (``namespace.name``) that bumps the tag of ``scope`` after COMMIT (or
    the lock statement a write takes first, when the write itself names no row: the lock of
    the inventory rows before ``settle_reservations``).

    ``field``: where the tag's value comes from: a parameter of the query, else a column of
    the rows it returns (a list parameter or several rows bump several tags); None bumps
    the scope's one tag. ``via``: ``"variant"`` when the values are variant ids, resolved
    to their products (a variant gone by then bumps ``GLOBAL``)."""

    query: str
    scope: str
    field: str | None = None
    via: str | None = None


@dataclass(frozen=True, slots=True)
class Invalidations:
    """Every Bump of every repository, by the write query that triggers it."""

    by_query: Mapping[str, tuple[Bump, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, repositories: Any) -> Invalidations:
        """The bumps the repository classes declare in ``invalidations``."""
        found: dict[str, list[Bump]] = {}
        for repository in repositories:
            for bump in getattr(repository, "invalidations", ()):
                found.setdefault(bump.query, []).append(bump)
        return cls({name: tuple(bumps) for name, bumps in found.items()})
