with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

open_deals as (

    select *
    from deals
    where is_open

),

-- stage board (semantics, Pipeline numbers): the kanban view of open deals
board as (

    select
        source_system,
        pipeline,
        current_stage as stage,
        min(current_stage_order) as stage_order,
        count(*) as open_deals,
        coalesce(sum(amount_reporting), 0) as total_amount,
        avg(amount_reporting) as average_amount,
        {{ marts_percentile('days_in_current_stage', 0.5) }} as median_days_in_stage
    from open_deals
    group by source_system, pipeline, current_stage

)

select
    board.source_system,
    board.pipeline,
    board.stage,
    board.stage_order,
    board.open_deals,
    board.total_amount,
    board.average_amount,
    board.median_days_in_stage,
    as_of.as_of_date
from board
cross join as_of
