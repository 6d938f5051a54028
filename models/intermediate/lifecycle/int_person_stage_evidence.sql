with

persons as (

    select * from {{ ref('int_persons') }}

),

deals as (

    select * from {{ ref('int_deal_records') }}

),

deal_entries as (

    select * from {{ ref('int_deal_stage_entries') }}

),

salesforce_lead_history as (

    select * from {{ ref('stg_salesforce__lead_history') }}

),

hubspot_property_history as (

    select * from {{ ref('stg_hubspot__property_history') }}

),

hubspot_contact_lifecycle_dates as (

    select * from {{ ref('stg_hubspot__contact_lifecycle_dates') }}

),

generic_stage_events as (

    select * from {{ ref('stg_generic__stage_events') }}

),

person_versions as (

    select * from {{ ref('int_person_state_versions') }}

),

touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

stage_labels as (

    select * from {{ ref('int_stage_labels') }}

),

-- labels are matched on their normalised form, so an older export's spelling still maps
label_stages as (

    select
        source_system,
        stage_label_normalized,
        min(stage) as stage
    from stage_labels
    where entity_type = 'person'
        and pipeline = 'lifecycle'
    group by source_system, stage_label_normalized

),

salesforce_status_changes as (

    select
        source_system,
        lead_id,
        old_stage_label,
        new_stage_label,
        changed_at,
        row_number() over (
            partition by source_system, lead_id
            order by changed_at, lead_history_id
        ) as change_number
    from salesforce_lead_history
    where is_status_change
        and not coalesce(is_deleted, false)
        and changed_at is not null

),

history_rows as (

    select
        source_system,
        lead_id as person_id,
        new_stage_label as stage_label,
        changed_at as entered_at
    from salesforce_status_changes
    where new_stage_label is not null

    union all

    -- a lead's first status is the OldValue of its first Status change, entered at creation
    select
        changes.source_system,
        changes.lead_id as person_id,
        changes.old_stage_label as stage_label,
        persons.created_at as entered_at
    from salesforce_status_changes as changes
    inner join persons
        on changes.source_system = persons.source_system
        and changes.lead_id = persons.person_id
    where changes.change_number = 1
        and changes.old_stage_label is not null

    union all

    select
        source_system,
        object_id as person_id,
        stage_label,
        changed_at as entered_at
    from hubspot_property_history
    where object_type = 'contact'
        and property_name = 'lifecyclestage'
        and stage_label is not null
        and changed_at is not null

    union all

    select
        source_system,
        entity_id as person_id,
        stage_label,
        entered_at
    from generic_stage_events
    where entity_type = 'person'
        and stage_label is not null
        and entered_at is not null

),

stage_date_rows as (

    select
        source_system,
        contact_id as person_id,
        stage_label,
        entered_at
    from hubspot_contact_lifecycle_dates
    where stage_label is not null
        and entered_at is not null

),

versions_staged as (

    select
        versions.*,
        coalesce(labels.stage, 'unmapped') as version_stage
    from person_versions as versions
    left join label_stages as labels
        on versions.source_system = labels.source_system
        and {{ normalize_label('versions.stage_label') }} = labels.stage_label_normalized

),

-- snapshot evidence: a stage that shows in an export but not in the one before entered in between
-- when a version was seen: its export time, but never after a newer version's (an undated file is
-- dated by its mtime, which can be months after a newer dated export of the same records)
versions_observed as (

    select
        versions_staged.*,
        min(exported_at) over (
            partition by source_system, person_id order by version_number desc
            rows between unbounded preceding and current row
        ) as observed_at
    from versions_staged

),

versions_compared as (

    select
        versions_observed.*,
        lag(version_stage) over (partition by source_system, person_id order by version_number) as previous_stage,
        lag(observed_at) over (partition by source_system, person_id order by version_number) as previous_observed_at
    from versions_observed

),

snapshot_rows as (

    select
        source_system,
        person_id,
        stage_label,
        version_stage as stage,
        observed_at as entered_at,
        previous_observed_at as window_start
    from versions_compared
    where version_number > 1
        and version_stage <> previous_stage

),

-- last resort: the first known stage, entered at creation
created_rows as (

    select
        persons.source_system,
        persons.person_id,
        coalesce(versions.stage_label, persons.current_stage_label) as stage_label,
        persons.created_at as entered_at
    from persons
    left join versions_staged as versions
        on persons.source_system = versions.source_system
        and persons.person_id = versions.person_id
        and versions.version_number = 1
    where persons.created_at is not null
        and coalesce(versions.stage_label, persons.current_stage_label) is not null

),

-- customer / repeat_customer: the close of the person's first / second won deal (primary person)
won_deals as (

    select
        deals.person_key,
        coalesce(max(entries.entered_at), cast(max(deals.close_date) as timestamp)) as won_at,
        deals.deal_key
    from deals
    left join deal_entries as entries
        on deals.deal_key = entries.deal_key
        and entries.stage = 'closed_won'
    where deals.is_won
        and deals.person_key is not null
    group by deals.person_key, deals.deal_key

),

