with

source as (
    {{ raw_table('zendesk', 'tickets', {
        'id': 'bigint', 'created_at': 'timestamp with time zone', 'updated_at': 'timestamp with time zone',
        'status': 'varchar', 'via__channel': 'varchar', 'subject': 'varchar', 'priority': 'varchar',
        'group_id': 'bigint', 'assignee_id': 'bigint', 'requester_id': 'bigint', 'submitter_id': 'bigint',
        'satisfaction_rating__score': 'varchar', '_dlt_load_id': 'varchar'
    }) }}
)

select
    id as ticket_id,
    created_at,
    updated_at,
    lower(status) as status,
    lower(via__channel) as channel,
    subject,
    lower(priority) as priority,
    group_id,
    assignee_id,
    requester_id,
    submitter_id,
    lower(satisfaction_rating__score) as satisfaction_score,
    _dlt_load_id as dlt_load_id
from source
