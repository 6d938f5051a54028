{#- One row per campaign: Salesforce campaigns (linked to the marketing utm_campaign of the same
    name) and marketing campaigns known by utm_campaign from touches and ad-platform spend. -#}
{#- A view: dim_campaigns stores it. -#}
{{ config(materialized='view') }}
with

salesforce_campaigns as (

    select * from {{ ref('stg_salesforce__campaigns') }}

),

touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

ad_spend as (

    select * from {{ ref('stg_marketing__ad_spend') }}

),

-- marketing campaigns are known by utm_campaign across touches and ad-platform reports
marketing_campaigns as (

    select
        utm_campaign,
        max(campaign_id) as campaign_id,
        max(campaign_name) as campaign_name,
        max(platform) as platform,
        max(channel) as channel,
        max(utm_source) as utm_source,
        max(utm_medium) as utm_medium
    from (
        select
            utm_campaign,
            campaign_id,
            cast(null as {{ dbt.type_string() }}) as campaign_name,
            cast(null as {{ dbt.type_string() }}) as platform,
            channel,
            utm_source,
            utm_medium
        from touches
        where utm_campaign is not null

        union all

        select
            utm_campaign,
            campaign_id,
            campaign_name,
            platform,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as {{ dbt.type_string() }}) as utm_source,
            cast(null as {{ dbt.type_string() }}) as utm_medium
        from ad_spend
        where utm_campaign is not null
    ) as observed
    group by utm_campaign

),

salesforce_rows as (

    select
        {{ entity_key('campaigns.source_system', 'campaigns.campaign_id') }} as campaign_key,
        campaigns.source_system,
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.campaign_status,
        -- a Salesforce campaign named like a utm_campaign is that marketing campaign
        marketing.utm_campaign,
        marketing.channel,
        marketing.platform,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.budgeted_cost_reporting,
        campaigns.actual_cost_reporting,
        campaigns.is_active
    from salesforce_campaigns as campaigns
    left join marketing_campaigns as marketing
        on lower(campaigns.campaign_name) = lower(marketing.utm_campaign)
    where not coalesce(campaigns.is_deleted, false)

),

marketing_rows as (

    select
        {{ entity_key("'marketing'", 'utm_campaign') }} as campaign_key,
        'marketing' as source_system,
        campaign_id,
        coalesce(campaign_name, utm_campaign) as campaign_name,
        cast(null as {{ dbt.type_string() }}) as campaign_type,
        cast(null as {{ dbt.type_string() }}) as campaign_status,
        utm_campaign,
        channel,
        platform,
        cast(null as date) as start_date,
        cast(null as date) as end_date,
        cast(null as double) as budgeted_cost_reporting,
        cast(null as double) as actual_cost_reporting,
        cast(null as boolean) as is_active
    from marketing_campaigns

),

final as (

    select * from salesforce_rows
    union all
    select * from marketing_rows

)

select
    campaign_key,
    source_system,
    campaign_id,
    campaign_name,
    campaign_type,
    campaign_status,
    utm_campaign,
    channel,
    platform,
    start_date,
    end_date,
    budgeted_cost_reporting,
    actual_cost_reporting,
    is_active
from final
