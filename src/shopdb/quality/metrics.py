"""The Prometheus gauges of the data-quality checks, in the process's registry: one series
per check (its offending rows in the last run) and the time of the last run. `shopdb
quality --textfile` writes them for node_exporter's textfile collector."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import Gauge

if TYPE_CHECKING:
    from shopdb.quality.runner import QualityReport

OFFENDING_ROWS = Gauge(
    "shopdb_quality_offending_rows",
    "Rows that broke the data-quality check in its last run (0: none).",
    ["check"],
)
LAST_RUN = Gauge(
    "shopdb_quality_last_run_timestamp_seconds",
    "When the data-quality checks last ran (Unix time of the run's start).",
)


def record_metrics(report: QualityReport) -> None:
    """Set each check's gauge and the last run's time from a report."""
    for outcome in report.outcomes:
        OFFENDING_ROWS.labels(check=outcome.check.name).set(outcome.found.offending)
    LAST_RUN.set(report.run.started_at.timestamp())
