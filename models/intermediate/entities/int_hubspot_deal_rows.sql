{#- HubSpot deals in the shape int_deal_records unions: the primary contact and company of a deal are
    its first association (export order). A view: only int_deal_records reads it. -#}
{{ config(materialized='view') }}

with

hubspot_deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

hubspot_deal_contacts as (

    select * from {{ ref('stg_hubspot__deal_contacts') }}

),

hubspot_deal_companies as (

    select * from {{ ref('stg_hubspot__deal_companies') }}

),

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
from hubspot_deal_rows
