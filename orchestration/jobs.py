"""The refresh job: everything from landed files to the report. The schedule, the sensor and
`funnel run` all run this same job.

Every asset and every asset check: AssetSelection.all() alone leaves out checks on assets the job
does not materialize, such as the export-freshness check on landed_exports."""

from dagster import AssetSelection, define_asset_job, in_process_executor

refresh_job = define_asset_job(
    "refresh",
    selection=AssetSelection.all() | AssetSelection.all_asset_checks(),
    description="Load landed exports, build and test every dbt model, publish the BI copy, write the report.",
    # Every step writes the one DuckDB file, so they run one after another anyway; in one process
    # the run worker's pid (which Dagster records) is the process doing the work, which is what
    # tells a later sweep that a run died (orchestration/dead_runs.py), and dbt dies with it.
    executor_def=in_process_executor,
)
