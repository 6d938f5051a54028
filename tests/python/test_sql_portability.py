"""Every model, macro, test and analysis avoids SQL that Spark 3.5 cannot run.

A static check over the source files (the same models must build on DuckDB and on Spark):
DuckDB-only syntax and functions belong in adapter.dispatch implementations, never inline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Every SQL file dbt reads: models, macros, singular and generic tests, analyses, snapshots.
CHECKED = sorted(
    path
    for folder in ("models", "macros", "tests/dbt", "analyses", "snapshots")
    for path in (PROJECT_DIR / folder).rglob("*.sql")
)

FORBIDDEN = {
    "qualify": re.compile(r"\bqualify\b", re.I),
    ":: cast": re.compile(r"::"),
    "* exclude": re.compile(r"\*\s*exclude\b", re.I),
    "group by all": re.compile(r"group\s+by\s+all\b", re.I),
    "ilike": re.compile(r"\bilike\b", re.I),
    "double-quoted identifier": re.compile(r'(?<![{(\[=,:]\s)"[A-Za-z_][A-Za-z0-9_]*"(?!\s*[:,)\]])'),
    "generate_series": re.compile(r"\bgenerate_series\b", re.I),
    "strftime": re.compile(r"\bstrftime\b", re.I),
    "count(distinct) over": re.compile(r"count\s*\(\s*distinct[^)]*\)\s*over", re.I),
    "DuckDB list/struct function": re.compile(
        r"\b(list_\w+|struct_pack|struct_extract|array_agg)\s*\(", re.I
    ),
    "regexp_matches": re.compile(r"\bregexp_matches\b", re.I),
    "DuckDB-only function": re.compile(r"\b(quantile_cont|date_diff|epoch)\s*\(", re.I),
}


def _sql_without_jinja_comments(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    # dispatch implementations for one engine may use its own dialect (removed before the Jinja
    # tags that delimit them are)
    text = re.sub(r"\{%-? macro duckdb__.*?\{%-? endmacro -?%\}", "", text, flags=re.S)
    # Jinja strings passed to macros are not SQL identifiers
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text, flags=re.S)


def test_files_are_checked() -> None:
    assert len(CHECKED) >= 40


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_sql_uses_only_spark_compatible_constructs(path: Path) -> None:
    sql = _sql_without_jinja_comments(path)
    # dispatch implementations for one engine may use its own dialect
    sql = re.sub(r"\{% macro duckdb__.*?\{%- endmacro %\}", "", sql, flags=re.S)
    found = [name for name, pattern in FORBIDDEN.items() if pattern.search(sql)]
    assert not found, f"{path.name} uses {found}"
