"""Repository/raw ratios per benchmark group: the figure the 1.2x target is about."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import median
from typing import Any

TARGET = 1.2
REPOSITORY = "repository"
RAW = "raw"


@dataclass(frozen=True, slots=True)
class Ratio:
    """One group: the median seconds per call of each path, over every call of it."""

    group: str
    repository_s: float
    raw_s: float
    calls: int

    @property
    def ratio(self) -> float:
        """Repository median over raw median: 1.10 means the repository costs 10% more."""
        return self.repository_s / self.raw_s

    @property
    def within_target(self) -> bool:
        """True when the repository costs at most TARGET times the raw call."""
        return self.ratio <= TARGET

    def line(self) -> str:
        """One line of the report."""
        verdict = "ok" if self.within_target else "OVER TARGET"
        return (
            f"{self.group:20} repository {self.repository_s * 1e6:7.1f} us   "
            f"raw {self.raw_s * 1e6:7.1f} us   {self.ratio:.3f}x  {verdict}"
            f"   ({self.calls} calls of each)"
        )

    def as_dict(self) -> dict[str, Any]:
        """For the benchmark JSON."""
        return {
            "group": self.group,
            "repository_median_us": round(self.repository_s * 1e6, 2),
            "raw_median_us": round(self.raw_s * 1e6, 2),
            "calls_per_path": self.calls,
            "ratio": round(self.ratio, 3),
            "target": TARGET,
            "within_target": self.within_target,
        }


def ratios(benchmarks: Iterable[Any], other_rounds: Mapping[str, list[float]]) -> list[Ratio]:
    """The ratio of every group that measured both paths.

    A benchmark names its path in ``extra_info["path"]`` and the path it alternated with in
    ``extra_info["other_path"]``; ``other_rounds`` holds the latter's calls by benchmark.
    Every call of a path in the group counts, whichever of the two benchmarks made it.
    """
    calls: dict[str, dict[str, list[float]]] = {}
    for bench in benchmarks:
        extra: Mapping[str, Any] = bench.extra_info or {}
        if not (bench.group and bench.stats):
            continue
        paths = calls.setdefault(bench.group, {})
        if extra.get("path") in (REPOSITORY, RAW):
            paths.setdefault(extra["path"], []).extend(bench.stats.data)
        if extra.get("other_path") in (REPOSITORY, RAW):
            other = other_rounds.get(bench.fullname, [])
            paths.setdefault(extra["other_path"], []).extend(other)
    return [
        Ratio(
            group,
            median(paths[REPOSITORY]),
            median(paths[RAW]),
            min(len(paths[REPOSITORY]), len(paths[RAW])),
        )
        for group, paths in sorted(calls.items())
        if paths.get(REPOSITORY) and paths.get(RAW)
    ]
