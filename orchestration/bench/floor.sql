-- The benchmark's floor: the monthly cohort funnel (persons reaching each lifecycle stage, with
-- pass-through) and trailing-90-day pipeline velocity, computed by hand straight from the raw
-- Salesforce tables in one DuckDB query. No staging, no FX, no segments, no tests: it shows how
-- fast the engine can answer the two headline questions, so the full build's time has a yardstick.
with
status_ranks (label, stage, stage_rank) as (
    values
        ('subscriber', 'subscriber', 1),
        ('open - not contacted', 'lead', 2),
        ('nurture', 'lead', 2),
        ('recycled', 'lead', 2),
        ('marketing qualified', 'mql', 3),
        ('working - contacted', 'sal', 4),
        ('sales accepted', 'sal', 4),
        ('sales qualified', 'sql', 5),
        ('closed - converted', 'opportunity', 6)
),

funnel_stages (stage, stage_rank) as (
    values ('subscriber', 1), ('lead', 2), ('mql', 3), ('sal', 4), ('sql', 5), ('opportunity', 6),
        ('customer', 7)
),

-- latest version of each record: the raw layer keeps every export's copy
leads as (
    select
        id,
        min(createddate) as created_at,
        arg_max(status, lastmodifieddate) as status,
        arg_max(convertedopportunityid, lastmodifieddate) as opportunity_id
    from raw.salesforce__lead
    group by id
),

deals as (
    select
        id,
        min(createddate) as created_at,
        arg_max(closedate, lastmodifieddate) as close_date,
        arg_max(amount, lastmodifieddate) as amount,
        arg_max(lower(isclosed) in ('1', 'true'), lastmodifieddate) as is_closed,
        arg_max(lower(iswon) in ('1', 'true'), lastmodifieddate) as is_won,
        max(lastmodifieddate) as modified_at
    from raw.salesforce__opportunity
    group by id
),

-- every status a lead ever held: its current one, and both sides of each Status history row
statuses_held as (
    select id as lead_id, status from leads
    union all
    select leadid, oldvalue from raw.salesforce__lead_history where field = 'Status'
    union all
    select leadid, newvalue from raw.salesforce__lead_history where field = 'Status'
),

status_reach as (
    select statuses_held.lead_id, max(status_ranks.stage_rank) as stage_rank
    from statuses_held
    inner join status_ranks on lower(trim(statuses_held.status)) = status_ranks.label
    group by statuses_held.lead_id
),

lead_reach as (
    select
        date_trunc('month', leads.created_at) as cohort_month,
        case when deals.is_won then 7 else coalesce(status_reach.stage_rank, 0) end as stage_rank
    from leads
    left join status_reach on leads.id = status_reach.lead_id
    left join deals on leads.opportunity_id = deals.id
),

reach_counts as (
    select cohort_month, stage_rank, count(*) as persons
    from lead_reach
    group by cohort_month, stage_rank
),

cohort_funnel as (
    select
        reach_counts.cohort_month,
        funnel_stages.stage,
        funnel_stages.stage_rank,
        sum(reach_counts.persons) as reached
    from reach_counts
    inner join funnel_stages on reach_counts.stage_rank >= funnel_stages.stage_rank
    group by reach_counts.cohort_month, funnel_stages.stage, funnel_stages.stage_rank
),

as_of as (
    select cast(max(modified_at) as date) as as_of_date from deals
),

velocity_inputs as (
    select
        as_of.as_of_date,
        count(*) filter (where not deals.is_closed) as open_deals,
        count(*) filter (where deals.is_won and deals.close_date > as_of.as_of_date - 90) as won,
        count(*) filter (
            where deals.is_closed and not deals.is_won and deals.close_date > as_of.as_of_date - 90
        ) as lost,
        avg(deals.amount) filter (where deals.is_won and deals.close_date > as_of.as_of_date - 90)
            as avg_won_amount,
        avg(date_diff('day', cast(deals.created_at as date), deals.close_date)) filter (
            where deals.is_won and deals.close_date > as_of.as_of_date - 90
        ) as avg_cycle_days
    from deals
    cross join as_of
    group by as_of.as_of_date
),

velocity as (
    select
        *,
        won / nullif(won + lost, 0) as win_rate,
        open_deals * (won / nullif(won + lost, 0)) * avg_won_amount / nullif(avg_cycle_days, 0)
            as velocity_per_day
    from velocity_inputs
)

select 'cohort_funnel' as section, cast(cohort_month as date) as period, stage as measure,
    stage_rank as position, cast(reached as double) as value
from cohort_funnel
union all
select 'velocity', as_of_date, measure, position, value
from velocity
cross join (
    values
        ('open_deals', 1), ('win_rate', 2), ('avg_won_amount', 3), ('avg_cycle_days', 4),
        ('velocity_per_day', 5)
) as measures (measure, position)
cross join lateral (
    select case measure
        when 'open_deals' then cast(open_deals as double)
        when 'win_rate' then win_rate
        when 'avg_won_amount' then avg_won_amount
        when 'avg_cycle_days' then avg_cycle_days
        else velocity_per_day
    end as value
)
order by section, period, position
