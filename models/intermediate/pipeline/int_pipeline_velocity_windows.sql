with

deals as (

    select * from {{ ref('int_deals_enriched') }}

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

)

select
    window_type,
    window_start,
    window_end,
    measured_at_date
from windows_capped
