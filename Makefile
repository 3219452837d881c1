# Every routine task. `make test` and `make demo` set up .venv themselves on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
CODE := src tests tools $(wildcard benchmarks) $(wildcard examples)
# pytest-xdist workers for `make test` (each has its own template database); 0 runs in-process.
TEST_WORKERS ?= 2
# Line coverage of src/shopdb, measured by `make test`; below 90% fails the run.
# `make test COVERAGE=` runs without it.
COVERAGE ?= --cov --cov-report=term:skip-covered --cov-fail-under=90

.PHONY: install test lint format generate demo bench chaos clean migration-checksums schema-doc reference-doc check \
	prometheus-tools pgbouncer test-pgbouncer redis-tools partition-tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/python tools/async_to_sync.py --check
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy $(CODE)
	$(BIN)/squawk --config .squawk.toml migrations/*.sql

# The sync modules generated from their async sources (src/shopdb/**/*_async.py -> *.py beside
# it; docs/async.md). `make lint` fails when one is stale.
generate: $(STAMP)
	$(BIN)/python tools/async_to_sync.py

format: $(STAMP)
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/python tools/async_to_sync.py

# promtool and the Prometheus server for tests/ops (Debian's prometheus package), installed
# when either is missing: as root with apt-get, otherwise it says what to install.
prometheus-tools:
	@if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "promtool/prometheus missing: run 'sudo apt-get install prometheus'" >&2; exit 1; \
		fi; \
		echo "installing Debian's prometheus package (promtool, prometheus)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends prometheus >/dev/null; \
	fi

# pg_partman 4.7 and pg_cron 1.4 for the partition tests (tests/partitions): Debian's packages
# add their files to PostgreSQL 15; nothing is loaded until a database creates the extensions.
partition-tools:
	@if [ ! -f /usr/share/postgresql/15/extension/pg_partman.control ] || \
	    [ ! -f /usr/share/postgresql/15/extension/pg_cron.control ]; then \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "pg_partman/pg_cron missing: run 'sudo apt-get install postgresql-15-partman postgresql-15-cron'" >&2; exit 1; \
		fi; \
		echo "installing Debian's postgresql-15-partman and postgresql-15-cron"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends postgresql-15-partman postgresql-15-cron >/dev/null; \
	fi

# Debian's pgbouncer (1.18 on bookworm) for the pooler tests (tests/scale, `make test-pgbouncer`),
# installed when missing: as root with apt-get, otherwise it says what to install. The tests
# start their own pgbouncer; the package's service is stopped and disabled.
pgbouncer:
	@if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "pgbouncer missing: run 'sudo apt-get install pgbouncer'" >&2; exit 1; \
		fi; \
		echo "installing Debian's pgbouncer package"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends pgbouncer >/dev/null; \
		(systemctl disable --now pgbouncer || service pgbouncer stop || true) >/dev/null 2>&1; \
	fi

# The repository tests once more, every Database behind a pgbouncer in transaction mode that
# the run starts (DATABASE_POOLER=pgbouncer-transaction); two workers, no coverage.
test-pgbouncer: $(STAMP) pgbouncer
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider --through-pgbouncer tests/repositories -q

# redis-server for tests/cache and tests/ops (Debian's redis-server package: each test starts
# its own on a free port, never 6379), installed when missing, as prometheus-tools does.
redis-tools:
	@if ! command -v redis-server >/dev/null; then \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "redis-server missing: run 'sudo apt-get install redis-server'" >&2; exit 1; \
		fi; \
		echo "installing Debian's redis-server package"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends redis-server >/dev/null; \
	fi

# pytest exits 5 when it collected no test: say so, and fail (make turns any failure into 2).
test: lint prometheus-tools pgbouncer redis-tools partition-tools
	SHOPDB_CHECK_QUERY_COVERAGE=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) $(COVERAGE); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: the suite is broken" >&2; fi; \
	exit $$status

# Check every named query against the migrated database of DATABASE_URL (runs none of them).
# `make test` runs the same check on a fresh migrated copy of the tests' template
# (tests/check/test_clean.py), so it needs no database of yours.
check: $(STAMP)
	$(BIN)/shopdb check

# Add the checksum lines of new migration files; an existing line is never rewritten.
migration-checksums:
	cd migrations && for f in 0*.sql; do grep -q "  $$f$$" checksums.sha256 || sha256sum "$$f" >> checksums.sha256; done

# Regenerate docs/schema.md from a database migrated to the newest migration (DATABASE_URL).
schema-doc: $(STAMP)
	$(BIN)/shopdb schema-doc --output docs/schema.md

# docs/reference.md from the input models (tests/docs/test_reference.py checks it is current).
reference-doc: $(STAMP)
	$(BIN)/python -m shopdb.reference_doc docs/reference.md

demo: $(STAMP)
	$(BIN)/shopdb demo

bench: $(STAMP)
	mkdir -p .benchmarks
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-sort=name \
		--benchmark-columns=min,median,mean,stddev,rounds --benchmark-json=.benchmarks/latest.json

# The long chaos run of issue 8: 12 readers, 8 writers, every backend killed every 100-300 ms.
chaos: $(STAMP)
	SHOPDB_CHAOS=1 $(BIN)/python -m pytest -s -p no:logging tests/core/test_chaos.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache .hypothesis .benchmarks .coverage*
