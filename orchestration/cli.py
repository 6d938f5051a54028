"""`funnel`: the one entry point for users and for `make`. It parses arguments and calls the
package's functions; the work lives in loader / warehouse / pipeline. `generate` is the one command
that calls the simulator (the separate test-data package), imported inside the command only."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from orchestration.cli_errors import FunnelGroup, set_debug
from orchestration.errors import FunnelError, require_warehouse
from orchestration.progress import progress_console, step_progress
from orchestration.settings import Settings

app = typer.Typer(
    # every command fails the same way: one line `error: ...`, exit 1 (2 for usage); see cli_errors.py
    cls=FunnelGroup,
    help="Sales-funnel warehouse: generate demo exports, load CRM and marketing exports, build the marts.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
# Progress bars and spinners draw here: stderr, a terminal only, nothing with --quiet.
progress = progress_console()

FORMATS = ("salesforce", "hubspot", "generic", "marketing")
DBT_TARGETS = ("duckdb", "spark", "spark_thrift")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"funnel {version('funnel-warehouse')}")
        raise typer.Exit()


@app.callback()
def main_options(
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or spinners (results still print).")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="On an error, print the traceback before the one-line message.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Sales-funnel warehouse: generate demo exports, load CRM and marketing exports, build the marts."""
    global progress
    progress = progress_console(quiet)
    set_debug(debug)


def _fail(message: str) -> None:
    # printed by the command group (cli_errors.py) like every other error; raised, not printed here,
    # so that `--debug` shows where it came from (and the exception being handled, if any)
    raise FunnelError(message)


def _landing_folder(value: Path | None) -> Path | None:
    """A landing folder that is not there fails before anything is opened or locked."""
    folder = value if value is not None else Settings.from_env().landing_dir
    if not folder.is_dir():
        hint = "" if value is not None else " (FUNNEL_LANDING_DIR), or `funnel generate` a demo first"
        raise FunnelError(
            f"landing folder {folder} does not exist: give the folder of your export files{hint}"
        )
    return value


def _positive(value: float) -> float:
    if value <= 0:
        raise typer.BadParameter(f"{value:g} is not a revenue target; give an amount above 0, e.g. 500000")
    return value


def _dbt_target(value: str | None) -> str | None:
    if value is not None and value not in DBT_TARGETS:
        raise typer.BadParameter(f"{value!r} is not a dbt target; choose from {', '.join(DBT_TARGETS)}")
    return value


