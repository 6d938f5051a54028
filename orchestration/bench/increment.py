"""Turn one generated export into a history load plus the next day's incremental export.

The generator simulates a company up to `as_of` and writes its state on that day; generating
again with as_of + 1 simulates a different company (the calendar's weights move), so it is not
the next day of the same one. A daily refresh is instead modelled the way CRMs export increments
(Salesforce Bulk API / HubSpot "modified since"): from the export as of D,
- the history load, in a folder dated D-1, holds every record created before D (in its state as of
  D: the export has no earlier version) with all its history rows, and the events (touches, email
  events, spend, campaign members) before D. Keeping an existing deal's D-day history rows with its
  D-day state keeps the history load consistent (spells and current state tell the same story);
- the increment, in a folder dated D, holds the records created or modified on D (new leads and
  deals, a lead whose status moved, a deal that closed), every history row written on D, and D's
  events. Rows in both loads are the same record twice with equal content; staging keeps one.
Small reference files (users, stages, products, campaigns) go with the history only.

Both loads go into one landing folder: the refresh loads the folder again and the loader skips the
files it already has by content hash, as a daily run over a landing folder would.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.settings import Settings

# file (relative to the generator's output) → (creation / event-day column, modification column)
DAY_COLUMNS: dict[str, tuple[str, str | None]] = {
    "salesforce/Lead.csv": ("CreatedDate", "LastModifiedDate"),
    "salesforce/Contact.csv": ("CreatedDate", "LastModifiedDate"),
    "salesforce/Account.csv": ("CreatedDate", "LastModifiedDate"),
    "salesforce/Opportunity.csv": ("CreatedDate", "LastModifiedDate"),
    "salesforce/OpportunityLineItem.csv": ("CreatedDate", "SystemModstamp"),
    "salesforce/LeadHistory.csv": ("CreatedDate", None),
    "salesforce/OpportunityHistory.csv": ("CreatedDate", None),
    "salesforce/CampaignMember.csv": ("CreatedDate", None),
    "marketing/touches.csv": ("occurred_at", None),
    "marketing/email_events.csv": ("occurred_at", None),
    "marketing/ad_spend.csv": ("day", None),
}
# rows that belong to a parent record: in the history load exactly when their parent is
PARENTS: dict[str, tuple[str, str]] = {
    "salesforce/LeadHistory.csv": ("LeadId", "salesforce/Lead.csv"),
    "salesforce/OpportunityHistory.csv": ("OpportunityId", "salesforce/Opportunity.csv"),
    "salesforce/OpportunityLineItem.csv": ("OpportunityId", "salesforce/Opportunity.csv"),
}


def _day(column: str) -> str:
    # Every generated timestamp is UTC ISO text (`2025-06-30T...Z`, `.000+0000`) or a date.
    return f'substr("{column}", 1, 10)'


def split_exports(generated: Path, landing: Path, increment: Path, as_of: date) -> dict[str, int]:
    """Write the history load under `landing` and the as_of day's increment under `increment`
    (held back until the refresh is measured); return the rows of each increment file."""
    history_day = (as_of - timedelta(days=1)).isoformat()
    day = as_of.isoformat()
    increment_rows: dict[str, int] = {}
    con = duckdb.connect(config=Settings.from_env().duckdb_config())  # the same memory limit as the stages
    try:
        con.execute("set preserve_insertion_order = true")  # files keep their row order
        for path in sorted(generated.rglob("*.csv")):
            relative = path.relative_to(generated).as_posix()
            system, name = relative.split("/", 1)
            history_file = landing / system / history_day / name
            history_file.parent.mkdir(parents=True, exist_ok=True)
            if relative not in DAY_COLUMNS:
                shutil.copyfile(path, history_file)
                continue
            created, modified = DAY_COLUMNS[relative]
            source = f"read_csv('{path}', header = true, all_varchar = true, quote = '\"')"
            quoting = "force_quote *" if system == "salesforce" else "quote '\"'"
            in_history = f"{_day(created)} < '{day}'"
            if relative in PARENTS:
                key, parent = PARENTS[relative]
                parent_csv = f"read_csv('{generated / parent}', header = true, all_varchar = true)"
                in_history = (
                    f'"{key}" not in (select "Id" from {parent_csv} where {_day("CreatedDate")} = \'{day}\')'
                )
            con.execute(
                f"copy (select * from {source} where {in_history}) "
                f"to '{history_file}' (format csv, header true, {quoting})"
            )
            in_increment = f"{_day(created)} = '{day}'"
            if modified:
                in_increment += f" or {_day(modified)} = '{day}'"
            increment_file = increment / system / day / name
            increment_file.parent.mkdir(parents=True, exist_ok=True)
            con.execute(
                f"copy (select * from {source} where {in_increment}) "
                f"to '{increment_file}' (format csv, header true, {quoting})"
            )
            increment_rows[relative] = con.execute(
                f"select count(*) from read_csv('{increment_file}', header = true, all_varchar = true)"
            ).fetchone()[0]
    finally:
        con.close()
    return increment_rows


def land_increment(landing: Path, holding: Path, as_of: date) -> None:
    """The next day's files arrive in the landing folder."""
    for folder in sorted(holding.glob(f"*/{as_of.isoformat()}")):
        target = landing / folder.parent.name / folder.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))
