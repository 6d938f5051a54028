{#- Salesforce persons in the shape int_persons unions: leads (a converted lead keeps its contact's
    account, an unconverted one matches its company name to a unique account) and the contacts that
    never were leads; deleted and merged records removed. A view: only int_persons reads it. -#}
{{ config(materialized='view') }}

with

salesforce_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

salesforce_contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

salesforce_accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

-- an unconverted lead names its company only as text: match it to an account when the name is unique
salesforce_account_names as (

    select
        source_system,
        lower(trim(account_name)) as account_name_key,
        min(account_id) as account_id
    from salesforce_accounts
    where not is_deleted
        and not is_merged
        and account_name is not null
    group by source_system, lower(trim(account_name))
    having count(*) = 1

),

salesforce_lead_persons as (

    select
        leads.source_system,
        leads.lead_id as person_id,
        leads.email_hash,
        coalesce(leads.converted_account_id, contacts.account_id, account_names.account_id) as account_id,
        leads.owner_id,
        leads.lead_source,
        leads.lead_score,
        leads.country,
        leads.stage_label,
        leads.converted_contact_id,
        leads.created_at
    from salesforce_leads as leads
    left join salesforce_contacts as contacts
        on leads.source_system = contacts.source_system
        and leads.converted_contact_id = contacts.contact_id
    left join salesforce_account_names as account_names
        on leads.source_system = account_names.source_system
        and lower(trim(leads.company_name)) = account_names.account_name_key
    where not leads.is_deleted
        and not leads.is_merged

),

-- a contact that a lead converted into is that lead's person; only contacts that never were leads are persons
salesforce_contact_persons as (

    select
        contacts.source_system,
        contacts.contact_id as person_id,
        contacts.email_hash,
        contacts.account_id,
        contacts.owner_id,
        contacts.lead_source,
        cast(null as double) as lead_score,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as stage_label,
        cast(null as {{ dbt.type_string() }}) as converted_contact_id,
        contacts.created_at
    from salesforce_contacts as contacts
    left join salesforce_leads as leads
        on contacts.source_system = leads.source_system
        and contacts.contact_id = leads.converted_contact_id
    where leads.lead_id is null
        and not contacts.is_deleted
        and not contacts.is_merged

),

salesforce_persons as (

    select * from salesforce_lead_persons
    union all
    select * from salesforce_contact_persons

)

select
    source_system,
    person_id,
    email_hash,
    account_id,
    owner_id,
    lead_source,
    lead_score,
    country,
    stage_label,
    converted_contact_id,
    created_at
from salesforce_persons