def _checked_settings() -> Settings:
    """Settings for a command that hashes personal data: refused, in one line, unless the salt is
    a secret of at least 16 characters, or unset in the demo (FUNNEL_DEMO=1, as `make run` sets),
    which hashes with the public development salt and says so (orchestration/pii_salt.py)."""
    settings = Settings.from_env()
    problem = settings.pii_salt_refusal()
    if problem:
        _fail(problem)
    if settings.pii_salt_is_default:
        console.print(
            "[yellow]warning:[/] the demo (FUNNEL_DEMO=1) hashes emails, phones and names with the "
            "public development salt; set FUNNEL_PII_SALT for real data."
        )
    return settings


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the exports and truth.json to.")] = Path(
        "exports/demo"
    ),
    leads: Annotated[int, typer.Option(min=10, help="Number of persons (leads) to simulate.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives byte-identical files.")] = 42,
    # The demo is one company as a user has it: its CRM and its marketing exports. `all` renders
    # the same company as every CRM format (the tests compare them); figures then count it thrice.
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="salesforce, hubspot, generic, marketing or all (comma-separated); marketing is always added.",
        ),
    ] = "salesforce",
    messy: Annotated[
        bool, typer.Option(help="Add realistic dirt (duplicates, bad dates, BOM, ...).")
    ] = False,
    as_of: Annotated[str, typer.Option(help="Export date, YYYY-MM-DD.")] = "2025-06-30",
) -> None:
    """Simulate one B2B company and write its CRM and marketing exports plus the ground truth."""
    from simulator import generate as run_generate
    from simulator.api import CHUNK_PERSONS

    wanted = FORMATS if format == "all" else tuple(f.strip() for f in format.split(","))
    unknown = sorted(set(wanted) - set(FORMATS))
    if unknown:
        _fail(f"unknown format(s) {unknown}; choose from {', '.join(FORMATS)} or all")
    # Marketing exports come beside every CRM's: a company has both.
    wanted = tuple(dict.fromkeys((*wanted, "marketing")))
    # the generator's steps: company, one per chunk of persons (every format's files), messy, truth
    steps = 2 + -(-leads // CHUNK_PERSONS) + (1 if messy else 0)
    with step_progress(progress, "generating") as bar:
        task = bar.add_task("", total=steps)

        started = [0]

        def on_step(step: str) -> None:
            # a step is reported when it starts: the steps before it are done
            bar.update(task, completed=started[0], description=step)
            started[0] += 1

        summary = run_generate(
            out_dir=out,
            leads=leads,
            seed=seed,
            formats=wanted,
            messy=messy,
            as_of=date.fromisoformat(as_of),
            on_step=on_step,
        )
    console.print(f"wrote exports for {leads:,} leads to {out} in {summary.seconds:.1f}s")


@app.command()
def load(
    landing_dir: Annotated[
        Path,
        typer.Argument(
            help="Folder of export files (searched recursively; .zip and .gz exports are read too).",
            callback=_landing_folder,
        ),
    ],
    mapping: Annotated[
        list[Path] | None,
        typer.Option("--mapping", help="Mapping file(s) for CRMs without a built-in format."),
    ] = None,
) -> None:
    """Load every export file in a folder into the warehouse's raw tables, with a ledger."""
    from orchestration.loader import SpecError
    from orchestration.pipeline import load_exports
    from orchestration.warehouse.lock import WarehouseBusy

    try:
        report = load_exports(Settings.from_env(), landing_dir, mapping or [], progress)
    except (SpecError, WarehouseBusy) as exc:  # a bad mapping file, or another writer: nothing loaded
        _fail(str(exc))
    _print_load_report(report)
    if report.failed:
        raise typer.Exit(code=1)


@app.command()
def build(
    target: Annotated[
        str | None,
        typer.Option(help="dbt target: duckdb (default), spark or spark_thrift.", callback=_dbt_target),
    ] = None,
    select: Annotated[
        str | None,
        typer.Option(
            help="dbt node selection, e.g. staging (data tests run when every model they read is selected)."
        ),
    ] = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="Rebuild the incremental models from all raw rows (after a change of seeds or of model code).",
        ),
    ] = False,
) -> None:
    """Build and test every dbt model (seeds, staging, intermediate, marts); incremental models
    take only what was loaded since the last build unless --full-refresh."""
    from orchestration.pipeline import build_models
    from orchestration.warehouse import DbtError
    from orchestration.warehouse.lock import WarehouseBusy

    with step_progress(progress, "dbt build") as bar:
        task = bar.add_task("", total=None)

        def on_progress(done: int, total: int, node: str) -> None:
            bar.update(
                task,
                completed=done,
                total=total or None,
                description=node.split(".")[2] if node.count(".") >= 2 else node,
            )

        def on_message(level: str, text: str) -> None:
            bar.console.print(f"[{'red' if level == 'error' else 'yellow'}]{level}[/]: {text}")

        try:
            build_models(
                _checked_settings(),
                target=target,
                select=select,
                full_refresh=full_refresh,
                # without a bar, dbt prints its own log as usual (CI, pipes, --quiet)
                on_progress=on_progress if not bar.disable else None,
                on_message=on_message,
            )
        except (DbtError, WarehouseBusy) as exc:
            bar.stop()
            _fail(str(exc))


@app.command()
def run(
    landing_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Folder of export files; default FUNNEL_LANDING_DIR or exports/demo.",
            callback=_landing_folder,
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Also print Dagster's event log and dbt's lines as the run goes."
        ),
    ] = False,
) -> None:
    """The whole pipeline, as the Dagster `refresh` job: load, build and test, publish, report.
    Prints one line per step (its figure and time), then where to look; the event log goes to
    the run history and to DAGSTER_HOME/logs/<run id>.log. Waits for another writer of the
    warehouse (FUNNEL_LOCK_TIMEOUT_SECONDS); SIGTERM or Ctrl-C cancel the run cleanly."""
    import time

    from orchestration.pipeline import failed_steps, run_refresh
    from orchestration.run_account import RunAccount
    from orchestration.run_log import run_log_path
    from orchestration.warehouse.lock import WarehouseBusy

    settings = _checked_settings()
    started = time.monotonic()
    landing = _shown(landing_dir if landing_dir is not None else settings.landing_dir)
    console.print(f"refreshing {_shown(settings.warehouse)} from {landing}", highlight=False, soft_wrap=True)
    try:
        with progress.status("refreshing") as status:
            # Bound to the terminal now: during a quiet run sys.stderr is the run log.
            out = Console(file=sys.stderr, soft_wrap=True, highlight=False)
            account = RunAccount(
                Path(settings.dbt_env()["DBT_TARGET_PATH"]),
                on_line=lambda line: out.print(escape(line.text())),
                on_start=lambda label: status.update(f"{label} ..."),
                on_note=lambda note: out.print(f"  [yellow]{escape(note)}[/]"),
            )
            result = run_refresh(
                settings, landing_dir, stop_on_signals=True, verbose=verbose, account=account
            )
    except WarehouseBusy as exc:
        _fail(str(exc))
    log_file = _shown(run_log_path(settings.dagster_home, result.run_id))
    if not result.success:
        console.print("[bold red]refresh failed[/]; the published warehouse was left as it was.")
        for line in failed_steps(result):
            console.print(f"- {escape(line)}", soft_wrap=True)
        console.print(f"run log: {log_file}", soft_wrap=True, highlight=False)
        raise typer.Exit(code=1)
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    console.print(f"[green]done[/] in {f'{minutes}m ' if minutes else ''}{seconds}s. Where to look:")
    where = [
        ("report", settings.report_file, "open in a browser; works offline"),
        ("published copy", settings.published, "read-only DuckDB for BI tools"),
        ("checks", settings.data_docs / "results.html", "each expectation's result; opens offline"),
        ("UI", "funnel ui", "or make ui: run history, lineage, schedule and sensor"),
        ("run log", log_file, "Dagster's events and dbt's lines; --verbose prints them"),
    ]
    for name, place, what in where:
        if name == "checks" and not Path(place).exists():
            continue  # the checks did not build them (Great Expectations not run)
        console.print(
            f"  {name:<15} {_shown(place)}  ({what})", soft_wrap=True, highlight=False, markup=False
        )


