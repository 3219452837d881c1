# Every routine task. `make test` and `make demo` set up .venv themselves on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
CODE := src tests $(wildcard benchmarks)
# pytest-xdist workers for `make test` (each has its own template database); 0 runs in-process.
TEST_WORKERS ?= 2
# Line coverage of src/shopdb, measured by `make test`; below 90% fails the run.
# `make test COVERAGE=` runs without it.
COVERAGE ?= --cov --cov-report=term:skip-covered --cov-fail-under=90

.PHONY: install test lint format demo bench chaos clean migration-checksums schema-doc reference-doc check \
	prometheus-tools partition-tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy $(CODE)
	$(BIN)/squawk --config .squawk.toml migrations/*.sql

format: $(STAMP)
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

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

# pytest exits 5 when it collected no test: say so, and fail (make turns any failure into 2).
test: lint prometheus-tools partition-tools
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
