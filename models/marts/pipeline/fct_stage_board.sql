{#- The stage board (docs/metrics.md): the kanban view of open deals, for the whole source
    and per owner, manager and team (a board per rep and per manager). -#}
{%- set board_segments = pipeline_segments() | selectattr('type', 'in', ['owner', 'manager', 'team']) | list %}
with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

open_deals as (

    select
        source_system,
        pipeline,
        current_stage,
        current_stage_order,
        amount_reporting,
        days_in_current_stage,
        owner_key,
        manager_key,
        team
    from deals
    where is_open

),

segmented as (

    {{ segment_rows('open_deals', [
        'source_system', 'pipeline', 'current_stage', 'current_stage_order', 'amount_reporting',
        'days_in_current_stage'], board_segments) }}

),

board as (

    select
        source_system,
        segment_type,
        segment_value,
        pipeline,
        current_stage as stage,
        min(current_stage_order) as stage_order,
        count(*) as open_deals,
        coalesce(sum(amount_reporting), 0) as total_amount,
        avg(amount_reporting) as average_amount,
        {{ marts_percentile('days_in_current_stage', 0.5) }} as median_days_in_stage
    from segmented
    group by source_system, segment_type, segment_value, pipeline, current_stage

)

select
    board.source_system,
    board.segment_type,
    board.segment_value,
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
