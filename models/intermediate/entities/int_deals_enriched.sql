{#- The one enriched deal: every deal with its owner's team and region, its account's segment and its
    milestones (int_deal_milestones: furthest stage, outcome days, age in its current stage at the one
    as-of). dim_deals, the pipeline, performance and planning marts and the semantic layer all read it,
    so they agree on every deal. -#}
with

deals as (

    select * from {{ ref('int_deals') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

accounts as (

    select * from {{ ref('int_accounts') }}

),

milestones as (

    select * from {{ ref('int_deal_milestones') }}

),

final as (

    select
        deals.deal_key,
        deals.source_system,
        deals.deal_id,
        deals.pipeline,
        deals.deal_type,
        deals.deal_type_label,
        deals.account_key,
        deals.person_key,
        deals.owner_key,
        owners.manager_key,
        owners.team,
        owners.region,
        accounts.customer_segment,
        accounts.industry,
        deals.lead_source,
        deals.channel,
        deals.product,
        deals.current_stage_label,
        deals.current_stage,
        milestones.current_stage_order,
        milestones.furthest_stage,
        deals.lost_at_stage,
        not deals.is_closed as is_open,
        deals.is_closed,
        deals.is_won,
        deals.is_lost,
        deals.amount,
        deals.currency_code,
        deals.amount_reporting,
        deals.is_fx_rate_missing,
        deals.probability,
        deals.amount_reporting * deals.probability as weighted_amount_reporting,
        deals.created_at,
        deals.closed_at,
        deals.close_date,
        milestones.created_date,
        milestones.created_week,
        milestones.created_month,
        milestones.created_quarter,
        milestones.closed_date,
        deals.expected_close_date,
        milestones.qualified_at,
        milestones.current_stage_entered_at,
        milestones.days_to_close,
        milestones.sales_cycle_days,
        milestones.days_in_current_stage,
        milestones.as_of_date
    from deals
    -- inner: the milestones hold every deal once (none without an as-of)
    inner join milestones
        on deals.deal_key = milestones.deal_key
    left join owners
        on deals.owner_key = owners.owner_key
    left join accounts
        on deals.account_key = accounts.account_key

)

select
    deal_key,
    source_system,
    deal_id,
    pipeline,
    deal_type,
    deal_type_label,
    account_key,
    person_key,
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
    current_stage_order,
    furthest_stage,
    lost_at_stage,
    is_open,
    is_closed,
    is_won,
    is_lost,
    amount,
    currency_code,
    amount_reporting,
    is_fx_rate_missing,
    probability,
    weighted_amount_reporting,
    created_at,
    closed_at,
    close_date,
    created_date,
    created_week,
    created_month,
    created_quarter,
    closed_date,
    expected_close_date,
    qualified_at,
    current_stage_entered_at,
    days_to_close,
    sales_cycle_days,
    days_in_current_stage,
    as_of_date
from final
