{#- One row per campaign, for BI: int_campaigns as it is. -#}
with

campaigns as (

    select * from {{ ref('int_campaigns') }}

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
from campaigns
