{#- The daily snapshot's last day equals the open deals of int_deals per source system, pipeline and
    stage (the spells and the current state tell the same story at the as-of date). Only when the
    as-of is at or after the last deal event: the current state is the CRM's at its export, so an
    as-of pinned before the export's last day (FUNNEL_AS_OF) has seen fewer moves than it. -#}
with

as_of as (

    select as_of_date, latest_deal_event_date
    from {{ ref('int_as_of') }}

),

daily as (

    select source_system, pipeline, stage, open_deals
    from {{ ref('fct_pipeline_daily') }}
    where day = (select max(as_of.as_of_date) from as_of)
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

select compared.*
from compared
cross join as_of
where coalesce(compared.daily_open_deals, 0) <> coalesce(compared.current_open_deals, 0)
    and (as_of.latest_deal_event_date is null or as_of.as_of_date >= as_of.latest_deal_event_date)