def _shown(path: Path | str) -> str:
    """A path relative to the current folder when it is below it: shorter, and copyable."""
    if isinstance(path, str):
        return path
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(help="HTML file to write; default FUNNEL_REPORT.")] = None,
) -> None:
    """Write the funnel report: one self-contained HTML file that opens offline."""
    from orchestration.report import build_report

    settings = Settings.from_env()
    require_warehouse(settings.warehouse)
    with progress.status("writing the report"):
        path = build_report(settings.warehouse, out or settings.report_file)
    console.print(f"report written to {path}")


@app.command()
def check() -> None:
    """Run the Great Expectations suites on the warehouse (read-only), print each expectation's result,
    write the results page (opens offline) and Data Docs."""
    from orchestration.quality import run_quality
    from orchestration.quality.account import account

    settings = Settings.from_env()
    require_warehouse(settings.warehouse)
    report = run_quality(settings)
    typer.echo("\n".join(account(report)))
    if not report.passed:
        raise typer.Exit(code=1)


@app.command()
def plan(
    target_revenue: Annotated[
        float, typer.Argument(help="Revenue target for next quarter, reporting currency.", callback=_positive)
    ],
    source_system: Annotated[str | None, typer.Option(help="Only this source system.")] = None,
) -> None:
    """How many won deals, deals at each stage and leads next quarter's revenue target needs (reverse
    funnel), from the rates the last build measured: read-only, no dbt, about a second."""
    from orchestration.planning import plan_target

    Console().print(_plan_table(plan_target(Settings.from_env(), target_revenue, source_system)))


def _plan_table(answer) -> Table:  # noqa: ANN001 - planning.Plan, imported lazily
    """One column per source system, one row per figure: reads top to bottom like the funnel."""
    sources = answer.sources
    table = Table(
        Column("", overflow="fold"),
        *[Column(s.source_system, justify="right") for s in sources],
        title=f"Plan for {answer.target_revenue:,.0f} in the quarter from {answer.next_quarter_start}",
        caption=f"rates measured {answer.window_start} to {answer.as_of_date}; deals and leads rounded up",
    )

    def whole(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f}"

    table.add_row("Average won deal size", *[whole(s.average_deal_size) for s in sources])
    table.add_row("Won deals needed", *[whole(s.won_deals_needed) for s in sources])
    # the union of the stages measured, in funnel order; a source that lacks a stage shows "-"
    order: dict[str, None] = {}
    for source in sources:
        order.update(dict.fromkeys(stage.stage for stage in source.stages))
    for name in order:
        needed = [{st.stage: st.deals_needed for st in s.stages}.get(name) for s in sources]
        table.add_row(f"Deals that must reach {name.replace('_', ' ')}", *[whole(n) for n in needed])
    table.add_row(
        "Deals per lead", *["-" if s.deals_per_lead is None else f"{s.deals_per_lead:.3f}" for s in sources]
    )
    table.add_row("Leads needed", *[whole(s.leads_needed) for s in sources])
    return table


