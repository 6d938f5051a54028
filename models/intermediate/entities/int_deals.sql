with

deal_records as (

    select * from {{ ref('int_deal_records') }}

),

deal_entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

deal_channels as (

    select * from {{ ref('int_deal_channels') }}

),

-- the entry that closed the deal (a won deal's win, not its later delivery)
closings as (

    select * from {{ ref('int_deal_closings') }}

),

-- a lost deal is lost at its last open stage before the final closed_lost (docs/metrics.md)
lost_at as (

    select
        entries.deal_key,
        entries.stage as lost_at_stage,
        row_number() over (partition by entries.deal_key order by entries.entry_sequence desc) as recency_rank
    from deal_entries as entries
    inner join closings
        on entries.deal_key = closings.deal_key
        and entries.entry_sequence < closings.closing_sequence
    where entries.stage_order is not null
        and not {{ is_won_deal_stage('entries.stage') }}

),

final as (

    select
        deal_records.deal_key,
        deal_records.source_system,
        deal_records.deal_id,
        deal_records.pipeline,
        deal_records.deal_type,
        deal_records.person_key,
        deal_records.account_key,
        deal_records.owner_key,
        deal_records.lead_source,
        deal_channels.channel,
        deal_channels.channel_origin,
        deal_channels.campaign_id,
        deal_records.product,
        deal_records.created_at,
        deal_records.close_date,
        deal_records.expected_close_date,
        deal_records.current_stage_label,
        deal_records.current_stage,
        deal_records.is_closed,
        deal_records.is_won,
        deal_records.is_lost,
        deal_records.amount,
        deal_records.currency_code,
        deal_records.amount_reporting,
        deal_records.is_fx_rate_missing,
        deal_records.probability,
        case when deal_records.is_lost then lost_at.lost_at_stage end as lost_at_stage,
        case when deal_records.is_closed then closings.closed_at end as closed_at,
        deal_records.deal_type_label,
        deal_records.status
    from deal_records
    left join deal_channels
        on deal_records.deal_key = deal_channels.deal_key
    left join closings
        on deal_records.deal_key = closings.deal_key
    left join lost_at
        on deal_records.deal_key = lost_at.deal_key
        and lost_at.recency_rank = 1

)

select
    deal_key,
    source_system,
    deal_id,
    pipeline,
    deal_type,
    person_key,
    account_key,
    owner_key,
    lead_source,
    channel,
    channel_origin,
    campaign_id,
    product,
    created_at,
    close_date,
    expected_close_date,
    current_stage_label,
    current_stage,
    is_closed,
    is_won,
    is_lost,
    amount,
    currency_code,
    amount_reporting,
    is_fx_rate_missing,
    probability,
    lost_at_stage,
    closed_at,
    deal_type_label,
    status
from final
