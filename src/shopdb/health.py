"""What a health check of a Database or an AsyncDatabase found."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Health:
    """What ``Database.health()`` found: reachable or not, how fast, and the pool's figures."""

    ok: bool
    latency_ms: float | None
    server_version: str | None
    pool: dict[str, int] = field(default_factory=dict)
    error: str | None = None
