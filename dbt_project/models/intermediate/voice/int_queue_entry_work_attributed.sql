{#- One row per answered queue entry that has hold or after-call work in the agent-state feed (D4).
    A HOLD or ACW state is a candidate for the latest entry the same agent connected at or before
    the state began; it belongs to that entry only when it fits the contact: HOLD while the call
    was connected (cut at the call's end), ACW beginning within agent_state_match_seconds of the
    call's end (and at most max_acw_seconds long). Work after outbound or direct calls, which the
    queue_log does not know, therefore stays unattributed. -#}
{{ config(materialized='table') }}  {#- read by several models and tests: computed once (D31) -#}
with

states as (
    select * from {{ ref('int_agent_states_sequenced') }}
    where agent_state in ('HOLD', 'ACW')
        and ended_at is not null
),

cdr_matches as (
    select * from {{ ref('int_queue_entries_matched_to_cdr') }}
),

contacts as (
    -- The call's end from the queue_log, or from the agent leg's CDR when the queue_log lacks it.
    select
        entries.queue_entry_id,
        entries.agent_id,
        {{ from_epoch('entries.connected_epoch') }} as connected_at,
        coalesce({{ from_epoch('entries.ended_epoch') }}, cdr_matches.cdr_ended_at) as ended_at
    from {{ ref('int_queue_entries_assembled') }} as entries
    left join cdr_matches
        on entries.queue_entry_id = cdr_matches.queue_entry_id
    where entries.connected_epoch is not null
        and entries.agent_id is not null
),

pairs as (
    -- Every contact of the state's agent connected within the day before the state began.
    select
        states.agent_state_event_id,
        states.agent_state,
        states.started_at as state_started_at,
        states.ended_at as state_ended_at,
        states.duration_seconds as state_seconds,
        contacts.queue_entry_id,
        contacts.connected_at,
        contacts.ended_at as contact_ended_at
    from states
    inner join contacts
        on states.agent_id = contacts.agent_id
        and contacts.connected_at <= states.started_at
        and contacts.connected_at > {{ dbt.dateadd('day', -1, 'states.started_at') }}
),

-- The latest of them (of contacts connected at the same instant, the highest id), found with two
-- grouped maximums: a row_number() over all pairs sorted tens of millions of rows at a few
-- months of history.
latest_connected as (
    select agent_state_event_id, max(connected_at) as connected_at
    from pairs
    group by agent_state_event_id
),

latest_entry as (
    select pairs.agent_state_event_id, max(pairs.queue_entry_id) as queue_entry_id
    from pairs
    inner join latest_connected
        on pairs.agent_state_event_id = latest_connected.agent_state_event_id
        and pairs.connected_at = latest_connected.connected_at
    group by pairs.agent_state_event_id
),

candidates as (
    select pairs.*
    from pairs
    inner join latest_entry
        on pairs.agent_state_event_id = latest_entry.agent_state_event_id
        and pairs.queue_entry_id = latest_entry.queue_entry_id
),

fitted as (
    select
        queue_entry_id,
        agent_state,
        case
            when agent_state = 'HOLD'
                and (contact_ended_at is null or state_started_at < contact_ended_at)
                then {{ seconds_between(
                    'state_started_at',
                    'case when contact_ended_at is not null and contact_ended_at < state_ended_at
                          then contact_ended_at else state_ended_at end') }}
            when agent_state = 'ACW'
                and contact_ended_at is not null
                and state_started_at >= {{ add_seconds('contact_ended_at', '-' ~ var('agent_state_match_seconds')) }}
                and state_started_at <= {{ add_seconds('contact_ended_at', var('agent_state_match_seconds')) }}
                then case
                    when state_seconds > {{ var('max_acw_seconds') }} then {{ var('max_acw_seconds') }}
                    else state_seconds
                end
        end as work_seconds
    from candidates
),

final as (
    select
        queue_entry_id,
        sum(case when agent_state = 'HOLD' then work_seconds else 0 end) as hold_seconds,
        sum(case when agent_state = 'ACW' then work_seconds else 0 end) as acw_seconds
    from fitted
    where work_seconds is not null
    group by queue_entry_id
)

select * from final
