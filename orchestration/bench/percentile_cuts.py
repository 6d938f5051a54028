"""Exact percentiles of many groups and of few: DuckDB's aggregate, window ranks, a sorted list.

On synthetic cut rows: `python -m orchestration.bench.percentile_cuts [--rows 40000000]` (or `make
bench-extras`, 4 rows per lead).

The cohort stage counts (int_funnel_cohort_stage_counts) take a median and a p90 per group of one
grain and cut. For the owner and manager cuts a group is a rep, day and stage: tens of millions of
groups at 10M leads, where quantile_cont's per-group state filled the disk with spill. Those cuts
ranked their values in a window and interpolated (the `ranked` method here) until this bench showed
a sorted list per group (`sorted_list`, macro marts_percentile_of_sorted) to be 25-35% faster with
the same bits; the other cuts keep the aggregate.

The third method, sorted_list, what the owner and manager cuts use: per group one
`list(value order by value)` of the non-null values, each percentile read from it at the two
positions around (n - 1) * p with the ranked way's arithmetic (below + frac * (above - below)), so
its values are the ranked way's to the bit. quantile_cont interpolates as lo * (1 - d) + hi * d, d
from a double (n - 1) * p, which this DuckDB build fuses into one multiply-add: it differs from both
in the last few bits of some values (measured: at most 1.1e-15 relative, 3.4e-13 days), which the
12-digit checksum does not see. checksum_exact, a hash of the unrounded rows, says which methods
agree to the bit.

The rows are shaped like the model's: its eight group keys, the lost and open flags, a days value
(null one time in twenty). Each (shape, method) runs in its own process, into its own result file,
whose spill folder is measured; the methods must give the same rows (the checksum rounds floats
to 12 significant digits, as the warehouse's checksums do).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console

from orchestration.bench import experiment
from orchestration.settings import Settings
from orchestration.warehouse.checksum import table_checksum

NAME = "percentile_cuts"
# What the variants' child processes import: not __name__, which is __main__ when run as a command.
MODULE = f"orchestration.bench.{NAME}"
METHODS = ("aggregate", "ranked", "sorted_list")
# DuckDB's max_temp_directory_size for every variant: the aggregate's spill filled the disk at 10M
# leads (40 GB in a minute), and a measurement must not do that to a shared machine.
DEFAULT_MAX_SPILL = "20GB"
STAGES = 8
DAYS = 1_000
GROUP_KEYS = (
    "source_system, entity_type, pipeline, period_grain, period_start, segment_type, segment_value, stage"
)
COUNTS = (
    "count(*) as entities_reached, "
    "sum(case when is_lost_at_stage then 1 else 0 end) as entities_lost_at_stage, "
    "sum(case when is_open_at_stage then 1 else 0 end) as entities_open_at_stage"
)


def rows_sql(rows: int, groups: int) -> str:
    """`rows` cut rows in exactly min(rows, groups) groups (row i in group i mod groups): a rep per
    DAYS × STAGES groups, a day, a stage; pseudo-random flags and days from entry."""
    return f"""
        select
            'salesforce' as source_system, 'lead' as entity_type, 'default' as pipeline,
            'day' as period_grain,
            date '2020-01-01' + cast((g // {STAGES}) % {DAYS} as integer) as period_start,
            'owner' as segment_type,
            'rep_' || (g // ({STAGES} * {DAYS})) as segment_value,
            'stage_' || (g % {STAGES}) as stage,
            hash(i, 1) % 10 = 0 as is_lost_at_stage,
            hash(i, 2) % 10 = 1 as is_open_at_stage,
            case when hash(i, 3) % 20 = 0 then null else (hash(i, 4) % 36500) / 100.0 end as days_from_entry
        from (select range as i, range % {groups} as g from range({rows}))
    """


def aggregate_sql(source: str) -> str:
    """The other cuts' way (macro duckdb__marts_percentile)."""
    return f"""
        select {GROUP_KEYS}, {COUNTS},
            quantile_cont(cast(days_from_entry as double), 0.5) as median_days_from_entry,
            quantile_cont(cast(days_from_entry as double), 0.9) as p90_days_from_entry
        from {source} group by {GROUP_KEYS}
    """


def _of_ranked(p: float) -> str:
    """Macro marts_percentile_of_ranked: the two ranks around (n - 1) * p, interpolated."""
    position = f"(values_ranked - 1) * {p}"
    below = f"max(case when value_rank = floor({position}) then cast(days_from_entry as double) end)"
    above = f"max(case when value_rank = ceil({position}) then cast(days_from_entry as double) end)"
    return f"({below} + (max({position}) - floor(max({position}))) * ({above} - {below}))"


def ranked_sql(source: str) -> str:
    """The owner and manager cuts' way (int_funnel_cohort_stage_counts: ranked_rows, ranked_cuts)."""
    return f"""
        select {GROUP_KEYS}, {COUNTS},
            {_of_ranked(0.5)} as median_days_from_entry,
            {_of_ranked(0.9)} as p90_days_from_entry
        from (
            select {GROUP_KEYS}, is_lost_at_stage, is_open_at_stage, days_from_entry,
                row_number() over (partition by {GROUP_KEYS} order by days_from_entry asc nulls last) - 1
                    as value_rank,
                count(days_from_entry) over (partition by {GROUP_KEYS}) as values_ranked
            from {source}
        ) group by {GROUP_KEYS}
    """


def _of_sorted(p: float, values: str = "days_sorted") -> str:
    """The percentile read from a group's sorted non-null values (1-based list), with
    _of_ranked's arithmetic and types, so the two give the same double: position (n - 1) * p a
    decimal, the values at its floor and ceiling. Null when the group has no value (the list
    aggregate of no rows is null)."""
    position = f"(len({values}) - 1) * {p}"
    below = f"{values}[cast(floor({position}) as bigint) + 1]"
    above = f"{values}[cast(ceil({position}) as bigint) + 1]"
    return f"({below} + ({position} - floor({position})) * ({above} - {below}))"


def sorted_list_sql(source: str) -> str:
    """One sorted list of the group's non-null values, both percentiles read from it."""
    return f"""
        select {GROUP_KEYS}, entities_reached, entities_lost_at_stage, entities_open_at_stage,
            {_of_sorted(0.5)} as median_days_from_entry,
            {_of_sorted(0.9)} as p90_days_from_entry
        from (
            select {GROUP_KEYS}, {COUNTS},
                list(cast(days_from_entry as double) order by days_from_entry)
                    filter (where days_from_entry is not null) as days_sorted
            from {source} group by {GROUP_KEYS}
        )
    """


SQL = {"aggregate": aggregate_sql, "ranked": ranked_sql, "sorted_list": sorted_list_sql}


def _config(params: dict[str, Any]) -> dict[str, str]:
    config = Settings.from_env().duckdb_config()
    if params.get("max_spill"):
        config["max_temp_directory_size"] = params["max_spill"]
    return config


def make_rows(params: dict[str, Any]) -> dict[str, Any]:
    """Child: the synthetic cut rows, in their own file."""
    with duckdb.connect(str(params["target"]), config=_config(params)) as con:
        con.execute(f"create table cut_rows as {rows_sql(int(params['rows']), int(params['groups']))}")
        groups = con.execute(f"select count(*) from (select distinct {GROUP_KEYS} from cut_rows)").fetchone()[
            0
        ]
    return {"groups": groups}


def cut(params: dict[str, Any]) -> dict[str, Any]:
    """Child: one method's percentiles of the cut rows, written to a table as the model's are."""
    sql = SQL[params["method"]]("source.cut_rows")
    with duckdb.connect(str(params["target"]), config=_config(params)) as con:
        con.execute(f"attach '{params['source']}' as source (read_only)")
        started = time.perf_counter()
        con.execute(f"create table cuts as {sql}")
        seconds = time.perf_counter() - started
        count, content = table_checksum(con, "main.cuts")
        # The unrounded rows' hash: whether two methods agree to the bit, not only to 12 digits.
        exact = con.execute("select coalesce(sum(hash(cuts)), 0) from main.cuts").fetchone()[0]
    return {
        "work_seconds": round(seconds, 3),
        "result_rows": count,
        "checksum": str(content),
        "checksum_exact": str(exact),
    }


def measure(
    work: Path,
    env: dict[str, str],
    rows: int,
    shapes: dict[str, int],
    methods: Sequence[str] = METHODS,
    max_spill: str | None = DEFAULT_MAX_SPILL,
) -> dict[str, Any]:
    """Each method on each shape (name → groups) of `rows` synthetic rows, one child process each."""
    variants: dict[str, dict[str, Any]] = {}
    made: dict[str, dict[str, Any]] = {}
    agree: dict[str, bool | None] = {}
    exactly: dict[str, dict[str, bool]] = {}
    for shape, groups in shapes.items():
        source = work / f"{shape}_rows.duckdb"
        params = {"target": source, "rows": rows, "groups": groups, "max_spill": max_spill}
        made[shape] = experiment.measure_variant(f"{shape}_rows", f"{MODULE}:make_rows", params, work, env)
        if not made[shape]["failed"]:
            found = {
                f"{shape}_{method}": _measure_cut(source, method, work, env, max_spill) for method in methods
            }
            variants.update(found)
            agree[shape] = _same_rows([v["details"] for v in found.values() if not v["failed"]])
            exactly[shape] = _same_bits({m: found[f"{shape}_{m}"] for m in methods})
        _remove(source)
    return experiment.document(
        NAME,
        env,
        variants,
        rows=rows,
        max_spill=max_spill,
        shapes={s: {"groups_asked": shapes[s], "groups": made[s]["details"].get("groups")} for s in shapes},
        make_rows=made,
        methods_agree=agree,
        methods_agree_exactly=exactly,
    )


def _measure_cut(
    source: Path, method: str, work: Path, env: dict[str, str], max_spill: str | None
) -> dict[str, Any]:
    target = work / f"{source.stem.removesuffix('_rows')}_{method}.duckdb"
    params = {"source": source, "target": target, "method": method, "max_spill": max_spill}
    figures = experiment.measure_variant(
        target.stem, f"{MODULE}:cut", params, work, env, spill_dir=Path(f"{target}.tmp")
    )
    _remove(target)
    return figures


def _same_rows(finished: list[dict[str, Any]]) -> bool | None:
    """Whether every finished method gave the same rows (count and checksum); None below two."""
    if len(finished) < 2:
        return None
    return all(
        (d["result_rows"], d["checksum"]) == (finished[0]["result_rows"], finished[0]["checksum"])
        for d in finished
    )


def _same_bits(found: dict[str, dict[str, Any]]) -> dict[str, bool]:
    """For each pair of finished methods ("ranked=sorted_list"), whether their unrounded rows are
    the same."""
    done = [(m, v["details"]) for m, v in found.items() if not v["failed"]]
    return {
        f"{a}={b}": (da["result_rows"], da["checksum_exact"]) == (db["result_rows"], db["checksum_exact"])
        for i, (a, da) in enumerate(done)
        for b, db in done[i + 1 :]
    }


def _remove(database: Path) -> None:
    for path in (database, database.with_name(database.name + ".wal")):
        path.unlink(missing_ok=True)


def print_figures(figures: dict[str, Any], console: Console) -> None:
    shapes = ", ".join(
        f"{name} in {shape['groups'] or 0:,} groups" for name, shape in figures["shapes"].items()
    )
    title = f"percentiles of {figures['rows']:,} rows: {shapes}"
    experiment.print_variants(
        console, title, figures["variants"], {"work_seconds": "work s", "result_rows": "groups"}
    )
    for shape, made in figures["make_rows"].items():
        if made["failed"]:
            console.print(f"  making the {shape} rows failed: {made['failed']}")
    console.print(f"  the methods give the same rows (12 digits): {figures['methods_agree']}")
    console.print(f"  the same to the bit, by pair: {figures.get('methods_agree_exactly')}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=40_000_000, help="cut rows (default %(default)s)")
    parser.add_argument("--many-groups", type=int, default=19_000_000, help="groups of the owner-like shape")
    parser.add_argument("--few-groups", type=int, default=14_000, help="groups of the few-valued shape")
    parser.add_argument("--shapes", nargs="+", choices=("many", "few"), default=["many", "few"])
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument(
        "--max-spill",
        default=DEFAULT_MAX_SPILL,
        help="DuckDB max_temp_directory_size, so a method cannot fill the disk (default %(default)s)",
    )
    experiment.add_common_arguments(parser, NAME)
    args = parser.parse_args(argv)
    env = experiment.environment(args.memory_limit, args.threads)
    groups = {"many": args.many_groups, "few": args.few_groups}
    with experiment.work_folder(args.work, args.keep) as work:
        figures = measure(
            work, env, args.rows, {s: groups[s] for s in args.shapes}, args.methods, args.max_spill
        )
    experiment.publish_figures(args.json, figures, print_figures)


if __name__ == "__main__":
    main()
