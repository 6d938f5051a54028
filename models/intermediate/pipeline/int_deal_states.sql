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

as_of as (

    select * from {{ ref('int_as_of') }}

),

bounds as (

    select
        min(deals.created_date) as first_date,
        max(as_of.as_of_date) as as_of_date
    from deals
    cross join as_of

),

months as (

    {{ pipeline_month_spine() }}

),

-- snapshot points: every month end from the first deal on, and the as-of date itself
points as (

    select {{ pipeline_add_days(dbt.dateadd('month', 1, 'months.month_start'), -1) }} as point_date
    from months
    cross join bounds
    where {{ pipeline_add_days(dbt.dateadd('month', 1, 'months.month_start'), -1) }} >= bounds.first_date
        and {{ pipeline_add_days(dbt.dateadd('month', 1, 'months.month_start'), -1) }} < bounds.as_of_date

    union all

    select as_of_date as point_date
    from bounds

),

spell_bounds as (

    select
        spells.deal_key,
        spells.stage,
        {{ to_business_time('spells.entered_at') }} as entered_at_local,
        {{ to_business_time('spells.exited_at') }} as exited_at_local
    from spells

),

-- the stay that covers the end of each point day (a range join on a few dozen points)
covering as (

    select
        spell_bounds.deal_key,
        points.point_date,
        spell_bounds.stage
    from spell_bounds
    inner join points
        on spell_bounds.entered_at_local < cast({{ pipeline_add_days('points.point_date', 1) }} as timestamp)
        and (
            spell_bounds.exited_at_local is null
            or spell_bounds.exited_at_local >= cast({{ pipeline_add_days('points.point_date', 1) }} as timestamp)
        )

),

final as (

    select
        covering.deal_key,
        deals.source_system,
        covering.point_date,
        covering.stage as stage_at,
        definitions.stage_order as stage_order_at,
        not coalesce(definitions.is_closed, false) as is_open_at,
        coalesce(definitions.is_won, false) as is_won_at,
        coalesce(definitions.is_lost, false) as is_lost_at,
        coalesce(
            {{ to_business_time('deals.qualified_at') }}
            < cast({{ pipeline_add_days('covering.point_date', 1) }} as timestamp),
            false
        ) as is_qualified_at,
        covering.point_date = as_of.as_of_date as is_as_of
    from covering
    inner join deals
        on covering.deal_key = deals.deal_key
    cross join as_of
    left join stage_definitions as definitions
        on definitions.entity_type = 'deal'
        and covering.stage = definitions.stage

)

select
    deal_key,
    source_system,
    point_date,
    stage_at,
    stage_order_at,
    is_open_at,
    is_won_at,
    is_lost_at,
    is_qualified_at,
    is_as_of
from final
