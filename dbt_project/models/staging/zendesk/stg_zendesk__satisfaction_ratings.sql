with

source as (
    {{ raw_table('zendesk', 'satisfaction_ratings', {
        'id': 'bigint', 'ticket_id': 'bigint', 'assignee_id': 'bigint', 'group_id': 'bigint',
        'requester_id': 'bigint', 'score': 'varchar', 'comment': 'varchar',
        'created_at': 'timestamp with time zone', 'updated_at': 'timestamp with time zone',
        '_dlt_load_id': 'varchar'
    }) }}
)

select
    id as satisfaction_rating_id,
    ticket_id,
    assignee_id,
    group_id,
    requester_id,
    lower(score) as score,
    nullif(trim(comment), '') is not null as has_comment,
    created_at as offered_at,
    updated_at
from source
