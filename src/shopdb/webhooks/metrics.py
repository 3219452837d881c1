"""The dispatcher's metrics, labelled by outcome only (never an URL or a secret)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ATTEMPTS = Counter(
    "shopdb_webhook_attempts",
    "Webhook delivery attempts, by outcome (succeeded, failed).",
    ["outcome"],
)
ATTEMPT_SECONDS = Histogram(
    "shopdb_webhook_attempt_seconds",
    "How long each webhook POST took, answered or not.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
