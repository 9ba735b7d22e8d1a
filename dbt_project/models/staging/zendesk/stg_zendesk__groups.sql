with

source as (
    {{ raw_table('zendesk', 'groups', {
        'id': 'bigint', 'name': 'varchar', 'deleted': 'boolean',
        'created_at': 'timestamp with time zone', 'updated_at': 'timestamp with time zone',
        '_dlt_load_id': 'varchar'
    }) }}
)

select
    id as group_id,
    name as group_name,
    coalesce(deleted, false) as is_deleted,
    created_at,
    updated_at
from source
