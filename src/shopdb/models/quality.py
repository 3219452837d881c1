"""Data quality: what a check finds, a run of the checks, and an anomaly it recorded."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from shopdb.models.base import RowModel


class CheckResult(RowModel):
    """What one check found: how many rows break its invariant, and a sample of their ids."""

    offending: int
    sample_ids: list[str]


class QualityRun(RowModel):
    """One run of the checks (quality_runs)."""

    id: UUID
    started_at: datetime
    finished_at: datetime | None
    checks_run: int
    anomalies: int


class QualityAnomaly(RowModel):
    """A check that found offending rows in a run (quality_anomalies)."""

    check_name: str
    offending_count: int
    sample_ids: list[str]
