with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

spells as (

    select * from {{ ref('int_deal_spells') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

-- historical time in stage: finished stays (exited by the as-of instant) per pipeline and stage
finished_spells as (

    select
        spells.source_system,
        spells.pipeline,
        spells.stage,
        {{ days_between('spells.entered_at', 'spells.exited_at') }} as spell_days
    from spells
    cross join as_of
    where spells.exited_at is not null
        and {{ to_business_time('spells.exited_at') }} < as_of.as_of_at

),

stage_p90 as (

    select
        source_system,
        pipeline,
        stage,
        count(*) as historical_spells,
        {{ marts_percentile('spell_days', 0.9) }} as stage_days_p90
    from finished_spells
    group by source_system, pipeline, stage

),

flagged as (

    select
        deals.deal_key,
        deals.source_system,
        deals.deal_id,
        deals.pipeline,
        deals.current_stage,
        deals.owner_key,
        deals.amount_reporting,
        deals.probability,
        deals.expected_close_date,
        deals.current_stage_entered_at,
        deals.days_in_current_stage,
        stage_p90.stage_days_p90,
        deals.as_of_date,
        -- stale deal (docs/metrics.md), one flag per reason
        coalesce(deals.days_in_current_stage > stage_p90.stage_days_p90, false) as is_over_stage_p90,
        coalesce(deals.expected_close_date < deals.as_of_date, false) as is_past_expected_close,
        coalesce(deals.probability <= {{ var('stale_probability', 0.05) }}, false) as is_low_probability
    from deals
    left join stage_p90
        on deals.source_system = stage_p90.source_system
        and deals.pipeline = stage_p90.pipeline
        and deals.current_stage = stage_p90.stage
    where deals.is_open

)

select
    deal_key,
    source_system,
    deal_id,
    pipeline,
    current_stage,
    owner_key,
    amount_reporting,
    probability,
    expected_close_date,
    current_stage_entered_at,
    days_in_current_stage,
    stage_days_p90,
    is_over_stage_p90,
    is_past_expected_close,
    is_low_probability,
    concat_ws(
        ', ',
        case when is_over_stage_p90 then 'over_stage_p90' end,
        case when is_past_expected_close then 'past_expected_close' end,
        case when is_low_probability then 'low_probability' end
    ) as reasons,
    as_of_date
from flagged
where is_over_stage_p90
    or is_past_expected_close
    or is_low_probability
