{#- One row per queue entry (one visit of one call to one queue), assembled from its queue_log
    events: when it started, whether and when it connected, how it ended, its outcome and wait. -#}
{{ config(materialized='table') }}  {#- read by several models and tests: computed once (D31) -#}
with

segmented as (
    select * from {{ ref('int_queue_entry_events_segmented') }}
),

ranked_within_role as (
    select
        *,
        case
            when event_role in ('end_connected', 'end_waiting') then 'end'
            else event_role
        end as role_group,
        row_number() over (
            partition by callid, queue_name, entry_seq,
                case when event_role in ('end_connected', 'end_waiting') then 'end' else event_role end
            order by event_epoch, source_file_first_epoch, source_file, line_number
        ) as rank_in_role
    from segmented
),

first_events as (
    select * from ranked_within_role where rank_in_role = 1
),

pivoted as (
    select
        callid,
        queue_name,
        entry_seq,
        max(case when role_group = 'enter' then event_epoch end) as enter_epoch,
        max(case when role_group = 'blocked' then event_epoch end) as blocked_epoch,
        max(case when role_group = 'blocked' then event_name end) as blocked_event_name,
        max(case when role_group = 'blocked' then blocked_reason end) as blocked_reason,
        max(case when role_group = 'blocked' then logged_wait_seconds end) as blocked_wait_seconds,
        max(case when role_group = 'blocked' and counts_as_exited_empty then 1 else 0 end) as blocked_counts_as_exited_empty,
        max(case when role_group = 'connect' then event_epoch end) as connect_epoch,
        max(case when role_group = 'connect' then logged_wait_seconds end) as connect_wait_seconds,
        max(case when role_group = 'connect' then agent_id end) as connect_agent_id,
        max(case when role_group = 'end' then event_epoch end) as end_epoch,
        max(case when role_group = 'end' then event_name end) as end_event_name,
        max(case when role_group = 'end' then event_role end) as end_event_role,
        max(case when role_group = 'end' then outcome end) as end_outcome,
        max(case when role_group = 'end' then transfer_type end) as transfer_type,
        max(case when role_group = 'end' then logged_wait_seconds end) as end_wait_seconds,
        max(case when role_group = 'end' then logged_calltime_seconds end) as end_calltime_seconds,
        max(case when role_group = 'end' then agent_id end) as end_agent_id,
        max(case when role_group = 'end' and counts_as_exited_empty then 1 else 0 end) as end_counts_as_exited_empty
    from first_events
    group by callid, queue_name, entry_seq
),

latest_event as (
    -- "Now" for the data: the latest entry-shaping event loaded (not the wall clock, so that a
    -- rebuild of old data gives the same answer).
    select max(event_epoch) as latest_epoch from segmented
),

classified as (
    select
        pivoted.*,
        case
            when blocked_event_name is not null then 'blocked'
            when connect_epoch is not null or end_event_role = 'end_connected' then 'answered'
            when end_event_role = 'end_waiting' then end_outcome
            -- D2: no end event yet. Still waiting unless that is impossibly long ago.
            when enter_epoch < latest_event.latest_epoch - {{ var('in_progress_timeout_hours') }} * 3600
                then 'lost'
            else 'in_progress'
        end as outcome
    from pivoted
    cross join latest_event
),

timed as (
    select
        *,
        -- D3: the logged wait; else the time since ENTERQUEUE.
        case outcome
            -- Refused "without waiting" (KPI_DEFINITIONS), whatever the PBX logs.
            when 'blocked' then 0
            when 'answered' then coalesce(
                connect_wait_seconds, end_wait_seconds, connect_epoch - enter_epoch)
            when 'in_progress' then null
            when 'lost' then null
            else coalesce(end_wait_seconds, end_epoch - enter_epoch)
        end as wait_seconds,
        case
            when connect_epoch is not null then connect_epoch
            when end_event_role = 'end_connected'
                then end_epoch - coalesce(end_calltime_seconds, 0)
        end as connected_epoch
    from classified
),

final as (
    select
        callid || '|' || queue_name || '|' || cast(entry_seq as varchar) as queue_entry_id,
        callid,
        queue_name,
        entry_seq,
        -- An entry without ENTERQUEUE starts where its first event says it began waiting.
        coalesce(
            enter_epoch,
            blocked_epoch - coalesce(wait_seconds, 0),
            connected_epoch - coalesce(wait_seconds, 0),
            end_epoch - coalesce(wait_seconds, 0)
        ) as entered_epoch,
        connected_epoch,
        coalesce(end_epoch, blocked_epoch) as ended_epoch,
        enter_epoch is not null as has_enterqueue,
        outcome,
        blocked_reason,
        coalesce(end_event_name, blocked_event_name) as end_event_name,
        wait_seconds,
        case
            when end_event_role = 'end_connected'
                then coalesce(end_calltime_seconds, end_epoch - connected_epoch)
        end as logged_connected_seconds,
        coalesce(connect_agent_id, end_agent_id) as agent_id,
        transfer_type,
        transfer_type is not null as is_transferred,
        (blocked_counts_as_exited_empty = 1 or end_counts_as_exited_empty = 1) as is_exited_empty,
        (outcome = 'answered' and end_event_role = 'end_connected') as is_handled
    from timed
)

select * from final
