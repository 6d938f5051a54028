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
# With SQLFLUFF_PROCESSES > 1, Python's resource tracker reports the workers' semaphore as "leaked"
# at exit: noise.
export PYTHONWARNINGS="ignore:resource_tracker:UserWarning"
# One process: the dbt templater renders every file in the main process (dbt's manifest lives there),
# only parsing and rule checks go to workers, and rendering is most of the time. Measured on the
# 2-core machine: 2m19s wall with --processes 2, 2m23s with 1 (about 2 CPU-minutes either way).
"${FUNNEL_BIN:-.venv/bin}/sqlfluff" "$command" --processes "${SQLFLUFF_PROCESSES:-1}" "${paths[@]}"
