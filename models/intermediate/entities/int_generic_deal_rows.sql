{#- Generic (mapping-file) deals in the shape int_deal_records unions, deleted removed. A view: only
    int_deal_records reads it. -#}
{{ config(materialized='view') }}

with

generic_deals as (

    select * from {{ ref('stg_generic__deals') }}

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
from generic_deal_rows
