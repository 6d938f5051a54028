with

salesforce_accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

hubspot_companies as (

    select * from {{ ref('stg_hubspot__companies') }}

),

generic_accounts as (

    select * from {{ ref('stg_generic__accounts') }}

),

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

unioned as (

    select
        source_system,
        account_id,
        account_name,
        industry,
        cast(number_of_employees as bigint) as employees,
        country,
        created_at
    from salesforce_accounts
    where not is_deleted
        and not is_merged

    union all

    select
        source_system,
        company_id as account_id,
        company_name as account_name,
        industry,
        cast(number_of_employees as bigint) as employees,
        country,
        created_at
    from hubspot_companies

    union all

    select
        source_system,
        account_id,
        account_name,
        industry,
        cast(number_of_employees as bigint) as employees,
        country,
        created_at
    from generic_accounts

),

-- customer segment: the seeded employee band the account falls in (no upper bound when max is empty)
segmented as (

    select
        unioned.*,
        segments.segment as customer_segment
    from unioned
    left join customer_segments as segments
        on unioned.employees >= segments.min_employees
        and (segments.max_employees is null or unioned.employees <= segments.max_employees)

),

final as (

    select
        {{ entity_key('source_system', 'account_id') }} as account_key,
        source_system,
        account_id,
        industry,
        employees,
        coalesce(customer_segment, 'unknown') as customer_segment,
        country,
        created_at,
        account_name
    from segmented

)

select
    account_key,
    source_system,
    account_id,
    industry,
    employees,
    customer_segment,
    country,
    created_at,
    account_name
from final
