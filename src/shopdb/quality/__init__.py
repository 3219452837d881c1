"""Data-quality checks (issue 21 point 5): named queries of sql/tools/quality.sql, each
counting the rows that break one invariant, run by ``run_checks`` (and `shopdb quality`),
which records each run and each anomaly and sets one Prometheus gauge per check.
docs/quality.md says what each check means and what to do about it."""

from shopdb.quality.checks import CHECKS, QualityCheck
from shopdb.quality.runner import CheckOutcome, QualityReport, run_checks

__all__ = ["CHECKS", "CheckOutcome", "QualityCheck", "QualityReport", "run_checks"]
