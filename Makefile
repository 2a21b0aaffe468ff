# Two commands do everything: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV     := .venv
BIN      := $(VENV)/bin
# Ports: empty means "this checkout's remembered port, else the default if free,
# else the next free one" (scripts/port.sh); a value forces that port.
PORT     ?=
DEV_PGPORT  ?=
TEST_PGPORT ?=
LINT_PGPORT ?=
BENCH_PGPORT ?=
DEV_DB   := baskets
TEST_DB  := baskets_test
LINT_DB  := baskets_lint
BENCH_DB := baskets_bench
WORKERS  ?= $(shell nproc 2>/dev/null || echo 2)
# pytest processes for make test / test-fast (pytest-xdist), each on its own
# test cluster (scripts/test_dbs.sh); 1 runs them in this process (what --pdb
# needs). Whole modules per worker: a module fixture (the checkouts' clones,
# the lint or no-PL/Perl cluster) is built once and never by two at a time.
TEST_WORKERS ?= 2
XDIST := $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile)

.PHONY: help run demo db test test-fast test-dbs test-db bench-db lint deps os-deps venv stop clean schema \
        bench-ingest bench-allocate bench-credits print-workers

help:
	@echo "make run    - set everything up and serve the API on 127.0.0.1 (port 8000 unless taken)"
	@echo "make test   - set everything up and run lint and the whole test suite"
	@echo "make test-fast - the suite without the slow tests (the inner loop; PYTEST_ARGS='-k ...')"
	@echo "make demo   - with make run serving: a demo group and member, a payment allocated"
	@echo "make db     - start the local cluster, migrate, print the database URL"
	@echo "make stop   - stop the make run server and the local PostgreSQL clusters"
	@echo "make schema - regenerate db/schema.sql from a freshly migrated database"
	@echo "make bench-ingest | bench-allocate | bench-credits"

os-deps:
	@scripts/os_deps.sh

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || scripts/quietly.sh "creating $(VENV)" python3 -m venv $(VENV)
	@scripts/quietly.sh "upgrading pip" $(BIN)/pip install --upgrade pip
	@scripts/quietly.sh "installing the Python packages" $(BIN)/pip install -e '.[dev]'
	@touch $@

venv deps: os-deps $(VENV)/.installed

# Local cluster unless DATABASE_URL points elsewhere; the URL is the last line.
db: deps
	@if [[ -n "$${DATABASE_URL:-}" ]]; then url="$$DATABASE_URL"; \
	else url=$$(scripts/pg_local.sh dev $(DEV_DB) 54320 "$(DEV_PGPORT)" | tail -n 1); fi; \
	scripts/migrate.sh "$$url"; \
	echo "$$url"

run: deps
	@where=$$([[ -n "$${DATABASE_URL:-}" ]] || echo local); \
	url=$$($(MAKE) -s db | tail -n 1); \
	port=$$(scripts/port.sh http 8000 PORT "$(PORT)"); \
	exec scripts/serve.sh "$$url" "$$port" $(WORKERS) $$where

# The running server (make run, in another terminal) allocates a demo payment.
demo:
	@if [[ -n "$${DATABASE_URL:-}" ]]; then url="$$DATABASE_URL"; \
	else url=$$(scripts/pg_local.sh dev $(DEV_DB) 54320 "$(DEV_PGPORT)" | tail -n 1); fi; \
	scripts/demo.sh "$$url" "http://127.0.0.1:$$(cat .pgdata/ports/http 2>/dev/null || echo 8000)"

test-db: deps
	@url=$$(scripts/pg_local.sh test $(TEST_DB) 54321 "$(TEST_PGPORT)" | tail -n 1); \
	scripts/migrate.sh "$$url" >/dev/null; echo "$$url"

