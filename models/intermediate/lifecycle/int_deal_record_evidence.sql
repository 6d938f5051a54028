{#- Stage evidence from a deal record's own exports, one row per inferred stage entry: `snapshot` (a
    stage that shows in an export but not in the one before, entered between the two; a close that
    the export dates inside that window, at its date) and `created_closed` (the first known stage at
    creation, the closing stage at the close date: the last resort). The exports' labels are mapped
    in int_deal_state_version_stages, because a snapshot compares the stages of successive exports. -#}
{#- A view: read once, by the stage evidence union; nothing to store twice. -#}
{{ config(materialized='view') }}

with

deals as (

    select * from {{ ref('int_deal_records') }}

),

-- each export's stage, with a status (won / lost) closing a deal whose label keeps its last stage
versions_staged as (

    select * from {{ ref('int_deal_state_version_stages') }}

),

-- when a version was seen: its export time, but never after a newer version's (an undated file is
-- dated by its mtime, which can be months after a newer dated export of the same records)
versions_observed as (

    select
        versions_staged.*,
        min(exported_at) over (
            partition by source_system, deal_id order by version_number desc
            rows between unbounded preceding and current row
        ) as observed_at
    from versions_staged

),

versions_compared as (

    select
        versions_observed.*,
        lag(version_stage) over (partition by source_system, deal_id order by version_number) as previous_stage,
        lag(observed_at) over (partition by source_system, deal_id order by version_number) as previous_observed_at
    from versions_observed

),

snapshot_rows as (

    select
        source_system,
        deal_id,
        case when version_stage = label_stage then stage_label end as stage_label,
        version_stage as stage,
        case
            when version_stage in ('closed_won', 'closed_lost')
                and closed_at > previous_observed_at
                and closed_at <= observed_at
                then closed_at
            else observed_at
        end as entered_at,
        'snapshot' as evidence,
        previous_observed_at as window_start
    from versions_compared
    where version_number > 1
        and version_stage <> previous_stage

),

first_versions as (

    select * from versions_staged
    where version_number = 1

),

-- last resort: the first known stage at creation, the closing stage at the close date
created_closed_rows as (

    select
        deals.source_system,
        deals.deal_id,
        coalesce(first_versions.stage_label, deals.current_stage_label) as stage_label,
        coalesce(first_versions.label_stage, deals.current_label_stage) as stage,
        deals.created_at as entered_at,
        'created_closed' as evidence,
        cast(null as timestamp) as window_start
    from deals
    left join first_versions
        on deals.source_system = first_versions.source_system
        and deals.deal_id = first_versions.deal_id
    where coalesce(first_versions.label_stage, deals.current_label_stage) not in ('closed_won', 'closed_lost')
        and deals.created_at is not null

    union all

    select
        deals.source_system,
        deals.deal_id,
        case
            when coalesce(first_versions.version_stage, deals.current_stage)
                = coalesce(first_versions.label_stage, deals.current_label_stage)
                then coalesce(first_versions.stage_label, deals.current_stage_label)
        end as stage_label,
        coalesce(first_versions.version_stage, deals.current_stage) as stage,
        coalesce(first_versions.closed_at, cast(deals.close_date as timestamp), deals.created_at) as entered_at,
        'created_closed' as evidence,
        cast(null as timestamp) as window_start
    from deals
    left join first_versions
        on deals.source_system = first_versions.source_system
        and deals.deal_id = first_versions.deal_id
    where coalesce(first_versions.version_stage, deals.current_stage) in ('closed_won', 'closed_lost')

),

record_rows as (

    select * from snapshot_rows

    union all

    select * from created_closed_rows

)

select
    source_system,
    deal_id,
    stage_label,
    stage,
    entered_at,
    evidence,
    window_start
from record_rows
