{#- A deal's own channel: its lead source mapped through seed lead_source_channels (the source's own
    mapping before the `*` rows). int_deals falls back to it when the deal's person has no channel.
    A view: only int_deals reads it. -#}
{{ config(materialized='view') }}

with

deal_records as (

    select * from {{ ref('int_deal_records') }}

),

lead_source_channels as (

    select * from {{ ref('int_lead_source_channels') }}

),

own_channel_candidates as (

    select
        deal_records.deal_key,
        channels.channel,
        row_number() over (
            partition by deal_records.deal_key
            order by case when channels.source_system = '*' then 2 else 1 end
        ) as candidate_rank
    from deal_records
    inner join lead_source_channels as channels
        on {{ alnum_key('deal_records.lead_source') }} = channels.lead_source_key
        and channels.source_system in (lower(deal_records.source_system), '*')

)

select
    deal_key,
    channel
from own_channel_candidates
where candidate_rank = 1
