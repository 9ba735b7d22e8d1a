with

states as (
    select * from {{ ref('stg_telephony__agent_state_events') }}
),

calls as (
    select * from {{ ref('fct_queue_calls') }}
),

latest_profile as (
    -- Name and team as the agent-state feed last reported them.
    select
        agent_id,
        agent_name,
        team_name,
        row_number() over (partition by agent_id order by started_at desc, agent_state_event_id desc) as recency_rank
    from states
),

state_activity as (
    select
        agent_id,
        min(started_at) as first_seen_at,
        max(started_at) as last_seen_at
    from states
    group by agent_id
),

call_activity as (
    select
        agent_id,
        min(connected_at) as first_seen_at,
        max(connected_at) as last_seen_at
    from calls
    where agent_id is not null
    group by agent_id
),

all_agents as (
    select agent_id from state_activity
    union
    select agent_id from call_activity
),

final as (
    select
        all_agents.agent_id,
        latest_profile.agent_name,
        latest_profile.team_name,
        case
            when state_activity.first_seen_at is null then call_activity.first_seen_at
            when call_activity.first_seen_at is null then state_activity.first_seen_at
            when call_activity.first_seen_at < state_activity.first_seen_at then call_activity.first_seen_at
            else state_activity.first_seen_at
        end as first_seen_at,
        case
            when state_activity.last_seen_at is null then call_activity.last_seen_at
            when call_activity.last_seen_at is null then state_activity.last_seen_at
            when call_activity.last_seen_at > state_activity.last_seen_at then call_activity.last_seen_at
            else state_activity.last_seen_at
        end as last_seen_at
    from all_agents
    left join latest_profile
        on all_agents.agent_id = latest_profile.agent_id
        and latest_profile.recency_rank = 1
    left join state_activity
        on all_agents.agent_id = state_activity.agent_id
    left join call_activity
        on all_agents.agent_id = call_activity.agent_id
)

select * from final
