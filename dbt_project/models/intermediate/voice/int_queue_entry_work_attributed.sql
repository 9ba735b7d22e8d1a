{#- One row per answered queue entry that has hold or after-call work in the agent-state feed.
    D4: a HOLD or ACW state belongs to the latest entry connected to that agent at or before the
    state began (the contact it follows). -#}
with

states as (
    select * from {{ ref('int_agent_states_sequenced') }}
    where agent_state in ('HOLD', 'ACW')
        and ended_at is not null
),

contacts as (
    select
        queue_entry_id,
        agent_id,
        {{ from_epoch('connected_epoch') }} as connected_at
    from {{ ref('int_queue_entries_assembled') }}
    where connected_epoch is not null
        and agent_id is not null
),

candidates as (
    select
        states.agent_state_event_id,
        states.agent_state,
        states.duration_seconds,
        contacts.queue_entry_id,
        row_number() over (
            partition by states.agent_state_event_id
            order by contacts.connected_at desc, contacts.queue_entry_id desc
        ) as recency_rank
    from states
    inner join contacts
        on states.agent_id = contacts.agent_id
        and contacts.connected_at <= states.started_at
        -- Work is attributed to a contact of the last day only; older states stay unattributed.
        and contacts.connected_at > states.started_at - interval '1 day'
),

final as (
    select
        queue_entry_id,
        sum(case when agent_state = 'HOLD' then duration_seconds else 0 end) as hold_seconds,
        sum(case when agent_state = 'ACW' then duration_seconds else 0 end) as acw_seconds
    from candidates
    where recency_rank = 1
    group by queue_entry_id
)

select * from final
