with

deals as (

    select * from {{ ref('int_deals') }}

),

spells as (

    select * from {{ ref('int_deal_spells') }}

),

reach as (

    select * from {{ ref('int_deal_stage_reach') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

accounts as (

    select * from {{ ref('int_accounts') }}

),

current_spells as (

    select
        deal_key,
        entered_at as current_stage_entered_at,
        days_in_spell as days_in_current_stage
    from spells
    where is_current

),

furthest as (

    select
        deal_key,
        stage as furthest_stage,
        stage_order as furthest_stage_order,
        row_number() over (partition by deal_key order by stage_order desc) as furthest_rank
    from reach

),

dated as (

    select
        deals.*,
        {{ to_business_time('deals.created_at') }} as created_at_business
    from deals

),

final as (

    select
        dated.deal_key,
        dated.source_system,
        dated.deal_id,
        dated.pipeline,
        dated.deal_type,
        dated.deal_type_label,
        dated.person_key,
        dated.account_key,
        dated.owner_key,
        owners.manager_key,
        owners.team,
        owners.region,
        accounts.customer_segment,
        accounts.industry,
        dated.lead_source,
        dated.channel,
        dated.product,
        dated.current_stage_label,
        dated.current_stage,
        current_spells.current_stage_entered_at,
        current_spells.days_in_current_stage,
        furthest.furthest_stage,
        dated.lost_at_stage,
        dated.is_closed,
        dated.is_won,
        dated.is_lost,
        not dated.is_closed as is_open,
        dated.amount,
        dated.currency_code,
        dated.amount_reporting,
        dated.is_fx_rate_missing,
        dated.probability,
        dated.amount_reporting * dated.probability as weighted_amount_reporting,
        dated.created_at,
        dated.closed_at,
        dated.close_date,
        dated.expected_close_date,
        cast(dated.created_at_business as date) as created_day,
        {{ period_start('week', 'dated.created_at_business') }} as created_week,
        {{ period_start('month', 'dated.created_at_business') }} as created_month,
        {{ period_start('quarter', 'dated.created_at_business') }} as created_quarter,
        -- sales cycle (semantics): days from created to closed; null for a close before creation
        {{ marts_cycle_days('dated.created_at', 'dated.closed_at') }} as days_to_close
    from dated
    left join current_spells
        on dated.deal_key = current_spells.deal_key
    left join furthest
        on dated.deal_key = furthest.deal_key
        and furthest.furthest_rank = 1
    left join owners
        on dated.owner_key = owners.owner_key
    left join accounts
        on dated.account_key = accounts.account_key

)

select
    deal_key,
    source_system,
    deal_id,
    pipeline,
    deal_type,
    deal_type_label,
    person_key,
    account_key,
    owner_key,
    manager_key,
    team,
    region,
    customer_segment,
    industry,
    lead_source,
    channel,
    product,
    current_stage_label,
    current_stage,
    current_stage_entered_at,
    days_in_current_stage,
    furthest_stage,
    lost_at_stage,
    is_closed,
    is_won,
    is_lost,
    is_open,
    amount,
    currency_code,
    amount_reporting,
    is_fx_rate_missing,
    probability,
    weighted_amount_reporting,
    created_at,
    closed_at,
    close_date,
    expected_close_date,
    created_day,
    created_week,
    created_month,
    created_quarter,
    days_to_close
from final
