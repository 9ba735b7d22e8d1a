{#- Users, latest version. E-mail and phone arrive only as pseudonyms; an end user's name stays in
    the raw layer: only agents' names are published (D15). -#}
with

source as (
    {{ raw_table('zendesk', 'users', {
        'id': 'bigint', 'name': 'varchar', 'role': 'varchar', 'active': 'boolean',
        'created_at': 'timestamp with time zone', 'updated_at': 'timestamp with time zone',
        'default_group_id': 'bigint', 'email_hash': 'varchar', 'phone_hash': 'varchar', '_dlt_load_id': 'varchar'
    }) }}
)

select
    id as user_id,
    lower(role) as role,
    case when lower(role) in ('agent', 'admin') then name end as agent_name,
    coalesce(active, true) as is_active,
    created_at,
    updated_at,
    default_group_id,
    -- Pseudonyms (HMAC) of the e-mail and phone, made at ingestion: how a requester is matched to
    -- a CRM customer.
    email_hash,
    phone_hash
from source
