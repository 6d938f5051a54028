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

reach as (

    select * from {{ ref('int_deal_stage_reach') }}

),

spells as (

    select * from {{ ref('int_deal_spells') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

-- qualified = reached var('pipeline_qualified_stage') or any later ordered stage
qualified_order as (

    select min(stage_order) as qualified_stage_order
    from stage_definitions
    where entity_type = 'deal'
        and stage = '{{ var("pipeline_qualified_stage", "qualification") }}'

),

qualified as (

    select
        reach.deal_key,
        min(reach.reached_at) as qualified_at
    from reach
    cross join qualified_order
    where reach.stage_order >= qualified_order.qualified_stage_order
    group by reach.deal_key

),

current_spells as (

    select
        deal_key,
        entered_at as current_stage_entered_at
    from spells
    where is_current

),

final as (

    select
        deals.deal_key,
        deals.source_system,
        deals.deal_id,
        deals.pipeline,
        deals.deal_type,
        deals.account_key,
        deals.person_key,
        deals.owner_key,
        owners.manager_key,
        owners.team,
        owners.region,
        deals.channel,
        deals.product,
        accounts.customer_segment,
        deals.current_stage,
        definitions.stage_order as current_stage_order,
        not deals.is_closed as is_open,
        deals.is_closed,
        deals.is_won,
        deals.is_lost,
        deals.amount_reporting,
        deals.probability,
        deals.created_at,
        deals.closed_at,
        {{ pipeline_business_date('deals.created_at') }} as created_date,
        {{ pipeline_business_date('deals.closed_at') }} as closed_date,
        deals.expected_close_date,
        qualified.qualified_at,
        current_spells.current_stage_entered_at,
        -- sales cycle (semantics, Pipeline numbers): days from created to closed won; a deal closed
        -- before its creation (imported history) has none and drops out of cycle averages only
        case
            when deals.is_won then {{ marts_cycle_days('deals.created_at', 'deals.closed_at') }}
        end as sales_cycle_days,
        -- age of the current stay, to the end of the as-of day
        case
            when not deals.is_closed then {{ days_between(
                to_business_time('current_spells.current_stage_entered_at'), 'as_of.as_of_at') }}
        end as days_in_current_stage,
        as_of.as_of_date
    from deals
    cross join as_of
    left join owners
        on deals.owner_key = owners.owner_key
    left join accounts
        on deals.account_key = accounts.account_key
    left join qualified
        on deals.deal_key = qualified.deal_key
    left join current_spells
        on deals.deal_key = current_spells.deal_key
    left join stage_definitions as definitions
        on definitions.entity_type = 'deal'
        and deals.current_stage = definitions.stage

)

select
    deal_key,
    source_system,
    deal_id,
    pipeline,
    deal_type,
    account_key,
    person_key,
    owner_key,
    manager_key,
    team,
    region,
    channel,
    product,
    customer_segment,
    current_stage,
    current_stage_order,
    is_open,
    is_closed,
    is_won,
    is_lost,
    amount_reporting,
    probability,
    created_at,
    closed_at,
    created_date,
    closed_date,
    expected_close_date,
    qualified_at,
    current_stage_entered_at,
    sales_cycle_days,
    days_in_current_stage,
    as_of_date
from final
