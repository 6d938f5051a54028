{#- The logical CTEs shared by fct_campaign_performance and fct_channel_performance: spend,
    touches and attributed outcomes per source system, attribution model and `grain_column`
    ('campaign_id' or 'channel'), ending in a CTE `final` with one row per key. The models keep
    their import CTEs (the relation names passed here) and their final select (CAC, ROI, as-of).

    A campaign's channel is the channel most of its touches carry; spend and touches without a
    campaign count under 'none' at campaign grain, spend of a campaign without touches under
    'unknown' at channel grain. -#}
{% macro attributed_performance(
    grain_column,
    attribution='attribution',
    touches='touches',
    persons='persons',
    ad_spend='ad_spend',
    generic_spend='generic_spend',
    as_of='as_of'
) -%}
{%- if grain_column not in ('campaign_id', 'channel') -%}
    {{ exceptions.raise_compiler_error("attributed_performance: grain_column must be 'campaign_id' or 'channel', got '" ~ grain_column ~ "'") }}
{%- endif %}

source_systems as (

    select distinct source_system from {{ persons }}

),

-- a campaign's channel: the channel most of its touches carry
campaign_channels as (

    select campaign_id, channel
    from (
        select
            campaign_id,
            channel,
            row_number() over (partition by campaign_id order by count(*) desc, channel) as channel_rank
        from {{ touches }}
        where campaign_id is not null
        group by campaign_id, channel
    ) as ranked
    where channel_rank = 1

),

-- spend in the reporting currency up to the as-of day: the marketing file's spend is shared by
-- every CRM of the warehouse, a mapping file's spend belongs to its own source system
spend_rows as (

    select
        source_systems.source_system,
        {{ ad_spend }}.campaign_id,
        {{ ad_spend }}.cost_reporting
    from {{ ad_spend }}
    cross join source_systems
    cross join {{ as_of }}
    where {{ ad_spend }}.spend_date <= {{ as_of }}.as_of_date

    union all

    select
        {{ generic_spend }}.source_system,
        {{ generic_spend }}.campaign_id,
        {{ generic_spend }}.cost_reporting
    from {{ generic_spend }}
    cross join {{ as_of }}
    where {{ generic_spend }}.spend_date <= {{ as_of }}.as_of_date

),

spend as (

    select
        spend_rows.source_system,
        {%- if grain_column == 'channel' %}
        coalesce(campaign_channels.channel, 'unknown') as {{ grain_column }},
        {%- else %}
        coalesce(spend_rows.campaign_id, 'none') as {{ grain_column }},
        {%- endif %}
        sum(spend_rows.cost_reporting) as spend
    from spend_rows
    left join campaign_channels
        on spend_rows.campaign_id = campaign_channels.campaign_id
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
