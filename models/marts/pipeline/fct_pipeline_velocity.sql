with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

states as (

    select * from {{ ref('int_deal_states') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

month_spine as (

    {{ pipeline_month_spine() }}

),

bounds as (

    select
        min(deals.created_date) as first_date,
        max(as_of.as_of_date) as as_of_date
    from deals
    cross join as_of

),

months as (

    select month_spine.month_start
    from month_spine
    cross join bounds
    where month_spine.month_start >= cast({{ dbt.date_trunc('month', 'bounds.first_date') }} as date)
        and month_spine.month_start <= bounds.as_of_date

),

quarters as (

    select distinct cast({{ dbt.date_trunc('quarter', 'month_start') }} as date) as quarter_start
    from months

),

-- windows: calendar month, calendar quarter, and the 90 days ending each month end (or the
-- as-of date in the as-of month); open deals are counted at the window end, capped at the as-of date
windows as (

    select
        'month' as window_type,
        month_start as window_start,
        {{ pipeline_add_days(dbt.dateadd('month', 1, 'month_start'), -1) }} as window_end
    from months

    union all

    select
        'quarter' as window_type,
        quarter_start as window_start,
        {{ pipeline_add_days(dbt.dateadd('month', 3, 'quarter_start'), -1) }} as window_end
    from quarters

    union all

    select
        'trailing_90_days' as window_type,
        {{ pipeline_add_days('month_end', -89) }} as window_start,
        month_end as window_end
    from (
        select
            case
                when {{ pipeline_add_days(dbt.dateadd('month', 1, 'months.month_start'), -1) }} > bounds.as_of_date
                    then bounds.as_of_date
                else {{ pipeline_add_days(dbt.dateadd('month', 1, 'months.month_start'), -1) }}
            end as month_end
        from months
        cross join bounds
    ) as month_ends

),

windows_capped as (

    select
        windows.window_type,
        windows.window_start,
        windows.window_end,
        case when windows.window_end > bounds.as_of_date then bounds.as_of_date else windows.window_end end
            as measured_at_date
    from windows
    cross join bounds

),

-- deals closed inside a window (a range join on a few dozen windows)
closed_in_window as (

    select
        windows_capped.window_type,
        windows_capped.window_start,
        windows_capped.window_end,
        deals.deal_key,
        0 as is_open_qualified,
        case when deals.is_won then 1 else 0 end as is_won,
        case when deals.is_lost then 1 else 0 end as is_lost,
        case when deals.is_won then deals.amount_reporting end as won_amount,
        case when deals.is_lost then deals.amount_reporting end as lost_amount,
        deals.sales_cycle_days
    from deals
    inner join windows_capped
        on deals.closed_date >= windows_capped.window_start
        and deals.closed_date <= windows_capped.window_end
    where deals.is_closed

),

-- open qualified deals at the window end (their state at that day, from the spells)
open_at_end as (

    select
        windows_capped.window_type,
        windows_capped.window_start,
        windows_capped.window_end,
        states.deal_key,
        1 as is_open_qualified,
        0 as is_won,
        0 as is_lost,
        cast(null as double) as won_amount,
        cast(null as double) as lost_amount,
        cast(null as double) as sales_cycle_days
    from states
    inner join windows_capped
        on states.point_date = windows_capped.measured_at_date
    where states.is_open_at
        and states.is_qualified_at

),

deal_windows as (

    select
        facts.window_type,
        facts.window_start,
        facts.window_end,
        facts.is_open_qualified,
        facts.is_won,
        facts.is_lost,
        facts.won_amount,
        facts.lost_amount,
        facts.sales_cycle_days,
        deals.source_system,
        deals.owner_key,
        deals.manager_key,
        deals.team,
        deals.region,
        deals.channel,
        deals.product,
        deals.customer_segment,
        deals.pipeline,
        deals.deal_type
    from (
        select * from closed_in_window
        union all
        select * from open_at_end
    ) as facts
    inner join deals
        on facts.deal_key = deals.deal_key

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
        -- win rate (semantics, Pipeline numbers): won / (won + lost) over deals closed in the window
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
    -- pipeline velocity (semantics): open qualified x win rate x average deal size / mean sales
    -- cycle, money per day; null when any input is null or zero
    case
        when open_qualified_deals > 0
            and win_rate > 0
            and average_deal_size > 0
            and sales_cycle_days_mean > 0
            then open_qualified_deals * win_rate * average_deal_size / sales_cycle_days_mean
    end as pipeline_velocity
from final
