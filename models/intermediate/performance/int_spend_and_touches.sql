{#- Spend and touches (docs/metrics.md) per source system and channel or campaign:
    the side of int_attributed_performance that no attribution model changes. Spend comes from
    int_campaign_spend (per campaign, with the campaign's channel); spend and touches without a campaign
    count under 'none' at campaign grain, spend of a campaign without touches under 'unknown' at channel
    grain. -#}
{#- (grain, its value in spend, in touches) -#}
{%- set grains = [
    ('channel', "coalesce(campaign_spend.channel, 'unknown')", 'touches.channel'),
    ('campaign', "coalesce(campaign_spend.campaign_id, 'none')", "coalesce(touches.campaign_id, 'none')"),
] %}
with

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

campaign_spend as (

    select * from {{ ref('int_campaign_spend') }}

),

spend as (

    {%- for grain, spend_value, _ in grains %}
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

    {%- for grain, _, touch_value in grains %}
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

-- every key with a spend or a touch; null where it has none of the one or the other
spend_and_touches as (

    select
        coalesce(spend.source_system, touch_counts.source_system) as source_system,
        coalesce(spend.grain, touch_counts.grain) as grain,
        coalesce(spend.grain_value, touch_counts.grain_value) as grain_value,
        spend.spend,
        touch_counts.touches
    from spend
    full outer join touch_counts
        on spend.source_system = touch_counts.source_system
        and spend.grain = touch_counts.grain
        and spend.grain_value = touch_counts.grain_value

)

select
    source_system,
    grain,
    grain_value,
    spend,
    touches
from spend_and_touches
