{#- One row per agent-state event, with when it ended (the agent's next event) and how long it
    lasted. The last state of an agent in the data has no end yet (ended_at NULL). -#}
with

states as (
    select * from {{ ref('stg_telephony__agent_state_events') }}
),

sequenced as (
    select
        agent_state_event_id,
        agent_id,
        agent_name,
        team_name,
        agent_state,
        state_reason,
        started_at,
        lead(started_at) over (
            partition by agent_id
            order by started_at, source_file_first_started_at, source_file, line_number
        ) as ended_at
    from states
),

final as (
    select
        *,
        {{ seconds_between('started_at', 'ended_at') }} as duration_seconds
    from sequenced
)

select * from final
