with

owners as (

    select * from {{ ref('int_owners') }}

),

final as (

    select
        owners.owner_key,
        owners.source_system,
        owners.owner_id,
        owners.manager_key,
        managers.owner_id as manager_id,
        owners.team,
        owners.region,
        owners.role_name,
        owners.is_active,
        owners.manager_key is null as is_top_of_hierarchy,
        owners.owner_name,
        managers.owner_name as manager_name,
        owners.name_hash
    from owners
    left join owners as managers
        on owners.manager_key = managers.owner_key

)

select
    owner_key,
    source_system,
    owner_id,
    manager_key,
    manager_id,
    team,
    region,
    role_name,
    is_active,
    is_top_of_hierarchy,
    owner_name,
    manager_name,
    name_hash
from final
