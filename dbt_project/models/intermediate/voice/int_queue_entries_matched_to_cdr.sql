{#- One row per answered queue entry that has a call record (CDR) for its answered leg: the
    CDR of the same call and queue whose answer time is closest to the CONNECT (within a minute),
    preferring the same agent. Gives the connected time "from the call record" (D4). -#}
with

entries as (
    select
        queue_entry_id,
        callid,
        queue_name,
        agent_id,
        connected_epoch
    from {{ ref('int_queue_entries_assembled') }}
    where connected_epoch is not null
),

records as (
    select * from {{ ref('stg_telephony__cdr_records') }}
    where answer_at is not null
),

candidates as (
    select
        entries.queue_entry_id,
        records.cdr_record_id,
        records.billsec_seconds,
        row_number() over (
            partition by entries.queue_entry_id
            order by
                case when records.agent_id = entries.agent_id then 0 else 1 end,
                abs({{ epoch_seconds('records.answer_at') }} - entries.connected_epoch),
                records.cdr_record_id
        ) as match_rank
    from entries
    inner join records
        on records.callid = entries.callid
        and (records.queue_name = entries.queue_name or records.queue_name is null)
        and abs({{ epoch_seconds('records.answer_at') }} - entries.connected_epoch) <= 60
),

final as (
    select
        queue_entry_id,
        cdr_record_id,
        billsec_seconds as cdr_connected_seconds
    from candidates
    where match_rank = 1
)

select * from final
