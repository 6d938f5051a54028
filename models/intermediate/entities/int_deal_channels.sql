{#- One row per deal: the channel and campaign it is credited to (docs/lifecycle.md, "Channels of persons and deals").
    1. its own lead source, mapped (mapping files' channel_labels, then seed lead_source_channels);
    2. else its person's first marketing touch at or before the deal's creation;
    3. else its person's channel (the person's lead source, mapped);
    4. else `unmapped` when a lead source is written but no mapping knows it, else `unknown`.
    The campaign: the deal's own (Salesforce Opportunity.CampaignId), else that first touch's. -#}
with

deal_records as (

    select * from {{ ref('int_deal_records') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

touches as (

    select * from {{ ref('int_marketing_touches') }}

),

lead_source_channels as (

    select * from {{ ref('int_lead_source_channels') }}

),

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

-- the source's own mapping of a lead source beats the seed's `*` rows
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

),

-- touches join persons on the email hash, as every touch-based model does
first_touch_candidates as (

    select
        deal_records.deal_key,
        touches.channel,
        touches.campaign_id,
        row_number() over (
            partition by deal_records.deal_key
            order by touches.touched_at, touches.touch_key
        ) as touch_rank
    from deal_records
    inner join persons
        on deal_records.person_key = persons.person_key
    inner join touches
        on persons.email_hash = touches.person_email_hash
        and (touches.is_shared_source or touches.source_system = persons.source_system)
        and touches.touched_at <= deal_records.created_at
        and touches.channel <> 'unknown'

),

final as (

    select
        deal_records.deal_key,
        coalesce(
            own_channels.channel,
            first_touches.channel,
            case when persons.channel not in ('unknown', 'unmapped') then persons.channel end,
            case when {{ alnum_key('deal_records.lead_source') }} is not null then 'unmapped' end,
            persons.channel,
            'unknown'
        ) as channel,
        case
            when own_channels.channel is not null then 'deal_lead_source'
            when first_touches.channel is not null then 'person_first_touch'
            when persons.channel not in ('unknown', 'unmapped') then 'person_lead_source'
            else 'none'
        end as channel_origin,
        coalesce(opportunities.campaign_id, first_touches.campaign_id) as campaign_id
    from deal_records
    left join own_channel_candidates as own_channels
        on deal_records.deal_key = own_channels.deal_key
        and own_channels.candidate_rank = 1
    left join first_touch_candidates as first_touches
        on deal_records.deal_key = first_touches.deal_key
        and first_touches.touch_rank = 1
    left join persons
        on deal_records.person_key = persons.person_key
    left join salesforce_opportunities as opportunities
        on deal_records.source_system = opportunities.source_system
        and deal_records.deal_id = opportunities.deal_id

)

select
    deal_key,
    channel,
    channel_origin,
    campaign_id
from final
