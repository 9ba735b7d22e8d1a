{#- One row per ticket audit. `timestamp` (Unix seconds) is the instant of the audit. -#}
with

source as (
    {{ raw_table('zendesk', 'ticket_events', {
        'id': 'bigint', 'ticket_id': 'bigint', 'timestamp': 'bigint', 'created_at': 'timestamp with time zone',
        'updater_id': 'bigint', 'via': 'varchar', 'event_type': 'varchar', '_dlt_id': 'varchar',
        '_dlt_load_id': 'varchar'
    }) }}
)

select
    id as audit_id,
    ticket_id,
    {{ from_epoch('"timestamp"') }} as audited_at,
    updater_id,
    via,
    event_type,
    _dlt_id as dlt_id,
    _dlt_load_id as dlt_load_id
from source
