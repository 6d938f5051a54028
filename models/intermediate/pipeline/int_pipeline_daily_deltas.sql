with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

spells as (

    select * from {{ ref('int_deal_spells') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

-- open stays only; the amount is the deal's current one (history has no amount); the weight is
-- the deal's CRM probability for its current stay and the stage's seeded default probability for
-- past stays (the CRM's probability at the time is not in the stage history)
open_spells as (

    select
        spells.source_system,
        spells.pipeline,
        spells.stage,
        {{ pipeline_business_date('spells.entered_at') }} as entered_date,
        {{ pipeline_business_date('spells.exited_at') }} as exited_date,
        deals.amount_reporting,
        -- exact decimal (cents x probability to 8 places): a running sum of doubles depends on the
        -- engine's summation order and flips cent rounding at half-cent boundaries (Spark vs DuckDB)
        cast(deals.amount_reporting * case
            when spells.is_current then coalesce(deals.probability, definitions.default_probability)
            else definitions.default_probability
        end as decimal(28, 8)) as weighted_amount
    from spells
    inner join deals
        on spells.deal_key = deals.deal_key
    left join stage_definitions as definitions
        on definitions.entity_type = 'deal'
        and spells.stage = definitions.stage
    where not coalesce(definitions.is_closed, false)

),

-- a stay counts at the end of each day from its entry day to the day before its exit day:
-- +1 on the entry day, -1 on the exit day (the running sum is int_pipeline_daily_open_stages)
deltas as (

    select
        source_system,
        pipeline,
        stage,
        entered_date as day,
        count(*) as deal_delta,
        sum(amount_reporting) as amount_delta,
        sum(weighted_amount) as weighted_delta
    from open_spells
    group by source_system, pipeline, stage, entered_date

    union all

    select
        source_system,
        pipeline,
        stage,
        exited_date as day,
        -1 * count(*) as deal_delta,
        -1 * sum(amount_reporting) as amount_delta,
        -1 * sum(weighted_amount) as weighted_delta
    from open_spells
    where exited_date is not null
    group by source_system, pipeline, stage, exited_date

),

daily_deltas as (

    select
        source_system,
        pipeline,
        stage,
        day,
        sum(deal_delta) as deal_delta,
        sum(amount_delta) as amount_delta,
        sum(weighted_delta) as weighted_delta
    from deltas
    group by source_system, pipeline, stage, day

)

select
    source_system,
    pipeline,
    stage,
    day,
    deal_delta,
    amount_delta,
    weighted_delta
from daily_deltas
