with

salesforce_deal_rows as (

    select * from {{ ref('int_salesforce_deal_rows') }}

),

hubspot_deal_rows as (

    select * from {{ ref('int_hubspot_deal_rows') }}

),

generic_deal_rows as (

    select * from {{ ref('int_generic_deal_rows') }}

),

stage_labels as (

    select * from {{ ref('int_stage_labels') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

deal_types as (

    select * from {{ ref('deal_types') }}

),

unioned as (

    select * from salesforce_deal_rows
    union all
    select * from hubspot_deal_rows
    union all
    select * from generic_deal_rows

),

deal_type_candidates as (

    select
        unioned.source_system,
        unioned.deal_id,
        deal_types.deal_type,
        row_number() over (
            partition by unioned.source_system, unioned.deal_id
            order by case when deal_types.source_system = '*' then 2 else 1 end
        ) as candidate_rank
    from unioned
    inner join deal_types
        on {{ alnum_key('unioned.deal_type_label') }} = {{ alnum_key('deal_types.deal_type_label') }}
        and lower(trim(deal_types.source_system)) in (lower(unioned.source_system), '*')

),

-- the label's canonical stage; a generic status (won / lost) closes a deal whose CRM keeps its last stage
staged as (

    select
        unioned.*,
        coalesce(labels.stage, 'unmapped') as label_stage,
        {{ deal_status_stage('unioned.status', 'labels.stage') }} as current_stage
    from unioned
    left join stage_labels as labels
        on unioned.source_system = labels.source_system
        and labels.entity_type = 'deal'
        and unioned.pipeline = labels.pipeline
        and unioned.stage_label = labels.stage_label

),

final as (

    select
        {{ entity_key('staged.source_system', 'staged.deal_id') }} as deal_key,
        staged.source_system,
        staged.deal_id,
        staged.pipeline,
        coalesce(deal_type_candidates.deal_type, 'unknown') as deal_type,
        staged.deal_type_label,
        staged.person_key,
        {{ entity_key('staged.source_system', 'staged.account_id') }} as account_key,
        {{ entity_key('staged.source_system', 'staged.owner_id') }} as owner_key,
        staged.lead_source,
        staged.product,
        staged.created_at,
        case when coalesce(definitions.is_closed, false) then staged.close_date end as close_date,
        staged.expected_close_date,
        staged.stage_label as current_stage_label,
        staged.label_stage as current_label_stage,
        staged.current_stage,
        staged.status,
        coalesce(definitions.is_closed, false) as is_closed,
        coalesce(definitions.is_won, false) as is_won,
        coalesce(definitions.is_lost, false) as is_lost,
        staged.amount,
        staged.currency_code,
        round(staged.amount_reporting, 2) as amount_reporting,
        staged.is_fx_rate_missing,
        staged.probability
    from staged
    left join deal_type_candidates
        on staged.source_system = deal_type_candidates.source_system
        and staged.deal_id = deal_type_candidates.deal_id
        and deal_type_candidates.candidate_rank = 1
    left join stage_definitions as definitions
        on definitions.entity_type = 'deal'
        and staged.current_stage = definitions.stage

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
    lead_source,
    product,
    created_at,
    close_date,
    expected_close_date,
    current_stage_label,
    current_label_stage,
    current_stage,
    status,
    is_closed,
    is_won,
    is_lost,
    amount,
    currency_code,
    amount_reporting,
    is_fx_rate_missing,
    probability
from final
