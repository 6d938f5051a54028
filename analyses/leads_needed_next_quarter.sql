{#- How many leads do we need next quarter for a revenue target X?
    dbt compile --select leads_needed_next_quarter --vars '{target_revenue: 2500000, plan_source_system: salesforce}'
    Uses the reverse-funnel rates measured over the trailing var('plan_window_days') days
    (int_planning_conversion_rates, segment 'all'): deals needed = X / average deal size (docs/metrics.md), needed at the top stage = deals needed / P(won | reached top stage),
    leads needed = that / deals per lead. -#}
with

rates as (

    select * from {{ ref('int_planning_conversion_rates') }}

),

top_stage as (

    select *
    from (
        select
            rates.*,
            row_number() over (partition by source_system order by stage_order) as stage_rank
        from rates
        where segment_type = 'all'
            and segment_value = 'all'
        {%- if var('plan_source_system', none) is not none %}
            and source_system = '{{ var("plan_source_system") }}'
        {%- endif %}
    ) as ranked
    where stage_rank = 1

)

select
    source_system,
    cast({{ var('target_revenue', 1000000) }} as double) as target_revenue,
    cast({{ dbt.date_trunc('quarter', pipeline_add_days(dbt.dateadd('month', 3, 'as_of_date'), 0)) }} as date)
        as next_quarter_start,
    average_deal_size,
    {{ safe_divide(var('target_revenue', 1000000), 'average_deal_size') }} as deals_needed,
    stage as top_stage,
    win_probability as top_stage_win_probability,
    {{ safe_divide(safe_divide(var('target_revenue', 1000000), 'average_deal_size'), 'win_probability') }}
        as deals_needed_at_top_stage,
    deals_per_lead,
    {{ safe_divide(
        safe_divide(safe_divide(var('target_revenue', 1000000), 'average_deal_size'), 'win_probability'),
        'deals_per_lead'
    ) }} as leads_needed
from top_stage
