{#- Stage entries from candidate evidence rows (int_*_stage_evidence), shared by persons and deals.

    Rules (docs/lifecycle.md):
    - history is always kept;
    - stage_dates (first entries only) are dropped for a stage the entity has history for;
    - snapshot entries (a stage first seen in an export, entered in (window_start, entered_at]) are
      dropped when history / stage_dates prove an entry into that stage inside that window;
    - created_closed entries are kept only for entities with no history and no stage dates;
    - derived entries with dedup_scope 'stage' (opportunity) only when no other evidence has the stage,
      with 'instant' (customer, repeat_customer, advocate) unless the same stage is proven at the same instant;
    - at one entity + stage + instant the strongest evidence wins;
    - ties at the same instant: stage order, then evidence rank;
    - a row that repeats the stage the entity is already in is no entry.
    Adds entry_sequence (order among the entity's entries) and entry_number (n-th entry into the stage).
    Returns one select statement (its steps are its own), which the caller wraps as a CTE:
    `entries as ({{ stage_entries_from_evidence(ref('int_deal_stage_evidence'), ref('stage_definitions'),
    'deal_key', 'deal') }})`. Evidence kinds are named (macro evidence_rank gives their strength). -#}
{% macro stage_entries_from_evidence(evidence, stage_definitions, entity_key, entity_type) -%}

    with

    strong_by_stage as (

        select
            {{ entity_key }},
            stage,
            max(case when evidence = 'history' then 1 else 0 end) as has_history,
            max(case when evidence <> 'derived' then 1 else 0 end) as has_recorded
        from {{ evidence }}
        group by {{ entity_key }}, stage

    ),

    strong_by_entity as (

        select
            {{ entity_key }},
            max(case when evidence in ('history', 'stage_dates') then 1 else 0 end) as has_history_or_dates
        from {{ evidence }}
        group by {{ entity_key }}

    ),

    -- snapshot rows whose window holds a history / stage-date entry into the same stage
    snapshots_proven as (

        select distinct
            snapshots.{{ entity_key }},
            snapshots.stage,
            snapshots.entered_at
        from {{ evidence }} as snapshots
        inner join {{ evidence }} as proven
            on snapshots.{{ entity_key }} = proven.{{ entity_key }}
            and snapshots.stage = proven.stage
            and proven.evidence in ('history', 'stage_dates')
            and proven.entered_at <= snapshots.entered_at
            and (snapshots.window_start is null or proven.entered_at > snapshots.window_start)
        where snapshots.dedup_scope = 'window'

    ),

    kept_evidence as (

        select candidates.*
        from {{ evidence }} as candidates
        left join strong_by_stage
            on candidates.{{ entity_key }} = strong_by_stage.{{ entity_key }}
            and candidates.stage = strong_by_stage.stage
        left join strong_by_entity
            on candidates.{{ entity_key }} = strong_by_entity.{{ entity_key }}
        left join snapshots_proven
            on candidates.{{ entity_key }} = snapshots_proven.{{ entity_key }}
            and candidates.stage = snapshots_proven.stage
            and candidates.entered_at = snapshots_proven.entered_at
            and candidates.dedup_scope = 'window'
        where candidates.entered_at is not null
            and case candidates.dedup_scope
                when 'none' then true
                when 'stage' then
                    case
                        when candidates.evidence = 'stage_dates' then coalesce(strong_by_stage.has_history, 0) = 0
                        else coalesce(strong_by_stage.has_recorded, 0) = 0
                    end
                when 'window' then snapshots_proven.stage is null
                when 'entity' then coalesce(strong_by_entity.has_history_or_dates, 0) = 0
                else true
            end

    ),

    -- one row per entity + stage + instant: the strongest evidence
    deduplicated as (

        select *
        from (
            select
                kept_evidence.*,
                row_number() over (
                    partition by {{ entity_key }}, stage, entered_at
                    order by evidence_rank, stage_label
                ) as instant_rank
            from kept_evidence
        ) as ranked
        where instant_rank = 1

    ),

    with_definitions as (

        select
            deduplicated.{{ entity_key }},
            deduplicated.source_system,
            deduplicated.pipeline,
            deduplicated.stage_label,
            deduplicated.stage,
            definitions.stage_order,
            coalesce(definitions.is_lost, false) as is_exit,
            deduplicated.entered_at,
            deduplicated.evidence,
            deduplicated.evidence_rank
        from deduplicated
        left join {{ stage_definitions }} as definitions
            on definitions.entity_type = '{{ entity_type }}'
            and deduplicated.stage = definitions.stage

    ),

    -- ties at the same instant: stage order (exits and unmapped last), then evidence rank
    ordered as (

        select
            with_definitions.*,
            row_number() over (
                partition by {{ entity_key }}
                order by entered_at, coalesce(stage_order, 100000), evidence_rank, stage, stage_label
            ) as raw_sequence
        from with_definitions

    ),

    -- an unmapped label is its own stage key when comparing with the previous row
    compared as (

        select
            ordered.*,
            lag(case when stage = 'unmapped' then {{ dbt.concat(["'unmapped:'", "coalesce(stage_label, '')"]) }} else stage end) over (
                partition by {{ entity_key }}
                order by raw_sequence
            ) as previous_stage_key,
            case when stage = 'unmapped' then {{ dbt.concat(["'unmapped:'", "coalesce(stage_label, '')"]) }} else stage end as stage_key
        from ordered

    ),

    entries as (

        select * from compared
        where previous_stage_key is null
            or previous_stage_key <> stage_key

    ),

    numbered as (

        select
            entries.*,
            row_number() over (partition by {{ entity_key }} order by raw_sequence) as entry_sequence,
            row_number() over (partition by {{ entity_key }}, stage_key order by raw_sequence) as entry_number
        from entries

    )

    select
        {{ entity_key }},
        source_system,
        pipeline,
        stage,
        stage_order,
        entered_at,
        evidence,
        stage_label,
        is_exit,
        evidence_rank,
        entry_sequence,
        entry_number
    from numbered

{%- endmacro %}


{#- Strength of a kind of stage evidence, 1 strongest: what wins at one entity, stage and instant. -#}
{% macro evidence_rank(evidence) -%}
    case {{ evidence }}
        when 'history' then 1
        when 'stage_dates' then 2
        when 'snapshot' then 3
        when 'created_closed' then 4
        else 5
    end
{%- endmacro %}


{#- How a kind of evidence is checked against stronger evidence (macro stage_entries_from_evidence):
    history always kept ('none'); stage dates and the derived opportunity stage against any stronger
    evidence of the stage ('stage'); snapshots against proof inside their window ('window'); created /
    closed dates only without history or stage dates ('entity'); other derived stages at the instant. -#}
{% macro evidence_dedup_scope(evidence, stage) -%}
    case
        when {{ evidence }} = 'history' then 'none'
        when {{ evidence }} = 'stage_dates' then 'stage'
        when {{ evidence }} = 'snapshot' then 'window'
        when {{ evidence }} = 'created_closed' then 'entity'
        when {{ stage }} = 'opportunity' then 'stage'
        else 'instant'
    end
{%- endmacro %}
