{#- Transitions: one row per pair of consecutive entries (the first entry is no transition).
    Direction (docs/lifecycle.md, truth rule): from an exit = reopen; into an exit = forward;
    next stage of the pipeline = forward; further = skip; earlier = backward. Unmapped stages have
    no position: a change from or to one is recorded with direction 'unknown'. -#}
{% macro stage_transitions(entries, pipeline_stages, entity_key, entity_type) -%}

    positioned as (

        select
            entries.*,
            stages.stage_position
        from {{ entries }} as entries
        left join {{ pipeline_stages }} as stages
            on stages.entity_type = '{{ entity_type }}'
            and entries.source_system = stages.source_system
            and entries.pipeline = stages.pipeline
            and entries.stage = stages.stage

    ),

    paired as (

        select
            positioned.*,
            lag(stage) over (partition by {{ entity_key }} order by entry_sequence) as from_stage,
            lag(is_exit) over (partition by {{ entity_key }} order by entry_sequence) as from_is_exit,
            lag(stage_position) over (partition by {{ entity_key }} order by entry_sequence) as from_position
        from positioned

    ),

    transitions as (

        select
            {{ entity_key }},
            source_system,
            pipeline,
            entry_sequence - 1 as transition_number,
            from_stage,
            stage as to_stage,
            entered_at as transitioned_at,
            evidence,
            case
                when from_is_exit then 'reopen'
                when is_exit then 'forward'
                when from_position is null or stage_position is null then 'unknown'
                when stage_position = from_position + 1 then 'forward'
                when stage_position > from_position + 1 then 'skip'
                else 'backward'
            end as direction,
            entry_number
        from paired
        where entry_sequence > 1

    )

{%- endmacro %}


{#- Spells: one row per stay in a stage, [entered_at, exited_at), exited_at null while current;
    days from epoch seconds / 86400.0 (never a sub-day datediff). A current spell runs to the
    warehouse's one as-of instant (`as_of`, the relation int_as_of). -#}
{% macro stage_spells(entries, as_of, entity_key) -%}

    with_exits as (

        select
            entries.*,
            lead(entered_at) over (partition by {{ entity_key }} order by entry_sequence) as exited_at,
            as_of.as_of_at
        from {{ entries }} as entries
        cross join {{ as_of }} as as_of

    ),

    spells as (

        select
            {{ entity_key }},
            source_system,
            pipeline,
            stage,
            entry_number,
            entered_at,
            exited_at,
            {{ days_between('entered_at', 'coalesce(exited_at, as_of_at)') }} as days_in_spell,
            exited_at is null as is_current,
            entry_sequence,
            evidence
        from with_exits

    )

{%- endmacro %}


{#- The pinned "now", a 'YYYY-MM-DD HH:MM:SS' UTC literal, or none: var('as_of_timestamp') (dbt
    --vars; an empty string unpins) when set, else FUNNEL_AS_OF (what `funnel` and Dagster pass). The environment is read
    only when executing: read while parsing, dbt would record it and re-parse every model that calls
    this whenever FUNNEL_AS_OF changes (and, read in dbt_project.yml, re-parse the whole project). -#}
{% macro pinned_as_of_timestamp() -%}
    {%- set pinned = var('as_of_timestamp', none) -%}
    {%- if pinned is none -%}
        {%- set pinned = env_var('FUNNEL_AS_OF', '') if execute else '' -%}
    {%- endif -%}
    {{- return(pinned or none) -}}
{%- endmacro %}


{#- The instant "now" for open spells and ages: the pinned as-of (pinned_as_of_timestamp) when set,
    so results are reproducible; else the engine's current timestamp. -#}
{% macro as_of_timestamp() -%}
    {%- set as_of = pinned_as_of_timestamp() -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as timestamp)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as timestamp)
    {%- endif -%}
{%- endmacro %}


{#- Reach with pass-through: an entity reached ordered stage k of its pipeline if it ever entered
    k or a later ordered stage (exits are never "later"); reached_at = first entry into k, or, when
    skipped, the earliest entry into a later stage. -#}
{% macro stage_reach(entries, pipeline_stages, entity_key, entity_type) -%}

    entered_positions as (

        select
            entries.{{ entity_key }},
            entries.source_system,
            entries.pipeline,
            entries.stage,
            entries.entered_at,
            stages.stage_position
        from {{ entries }} as entries
        inner join {{ pipeline_stages }} as stages
            on stages.entity_type = '{{ entity_type }}'
            and entries.source_system = stages.source_system
            and entries.pipeline = stages.pipeline
            and entries.stage = stages.stage
        where stages.stage_position is not null

    ),

    furthest as (

        select
            {{ entity_key }},
            source_system,
            pipeline,
            max(stage_position) as furthest_position
        from entered_positions
        group by {{ entity_key }}, source_system, pipeline

    ),

    first_entries as (

        select
            {{ entity_key }},
            stage_position,
            min(entered_at) as first_entered_at
        from entered_positions
        group by {{ entity_key }}, stage_position

    ),

    reach_candidates as (

        select
            furthest.{{ entity_key }},
            furthest.source_system,
            furthest.pipeline,
            stages.stage,
            stages.stage_order,
            stages.stage_position
        from furthest
        inner join {{ pipeline_stages }} as stages
            on stages.entity_type = '{{ entity_type }}'
            and furthest.source_system = stages.source_system
            and furthest.pipeline = stages.pipeline
            and stages.stage_position is not null
            and stages.stage_position <= furthest.furthest_position

    ),

    -- the earliest entry into this stage or any later one (a range join on the entity's own entries)
    reached_times as (

        select
            candidates.{{ entity_key }},
            candidates.stage_position,
            min(later.first_entered_at) as earliest_at_or_after
        from reach_candidates as candidates
        inner join first_entries as later
            on candidates.{{ entity_key }} = later.{{ entity_key }}
            and later.stage_position >= candidates.stage_position
        group by candidates.{{ entity_key }}, candidates.stage_position

    ),

    reach as (

        select
            candidates.{{ entity_key }},
            candidates.source_system,
            candidates.pipeline,
            candidates.stage,
            candidates.stage_order,
            coalesce(own.first_entered_at, reached_times.earliest_at_or_after) as reached_at,
            own.first_entered_at is null as is_passed_through,
            candidates.stage_position
        from reach_candidates as candidates
        left join first_entries as own
            on candidates.{{ entity_key }} = own.{{ entity_key }}
            and candidates.stage_position = own.stage_position
        left join reached_times
            on candidates.{{ entity_key }} = reached_times.{{ entity_key }}
            and candidates.stage_position = reached_times.stage_position

    )

{%- endmacro %}
