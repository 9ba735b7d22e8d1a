{#- One row per queue_log event that shapes a queue entry (entering, connecting, ending, being
    refused), with the entry it belongs to (D1 in docs/decisions.md). -#}
with

events as (
    select * from {{ ref('stg_telephony__queue_log_events') }}
),

event_meanings as (
    select * from {{ ref('queue_event_outcomes') }}
),

call_events as (
    select
        events.queue_log_event_id,
        events.source_file,
        events.source_file_first_epoch,
        events.line_number,
        events.event_epoch,
        events.event_at,
        events.callid,
        events.queue_name,
        events.agent_id,
        events.event_name,
        event_meanings.event_role,
        event_meanings.outcome,
        event_meanings.blocked_reason,
        event_meanings.transfer_type,
        event_meanings.counts_as_exited_empty,
        {{ queue_log_data_field('event_meanings.wait_field', 'events.') }} as logged_wait_seconds,
        {{ queue_log_data_field('event_meanings.calltime_field', 'events.') }} as logged_calltime_seconds
    from events
    inner join event_meanings
        on events.event_name = event_meanings.event_name
    where events.callid is not null
        and upper(events.callid) not in ('NONE', 'REALTIME')
        and events.queue_name is not null
        and upper(events.queue_name) <> 'NONE'
),

with_previous as (
    select
        *,
        lag(event_role) over (
            partition by callid, queue_name
            order by event_epoch, source_file_first_epoch, source_file, line_number
        ) as previous_event_role
    from call_events
),

entry_starts as (
    select
        *,
        case
            -- A new ENTERQUEUE always opens a new entry.
            when event_role = 'enter' then 1
            -- A refusal is an entry of its own, unless it closes an entry just entered.
            when event_role = 'blocked' then case when previous_event_role = 'enter' then 0 else 1 end
            -- CONNECT / end events open an entry only when no entry is open: the log began
            -- mid-call or the ENTERQUEUE line was lost (KPI_DEFINITIONS: it still counts).
            when previous_event_role is null
                or previous_event_role in ('end_connected', 'end_waiting', 'blocked') then 1
            else 0
        end as is_entry_start
    from with_previous
),

final as (
    select
        queue_log_event_id,
        source_file,
        source_file_first_epoch,
        line_number,
        event_epoch,
        event_at,
        callid,
        queue_name,
        agent_id,
        event_name,
        event_role,
        outcome,
        blocked_reason,
        transfer_type,
        counts_as_exited_empty,
        logged_wait_seconds,
        logged_calltime_seconds,
        sum(is_entry_start) over (
            partition by callid, queue_name
            order by event_epoch, source_file_first_epoch, source_file, line_number
            rows between unbounded preceding and current row
        ) as entry_seq
    from entry_starts
)

select * from final
