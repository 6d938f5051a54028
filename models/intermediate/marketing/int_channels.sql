{#- One row per channel: seeded lead-source channels, the mapping files' channel_labels, touch
    channels, `unknown` (no lead source) and `unmapped` (a lead source no mapping knows), grouped. -#}
{#- A view: dim_channels stores it. -#}
{{ config(materialized='view') }}
with

lead_source_channels as (

    select * from {{ ref('lead_source_channels') }}

),

mapped_channels as (

    select * from {{ ref('stg_generic__channel_labels') }}

),

touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

channels as (

    select distinct lower(trim(channel)) as channel from lead_source_channels
    union
    select distinct channel from mapped_channels
    union
    select distinct lower(trim(channel)) as channel from touches
    where channel is not null
    union
    select 'unknown' as channel
    union
    select 'unmapped' as channel

),

final as (

    select
        channel,
        case
            when channel in ('paid_search', 'paid_social') then 'paid'
            when channel in ('organic_search', 'direct') then 'organic'
            when channel in ('email', 'events') then 'owned'
            when channel in ('referral', 'partner') then 'earned'
            else 'unknown'
        end as channel_group,
        channel in ('paid_search', 'paid_social') as is_paid
    from channels

)

select
    channel,
    channel_group,
    is_paid
from final
