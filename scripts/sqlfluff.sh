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
    # macros/ is not listed: the dbt templater skips macro files (they render nothing alone); their
    # SQL is read where models call them (.sqlfluffignore).
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
# Two processes: the 2-core CI machine (`make test`), after dbt's single-threaded compile.
"${FUNNEL_BIN:-.venv/bin}/sqlfluff" "$command" --processes "${SQLFLUFF_PROCESSES:-2}" "${paths[@]}"
