"""The checks, as data, and the tool repository that runs their queries and records runs."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shopdb.core.queries import tools_sql_dir
from shopdb.core.repository import Repository
from shopdb.models.quality import CheckResult, QualityAnomaly, QualityRun


@dataclass(frozen=True)
class QualityCheck:
    """One check: its name (the query is ``quality.check_<name>``) and what it counts."""

    name: str
    counts: str

    @property
    def query(self) -> str:
        """The name of its query in sql/tools/quality.sql."""
        return f"check_{self.name}"


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck("inventory_reserved_mismatch",
                 "inventory rows whose reserved counter is not their live reservations"),
    QualityCheck("order_amounts_mismatch",
                 "orders whose subtotal or total disagree with their items"),
    QualityCheck("settled_payment_unpaid_order", "SETTLED payments of orders that are not paid"),
    QualityCheck("paid_order_without_settled_payment",
                 "paid orders without a SETTLED or REFUNDED payment"),
    QualityCheck("product_without_variants", "live products without a variant"),
    QualityCheck("expired_sessions_not_cleaned", "sessions expired for over a day, not deleted"),
    QualityCheck("coupon_over_limit", "coupons used past their usage or per-user limit"),
    QualityCheck("product_rating_mismatch",
                 "products whose rating read model is not their approved reviews"),
    QualityCheck("undelivered_webhook_events",
                 "webhook deliveries still pending an hour after their event"),
)  # fmt: skip
"""Every check ``run_checks`` runs, in this order."""

SAMPLE_SIZE = 20
"""How many offending ids a check returns and an anomaly keeps (at most 20: 0087)."""


class QualityRepository(Repository):
    """The statements of sql/tools/quality.sql: the checks (reads) and the run bookkeeping.
    Not an aggregate and not an attribute of Database: ``run_checks`` binds it to its
    transaction with ``tx.repository(QualityRepository)``."""

    namespace = "quality"
    entity = "quality run"
    sql_directory = tools_sql_dir()
    queries = {
        **{check.query: CheckResult for check in CHECKS},
        "start_run": QualityRun,
        "record_anomaly": None,
        "finish_run": QualityRun,
        "run_anomalies": QualityAnomaly,
    }

    def check(self, check: QualityCheck, sample_size: int = SAMPLE_SIZE) -> CheckResult:
        """Run one check."""
        return self._get(check.query, CheckResult, sample_size=sample_size)

    def start_run(self) -> QualityRun:
        """A new run, started now."""
        return self._get("start_run", QualityRun)

    def record_anomaly(self, run_id: UUID, name: str, found: CheckResult) -> None:
        """Keep what a check found in a run."""
        self._count("record_anomaly", run_id=run_id, check_name=name,
                    offending_count=found.offending, sample_ids=found.sample_ids)  # fmt: skip

    def finish_run(self, run_id: UUID, checks_run: int, anomalies: int) -> QualityRun:
        """Close a run with its figures."""
        return self._get("finish_run", QualityRun, id=run_id, checks_run=checks_run,
                         anomalies=anomalies)  # fmt: skip

    def run_anomalies(self, run_id: UUID) -> list[QualityAnomaly]:
        """The anomalies a run recorded, by check name."""
        return self._list("run_anomalies", QualityAnomaly, run_id=run_id)
