{#- One row per agent state with its span (D26): the agent-state feed's states, and for agents the
    feed does not cover the states made from the queue_log (D27). A state lasts until the agent's
    next event; a state longer than `agent_state_max_hours` is taken for a missing logout and cut
    there (is_cut); the latest state of an agent, which nothing ended yet, lasts until the latest
    event of the feeds (is_open), at most as long. Only logged-in states are kept (LOGOUT ends a
    session; the seed agent_state_groups says how each state counts). -#}
{{ config(materialized='table') }}  {#- read by several models and tests: computed once (D31) -#}
with

feed as (
    select
        agent_state_event_id,
        agent_id,
        agent_state,
        state_reason,
        started_at,
        ended_at,
        'agent_states' as state_source
    from {{ ref('int_agent_states_sequenced') }}
),

from_queue_log as (
    select
        agent_state_event_id,
        agent_id,
        agent_state,
        state_reason,
        started_at,
        ended_at,
        'queue_log' as state_source
    from {{ ref('int_agent_states_from_queue_log') }}
),

unioned as (
    select * from feed
    union all
    select * from from_queue_log
),

as_of as (
    select max(started_at) as data_as_of from unioned
),

limited as (
    select
        unioned.*,
        {{ add_seconds('unioned.started_at', var('agent_state_max_hours') ~ ' * 3600') }} as longest_end_at,
        as_of.data_as_of
    from unioned
    cross join as_of
),

final as (
    select
        limited.agent_state_event_id,
        limited.agent_id,
        limited.agent_state,
        groups.state_group,
        groups.is_logged_in,
        groups.is_handling,
        limited.state_reason,
        limited.state_source,
        limited.started_at,
        limited.ended_at as next_event_at,
        case
            when limited.ended_at is null and limited.data_as_of < limited.longest_end_at then limited.data_as_of
            when limited.ended_at is null then limited.longest_end_at
            when limited.ended_at > limited.longest_end_at then limited.longest_end_at
            else limited.ended_at
        end as span_ended_at,
        limited.ended_at is null as is_open,
        coalesce(limited.ended_at > limited.longest_end_at, false)
            or (limited.ended_at is null and limited.data_as_of > limited.longest_end_at) as is_cut
    from limited
    inner join {{ ref('agent_state_groups') }} as groups
        on limited.agent_state = groups.agent_state
    where groups.is_logged_in
)

select * from final
