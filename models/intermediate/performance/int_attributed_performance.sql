{#- Attributed performance (semantics: "Channel performance"), one model for both grains: spend,
    touches and attributed outcomes per source system, attribution model and channel or campaign,
    with CAC and ROI. fct_channel_performance and fct_campaign_performance publish its rows.

    Spend comes from int_campaign_spend (per campaign, with the campaign's channel); spend and
    touches without a campaign count under 'none' at campaign grain, spend of a campaign without
    touches under 'unknown' at channel grain. -#}
{#- A view: its two marts each read one grain, so it is computed where it is stored. -#}
{{ config(materialized='view') }}
{#- (grain, its value in spend, in touches, in the attribution) -#}
{%- set grains = [
    ('channel', "coalesce(campaign_spend.channel, 'unknown')", 'touches.channel', 'channel'),
    ('campaign', "coalesce(campaign_spend.campaign_id, 'none')", "coalesce(touches.campaign_id, 'none')", 'campaign_id'),
] %}
with

attribution as (

    select * from {{ ref('int_attribution') }}

),

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

campaign_spend as (

    select * from {{ ref('int_campaign_spend') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

spend as (

    {%- for grain, spend_value, _, _ in grains %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        campaign_spend.source_system,
        '{{ grain }}' as grain,
        {{ spend_value }} as grain_value,
        sum(campaign_spend.spend) as spend
    from campaign_spend
    group by 1, 2, 3
    {%- endfor %}

),

-- touches of the source's persons (the attribution's touch set is the same person match)
touch_counts as (

    {%- for grain, _, touch_value, _ in grains %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        persons.source_system,
        '{{ grain }}' as grain,
        {{ touch_value }} as grain_value,
        count(*) as touches
    from touches
    inner join persons
        on touches.person_email_hash = persons.email_hash
        and (touches.is_shared_source or touches.source_system = persons.source_system)
    group by 1, 2, 3
    {%- endfor %}

),

attributed as (

    {%- for grain, _, _, attribution_column in grains %}
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

),

attribution_models as (

    select 'first_touch' as attribution_model
    union all select 'last_touch'
    union all select 'linear'

),

-- every key with an outcome, a spend or a touch, under every attribution model
keys as (

    select source_system, attribution_model, grain, grain_value from attributed
    union
    select spend.source_system, attribution_models.attribution_model, spend.grain, spend.grain_value
    from spend
    cross join attribution_models
    union
    select touch_counts.source_system, attribution_models.attribution_model, touch_counts.grain, touch_counts.grain_value
    from touch_counts
    cross join attribution_models

),

measured as (

    select
        keys.source_system,
        keys.attribution_model,
        keys.grain,
        keys.grain_value,
        cast(coalesce(spend.spend, 0) as double) as spend,
        coalesce(touch_counts.touches, 0) as touches,
        coalesce(attributed.leads, 0) as leads,
        coalesce(attributed.mqls, 0) as mqls,
        coalesce(attributed.opportunities, 0) as opportunities,
        coalesce(attributed.new_customers, 0) as new_customers,
        coalesce(attributed.wins, 0) as wins,
        coalesce(attributed.revenue, 0) as revenue,
        coalesce(attributed.pipeline_sourced, 0) as pipeline_sourced
    from keys
    left join spend
        on keys.source_system = spend.source_system
        and keys.grain = spend.grain
        and keys.grain_value = spend.grain_value
    left join touch_counts
        on keys.source_system = touch_counts.source_system
        and keys.grain = touch_counts.grain
        and keys.grain_value = touch_counts.grain_value
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
    -- CAC (semantics, Channel performance): spend / new customers, null when there are none
    {{ safe_divide('measured.spend', 'measured.new_customers') }} as customer_acquisition_cost,
    -- ROI (semantics): (revenue - spend) / spend, null without spend
    {{ safe_divide('measured.revenue - measured.spend', 'measured.spend') }} as return_on_investment,
    as_of.as_of_date
from measured
cross join as_of
