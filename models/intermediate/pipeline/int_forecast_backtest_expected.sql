with

open_deals as (

    select * from {{ ref('int_forecast_backtest_open') }}

),

win_rates as (

    select * from {{ ref('int_stage_open_win_rates') }}

),

-- each open deal with the two probabilities known at the forecast date, the segment's own else the 'all' cut:
-- P(won | open in stage) of the historical forecast (eventual) and P(won in the next month | open in stage)
rated as (

    select
        open_deals.*,
        coalesce(own.win_probability, overall.win_probability) as win_probability,
        coalesce(own.win_probability_next_month, overall.win_probability_next_month) as win_probability_next_month
    from open_deals
    {{ segment_rate_joins('open_deals', 'win_rates', 'own', 'overall', 'forecast_date', 'pipeline', 'stage') }}

),

forecast as (

    select
        forecast_date,
        period_end,
        is_mature,
        source_system,
        segment_type,
        segment_value,
        count(*) as open_deals,
        coalesce(sum(amount_reporting), 0) as open_amount,
        coalesce(sum(win_probability), 0) as expected_eventual_wins,
        coalesce(sum(amount_reporting * win_probability), 0) as expected_eventual_revenue,
        sum(case when win_probability is null then 1 else 0 end) as unrated_deals,
        sum(is_won_eventually) as actual_eventual_wins,
        coalesce(sum(case when is_won_eventually = 1 then amount_reporting end), 0) as actual_eventual_revenue,
        sum(is_open_at_as_of) as still_open_deals,
        coalesce(sum(win_probability_next_month), 0) as expected_next_month_wins,
        coalesce(sum(amount_reporting * win_probability_next_month), 0) as expected_next_month_revenue,
        sum(case when win_probability_next_month is null then 1 else 0 end) as next_month_unrated_deals,
        sum(is_won_next_month) as actual_next_month_wins,
        coalesce(sum(case when is_won_next_month = 1 then amount_reporting end), 0) as actual_next_month_revenue
    from rated
    group by forecast_date, period_end, is_mature, source_system, segment_type, segment_value

)

select
    forecast_date,
    period_end,
    is_mature,
    source_system,
    segment_type,
    segment_value,
    open_deals,
    open_amount,
    expected_eventual_wins,
    expected_eventual_revenue,
    unrated_deals,
    actual_eventual_wins,
    actual_eventual_revenue,
    still_open_deals,
    expected_next_month_wins,
    expected_next_month_revenue,
    next_month_unrated_deals,
    actual_next_month_wins,
    actual_next_month_revenue
from forecast
