{#- Users, latest version. E-mail and phone stay in the raw layer (personal data); an end user's
    name too: only agents' names are published (D15). -#}
with

source as (
    {{ raw_table('zendesk', 'users', {
        'id': 'bigint', 'name': 'varchar', 'role': 'varchar', 'active': 'boolean',
        'created_at': 'timestamp with time zone', 'updated_at': 'timestamp with time zone',
        'default_group_id': 'bigint', '_dlt_load_id': 'varchar'
    }) }}
)

select
    id as user_id,
    lower(role) as role,
    case when lower(role) in ('agent', 'admin') then name end as agent_name,
    coalesce(active, true) as is_active,
    created_at,
    updated_at,
    default_group_id
from source
