{#- Every candidate stage entry of a person before deduplication, one row per piece of evidence:
    the sources' history and stage dates (int_person_history_evidence, labels mapped here), the
    record's own exports (int_person_record_evidence) and derived stages
    (int_person_derived_evidence), ranked by how much they are trusted. int_person_stage_entries
    keeps the entries (macro stage_entries_from_evidence). -#}
with

persons as (

    select * from {{ ref('int_persons') }}

),

history_evidence as (

    select * from {{ ref('int_person_history_evidence') }}

),

record_evidence as (

    select * from {{ ref('int_person_record_evidence') }}

),

derived_evidence as (

    select * from {{ ref('int_person_derived_evidence') }}

),

label_lookup as (

    select * from {{ ref('int_stage_label_lookup') }}
    where entity_type = 'person'
        and pipeline = 'lifecycle'

),

labelled as (

    select
        {{ entity_key('rows.source_system', 'rows.person_id') }} as person_key,
        rows.stage_label,
        coalesce(labels.stage, 'unmapped') as stage,
        rows.entered_at,
        rows.evidence,
        cast(null as timestamp) as window_start
    from history_evidence as rows
    left join label_lookup as labels
        on rows.source_system = labels.source_system
        and {{ normalize_label('rows.stage_label') }} = labels.stage_label_normalized

    union all

    select
        {{ entity_key('source_system', 'person_id') }} as person_key,
        stage_label,
        stage,
        entered_at,
        evidence,
        window_start
    from record_evidence

    union all

    select
        person_key,
        cast(null as {{ dbt.type_string() }}) as stage_label,
        stage,
        entered_at,
        'derived' as evidence,
        cast(null as timestamp) as window_start
    from derived_evidence

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
        {{ evidence_rank('labelled.evidence') }} as evidence_rank,
        -- how weaker evidence is checked against stronger (see int_person_stage_entries)
        {{ evidence_dedup_scope('labelled.evidence', 'labelled.stage') }} as dedup_scope,
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
