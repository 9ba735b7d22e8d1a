{{ config(materialized='incremental', incremental_strategy='day_window', on_schema_change='fail') }}

with

entries as (
    select * from {{ ref('int_queue_entries_assembled') }}
),

cdr_matches as (
    select * from {{ ref('int_queue_entries_matched_to_cdr') }}
),

work as (
    select * from {{ ref('int_queue_entry_work_attributed') }}
),

joined as (
    select
        entries.*,
        {{ from_epoch('entries.entered_epoch') }} as entered_at,
        {{ from_epoch('entries.connected_epoch') }} as connected_at,
        coalesce(
            {{ from_epoch('entries.ended_epoch') }},
            case when entries.outcome = 'answered' then cdr_matches.cdr_ended_at end
        ) as ended_at,
        cdr_matches.cdr_record_id,
        cdr_matches.cdr_connected_seconds,
        -- D4: the PBX's record of the agent connection (COMPLETE*/TRANSFER calltime); the agent
        -- leg's CDR when the queue_log lacks the end of the entry.
        coalesce(entries.logged_connected_seconds, cdr_matches.cdr_connected_seconds) as connected_seconds,
        case
            when entries.logged_connected_seconds is not null then 'queue_log'
            when cdr_matches.cdr_connected_seconds is not null then 'cdr'
        end as connected_seconds_source,
        (entries.is_handled
            or (entries.outcome = 'answered' and cdr_matches.cdr_connected_seconds is not null))
            as is_handled_by_any_record,
        case when entries.outcome = 'answered' then coalesce(work.hold_seconds, 0) end as hold_seconds,
        case when entries.outcome = 'answered' then coalesce(work.acw_seconds, 0) end as acw_seconds
    from entries
    left join cdr_matches
        on entries.queue_entry_id = cdr_matches.queue_entry_id
    left join work
        on entries.queue_entry_id = work.queue_entry_id
),

localized as (
    select
        *,
        {{ to_site_local('entered_at') }} as entered_at_local
    from joined
),

with_interval as (
    select
        *,
        {{ local_interval_start('entered_at_local') }} as interval_start
    from localized
),

final as (
    select
        queue_entry_id,
        callid,
        queue_name,
        cast(entry_seq as integer) as entry_seq,
        agent_id,
        entered_at,
        connected_at,
        ended_at,
        cast(entered_at_local as date) as report_date,
        cast(interval_start as timestamp) as interval_start,
        -- The instant the local interval began: entered_at minus its offset into the interval
        -- (offsets change on whole hours, so the offset is the same at both ends).
        {{ add_seconds('entered_at', '-' ~ seconds_between('interval_start', 'entered_at_local')) }}
            as interval_start_utc,
        outcome,
        blocked_reason,
        end_event_name,
        has_enterqueue,
        cast(wait_seconds as double precision) as wait_seconds,
        cast(connected_seconds as double precision) as connected_seconds,
        connected_seconds_source,
        cdr_record_id,
        cast(cdr_connected_seconds as double precision) as cdr_connected_seconds,
        cast(connected_seconds - hold_seconds as double precision) as talk_seconds,
        cast(hold_seconds as double precision) as hold_seconds,
        cast(acw_seconds as double precision) as acw_seconds,
        cast(connected_seconds + acw_seconds as double precision) as handle_seconds,
        outcome = 'answered' as is_answered,
        outcome = 'abandoned' as is_abandoned,
        outcome = 'blocked' as is_blocked,
        coalesce(outcome = 'abandoned' and wait_seconds < {{ var('short_abandon_seconds') }}, false)
            as is_short_abandoned,
        coalesce(outcome = 'abandoned' and wait_seconds <= {{ var('service_level_seconds') }}, false)
            as is_abandoned_within_sl,
        coalesce(outcome = 'answered' and wait_seconds <= {{ var('service_level_seconds') }}, false)
            as is_answered_within_sl,
        is_transferred,
        transfer_type,
        is_exited_empty,
        is_handled_by_any_record as is_handled
    from with_interval
)

select * from final
where {{ in_day_window() }}