won_ranked as (

    select
        person_key,
        won_at,
        row_number() over (partition by person_key order by won_at, deal_key) as win_number
    from won_deals
    where won_at is not null

),

-- opportunity: creation of the person's first deal that is known to have been open (kept only where the
-- CRM has no such stage); a deal only known as closed (a list of won deals) proves no opportunity stage
open_deals as (

    select distinct deal_key
    from deal_entries
    where stage_order is not null
        and not {{ is_won_deal_stage('stage') }}

),

first_deals as (

    select
        deals.person_key,
        min(deals.created_at) as first_deal_at
    from deals
    inner join open_deals
        on deals.deal_key = open_deals.deal_key
    where deals.person_key is not null
        and deals.created_at is not null
    group by deals.person_key

),

-- advocate: the first stage entry (creation) of a person whose referral touch names this person
referrals as (

    select distinct
        email_hash as referred_email_hash,
        referred_by_email_hash,
        occurred_at
    from touches
    where referred_by_email_hash is not null

),

advocacy as (

    select
        referrers.person_key,
        min(coalesce(referred.created_at, referrals.occurred_at)) as advocate_at
    from referrals
    inner join persons as referrers
        on referrals.referred_by_email_hash = referrers.email_hash
    left join persons as referred
        on referrals.referred_email_hash = referred.email_hash
        and referred.source_system = referrers.source_system
    group by referrers.person_key

),

labelled as (

    select
        {{ entity_key('rows.source_system', 'rows.person_id') }} as person_key,
        rows.stage_label,
        coalesce(labels.stage, 'unmapped') as stage,
        rows.entered_at,
        'history' as evidence,
        cast(null as timestamp) as window_start
    from history_rows as rows
    left join label_stages as labels
        on rows.source_system = labels.source_system
        and {{ normalize_label('rows.stage_label') }} = labels.stage_label_normalized

    union all

    select
        {{ entity_key('rows.source_system', 'rows.person_id') }} as person_key,
        rows.stage_label,
        coalesce(labels.stage, 'unmapped') as stage,
        rows.entered_at,
        'stage_dates' as evidence,
        cast(null as timestamp) as window_start
    from stage_date_rows as rows
    left join label_stages as labels
        on rows.source_system = labels.source_system
        and {{ normalize_label('rows.stage_label') }} = labels.stage_label_normalized

    union all

    select
        {{ entity_key('source_system', 'person_id') }} as person_key,
        stage_label,
        stage,
        entered_at,
        'snapshot' as evidence,
        window_start
    from snapshot_rows

    union all

    select
        {{ entity_key('rows.source_system', 'rows.person_id') }} as person_key,
        rows.stage_label,
        coalesce(labels.stage, 'unmapped') as stage,
        rows.entered_at,
        'created_closed' as evidence,
        cast(null as timestamp) as window_start
    from created_rows as rows
    left join label_stages as labels
        on rows.source_system = labels.source_system
        and {{ normalize_label('rows.stage_label') }} = labels.stage_label_normalized

    union all

    select
        person_key,
        cast(null as {{ dbt.type_string() }}) as stage_label,
        case when win_number = 1 then 'customer' else 'repeat_customer' end as stage,
        won_at as entered_at,
        'derived' as evidence,
        cast(null as timestamp) as window_start
    from won_ranked
    where win_number <= 2

    union all

    select
        person_key,
        cast(null as {{ dbt.type_string() }}) as stage_label,
        'opportunity' as stage,
        first_deal_at as entered_at,
        'derived' as evidence,
        cast(null as timestamp) as window_start
    from first_deals

    union all

    select
        person_key,
        cast(null as {{ dbt.type_string() }}) as stage_label,
        'advocate' as stage,
        advocate_at as entered_at,
        'derived' as evidence,
        cast(null as timestamp) as window_start
    from advocacy

),

final as (

    select
        persons.person_key,
        persons.source_system,
        'lifecycle' as pipeline,
        labelled.stage_label,
        labelled.stage,
        labelled.entered_at,
        labelled.evidence,
        case labelled.evidence
            when 'history' then 1
            when 'stage_dates' then 2
            when 'snapshot' then 3
            when 'created_closed' then 4
            else 5
        end as evidence_rank,
        -- how weaker evidence is checked against stronger (see int_person_stage_entries)
        case
            when labelled.evidence = 'history' then 'none'
            when labelled.evidence = 'stage_dates' then 'stage'
            when labelled.evidence = 'snapshot' then 'window'
            when labelled.evidence = 'created_closed' then 'entity'
            when labelled.stage = 'opportunity' then 'stage'
            else 'instant'
        end as dedup_scope,
        labelled.window_start
    from labelled
    inner join persons
        on labelled.person_key = persons.person_key
    where labelled.entered_at is not null

)

select
    person_key,
    source_system,
    pipeline,
    stage_label,
    stage,
    entered_at,
    evidence,
    evidence_rank,
    dedup_scope,
    window_start
from final
