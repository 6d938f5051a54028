{{ config(severity='error', store_failures=true) }}

-- Fails naming every observed raw stage label that no mapping turns into a canonical stage:
-- add it to seeds/stage_label_map.csv or to the mapping file's stage_labels:.
select
    source_system,
    entity_type,
    pipeline,
    stage_label as raw_label
from {{ ref('int_stage_labels') }}
where stage = 'unmapped'
