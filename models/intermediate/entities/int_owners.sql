with

salesforce_users as (

    select * from {{ ref('stg_salesforce__users') }}

),

salesforce_user_roles as (

    select * from {{ ref('stg_salesforce__user_roles') }}

),

hubspot_owners as (

    select * from {{ ref('stg_hubspot__owners') }}

),

generic_owners as (

    select * from {{ ref('stg_generic__owners') }}

),

-- Salesforce: the team is the user's Department, the region its Division (else the role name)
salesforce_owner_rows as (

    select
        users.source_system,
        users.user_id as owner_id,
        users.manager_id,
        coalesce(users.department, roles.role_name) as team,
        users.division as region,
        users.user_role_id as role_id,
        roles.role_name,
        users.email_hash,
        users.name_hash,
        users.user_name as owner_name,
        coalesce(users.is_active, true) as is_active
    from salesforce_users as users
    left join salesforce_user_roles as roles
        on users.source_system = roles.source_system
        and users.user_role_id = roles.user_role_id

),

hubspot_owner_rows as (

    select
        source_system,
        owner_id,
        manager_id,
        team,
        region,
        cast(null as {{ dbt.type_string() }}) as role_id,
        cast(null as {{ dbt.type_string() }}) as role_name,
        email_hash,
        name_hash,
        owner_name,
        not coalesce(is_archived, false) as is_active
    from hubspot_owners

),

generic_owner_rows as (

    select
        source_system,
        owner_id,
        manager_id,
        team,
        region,
        cast(null as {{ dbt.type_string() }}) as role_id,
        cast(null as {{ dbt.type_string() }}) as role_name,
        email_hash,
        name_hash,
        owner_name,
        coalesce(is_active, true) as is_active
    from generic_owners

),

unioned as (

    select * from salesforce_owner_rows
    union all
    select * from hubspot_owner_rows
    union all
    select * from generic_owner_rows

),

final as (

    select
        {{ entity_key('source_system', 'owner_id') }} as owner_key,
        source_system,
        owner_id,
        {{ entity_key('source_system', 'manager_id') }} as manager_key,
        team,
        region,
        is_active,
        role_name,
        email_hash,
        name_hash,
        owner_name
    from unioned

)

select
    owner_key,
    source_system,
    owner_id,
    manager_key,
    team,
    region,
    is_active,
    role_name,
    email_hash,
    name_hash,
    owner_name
from final
