"""`funnel`: the one entry point for users and for `make`. It parses arguments and calls the
package's functions; the work lives in orchestration.generator / loader / warehouse."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from orchestration.settings import Settings

app = typer.Typer(
    help="Sales-funnel warehouse: generate demo exports, load CRM and marketing exports, build the marts.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

FORMATS = ("salesforce", "hubspot", "generic", "marketing")


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=1)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the exports and truth.json to.")] = Path(
        "exports/demo"
    ),
    leads: Annotated[int, typer.Option(min=10, help="Number of persons (leads) to simulate.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives byte-identical files.")] = 42,
    format: Annotated[
        str,
        typer.Option("--format", help="salesforce, hubspot, generic, marketing or all (comma-separated)."),
    ] = "all",
    messy: Annotated[
        bool, typer.Option(help="Add realistic dirt (duplicates, bad dates, BOM, ...).")
    ] = False,
    as_of: Annotated[str, typer.Option(help="Export date, YYYY-MM-DD.")] = "2025-06-30",
) -> None:
    """Simulate one B2B company and write its CRM and marketing exports plus the ground truth."""
    from orchestration.generator import generate as run_generate

    wanted = FORMATS if format == "all" else tuple(f.strip() for f in format.split(","))
    unknown = sorted(set(wanted) - set(FORMATS))
    if unknown:
        _fail(f"unknown format(s) {unknown}; choose from {', '.join(FORMATS)} or all")
    # Marketing exports come beside every CRM's: a company has both.
    wanted = tuple(dict.fromkeys((*wanted, "marketing")))
    with console.status("generating") as status:
        summary = run_generate(
            out_dir=out,
            leads=leads,
            seed=seed,
            formats=wanted,
            messy=messy,
            as_of=date.fromisoformat(as_of),
            on_step=lambda step: status.update(f"generating: {step}"),
        )
    console.print(f"wrote exports for {leads:,} leads to {out} in {summary.seconds:.1f}s")


@app.command()
def load(
    landing_dir: Annotated[Path, typer.Argument(help="Folder of export files (searched recursively).")],
    mapping: Annotated[
        list[Path] | None,
        typer.Option("--mapping", help="Mapping file(s) for CRMs without a built-in format."),
    ] = None,
) -> None:
    """Load every export file in a folder into the warehouse's raw tables, with a ledger."""
    from orchestration.pipeline import load_exports

    report = load_exports(Settings.from_env(), landing_dir, mapping or [], console)
    _print_load_report(report)
    if report.failed:
        raise typer.Exit(code=1)


@app.command()
def build(
    target: Annotated[
        str | None, typer.Option(help="dbt target: duckdb (default), spark or spark_thrift.")
    ] = None,
    select: Annotated[str | None, typer.Option(help="dbt node selection, e.g. staging.")] = None,
) -> None:
    """Build and test every dbt model (seeds, staging, intermediate, marts)."""
    from orchestration.pipeline import build_models
    from orchestration.warehouse import DbtError

    try:
        build_models(Settings.from_env(), target=target, select=select)
    except DbtError as exc:
        _fail(str(exc))


@app.command()
def run(
    landing_dir: Annotated[
        Path | None,
        typer.Argument(help="Folder of export files; default FUNNEL_LANDING_DIR or exports/demo."),
    ] = None,
) -> None:
    """The whole pipeline, as the Dagster `refresh` job: load, build and test, publish, report."""
    from orchestration.pipeline import failed_steps, run_refresh

    settings = Settings.from_env()
    with console.status("refreshing: load, dbt build, checks, publish, report"):
        result = run_refresh(settings, landing_dir)
    if not result.success:
        console.print("[bold red]refresh failed[/]; the published warehouse was left as it was.")
        for line in failed_steps(result):
            console.print(f"- {line}")
        raise typer.Exit(code=1)
    console.print(
        f"[green]done[/]: warehouse {settings.warehouse}, published copy {settings.published}, "
        f"report {settings.report_file}"
    )


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(help="HTML file to write; default FUNNEL_REPORT.")] = None,
) -> None:
    """Write the funnel report: one self-contained HTML file that opens offline."""
    from orchestration.report import build_report

    settings = Settings.from_env()
    if not settings.warehouse.exists():
        _fail(f"no warehouse at {settings.warehouse}: run `funnel run` first")
    path = build_report(settings.warehouse, out or settings.report_file)
    console.print(f"report written to {path}")


@app.command()
def check() -> None:
    """Run the Great Expectations suites on the warehouse (read-only), print them, build Data Docs."""
    from orchestration.quality import run_quality

    settings = Settings.from_env()
    if not settings.warehouse.exists():
        _fail(f"no warehouse at {settings.warehouse}: run `funnel run` first")
    report = run_quality(settings)
    typer.echo(report.summary())
    if not report.passed:
        raise typer.Exit(code=1)


@app.command()
def plan(
    target_revenue: Annotated[
        float, typer.Argument(help="Revenue target for next quarter, reporting currency.")
    ],
    source_system: Annotated[str | None, typer.Option(help="Only this source system.")] = None,
) -> None:
    """How many deals, opportunities and leads next quarter's revenue target needs (reverse funnel)."""
    from orchestration.pipeline import plan_leads
    from orchestration.warehouse import DbtError

    try:
        answer = plan_leads(Settings.from_env(), target_revenue, source_system)
    except DbtError as exc:
        _fail(str(exc))
    # One column per source system, one row per figure: reads top to bottom like the funnel.
    table = Table("", *[str(s) for s in answer["source_system"]], title=f"Plan for {target_revenue:,.0f}")
    for column in answer.columns.drop("source_system"):
        table.add_row(column, *[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in answer[column]])
    Console().print(table)


@app.command()
def ledger(limit: Annotated[int, typer.Option(help="Rows to show.")] = 50) -> None:
    """Show the newest ledger rows: per file and run, rows read, loaded and quarantined."""
    from orchestration.pipeline import read_ledger

    rows = read_ledger(Settings.from_env(), limit)
    table = Table("run", "file", "status", "read", "loaded", "quarantined", "message")
    for row in rows:
        table.add_row(*[str(v) if v is not None else "" for v in row])
    Console().print(table)


def _print_load_report(report) -> None:  # noqa: ANN001 - LoadReport, imported lazily
    table = Table("file", "status", "read", "loaded", "quarantined", title=f"load run {report.run_id}")
    for result in report.files:
        table.add_row(
            result.source_file,
            result.status,
            f"{result.rows_read:,}",
            f"{result.rows_loaded:,}",
            f"{result.rows_quarantined:,}",
        )
    console.print(table)
    for result in report.files:
        if result.message and result.status in ("failed", "unrecognised"):
            console.print(f"[red]{result.status}[/]: {result.message}")


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port for the Dagster UI.")] = 3000,
) -> None:
    """Start the Dagster UI (webserver and daemon) on 127.0.0.1: schedules, sensors, run history."""
    import os

    settings = Settings.from_env()
    settings.export_to_environment()
    executable = Path(sys.executable).with_name("dagster")
    os.execv(
        str(executable),
        [str(executable), "dev", "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
    )


def main() -> None:  # pragma: no cover - console entry point alias
    app(prog_name="funnel")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