# plpgsql_check runs over every PL/pgSQL function of a freshly migrated
# database on a small cluster of its own (whose cron.database_name it is, so
# pg_cron's tables exist); promtool checks and unit-tests the alerting rules.
lint: deps
	@scripts/os_deps.sh postgresql-15-plpgsql-check prometheus
	@$(BIN)/ruff check api tests bench
	@$(BIN)/ruff format --check api tests bench
	@$(BIN)/sqlfluff lint db --processes 2 --disable-progress-bar
	@url=$$(scripts/pg_local.sh lint $(LINT_DB) 54325 "$(LINT_PGPORT)" | tail -n 1); \
	scripts/plpgsql_check.sh "$$url"
	@promtool check rules deploy/prometheus/alerts.yml >/dev/null
	@cd deploy/prometheus && promtool test rules alerts.test.yml >/dev/null

# The parsing and allocation tests run twice: on the SMS matcher the server
# offers (PL/Perl here) and again forced onto the PostgreSQL matcher, which
# servers without plperl use (tests/test_without_plperl.py runs a whole server
# without it).
MATCHER_TESTS := tests/test_format_matcher.py tests/test_parse_sms.py tests/test_format_audit.py \
                 tests/test_genuine_sms.py tests/test_allocate.py

# One migrated test cluster per pytest worker; their URLs, space separated, last.
test-dbs: deps
	@TEST_PGPORT="$(TEST_PGPORT)" scripts/test_dbs.sh $(TEST_WORKERS) $(TEST_DB)

# Everything, as CI runs it: lint, then every test (the slow ones included).
test: deps
	@$(MAKE) -s lint
	@urls=$$($(MAKE) -s test-dbs | tail -n 1); \
	TEST_DATABASE_URL="$$urls" $(BIN)/pytest $(XDIST) $(PYTEST_ARGS); \
	echo "The parsing and allocation tests on the PostgreSQL matcher (MOMO_REGEX_ENGINE=postgres):"; \
	TEST_DATABASE_URL="$$urls" MOMO_REGEX_ENGINE=postgres $(BIN)/pytest -q $(XDIST) $(MATCHER_TESTS)

# The inner loop: every test but those marked slow (pyproject.toml), no lint.
test-fast: deps
	@urls=$$($(MAKE) -s test-dbs | tail -n 1); \
	TEST_DATABASE_URL="$$urls" $(BIN)/pytest -m 'not slow' $(XDIST) $(PYTEST_ARGS)

# db/schema.sql: a fresh temporary database on the test cluster, migrated and
# dumped (scripts/schema.sh); tests/test_schema_file.py holds the file to it.
schema: deps
	@url=$$(scripts/pg_local.sh test $(TEST_DB) 54321 "$(TEST_PGPORT)" | tail -n 1); \
	scripts/schema.sh "$$url" > db/schema.sql.new || { rm -f db/schema.sql.new; exit 1; }; \
	mv db/schema.sql.new db/schema.sql; \
	echo "db/schema.sql regenerated"

stop:
	@scripts/pg_stop.sh

print-workers: # the gunicorn worker count make run uses (bench/ingest.sh reads it)
	@echo $(WORKERS)

clean:
	@scripts/pg_clean.sh
	rm -rf .venv .bench

# Benchmarks use their own cluster so generated load never lands in dev data.
bench-db: deps
	@url=$$(scripts/pg_local.sh bench $(BENCH_DB) 54322 "$(BENCH_PGPORT)" | tail -n 1); \
	scripts/migrate.sh "$$url" >/dev/null; echo "$$url"

bench-ingest: deps
	@scripts/os_deps.sh wrk
	@url=$$($(MAKE) -s bench-db | tail -n 1); DATABASE_URL="$$url" bench/ingest.sh

bench-allocate: deps
	@url=$$($(MAKE) -s bench-db | tail -n 1); DATABASE_URL="$$url" $(BIN)/python bench/allocate.py

bench-credits: deps
	@url=$$($(MAKE) -s bench-db | tail -n 1); DATABASE_URL="$$url" $(BIN)/python bench/credits.py
