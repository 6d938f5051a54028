{#- Attributed outcomes (docs/metrics.md) summed per source system, attribution model
    and channel or campaign: the outcome side of int_attributed_performance. -#}
{#- (grain, its column in the attribution) -#}
{%- set grains = [('channel', 'channel'), ('campaign', 'campaign_id')] %}
with

attribution as (

    select * from {{ ref('int_attribution') }}

),

attributed as (

    {%- for grain, attribution_column in grains %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        source_system,
        attribution_model,
        '{{ grain }}' as grain,
        {{ attribution_column }} as grain_value,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(opportunities) as opportunities,
        sum(new_customers) as new_customers,
        sum(wins) as wins,
        sum(revenue) as revenue,
        sum(pipeline_sourced) as pipeline_sourced
    from attribution
    group by 1, 2, 3, 4
    {%- endfor %}

)

select
    source_system,
    attribution_model,
    grain,
    grain_value,
    leads,
    mqls,
    opportunities,
    new_customers,
    wins,
    revenue,
    pipeline_sourced
from attributed
