#!/usr/bin/env bash
# sqlfluff with the project's dbt templater (.sqlfluff), offline and without touching the developer's
# warehouse or dbt target folder: `scripts/sqlfluff.sh lint` (what `make lint` runs) or
# `scripts/sqlfluff.sh fix models/x.sql`; with no paths it takes every linted folder. The pre-commit
# hook passes the staged files.
# The dbt templater compiles the project against the DuckDB target (no dbt deps, no network), so it
# gets a throwaway warehouse and target folder in a temporary directory, removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
command="${1:-lint}"
shift || true
paths=("$@")
if [ ${#paths[@]} -eq 0 ]; then
    # Not macros/: the dbt templater skips macro files, which render nothing on their own
    # (.sqlfluffignore); a macro's output is part of each model's compiled statement.
    paths=(models tests/dbt analyses)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export FUNNEL_DBT_TARGET=duckdb
export FUNNEL_WAREHOUSE="$work/lint.duckdb"
export FUNNEL_DBT_DUCKDB_PATH="$work/lint.duckdb"
export DBT_TARGET_PATH="$work/target"
export DBT_LOG_PATH="$work/logs"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
# The worker processes' semaphore, reported as "leaked" at exit by Python's resource tracker: noise.
export PYTHONWARNINGS="ignore:resource_tracker:UserWarning"
# Two processes for the 2-core machines (`make test` on CI); dbt's compile before them is one.
"${FUNNEL_BIN:-.venv/bin}/sqlfluff" "$command" --processes "${SQLFLUFF_PROCESSES:-2}" "${paths[@]}"
