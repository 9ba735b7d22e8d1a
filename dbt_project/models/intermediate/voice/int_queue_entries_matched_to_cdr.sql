{#- One row per answered queue entry that has a call record (CDR) for its agent leg: the CDR of
    the same call and queue answered within cdr_match_seconds of the CONNECT, preferring the same
    agent. A caller-leg CDR answered when the call entered the IVR or queue does not match (its
    billsec would include the wait). Used when the queue_log lacks the entry's end (D4). -#}
{{ config(materialized='table') }}  {#- read by several models and tests: computed once (D31) -#}
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
        and end_at is not null
),

candidates as (
    select
        entries.queue_entry_id,
        records.cdr_record_id,
        records.billsec_seconds,
        records.end_at,
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
        and abs({{ epoch_seconds('records.answer_at') }} - entries.connected_epoch) <= {{ var('cdr_match_seconds') }}
),

final as (
    select
        queue_entry_id,
        cdr_record_id,
        billsec_seconds as cdr_connected_seconds,
        end_at as cdr_ended_at
    from candidates
    where match_rank = 1
)

select * from final
