"""Which reader the loader uses for spreadsheet workbooks: `python -m orchestration.bench.xlsx_readers
[--rows N] [--repeat K] [--keep DIR]`.

Writes one sheet of N Salesforce-Lead-like rows (openpyxl write-only mode; ids and names as text,
a count, an amount, a flag, a date and a datetime as Excel types them) and times, best of K:
- python-calamine (Rust calamine): open the workbook and iterate the rows as Python values;
- openpyxl read-only mode: ``iter_rows(values_only=True)``;
- the loader's own path: calamine plus cells.py rendering the recognised sheet to the CSV it loads.
openpyxl is a dev dependency (it writes the fixture); python-calamine is the loader's runtime one.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import python_calamine
from openpyxl import Workbook, load_workbook

from orchestration.loader import cells

HEADER = ["Id", "FirstName", "LastName", "Email", "Company", "Status", "LeadSource", "NumberOfEmployees"]
HEADER += ["AnnualRevenue", "IsConverted", "ConvertedDate", "CreatedDate"]


def write_sheet(path: Path, rows: int) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Leads")
    sheet.append(HEADER)
    start = datetime(2024, 1, 1, 8, 0)
    for i in range(rows):
        sheet.append(
            [
                f"00Q{i:015d}",
                f"First{i % 997}",
                f"Last{i % 1009}",
                f"lead{i}@example.com",
                f"Company {i % 5003}",
                ("Open", "Working", "Converted")[i % 3],
                ("Web", "Referral", "Event", None)[i % 4],
                float(i % 5000),
                round(i * 13.37 % 1e6, 2),
                i % 3 == 2,
                date(2024, 1, 1) + timedelta(days=i % 365) if i % 3 == 2 else None,
                start + timedelta(minutes=7 * i),
            ]
        )
    book.save(path)


def read_calamine(path: Path) -> int:
    with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
        return sum(1 for _ in book.get_sheet_by_name("Leads").iter_rows())


def read_openpyxl(path: Path) -> int:
    book = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in book["Leads"].iter_rows(values_only=True))
    finally:
        book.close()


def read_and_render(path: Path) -> int:
    """What the loader does with a recognised sheet: read with calamine, write the CSV it loads."""
    with python_calamine.CalamineWorkbook.from_path(str(path)) as book, tempfile.TemporaryDirectory() as tmp:
        rows = enumerate(book.get_sheet_by_name("Leads").iter_rows(), start=1)
        with (Path(tmp) / "sheet.csv").open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            return len(cells.write_rows(writer, rows, len(HEADER), "."))


def best_of(repeat: int, read: Callable[[Path], int], path: Path) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = read(path)
        times.append(time.perf_counter() - started)
    return min(times), count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration.bench.xlsx_readers", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the workbook in")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "Lead.xlsx"
        started = time.perf_counter()
        write_sheet(path, args.rows)
        print(
            f"wrote {args.rows:,} rows x {len(HEADER)} columns with openpyxl write-only in "
            f"{time.perf_counter() - started:.1f} s ({path.stat().st_size / 2**20:.1f} MiB)"
        )
        readers = {
            "python-calamine iter_rows": read_calamine,
            "openpyxl read-only iter_rows": read_openpyxl,
            "loader: calamine + render to CSV": read_and_render,
        }
        for name, read in readers.items():
            seconds, count = best_of(args.repeat, read, path)
            print(f"{name:34} {seconds:6.2f} s  ({count:,} rows, {count / seconds:,.0f} rows/s)")


if __name__ == "__main__":
    main()
