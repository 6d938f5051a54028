{{ config(severity='warn') }}

-- Warns (never fails the build) with one row per flagged record: implausible values that loaded,
-- such as a deal closed before it was created. fct_data_quality_flags counts them; fix them in the CRM
-- or accept them.
select
    source_system,
    entity_type,
    record_id,
    flag
from {{ ref('int_data_quality_flags') }}
