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

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

generic_persons as (

    select * from {{ ref('stg_generic__persons') }}

),

lead_source_channels as (

    select * from {{ ref('int_lead_source_channels') }}

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

-- hs_merged_object_ids lists the contacts merged into a surviving one: those ids are gone
hubspot_merged_away as (

    select distinct
        source_system,
        trim(merged_id) as contact_id
    from (
        select
            source_system,
            {{ split_to_rows('merged_object_ids', ';') }} as merged_id
        from hubspot_contacts
        where merged_object_ids is not null
    ) as exploded

),

hubspot_persons as (

    select
        contacts.source_system,
        contacts.contact_id as person_id,
        contacts.email_hash,
        contacts.company_id as account_id,
        contacts.owner_id,
        contacts.lead_source,
        contacts.lead_score,
        contacts.country,
        contacts.stage_label,
        cast(null as {{ dbt.type_string() }}) as converted_contact_id,
        contacts.created_at
    from hubspot_contacts as contacts
    left join hubspot_merged_away as merged
        on contacts.source_system = merged.source_system
        and contacts.contact_id = merged.contact_id
    where merged.contact_id is null

),

generic_person_rows as (

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
        cast(null as {{ dbt.type_string() }}) as converted_contact_id,
        created_at
    from generic_persons
    where not is_deleted
        and not is_merged

),

unioned as (

    select * from salesforce_lead_persons
    union all
    select * from salesforce_contact_persons
    union all
    select * from hubspot_persons
    union all
    select * from generic_person_rows

),

-- the source's own mapping of a lead source beats the `*` rows
channel_candidates as (

    select
        unioned.source_system,
        unioned.person_id,
        channels.channel,
        row_number() over (
            partition by unioned.source_system, unioned.person_id
            order by case when channels.source_system = '*' then 2 else 1 end
        ) as candidate_rank
    from unioned
    inner join lead_source_channels as channels
        on {{ alnum_key('unioned.lead_source') }} = channels.lead_source_key
        and channels.source_system in (lower(unioned.source_system), '*')

),

final as (

    select
        {{ entity_key('unioned.source_system', 'unioned.person_id') }} as person_key,
        unioned.source_system,
        unioned.person_id,
        unioned.email_hash,
        {{ entity_key('unioned.source_system', 'unioned.account_id') }} as account_key,
        {{ entity_key('unioned.source_system', 'unioned.owner_id') }} as owner_key,
        unioned.lead_source,
        coalesce(channels.channel, 'unknown') as channel,
        unioned.lead_score,
        unioned.country,
        unioned.created_at,
        unioned.stage_label as current_stage_label,
        {{ entity_key('unioned.source_system', 'unioned.converted_contact_id') }} as converted_contact_key
    from unioned
    left join channel_candidates as channels
        on unioned.source_system = channels.source_system
        and unioned.person_id = channels.person_id
        and channels.candidate_rank = 1

)

select
    person_key,
    source_system,
    person_id,
    email_hash,
    account_key,
    owner_key,
    lead_source,
    channel,
    lead_score,
    country,
    created_at,
    current_stage_label,
    converted_contact_key
from final
