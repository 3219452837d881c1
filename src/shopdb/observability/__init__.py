"""Observability beyond the query timer: the /metrics endpoint, generic plans of slow queries,
the pg_stat_statements report and OpenTelemetry spans (docs/observability.md)."""
