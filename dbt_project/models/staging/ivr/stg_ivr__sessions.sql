{#- One row per IVR or bot session (a re-delivered line counts once), with its first menu key. -#}
with

source as (
    {{ raw_table('ivr', 'ivr_sessions', {
        'session_id': 'varchar', 'kind': 'varchar', 'started_at': 'timestamp with time zone',
        'ended_at': 'timestamp with time zone', 'caller_phone_hash': 'varchar', 'customer_ref': 'varchar',
        'menu_path': 'varchar', 'outcome': 'varchar', 'queue': 'varchar', 'callid': 'varchar',
        'source_file': 'varchar', 'line_number': 'bigint', '_dlt_load_id': 'varchar'
    }) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by session_id
            order by _dlt_load_id, source_file, line_number
        ) as delivery_rank
    from source
)

select
    session_id,
    lower(kind) as session_kind,
    started_at,
    ended_at,
    caller_phone_hash,
    nullif(trim(customer_ref), '') as customer_ref,
    menu_path,
    lower(trim({{ dbt.split_part('menu_path', "'>'", 1) }})) as first_menu_key,
    lower(outcome) as outcome,
    nullif(trim(queue), '') as queue_name,
    nullif(trim(callid), '') as callid
from ranked
where delivery_rank = 1