@app.command()
def ledger(
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 50,
    csv: Annotated[Path | None, typer.Option(help="Write every ledger row to this CSV file instead.")] = None,
) -> None:
    """Show the newest ledger rows: per file and run, rows read, loaded and quarantined."""
    from orchestration.pipeline import export_csv, read_ledger

    settings = Settings.from_env()
    if csv is not None:
        rows = export_csv(settings, "select * from loader.ledger order by started_at, source_file", csv)
        console.print(f"wrote {rows:,} ledger rows to {csv}")
        return
    rows = read_ledger(settings, limit)
    table = Table("run", "file", "status", "read", "loaded", "quarantined", "message")
    for row in rows:
        table.add_row(*[str(v) if v is not None else "" for v in row])
    Console().print(table)


@app.command()
def quarantine(
    csv: Annotated[Path, typer.Argument(help="CSV file to write the quarantined rows to.")],
) -> None:
    """Export the quarantined rows (file, line, reason, original record) to a CSV file for review."""
    from orchestration.pipeline import export_csv

    query = (
        "select run_id, source_file, line_number, target_table, reason, record "
        "from loader.quarantine order by source_file, row_number"
    )
    rows = export_csv(Settings.from_env(), query, csv)
    console.print(f"wrote {rows:,} quarantined rows to {csv}")


@app.command()
def publish() -> None:
    """Publish the built warehouse (after `funnel build`) to the read-only copy BI tools open, as the
    pipeline's publish step does: the marts and the load ledger, swapped in atomically."""
    from orchestration.pipeline import publish_copy

    settings = Settings.from_env()
    with progress.status("publishing"):
        counts = publish_copy(settings)
    console.print(
        f"published {len(counts)} tables ({sum(counts.values()):,} rows) to {settings.published}",
        soft_wrap=True,
    )


@app.command()
def docs(
    port: Annotated[int, typer.Option(help="Port to serve the docs on (127.0.0.1 only).")] = 8080,
    serve: Annotated[
        bool, typer.Option(help="Serve the site after generating it; --no-serve only generates it.")
    ] = True,
) -> None:
    """Generate dbt's documentation site (models, columns, tests, lineage, the warehouse's catalog)
    and serve it on http://127.0.0.1:PORT until Ctrl-C."""
    from orchestration.warehouse.docs import DOCS_HOST, generate_docs, serve_docs

    settings = Settings.from_env()
    with progress.status("dbt docs generate"):
        folder = generate_docs(settings)
    console.print(f"docs written to {folder} (static_index.html opens without a server)", soft_wrap=True)
    if serve:
        console.print(f"serving the docs on http://{DOCS_HOST}:{port} (Ctrl-C stops)")
        serve_docs(settings, port)


def _print_load_report(report) -> None:  # noqa: ANN001 - LoadReport, imported lazily
    # Folded, not cut: archive members share a long prefix (salesforce/WE_00D..._1.ZIP!/Lead.csv).
    file_column = Column("file", overflow="fold")
    table = Table(file_column, "status", "read", "loaded", "quarantined", title=f"load run {report.run_id}")
    for result in report.files:
        table.add_row(
            result.source_file,
            result.status,
            f"{result.rows_read:,}",
            f"{result.rows_loaded:,}",
            f"{result.rows_quarantined:,}",
        )
    console.print(table)
    # refused counts as failed (exit 1); not_settled is deferred to the next load (exit 0).
    colours = {"failed": "red", "refused": "red", "unrecognised": "red", "not_settled": "yellow"}
    colours["skipped"] = "yellow"  # not a failure, but the user should see why a file or sheet was not read
    for result in report.files:
        if result.message and result.status in colours:
            console.print(f"[{colours[result.status]}]{result.status}[/]: {result.message}")
        elif result.message and result.message.startswith("warning:"):
            # a loaded file whose mapping names columns it lacks: loaded, but a field stays null
            console.print(f"[yellow]{result.source_file}[/]: {escape(result.message)}", soft_wrap=True)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port for the Dagster UI.")] = 3000,
) -> None:
    """Start the Dagster UI (webserver and daemon) on 127.0.0.1: schedules, sensors, run history.
    Ctrl-C or SIGTERM stops both (exit code 0)."""
    from orchestration import serve

    settings = Settings.from_env()
    serve.prepare(settings)  # instance storage and dbt manifest, before either process starts
    console.print(
        f"Dagster UI on http://{serve.HOST}:{port} (webserver and daemon; the schedule and the sensor "
        "start stopped: turn them on in the UI). Ctrl-C stops it."
    )
    code = serve.serve(serve.commands(port), say=lambda line: console.print(f"[yellow]warning:[/] {line}"))
    raise typer.Exit(code=code)


def main() -> None:  # pragma: no cover - console entry point alias
    app(prog_name="funnel")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
