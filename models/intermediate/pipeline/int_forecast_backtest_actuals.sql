with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

complete_points as (

    select * from {{ ref('int_forecast_backtest_points') }}

),

-- every deal won in the period, open at the forecast date or created after it
won_in_period as (

    select
        complete_points.forecast_date,
        complete_points.period_end,
        deals.source_system,
        deals.amount_reporting,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.pipeline,
        deals.deal_type
    from deals
    inner join complete_points
        on deals.closed_date > complete_points.forecast_date
        and deals.closed_date <= complete_points.period_end
    where deals.is_won

),

segmented_won as (

    {{ pipeline_segment_rows('won_in_period', [
        'forecast_date', 'period_end', 'source_system', 'amount_reporting']) }}

),

actuals as (

    select
        forecast_date,
        period_end,
        source_system,
        segment_type,
        segment_value,
        count(*) as actual_wins,
        coalesce(sum(amount_reporting), 0) as actual_revenue
    from segmented_won
    group by forecast_date, period_end, source_system, segment_type, segment_value

)

select
    forecast_date,
    period_end,
    source_system,
    segment_type,
    segment_value,
    actual_wins,
    actual_revenue
from actuals
