with

salesforce_persons as (

    select * from {{ ref('int_salesforce_person_rows') }}

),

hubspot_persons as (

    select * from {{ ref('int_hubspot_person_rows') }}

),

generic_persons as (

    select * from {{ ref('stg_generic__persons') }}

),

lead_source_channels as (

    select * from {{ ref('int_lead_source_channels') }}

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

    select * from salesforce_persons
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
        -- a written lead source no mapping knows is `unmapped` (assert_no_unmapped_channel_labels
        -- names it); no lead source at all is `unknown`
        case
            when channels.channel is not null then channels.channel
            when {{ alnum_key('unioned.lead_source') }} is not null then 'unmapped'
            else 'unknown'
        end as channel,
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
