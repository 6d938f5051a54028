{#- One row per day: the time spine MetricFlow joins to for metric_time (cumulative metrics, offsets,
    gaps filled by day). Same range as the pipeline spines, from the same vars. -#}
{{ config(materialized='table', schema='semantic') }}

with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('pipeline_spine_start', '2015-01-01') ~ "' as date)",
        "cast('" ~ var('pipeline_spine_end', '2035-12-31') ~ "' as date)"
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select date_day
from final
