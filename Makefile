# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LEADS ?= 20000
SEED ?= 42
AS_OF ?= $(shell date +%F)
# Two pytest-xdist workers, a module at a time each (its fixtures built once), slowest modules
# first (tests/python/conftest.py): one test process leaves the second core idle half the time.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder
DEMO := exports/demo
# The demo is one company as a user has it: its CRM (Salesforce) and its marketing exports.
# DEMO_FORMAT=all renders the same company as Salesforce, HubSpot and generic exports too (the
# tests do); then every figure counts the company once per CRM.
DEMO_FORMAT ?= salesforce
# The demo: generated exports, hashed with the public development salt unless FUNNEL_PII_SALT is
# set. Only these targets opt in; `funnel` itself refuses to build without a secret salt.
DEMO_SALT := FUNNEL_DEMO=1

.PHONY: run test test-fast install install-test java chromium lint generate build ui clean bench bench-pairs bench-extras \
	spark-thrift-start spark-thrift-stop build-spark-thrift

# Main install: the pipeline only (no Spark), so `make run` stays light. pip -qq: errors only (a
# fresh clone's `make run` prints a short account, not pip's warnings); PIP_FLAGS= shows them.
PIP_FLAGS ?= -qq
$(BIN)/.installed-main: pyproject.toml
	@echo "installing into $(VENV) (a few minutes the first time)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install $(PIP_FLAGS) --upgrade pip
	@$(BIN)/pip install $(PIP_FLAGS) -e .
	@touch $@

# Test install: adds the dev tools and the Spark extra (dbt-spark[session,PyHive], pyspark).
$(BIN)/.installed-test: pyproject.toml $(BIN)/.installed-main
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $@

install: $(BIN)/.installed-main

install-test: $(BIN)/.installed-test java chromium

# Spark needs a JVM: Debian's OpenJDK 17 when `java` is missing.
java:
	@bash scripts/ensure_java.sh

# The report's browser test renders it in headless Chromium: Debian's chromium when none is found.
chromium:
	@bash scripts/ensure_chromium.sh

run: install
	$(BIN)/funnel generate --leads $(LEADS) --seed $(SEED) --as-of $(AS_OF) --out $(DEMO) --format $(DEMO_FORMAT)
	$(DEMO_SALT) $(BIN)/funnel run $(DEMO)

test: lint
	$(PYTEST) --durations=15

# The inner loop while working: lint and every test but Spark, the browser and the tests that build
# their own warehouses or run Dagster refreshes (markers spark, browser, slow). `make test` stays
# the full proof and is what CI runs.
test-fast: lint
	$(PYTEST) -m "not spark and not slow and not browser" --durations=10

generate: install
	$(BIN)/funnel generate --leads $(LEADS) --seed $(SEED) --as-of $(AS_OF) --out $(DEMO) --format $(DEMO_FORMAT)

build: install
	$(DEMO_SALT) $(BIN)/funnel build

# Python with ruff, SQL with sqlfluff (.sqlfluff: dbt templater on DuckDB, a throwaway warehouse,
# offline; scripts/sqlfluff.sh). The pre-commit hooks (.pre-commit-config.yaml) run the same tools.
lint: install-test
	$(BIN)/ruff check orchestration simulator tests
	$(BIN)/ruff format --check orchestration simulator tests
	FUNNEL_BIN=$(BIN) bash scripts/sqlfluff.sh lint

# The Dagster UI, bound to localhost only; run history lives in the repo-local .dagster/. The demo
# salt as for `make run`, so a refresh started from the UI (or the sensor, once on) builds the demo.
ui: install
	DAGSTER_HOME=$(CURDIR)/.dagster $(DEMO_SALT) $(BIN)/funnel ui

# Benchmarks: per size, generate, load, dbt build (models + tests), checks, publish, the floor query
# and (up to 1M leads) a one-day refresh, each timed with its peak memory; figures to
# $(BENCH_OUT)/bench.json (merged by size, so `make bench BENCH_SIZES=1000000` re-measures one size).
# Add BENCH_FLAGS=--keep to keep files, BENCH_FLAGS="--refresh-up-to 10000000" to refresh 10M too,
# BENCH_FLAGS=--extras to run the experiments below within each size as well.
BENCH_SIZES ?= 100000 1000000 10000000
BENCH_OUT ?= warehouse/bench
bench: install
	$(BIN)/python -m orchestration.bench $(BENCH_SIZES) --out $(BENCH_OUT) $(BENCH_FLAGS)

# The experiments behind the README's other figures, on each size's own exports and warehouse
# (orchestration/bench/extras.py): the loader's spill (work tables in memory or in the work schema),
# the checks chunked or read whole, the publish's checksum (round or printf) and copy (one
# transaction or one per table, insertion order kept or not), exact percentiles (aggregate or
# ranked). No refresh; in its own folder, figures to $(BENCH_EXTRAS_OUT)/bench.json (a size's folder
# is emptied when the size starts: a warehouse kept by `make bench BENCH_FLAGS=--keep` stays).
# BENCH_FLAGS="--extras-check-copies 10" checks ten copies of the checked tables, as the README did.
# Each is also a command on a kept warehouse or export, e.g. `python -m
# orchestration.bench.publish_variants --warehouse warehouse/bench/1000000/funnel.duckdb`.
BENCH_EXTRAS_SIZES ?= 1000000
BENCH_EXTRAS_OUT ?= warehouse/bench-extras
bench-extras: install
	$(BIN)/python -m orchestration.bench $(BENCH_EXTRAS_SIZES) --out $(BENCH_EXTRAS_OUT) --extras --no-refresh \
		$(BENCH_FLAGS)

# Two commits' builds compared on this machine, alternately: `make bench-pairs BEFORE=9a302d6 AFTER=HEAD`
# (PAIRS=3, PAIRS_LEADS=100000); the README's before/after tables.
PAIRS ?= 3
PAIRS_LEADS ?= 100000
bench-pairs: install
	$(BIN)/python -m orchestration.bench.pairs $(BEFORE) $(AFTER) --pairs $(PAIRS) --leads $(PAIRS_LEADS)

# A local Spark Thrift Server (the way dbt reaches a cluster) from the installed pyspark, on
# FUNNEL_SPARK_HOST:FUNNEL_SPARK_PORT (127.0.0.1:10000); `build-spark-thrift` starts it if needed,
# runs `funnel build --target spark_thrift` and stops it again.
spark-thrift-start: install-test
	FUNNEL_PYTHON=$(BIN)/python bash scripts/spark_thrift.sh start

spark-thrift-stop:
	FUNNEL_PYTHON=$(BIN)/python bash scripts/spark_thrift.sh stop

build-spark-thrift: install-test
	$(DEMO_SALT) FUNNEL_PYTHON=$(BIN)/python bash scripts/spark_thrift.sh build

clean:
	rm -rf warehouse target logs exports .pytest_cache
