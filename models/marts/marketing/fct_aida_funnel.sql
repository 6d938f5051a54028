{#- The AIDA and AIDMA funnels as BI reads them: their rows of int_framework_funnels. -#}
with

framework_funnels as (

    select * from {{ ref('int_framework_funnels') }}

)

select
    source_system,
    framework,
    cohort_month,
    channel,
    phase,
    phase_order,
    persons_in_cohort,
    persons_reached,
    persons_reached_previous_phase,
    persons_furthest_in_phase,
    conversion_from_previous_phase,
    conversion_from_top
from framework_funnels
where framework in ('aida', 'aidma')
