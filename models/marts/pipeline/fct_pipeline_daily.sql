{{
    config(
        materialized='incremental',
        incremental_strategy=refresh_strategy(),
        unique_key=(none if target.type == 'spark' else 'snapshot_month'),
        partition_by=(['snapshot_month'] if target.type == 'spark' else none),
        on_schema_change='fail'
    )
}}

with

-- the recomputed snapshot of every day (open deals, amount and weight per open stage at day end)
computed as (

    select * from {{ ref('int_pipeline_daily_open_stages') }}

),
{% if is_incremental() %}

stored as (

    select
        day,
        source_system,
        pipeline,
        stage,
        stage_order,
        open_deals,
        open_amount,
        weighted_amount
    from {{ this }}

),

-- the days whose row differs from the stored one (added, removed or changed): late history,
-- a deal's new amount or probability, a new as-of date or changed seeds all show up here, so a
-- refresh rewrites exactly from the first changed day's month on (no lookback to guess)
changed_days as (

    select coalesce(computed.day, stored.day) as day
    from computed
    full outer join stored
        on computed.day = stored.day
        and computed.source_system = stored.source_system
        and computed.pipeline = stored.pipeline
        and computed.stage = stored.stage
    where computed.day is null
        or stored.day is null
        or computed.open_deals <> stored.open_deals
        or coalesce(computed.stage_order, -1) <> coalesce(stored.stage_order, -1)
        or abs(computed.open_amount - stored.open_amount) >= 0.005
        or abs(computed.weighted_amount - stored.weighted_amount) >= 0.005

),

reprocess_from as (

    select cast({{ dbt.date_trunc('month', 'min(day)') }} as date) as from_date
    from changed_days

),
{% endif %}

final as (

    select
        computed.day,
        computed.source_system,
        computed.pipeline,
        computed.stage,
        computed.stage_order,
        computed.open_deals,
        computed.open_amount,
        computed.weighted_amount,
        computed.snapshot_month
    from computed
    {% if is_incremental() %}
    cross join reprocess_from
    where computed.day >= reprocess_from.from_date
    {% endif %}

)

select
    day,
    source_system,
    pipeline,
    stage,
    stage_order,
    open_deals,
    open_amount,
    weighted_amount,
    snapshot_month
from final
