with

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

salesforce_line_items as (

    select * from {{ ref('stg_salesforce__opportunity_line_items') }}

),

salesforce_products as (

    select * from {{ ref('stg_salesforce__products') }}

),

hubspot_deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

hubspot_deal_contacts as (

    select * from {{ ref('stg_hubspot__deal_contacts') }}

),

hubspot_deal_companies as (

    select * from {{ ref('stg_hubspot__deal_companies') }}

),

generic_deals as (

    select * from {{ ref('stg_generic__deals') }}

),

persons as (

    select * from {{ ref('int_persons') }}

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

-- a Salesforce deal's product: the product of its first line item
salesforce_deal_products as (

    select
        line_items.source_system,
        line_items.deal_id,
        products.product_name,
        row_number() over (
            partition by line_items.source_system, line_items.deal_id
            order by line_items.created_at, line_items.opportunity_line_item_id
        ) as line_rank
    from salesforce_line_items as line_items
    inner join salesforce_products as products
        on line_items.source_system = products.source_system
        and line_items.product_id = products.product_id
    where not line_items.is_deleted

),

-- a converted lead and its contact are one person (keyed by the lead): deals name the contact
salesforce_contact_persons as (

    select
        converted_contact_key as contact_key,
        person_key
    from persons
    where converted_contact_key is not null

    union all

    select
        person_key as contact_key,
        person_key
    from persons
    where source_system = 'salesforce'
        and converted_contact_key is null

),

salesforce_deal_rows as (

    select
        opportunities.source_system,
        opportunities.deal_id,
        opportunities.pipeline,
        opportunities.deal_type as deal_type_label,
        coalesce(
            contact_persons.person_key,
            {{ entity_key('opportunities.source_system', 'opportunities.contact_id') }}
        ) as person_key,
        opportunities.account_id,
        opportunities.owner_id,
        opportunities.lead_source,
        products.product_name as product,
        opportunities.created_at,
        opportunities.close_date,
        opportunities.close_date as expected_close_date,
        opportunities.stage_label,
        cast(null as {{ dbt.type_string() }}) as status,
        opportunities.amount,
        opportunities.currency_code,
        opportunities.amount_reporting,
        opportunities.is_fx_rate_missing,
        opportunities.probability
    from salesforce_opportunities as opportunities
    left join salesforce_contact_persons as contact_persons
        on {{ entity_key('opportunities.source_system', 'opportunities.contact_id') }} = contact_persons.contact_key
    left join salesforce_deal_products as products
        on opportunities.source_system = products.source_system
        and opportunities.deal_id = products.deal_id
        and products.line_rank = 1
    where not opportunities.is_deleted

),

-- HubSpot: the primary contact / company of a deal is its first association (export order)
hubspot_primary_contacts as (

    select
        source_system,
        deal_id,
        contact_id,
        row_number() over (
            partition by source_system, deal_id
            order by exported_at, source_file, source_row_number
        ) as association_rank
    from hubspot_deal_contacts

),

hubspot_primary_companies as (

    select
        source_system,
        deal_id,
        company_id,
        row_number() over (
            partition by source_system, deal_id
            order by exported_at, source_file, source_row_number
        ) as association_rank
    from hubspot_deal_companies

),

hubspot_deal_rows as (

    select
        deals.source_system,
        deals.deal_id,
        deals.pipeline,
        deals.deal_type as deal_type_label,
        {{ entity_key('deals.source_system', 'contacts.contact_id') }} as person_key,
        companies.company_id as account_id,
        deals.owner_id,
        deals.lead_source,
        deals.product_family as product,
        deals.created_at,
        deals.close_date,
        deals.close_date as expected_close_date,
        deals.stage_label,
        cast(null as {{ dbt.type_string() }}) as status,
        deals.amount,
        deals.currency_code,
        deals.amount_reporting,
        deals.is_fx_rate_missing,
        deals.probability
    from hubspot_deals as deals
    left join hubspot_primary_contacts as contacts
        on deals.source_system = contacts.source_system
        and deals.deal_id = contacts.deal_id
        and contacts.association_rank = 1
    left join hubspot_primary_companies as companies
        on deals.source_system = companies.source_system
        and deals.deal_id = companies.deal_id
        and companies.association_rank = 1

),

generic_deal_rows as (

    select
        source_system,
        deal_id,
        pipeline,
        deal_type as deal_type_label,
        {{ entity_key('source_system', 'person_id') }} as person_key,
        account_id,
        owner_id,
        lead_source,
        product,
        created_at,
        cast(closed_at as date) as close_date,
        expected_close_date,
        stage_label,
        status,
        amount,
        currency_code,
        amount_reporting,
        is_fx_rate_missing,
        probability
    from generic_deals
    where not is_deleted

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
