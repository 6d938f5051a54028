with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

states as (

    select * from {{ ref('int_deal_states') }}

),

win_rates as (

    select * from {{ ref('int_stage_open_win_rates') }}

),

open_now as (

    select
        states.point_date as as_of_date,
        states.stage_at as stage,
        deals.deal_key,
        deals.source_system,
        deals.pipeline,
        deals.amount_reporting,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.deal_type
    from states
    inner join deals
        on states.deal_key = deals.deal_key
    where states.is_as_of
        and states.is_open_at

),

segmented as (

    {{ pipeline_segment_rows('open_now', [
        'as_of_date', 'source_system', 'pipeline', 'stage', 'amount_reporting']) }}

),

grouped as (

    select
        as_of_date,
        source_system,
        segment_type,
        segment_value,
        pipeline,
        stage,
        count(*) as open_deals,
        coalesce(sum(amount_reporting), 0) as open_amount
    from segmented
    group by as_of_date, source_system, segment_type, segment_value, pipeline, stage

),

-- P(won | open in stage) of the segment's own deals; when none was open in the stage at a month end of the
-- window, the source's 'all' rate
with_probability as (

    select
        grouped.*,
        coalesce(own.win_probability, overall.win_probability) as win_probability,
        own.win_probability is null and overall.win_probability is not null as is_probability_fallback,
        coalesce(own.open_deal_months, 0) as probability_basis_deal_months
    from grouped
    {{ segment_rate_joins('grouped', 'win_rates', 'own', 'overall', 'as_of_date', 'pipeline', 'stage') }}

)

select
    as_of_date,
    source_system,
    segment_type,
    segment_value,
    pipeline,
    stage,
    open_deals,
    open_amount,
    win_probability,
    is_probability_fallback,
    probability_basis_deal_months,
    -- historical forecast (docs/metrics.md): expected wins = sum of P over open deals, revenue = sum amount x P
    open_deals * win_probability as expected_wins,
    open_amount * win_probability as expected_revenue
from with_probability
