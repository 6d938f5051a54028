{#- Salesforce opportunities in the shape int_deal_records unions: the person (the lead-person of the
    named contact), the product of the first line item. A view: only int_deal_records reads it. -#}
{{ config(materialized='view') }}

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

persons as (

    select * from {{ ref('int_persons') }}

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

)

select
    source_system,
    deal_id,
    pipeline,
    deal_type_label,
    person_key,
    account_id,
    owner_id,
    lead_source,
    product,
    created_at,
    close_date,
    expected_close_date,
    stage_label,
    status,
    amount,
    currency_code,
    amount_reporting,
    is_fx_rate_missing,
    probability
from salesforce_deal_rows
