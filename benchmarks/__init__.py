"""pytest-benchmark suites against a real PostgreSQL (``make bench``)."""
