{#- The logical CTEs shared by fct_campaign_performance and fct_channel_performance: spend,
    touches and attributed outcomes per source system, attribution model and `grain_column`
    ('campaign_id' or 'channel'), ending in a CTE `final` with one row per key. The models keep
    their import CTEs (the relation names passed here) and their final select (CAC, ROI, as-of).

    Spend comes from int_campaign_spend (per campaign, with the campaign's channel); spend and
    touches without a campaign count under 'none' at campaign grain, spend of a campaign without
    touches under 'unknown' at channel grain. -#}
{% macro attributed_performance(
    grain_column,
    attribution='attribution',
    touches='touches',
    persons='persons',
    campaign_spend='campaign_spend'
) -%}
{%- if grain_column not in ('campaign_id', 'channel') -%}
    {{ exceptions.raise_compiler_error("attributed_performance: grain_column must be 'campaign_id' or 'channel', got '" ~ grain_column ~ "'") }}
{%- endif %}

source_systems as (

    select distinct source_system from {{ persons }}

),

spend as (

    select
        source_system,
        {%- if grain_column == 'channel' %}
        coalesce(channel, 'unknown') as {{ grain_column }},
        {%- else %}
        coalesce(campaign_id, 'none') as {{ grain_column }},
        {%- endif %}
        sum(spend) as spend
    from {{ campaign_spend }}
    group by 1, 2

),

-- touches of the source's persons (the attribution's touch set is the same person match)
touch_counts as (

    select
        {{ persons }}.source_system,
        {%- if grain_column == 'channel' %}
        {{ touches }}.channel as {{ grain_column }},
        {%- else %}
        coalesce({{ touches }}.campaign_id, 'none') as {{ grain_column }},
        {%- endif %}
        count(*) as touches
    from {{ touches }}
    inner join {{ persons }}
        on {{ touches }}.person_email_hash = {{ persons }}.email_hash
        and ({{ touches }}.is_shared_source or {{ touches }}.source_system = {{ persons }}.source_system)
    group by 1, 2

),

attributed as (

    select
        source_system,
        attribution_model,
        {{ grain_column }},
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(opportunities) as opportunities,
        sum(new_customers) as new_customers,
        sum(wins) as wins,
        sum(revenue) as revenue,
        sum(pipeline_sourced) as pipeline_sourced
    from {{ attribution }}
    group by source_system, attribution_model, {{ grain_column }}

),

models as (

    select 'first_touch' as attribution_model
    union all select 'last_touch'
    union all select 'linear'

),

keys as (

    select source_system, attribution_model, {{ grain_column }} from attributed
    union
    select spend.source_system, models.attribution_model, spend.{{ grain_column }} from spend cross join models
    union
    select touch_counts.source_system, models.attribution_model, touch_counts.{{ grain_column }} from touch_counts cross join models

),

final as (

    select
        keys.source_system,
        keys.attribution_model,
        keys.{{ grain_column }},
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
        and keys.{{ grain_column }} = spend.{{ grain_column }}
    left join touch_counts
        on keys.source_system = touch_counts.source_system
        and keys.{{ grain_column }} = touch_counts.{{ grain_column }}
    left join attributed
        on keys.source_system = attributed.source_system
        and keys.attribution_model = attributed.attribution_model
        and keys.{{ grain_column }} = attributed.{{ grain_column }}

)

{%- endmacro %}
