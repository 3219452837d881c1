"""run_checks: every check in one snapshot, the run and its anomalies recorded in the same
transaction, and the Prometheus gauges set from what it found."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import IsolationLevel

from shopdb.database import Database
from shopdb.models.quality import CheckResult, QualityRun
from shopdb.quality.checks import CHECKS, SAMPLE_SIZE, QualityCheck, QualityRepository
from shopdb.quality.metrics import record_metrics


@dataclass(frozen=True)
class CheckOutcome:
    """One check of a run and what it found."""

    check: QualityCheck
    found: CheckResult

    @property
    def ok(self) -> bool:
        """No offending row."""
        return self.found.offending == 0


@dataclass(frozen=True)
class QualityReport:
    """A run: its row in quality_runs and each check's outcome, in CHECKS order."""

    run: QualityRun
    outcomes: tuple[CheckOutcome, ...]

    @property
    def anomalies(self) -> tuple[CheckOutcome, ...]:
        """The checks that found offending rows."""
        return tuple(outcome for outcome in self.outcomes if not outcome.ok)


def run_checks(
    db: Database, checks: tuple[QualityCheck, ...] = CHECKS, sample_size: int = SAMPLE_SIZE
) -> QualityReport:
    """Run ``checks`` in one REPEATABLE READ transaction (every check sees the same
    snapshot), record the run and one quality_anomalies row per check that found offending
    rows, and set the gauges (shopdb.quality.metrics) once it committed."""
    with db.transaction(isolation=IsolationLevel.REPEATABLE_READ) as tx:
        quality = tx.repository(QualityRepository)
        started = quality.start_run()
        outcomes = tuple(CheckOutcome(check, quality.check(check, sample_size)) for check in checks)
        for outcome in outcomes:
            if not outcome.ok:
                quality.record_anomaly(started.id, outcome.check.name, outcome.found)
        bad = sum(not outcome.ok for outcome in outcomes)
        run = quality.finish_run(started.id, len(outcomes), bad)
    report = QualityReport(run, outcomes)
    record_metrics(report)
    return report
