{#- The forecast by expected close period and forecast category (the CRM's forecast view): open deals
    by where their expected close date falls relative to the as-of date, beside the deals already won
    this quarter (category closed). Close periods: see the model's YAML. -#}
with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

categories as (

    select * from {{ ref('int_deal_forecast_categories') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

win_rates as (

    select * from {{ ref('int_stage_open_win_rates') }}

),

as_of_periods as (

    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as month_start,
        cast({{ dbt.dateadd('month', 1, dbt.date_trunc('month', 'as_of_date')) }} as date) as next_month_start,
        cast({{ dbt.date_trunc('quarter', 'as_of_date') }} as date) as quarter_start,
        cast({{ dbt.dateadd('month', 3, dbt.date_trunc('quarter', 'as_of_date')) }} as date) as next_quarter_start,
        cast({{ dbt.dateadd('month', 6, dbt.date_trunc('quarter', 'as_of_date')) }} as date) as later_start
    from as_of

),

-- open deals by expected close date; won deals closed in the as-of quarter, up to the as-of date
forecast_deals as (

    select
        as_of_periods.as_of_date,
        deals.source_system,
        deals.pipeline as deal_pipeline,
        deals.current_stage,
        case
            when deals.is_won
                then case when deals.closed_date >= as_of_periods.month_start then 'this_month' else 'this_quarter' end
            when deals.expected_close_date is null then 'no_close_date'
            when deals.expected_close_date < as_of_periods.as_of_date then 'overdue'
            when deals.expected_close_date < as_of_periods.next_month_start then 'this_month'
            when deals.expected_close_date < as_of_periods.next_quarter_start then 'this_quarter'
            when deals.expected_close_date < as_of_periods.later_start then 'next_quarter'
            else 'later'
        end as close_period,
        categories.forecast_category,
        case when deals.is_open then 1 else 0 end as is_open_deal,
        case when deals.is_won then 1 else 0 end as is_won_deal,
        case when deals.is_open then deals.amount_reporting end as open_amount,
        -- weighted pipeline (docs/metrics.md): open amount x CRM probability
        case when deals.is_open then deals.amount_reporting * deals.probability end as weighted_amount,
        case when deals.is_open and deals.probability is null then 1 else 0 end as is_probability_missing,
        case when deals.is_won then deals.amount_reporting end as won_amount,
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
    inner join categories
        on deals.deal_key = categories.deal_key
    cross join as_of_periods
    where deals.is_open
        or (
            deals.is_won
            and deals.closed_date >= as_of_periods.quarter_start
            and deals.closed_date <= as_of_periods.as_of_date
        )

),

segmented as (

    {{ pipeline_segment_rows('forecast_deals', [
        'as_of_date', 'source_system', 'deal_pipeline', 'current_stage', 'close_period', 'forecast_category',
        'is_open_deal', 'is_won_deal', 'open_amount', 'weighted_amount', 'is_probability_missing', 'won_amount']) }}

),

-- historical forecast (docs/metrics.md): P(won | open in current stage) of the segment, else of the source's
-- 'all' cut, as fct_forecast_historical takes it
with_probability as (

    select
        segmented.*,
        case when segmented.is_open_deal = 1 then coalesce(own.win_probability, overall.win_probability) end
            as win_probability
    from segmented
    {{ segment_rate_joins('segmented', 'win_rates', 'own', 'overall', 'as_of_date', 'deal_pipeline', 'current_stage') }}

)

select
    as_of_date,
    source_system,
    segment_type,
    segment_value,
    close_period,
    forecast_category,
    sum(is_open_deal) as open_deals,
    coalesce(sum(open_amount), 0) as open_amount,
    coalesce(sum(weighted_amount), 0) as weighted_amount,
    sum(is_probability_missing) as deals_without_probability,
    sum(is_won_deal) as won_deals,
    coalesce(sum(won_amount), 0) as won_amount,
    coalesce(sum(win_probability), 0) as expected_wins,
    coalesce(sum(open_amount * win_probability), 0) as expected_revenue
from with_probability
group by as_of_date, source_system, segment_type, segment_value, close_period, forecast_category
