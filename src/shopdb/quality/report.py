"""How `shopdb quality` shows a run: a table of the checks, and the gauges as a textfile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from prometheus_client import REGISTRY, write_to_textfile

from shopdb.quality.runner import QualityReport


def report_lines(report: QualityReport) -> list[str]:
    """One line per check (its name, OK or its offending count, a sample of ids), a header
    and the run's id."""
    width = max(len(outcome.check.name) for outcome in report.outcomes)
    lines = [f"{'check':<{width}}  {'offending':>9}  sample ids", "-" * (width + 24)]
    for outcome in report.outcomes:
        sample = ", ".join(outcome.found.sample_ids[:3])
        more = outcome.found.offending - min(3, len(outcome.found.sample_ids))
        if more > 0:
            sample += f" (+{more})"
        status = "ok" if outcome.ok else str(outcome.found.offending)
        lines.append(f"{outcome.check.name:<{width}}  {status:>9}  {sample}".rstrip())
    lines.append(f"run {report.run.id}: {len(report.anomalies)} of {len(report.outcomes)} "
                 "checks found offending rows")  # fmt: skip
    return lines


def print_report(report: QualityReport, out: Callable[[str], object] = print) -> None:
    """Print the table of a run."""
    for line in report_lines(report):
        out(line)


def write_textfile(path: Path) -> None:
    """Write the process's metrics (the checks' gauges among them) to ``path`` in the text
    exposition format, atomically (prometheus_client writes a temporary file and renames)."""
    write_to_textfile(str(path), REGISTRY)
