{#- Every candidate stage entry of a deal before deduplication, one row per piece of evidence: the
    sources' history and stage dates (int_deal_history_evidence, labels mapped here) and the
    record's own exports (int_deal_record_evidence), ranked by how much they are trusted.
    int_deal_stage_entries keeps the entries (macro stage_entries_from_evidence). -#}
with

deals as (

    select * from {{ ref('int_deal_records') }}

),

history_evidence as (

    select * from {{ ref('int_deal_history_evidence') }}

),

record_evidence as (

    select * from {{ ref('int_deal_record_evidence') }}

),

label_lookup as (

    select * from {{ ref('int_stage_label_lookup') }}
    where entity_type = 'deal'

),

labelled as (

    select
        rows.source_system,
        rows.deal_id,
        rows.stage_label,
        coalesce(labels.stage, 'unmapped') as stage,
        rows.entered_at,
        rows.evidence,
        cast(null as timestamp) as window_start
    from history_evidence as rows
    left join label_lookup as labels
        on rows.source_system = labels.source_system
        and rows.pipeline = labels.pipeline
        and {{ normalize_label('rows.stage_label') }} = labels.stage_label_normalized

    union all

    select
        source_system,
        deal_id,
        stage_label,
        stage,
        entered_at,
        evidence,
        window_start
    from record_evidence

),

final as (

    select
        deals.deal_key,
        deals.source_system,
        deals.pipeline,
        labelled.stage_label,
        labelled.stage,
        labelled.entered_at,
        labelled.evidence,
        {{ evidence_rank('labelled.evidence') }} as evidence_rank,
        -- how weaker evidence is checked against stronger (see int_deal_stage_entries)
        {{ evidence_dedup_scope('labelled.evidence', 'labelled.stage') }} as dedup_scope,
        labelled.window_start
    from labelled
    inner join deals
        on labelled.source_system = deals.source_system
        and labelled.deal_id = deals.deal_id
    where labelled.entered_at is not null

)

select
    deal_key,
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
