{#- The daily snapshot's last day equals the open deals of int_deals per source system, pipeline and
    stage (the spells and the current state tell the same story at the as-of date). -#}
with

daily as (

    select source_system, pipeline, stage, open_deals
    from {{ ref('fct_pipeline_daily') }}
    where day = (select max(as_of_date) from {{ ref('int_as_of') }})
        and open_deals <> 0

),

current_open as (

    select source_system, pipeline, current_stage as stage, count(*) as open_deals
    from {{ ref('int_deals_enriched') }}
    where is_open
    group by source_system, pipeline, current_stage

),

compared as (

    select
        coalesce(daily.source_system, current_open.source_system) as source_system,
        coalesce(daily.pipeline, current_open.pipeline) as pipeline,
        coalesce(daily.stage, current_open.stage) as stage,
        daily.open_deals as daily_open_deals,
        current_open.open_deals as current_open_deals
    from daily
    full outer join current_open
        on daily.source_system = current_open.source_system
        and daily.pipeline = current_open.pipeline
        and daily.stage = current_open.stage

)

select *
from compared
where coalesce(daily_open_deals, 0) <> coalesce(current_open_deals, 0)
