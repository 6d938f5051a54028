{#- Attributed performance (docs/metrics.md), one model for both grains: spend,
    touches and attributed outcomes per source system, attribution model and channel or campaign,
    with CAC and ROI. fct_channel_performance and fct_campaign_performance publish its rows.

    Spend and touches per channel or campaign come from int_spend_and_touches, the attributed
    outcomes summed per attribution model from int_attributed_outcomes. -#}
{#- A view: its two marts each read one grain, so it is computed where it is stored. -#}
{{ config(materialized='view') }}
with

attributed as (

    select * from {{ ref('int_attributed_outcomes') }}

),

spend_and_touches as (

    select * from {{ ref('int_spend_and_touches') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

attribution_models as (

    select 'first_touch' as attribution_model
    union all
    select 'last_touch'
    union all
    select 'linear'

),

-- every key with an outcome, a spend or a touch, under every attribution model
keys as (

    select source_system, attribution_model, grain, grain_value from attributed
    union
    select
        spend_and_touches.source_system,
        attribution_models.attribution_model,
        spend_and_touches.grain,
        spend_and_touches.grain_value
    from spend_and_touches
    cross join attribution_models

),

measured as (

    select
        keys.source_system,
        keys.attribution_model,
        keys.grain,
        keys.grain_value,
        cast(coalesce(spend_and_touches.spend, 0) as double) as spend,
        coalesce(spend_and_touches.touches, 0) as touches,
        coalesce(attributed.leads, 0) as leads,
        coalesce(attributed.mqls, 0) as mqls,
        coalesce(attributed.opportunities, 0) as opportunities,
        coalesce(attributed.new_customers, 0) as new_customers,
        coalesce(attributed.wins, 0) as wins,
        coalesce(attributed.revenue, 0) as revenue,
        coalesce(attributed.pipeline_sourced, 0) as pipeline_sourced
    from keys
    left join spend_and_touches
        on keys.source_system = spend_and_touches.source_system
        and keys.grain = spend_and_touches.grain
        and keys.grain_value = spend_and_touches.grain_value
    left join attributed
        on keys.source_system = attributed.source_system
        and keys.attribution_model = attributed.attribution_model
        and keys.grain = attributed.grain
        and keys.grain_value = attributed.grain_value

)

select
    measured.source_system,
    measured.attribution_model,
    measured.grain,
    measured.grain_value,
    measured.spend,
    measured.touches,
    measured.leads,
    measured.mqls,
    measured.opportunities,
    measured.new_customers,
    measured.wins,
    measured.revenue,
    measured.pipeline_sourced,
    -- CAC (docs/metrics.md): spend / new customers, null when there are none
    {{ safe_divide('measured.spend', 'measured.new_customers') }} as customer_acquisition_cost,
    -- ROI (docs/metrics.md): (revenue - spend) / spend, null without spend
    {{ safe_divide('measured.revenue - measured.spend', 'measured.spend') }} as return_on_investment,
    as_of.as_of_date
from measured
cross join as_of
