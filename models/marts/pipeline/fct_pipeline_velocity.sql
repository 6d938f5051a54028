with

-- one row per deal and window: closed in it, or open and qualified at its end
deal_windows as (

    select * from {{ ref('int_pipeline_velocity_deal_windows') }}

),

segmented as (

    {{ pipeline_segment_rows('deal_windows', [
        'source_system', 'window_type', 'window_start', 'window_end', 'is_open_qualified',
        'is_won', 'is_lost', 'won_amount', 'lost_amount', 'sales_cycle_days']) }}

),

aggregated as (

    select
        source_system,
        window_type,
        window_start,
        window_end,
        segment_type,
        segment_value,
        sum(is_open_qualified) as open_qualified_deals,
        sum(is_won) as won_deals,
        sum(is_lost) as lost_deals,
        coalesce(sum(won_amount), 0) as won_amount,
        coalesce(sum(lost_amount), 0) as lost_amount,
        avg(won_amount) as average_deal_size,
        avg(sales_cycle_days) as sales_cycle_days_mean,
        {{ marts_percentile('sales_cycle_days', 0.5) }} as sales_cycle_days_median
    from segmented
    group by
        source_system,
        window_type,
        window_start,
        window_end,
        segment_type,
        segment_value

),

final as (

    select
        aggregated.*,
        -- win rate (docs/metrics.md): won / (won + lost) over deals closed in the window
        {{ safe_divide('won_deals', 'won_deals + lost_deals') }} as win_rate,
        {{ safe_divide('won_amount', 'won_amount + lost_amount') }} as win_rate_amount
    from aggregated

)

select
    source_system,
    window_type,
    window_start,
    window_end,
    segment_type,
    segment_value,
    open_qualified_deals,
    won_deals,
    lost_deals,
    won_amount,
    lost_amount,
    win_rate,
    win_rate_amount,
    average_deal_size,
    sales_cycle_days_mean,
    sales_cycle_days_median,
    -- pipeline velocity (docs/metrics.md): open qualified x win rate x average deal size / mean sales
    -- cycle, money per day; null when any input is null or zero
    case
        when open_qualified_deals > 0
            and win_rate > 0
            and average_deal_size > 0
            and sales_cycle_days_mean > 0
            then open_qualified_deals * win_rate * average_deal_size / sales_cycle_days_mean
    end as pipeline_velocity
from final
