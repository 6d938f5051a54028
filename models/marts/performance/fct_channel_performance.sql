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

{{ attributed_performance('channel') }}

select
    final.source_system,
    final.attribution_model,
    final.channel,
    final.spend,
    final.touches,
    final.leads,
    final.mqls,
    final.opportunities,
    final.new_customers,
    final.wins,
    final.revenue,
    final.pipeline_sourced,
    -- CAC (semantics, Channel performance): spend / new customers, null when there are none
    {{ safe_divide('final.spend', 'final.new_customers') }} as customer_acquisition_cost,
    -- ROI (semantics): (revenue - spend) / spend, null without spend
    {{ safe_divide('final.revenue - final.spend', 'final.spend') }} as return_on_investment,
    as_of.as_of_date
from final
cross join as_of
