"""The refresh job: everything from landed files to the report. The schedule, the sensor and
`funnel run` all run this same job."""

from dagster import AssetSelection, define_asset_job

refresh_job = define_asset_job(
    "refresh",
    selection=AssetSelection.all(),
    description="Load landed exports, build and test every dbt model, publish the BI copy, write the report.",
)
