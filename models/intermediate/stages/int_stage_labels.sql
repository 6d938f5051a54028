{#- Maps every observed stage label to its canonical stage: the most specific mapping row wins. -#}
with

-- every observed label, with its normalised label and (HubSpot deal stage ids) its pipeline label
observed_labels as (

    select * from {{ ref('int_stage_labels_observed') }}

),

label_map as (

    select * from {{ ref('int_stage_label_map') }}

),

stage_definitions as (

    select * from {{ ref('stage_definitions') }}

),

match_keys as (

    select
        source_system,
        entity_type,
        pipeline,
        stage_label,
        stage_label_normalized as match_label,
        'stage_label' as matched_on,
        1 as match_priority
    from observed_labels

    union all

    select
        source_system,
        entity_type,
        pipeline,
        stage_label,
        pipeline_stage_label_normalized as match_label,
        'pipeline_stage_label' as matched_on,
        2 as match_priority
    from observed_labels
    where pipeline_stage_label_normalized is not null

),

candidates as (

    select
        match_keys.source_system,
        match_keys.entity_type,
        match_keys.pipeline,
        match_keys.stage_label,
        match_keys.matched_on,
        match_keys.match_priority,
        label_map.stage,
        label_map.mapping_origin,
        label_map.origin_priority,
        label_map.source_system as matched_source_system,
        label_map.pipeline as matched_pipeline,
        case
            when label_map.source_system <> '*' and label_map.pipeline <> '*' then 1
            when label_map.source_system <> '*' then 2
            when label_map.pipeline <> '*' then 3
            else 4
        end as specificity
    from match_keys
    inner join label_map
        on match_keys.match_label = label_map.match_label
        and label_map.source_system in (lower(match_keys.source_system), '*')
        and label_map.pipeline in (lower(match_keys.pipeline), '*')
    -- a candidate must be a stage of the entity's own type (a lead status never maps to a deal stage)
    inner join stage_definitions
        on match_keys.entity_type = stage_definitions.entity_type
        and label_map.stage = stage_definitions.stage

),

-- the most specific candidate wins: the id before its pipeline label, exact pipeline before *,
-- exact source system before *, a mapping file's label before the seed's
ranked_candidates as (

    select
        *,
        row_number() over (
            partition by source_system, entity_type, pipeline, stage_label
            order by match_priority, specificity, origin_priority, stage
        ) as candidate_rank
    from candidates

),

best_candidates as (

    select * from ranked_candidates
    where candidate_rank = 1

),

final as (

    select
        -- keys
        labels.source_system,
        labels.entity_type,
        labels.pipeline,
        labels.stage_label,

        -- strings
        labels.stage_label_normalized,
        labels.pipeline_stage_label,
        coalesce(best.stage, 'unmapped') as stage,
        coalesce(best.mapping_origin, 'unmapped') as mapping_origin,
        best.matched_on,
        best.matched_source_system,
        best.matched_pipeline,

        -- booleans
        best.stage is null as is_unmapped

    from observed_labels as labels
    left join best_candidates as best
        on labels.source_system = best.source_system
        and labels.entity_type = best.entity_type
        and labels.pipeline = best.pipeline
        and labels.stage_label = best.stage_label

)

select
    source_system,
    entity_type,
    pipeline,
    stage_label,
    stage_label_normalized,
    pipeline_stage_label,
    stage,
    mapping_origin,
    matched_on,
    matched_source_system,
    matched_pipeline,
    is_unmapped
from final
