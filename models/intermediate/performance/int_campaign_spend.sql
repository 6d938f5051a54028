{#- Spend per source system and campaign up to the as-of day, in the reporting currency, with the
    campaign's channel: the spend side of fct_campaign_performance and fct_channel_performance.
    The marketing file's spend is shared by every CRM of the warehouse, a mapping file's spend
    belongs to its own source system. A campaign's channel is the channel most of its touches
    carry (null when it has no touches); spend without a campaign keeps a null campaign_id. -#}
with

ad_spend as (

    select * from {{ ref('stg_marketing__ad_spend') }}

),

generic_spend as (

    select * from {{ ref('stg_generic__spend') }}

),

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

source_systems as (

    select distinct source_system from persons

),

-- a campaign's channel: the channel most of its touches carry
campaign_channels as (

    select campaign_id, channel
    from (
        select
            campaign_id,
            channel,
            row_number() over (partition by campaign_id order by count(*) desc, channel) as channel_rank
        from touches
        where campaign_id is not null
        group by campaign_id, channel
    ) as ranked
    where channel_rank = 1

),

spend_rows as (

    select
        source_systems.source_system,
        ad_spend.campaign_id,
        ad_spend.cost_reporting
    from ad_spend
    cross join source_systems
    cross join as_of
    where ad_spend.spend_date <= as_of.as_of_date

    union all

    select
        generic_spend.source_system,
        generic_spend.campaign_id,
        generic_spend.cost_reporting
    from generic_spend
    cross join as_of
    where generic_spend.spend_date <= as_of.as_of_date

),

final as (

    select
        spend_rows.source_system,
        spend_rows.campaign_id,
        campaign_channels.channel,
        sum(spend_rows.cost_reporting) as spend
    from spend_rows
    left join campaign_channels
        on spend_rows.campaign_id = campaign_channels.campaign_id
    group by spend_rows.source_system, spend_rows.campaign_id, campaign_channels.channel

)

select
    source_system,
    campaign_id,
    channel,
    spend
from final
