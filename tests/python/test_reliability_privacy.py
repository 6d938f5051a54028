"""Privacy and injection.

- No clear-text personal data outside staging: every email, phone number and full name in the
  generated exports (leads, contacts, persons, touch and email-event addresses, and the sales
  reps' emails) is searched for, as a substring, in every column of every table outside the raw and
  staging schemas, in the published copy and in the report HTML. The same search over the raw
  layer finds them, so the scan is not blind. Reps' names are not customers' personal data: they
  are readable by default (tests/python/test_owner_names.py), so a customer value that is part of
  a rep's name (a lead who shares a rep's name) cannot be told apart and is not searched for.
- The hash salt comes from the environment: a staged hash equals sha256(salt || lower(email))
  computed here with the test's FUNNEL_PII_SALT; an empty salt is refused, and so is a missing one
  outside the demo (FUNNEL_DEMO=1), where it is warned (tests/python/test_secrets.py has the rest).
- CSV and HTML the product writes neutralise spreadsheet formulas and escape markup, for text that
  comes from the inputs (here: landing folder names and quarantined records).
- The UI binds to 127.0.0.1.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from reliability_support import reference, reliability_settings
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.csv_safety import neutralise
from orchestration.pipeline import load_exports
from orchestration.report import build_report
from orchestration.warehouse.publish import publish

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

# Where the exports hold personal data: file glob -> (email columns, phone columns, (first, last) pairs).
PII_COLUMNS = {
    "salesforce/*/Lead.csv": (["Email"], ["Phone"], [("FirstName", "LastName")]),
    "salesforce/*/Contact.csv": (["Email"], ["Phone"], [("FirstName", "LastName")]),
    "hubspot/*/contacts.csv": (["email"], ["phone"], [("firstname", "lastname")]),
    "hubspot/*/owners.csv": (["email"], [], []),
    "salesforce/*/User.csv": (["Email"], [], []),
    "generic/*/owners.csv": (["Email"], [], []),
    "generic/*/persons.csv": (["Email"], ["Phone"], [("First Name", "Last Name")]),
    "marketing/*/touches.csv": (["person_email", "referred_by_email"], [], []),
    "marketing/*/email_events.csv": (["person_email"], [], []),
}
# Raw and staging hold personal data by design (staging as hashes). loader.quarantine keeps a
# rejected row's original record so it can be fixed: part of the raw layer, never published.
EXEMPT_SCHEMAS = ("raw", "staging")
EXEMPT_TABLES = ("loader.quarantine",)
INJECTED_FOLDER = "<img src=x onerror=alert(1)>"
INJECTED_FORMULA = '=HYPERLINK("http://example.invalid","click")'


def _personal_values(exports: Path) -> list[str]:
    """Every email, phone and 'First Last' name in the exports, read from the files themselves."""
    selects = []
    for pattern, (emails, phones, names) in PII_COLUMNS.items():
        source = f"read_csv('{exports}/{pattern}', all_varchar = true, header = true)"
        for column in emails + phones:
            selects.append(f'select "{column}" as value from {source}')
        for first, last in names:
            selects.append(f'select "{first}" || \' \' || "{last}" as value from {source}')
    query = " union ".join(selects)
    values = duckdb.sql(f"select distinct value from ({query}) where length(trim(value)) >= 5").fetchall()
    reps = _rep_names(exports)
    assert len(reps) >= 10  # the VP, 9 managers and the reps (two may share a name)
    return sorted(v for (v,) in values if not any(v.lower() in rep for rep in reps))


# Reps' names, readable in the marts and the report by default (FUNNEL_HASH_OWNER_NAMES=1 hashes them).
REP_NAME_COLUMNS = {
    "salesforce/*/User.csv": ("FirstName", "LastName"),
    "hubspot/*/owners.csv": ("firstname", "lastname"),
    "generic/*/owners.csv": ("Name", None),
}


def _rep_names(exports: Path) -> set[str]:
    selects = [
        f'select "{first}"' + (f" || ' ' || \"{last}\"" if last else "") + " as name "
        f"from read_csv('{exports}/{pattern}', all_varchar = true, header = true)"
        for pattern, (first, last) in REP_NAME_COLUMNS.items()
    ]
    return {name.lower() for (name,) in duckdb.sql(" union ".join(selects)).fetchall() if name}


def _leaks(
    con: duckdb.DuckDBPyConnection, database: str, values: list[str], exempt: bool = True
) -> list[str]:
    """'schema.table.column: value' for each personal value found inside a text column (numbers,
    dates and booleans cannot hold an email, a spaced phone number or a name)."""
    con.execute("create or replace temp table personal as select unnest(?) as value", [values])
    columns = con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where database_name = ? and not internal and (data_type in ('VARCHAR', 'JSON') "
        "or data_type like '%[]' or data_type like 'STRUCT%' or data_type like 'MAP%') order by 1, 2, 3",
        [database],
    ).fetchall()
    found = []
    for schema, table, column in columns:
        if exempt and (schema in EXEMPT_SCHEMAS or f"{schema}.{table}" in EXEMPT_TABLES):
            continue
        hits = con.execute(
            f'select distinct personal.value from (select distinct lower(cast("{column}" as varchar)) as text '
            f'from {database}."{schema}"."{table}") as cells join personal '
            "on contains(cells.text, lower(personal.value)) limit 3"
        ).fetchall()
        found += [f"{schema}.{table}.{column}: {value}" for (value,) in hits]
    return found


def test_no_personal_data_in_clear_outside_staging_nor_in_the_published_copy_nor_the_report(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    ref = reference(tmp_path_factory)
    values = _personal_values(ref.exports)
    assert len(values) > 2000  # 800 leads' emails, phones and names, plus reps and touch addresses
    published = tmp_path / "published.duckdb"
    publish(ref.settings.warehouse, published)
    report = build_report(ref.settings.warehouse, tmp_path / "report.html")

    con = duckdb.connect()
    con.execute(f"attach '{ref.settings.warehouse}' as wh (read_only)")
    con.execute(f"attach '{published}' as pub (read_only)")
    raw_hits = [leak for leak in _leaks(con, "wh", values, exempt=False) if leak.startswith("raw.")]
    assert raw_hits, "the scan finds nothing even where personal data is (raw): it would be blind"
    assert _leaks(con, "wh", values) == []
    assert _leaks(con, "pub", values) == []

    text = report.read_text(encoding="utf-8").lower()
    pattern = re.compile("|".join(re.escape(v.lower()) for v in sorted(values, key=len, reverse=True)))
    assert pattern.findall(text) == []
    assert pattern.search(" ".join(values[:3]).lower())  # the pattern does match personal values


def test_pii_hashes_use_the_salt_from_the_environment(tmp_path_factory: pytest.TempPathFactory) -> None:
    ref = reference(tmp_path_factory)
    with (ref.exports / "salesforce" / "2025-06-29" / "Lead.csv").open(newline="") as handle:
        lead = next(csv.DictReader(handle))
    # The salt the settings carried to dbt (conftest.settings_in sets it).
    salt = ref.settings.pii_salt
    assert salt == "test-salt-0123456789"
    expected = hashlib.sha256((salt + lead["Email"].strip().lower()).encode()).hexdigest()
    unsalted = hashlib.sha256(lead["Email"].strip().lower().encode()).hexdigest()
    with duckdb.connect(str(ref.settings.warehouse), read_only=True) as con:
        hashes = {
            h for (h,) in con.execute("select email_hash from staging.stg_salesforce__leads").fetchall()
        }
    assert expected in hashes
    assert unsalted not in hashes


def test_an_empty_salt_is_refused_and_a_missing_one_warned_in_the_demo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("FUNNEL_PII_SALT", "")
    refused = runner.invoke(app, ["build"])
    assert refused.exit_code == 1
    assert "FUNNEL_PII_SALT is set but empty" in refused.output

    monkeypatch.delenv("FUNNEL_PII_SALT")
    monkeypatch.delenv("FUNNEL_DEMO", raising=False)
    assert runner.invoke(app, ["build"]).exit_code == 1  # outside the demo: refused

    monkeypatch.setenv("FUNNEL_DEMO", "1")
    from orchestration import cli

    warned = []
    monkeypatch.setattr(cli.console, "print", lambda message, *a, **k: warned.append(str(message)))
    settings = cli._checked_settings()
    assert settings.pii_salt_is_default and settings.effective_pii_salt == "funnel-dev-salt"
    assert any("public development salt" in line for line in warned)


def test_csv_and_html_outputs_neutralise_formulas_and_escape_markup(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = reference(tmp_path_factory)
    settings = reliability_settings(tmp_path / "wh")
    settings.warehouse.parent.mkdir(parents=True)
    settings.warehouse.write_bytes(ref.settings.warehouse.read_bytes())
    # Input text that is markup and formulas: folder names (they reach the ledger and the report)
    # and a quarantined row whose cells are formulas.
    landing = tmp_path / "landing"
    hostile = landing / INJECTED_FOLDER
    hostile.mkdir(parents=True)
    lead_csv = ref.exports / "salesforce" / "2025-06-29" / "Lead.csv"
    header, first = lead_csv.read_text().splitlines()[:2]
    cells = first.split('","')
    cells[0] = '"' + INJECTED_FORMULA.replace('"', '""')  # id = a formula
    cells[header.split(",").index('"CreatedDate"')] = "@SUM(1+1)*cmd|' /C calc'!A0"  # unparseable date
    (hostile / "Lead.csv").write_text(header + "\n" + '","'.join(cells) + "\n")
    formula_folder = landing / "=1+1"
    formula_folder.mkdir()
    shutil.copy(
        ref.exports / "salesforce" / "2025-06-30" / "Opportunity.csv", formula_folder / "Opportunity.csv"
    )
    report = load_exports(settings, landing, [])
    assert not report.failed, [r.message for r in report.failed]
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from loader.quarantine").fetchone()[0] >= 1

    html = build_report(settings.warehouse, tmp_path / "report.html").read_text(encoding="utf-8")
    assert INJECTED_FOLDER not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown, as text

    for name, value in settings.dbt_env().items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    ledger_csv, quarantine_csv = tmp_path / "ledger.csv", tmp_path / "quarantine.csv"
    assert runner.invoke(app, ["ledger", "--csv", str(ledger_csv)]).exit_code == 0
    assert runner.invoke(app, ["quarantine", str(quarantine_csv)]).exit_code == 0
    for path in (ledger_csv, quarantine_csv):
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
        cells = [cell for row in rows[1:] for cell in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], path.name
    ledger_cells = ledger_csv.read_text()
    assert "'=1+1/Opportunity.csv" in ledger_cells  # neutralised, still readable
    quarantine_cells = quarantine_csv.read_text()
    assert "HYPERLINK" in quarantine_cells and "SUM(1+1)" in quarantine_cells


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_prefixes_only_formula_starts(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def test_the_ui_binds_to_localhost(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from orchestration import serve

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    calls = []

    def fake_serve(argvs: list[list[str]], say: object = None) -> int:
        calls.extend(argvs)
        return 0

    monkeypatch.setattr(serve, "prepare", lambda settings: None)
    monkeypatch.setattr(serve, "serve", fake_serve)
    done = CliRunner().invoke(app, ["ui", "--port", "3999"])
    assert done.exit_code == 0, done.output
    webserver = next((argv for argv in calls if Path(argv[0]).name == "dagster-webserver"), None)
    assert webserver is not None, "funnel ui did not start the Dagster webserver"
    assert webserver[webserver.index("-h") + 1] == "127.0.0.1"
    assert webserver[webserver.index("-p") + 1] == "3999"
    assert all("0.0.0.0" not in argv for argv in calls)
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    assert re.search(r"^ui:.*\n(\t.*\n)*\t.*funnel ui", makefile, re.MULTILINE)
