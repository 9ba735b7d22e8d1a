with

source as (
    {{ raw_table('zendesk', 'quarantine', {
        'source': 'varchar', 'location': 'varchar', 'record_index': 'bigint', 'record_id': 'varchar',
        'reason': 'varchar', 'quarantined_at': 'timestamp with time zone', '_dlt_load_id': 'varchar'
    }) }}
)

select
    source as source_name,
    location,
    record_index,
    record_id,
    reason,
    quarantined_at,
    _dlt_load_id as dlt_load_id
from source
