"""Every CSV the product writes goes through here, so no cell can run as a spreadsheet formula.

Exports carry text from the inputs (quarantined records, file names in ledger messages). A cell
that starts with = + - @, a tab or a carriage return is read by Excel, LibreOffice and Google
Sheets as a formula (CSV injection: =HYPERLINK(...), =cmd|...). Such cells get a leading
apostrophe, the OWASP recommendation: the spreadsheet shows the text, runs nothing, and the
value stays readable. Numbers are not text and are written as they are, so -5 stays a number.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The same set as a regular expression over the first character, for the set-based SQL path.
_FORMULA_START = "^[=+@\\t\\r-]"


def neutralise(value: str) -> str:
    """One text cell made safe for a spreadsheet."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def neutralised_sql(column_sql: str) -> str:
    """SQL expression: the text column with formula-looking values prefixed by an apostrophe."""
    return (
        f"case when regexp_matches({column_sql}, '{_FORMULA_START}') "
        f"then '''' || {column_sql} else {column_sql} end"
    )


def write_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write the rows of `query` to a CSV file with a header, text cells neutralised; returns rows."""
    relation = con.sql(query)
    selects = []
    for name, dtype in zip(relation.columns, relation.types, strict=True):
        quoted = '"' + name.replace('"', '""') + '"'
        if str(dtype) == "VARCHAR":
            selects.append(f"{neutralised_sql(quoted)} as {quoted}")
        elif str(dtype).endswith("[]") or str(dtype).startswith(("STRUCT", "MAP", "JSON")):
            selects.append(f"{neutralised_sql(f'cast({quoted} as varchar)')} as {quoted}")
        else:
            selects.append(quoted)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = str(path).replace("'", "''")
    con.execute(
        f"copy (select {', '.join(selects)} from ({query}) as rows_to_write) "
        f"to '{target}' (format csv, header true)"
    )
    return con.execute(f"select count(*) from ({query}) as rows_written").fetchone()[0]
