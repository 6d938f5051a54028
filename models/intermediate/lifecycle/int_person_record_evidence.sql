{#- Stage evidence from a person record's own exports, one row per inferred stage entry:
    `snapshot` (a stage that shows in an export but not in the one before, entered between the two)
    and `created_closed` (the first known stage, entered at creation: the last resort). Labels are
    mapped here, because a snapshot compares the stages of successive exports. -#}
{#- A view: read once, by the stage evidence union; nothing to store twice. -#}
{{ config(materialized='view') }}

with

persons as (

    select * from {{ ref('int_persons') }}

),

person_versions as (

    select * from {{ ref('int_person_state_versions') }}

),

label_lookup as (

    select * from {{ ref('int_stage_label_lookup') }}
    where entity_type = 'person'
        and pipeline = 'lifecycle'

),

versions_staged as (

    select
        versions.*,
        coalesce(labels.stage, 'unmapped') as version_stage
    from person_versions as versions
    left join label_lookup as labels
        on versions.source_system = labels.source_system
        and {{ normalize_label('versions.stage_label') }} = labels.stage_label_normalized

),

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
        'snapshot' as evidence,
        previous_observed_at as window_start
    from versions_compared
    where version_number > 1
        and version_stage <> previous_stage

),

-- last resort: the first known stage, entered at creation
created_labels as (

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

created_rows as (

    select
        created_labels.source_system,
        created_labels.person_id,
        created_labels.stage_label,
        coalesce(labels.stage, 'unmapped') as stage,
        created_labels.entered_at,
        'created_closed' as evidence,
        cast(null as timestamp) as window_start
    from created_labels
    left join label_lookup as labels
        on created_labels.source_system = labels.source_system
        and {{ normalize_label('created_labels.stage_label') }} = labels.stage_label_normalized

),

record_rows as (

    select * from snapshot_rows

    union all

    select * from created_rows

)

select
    source_system,
    person_id,
    stage_label,
    stage,
    entered_at,
    evidence,
    window_start
from record_rows
