{#- Agent states made from the queue_log's member events, for agents the agent-state feed does not
    cover (KPI_DEFINITIONS.md: "and queue_log AGENTLOGIN/PAUSE where that is the only source"; D27).
    One row per state change: after each member event (seed queue_log_agent_events) the agent is
    on a contact between a call start and its end; else logged out after a session end; else on
    a break while paused; else available. An agent the feed names later is read from the
    queue_log until the feed's first event for it. A log that starts mid-session counts as logged in. The
    PAUSE an Asterisk logs once per queue of the member makes one change, not several. -#}
with

events as (
    select * from {{ ref('stg_telephony__queue_log_events') }}
    where agent_id is not null
),

effects as (
    select * from {{ ref('queue_log_agent_events') }}
),

feed_agents as (
    -- When the agent-state feed first names each agent: from then on the feed speaks for it.
    select agent_id, min(started_at) as first_feed_at
    from {{ ref('stg_telephony__agent_state_events') }}
    group by agent_id
),

member_events as (
    select
        events.queue_log_event_id,
        events.agent_id,
        events.event_at,
        events.event_name,
        events.data1,
        events.event_epoch,
        events.source_file_first_epoch,
        events.source_file,
        events.line_number,
        effects.effect,
        -- Each flag is set by the events of its kind (1 / 0) and NULL for the others.
        case effects.effect when 'session_start' then 1 when 'session_end' then 0 end as session_flag,
        case effects.effect when 'pause' then 1 when 'unpause' then 0 when 'session_start' then 0 end as pause_flag,
        case effects.effect when 'pause' then nullif(trim(events.data1), '') end as pause_reason,
        case effects.effect
            when 'call_start' then 1 when 'call_end' then 0 when 'session_start' then 0 when 'session_end' then 0
        end as call_flag,
        feed_agents.first_feed_at
    from events
    inner join effects
        on events.event_name = effects.event_name
    left join feed_agents
        on events.agent_id = feed_agents.agent_id
    where feed_agents.first_feed_at is null
        or events.event_at < feed_agents.first_feed_at
),

ordered as (
    select
        *,
        row_number() over (
            partition by agent_id
            order by event_epoch, source_file_first_epoch, source_file, line_number
        ) as event_order
    from member_events
),

counted as (
    -- A running count of each flag's events groups every event with the latest one that set it
    -- (a portable "last value ignoring nulls").
    select
        *,
        count(session_flag) over (partition by agent_id order by event_order rows unbounded preceding) as session_group,
        count(pause_flag) over (partition by agent_id order by event_order rows unbounded preceding) as pause_group,
        count(call_flag) over (partition by agent_id order by event_order rows unbounded preceding) as call_group
    from ordered
),

carried as (
    select
        *,
        max(session_flag) over (partition by agent_id, session_group) as is_in_session,
        max(pause_flag) over (partition by agent_id, pause_group) as is_paused,
        max(pause_reason) over (partition by agent_id, pause_group) as paused_for,
        max(call_flag) over (partition by agent_id, call_group) as is_on_call
    from counted
),

stated as (
    select
        *,
        -- A call is taken in a session even when a per-queue REMOVEMEMBER said otherwise.
        case
            when is_on_call = 1 then 'ON_CONTACT'
            when is_in_session = 0 then 'LOGOUT'
            when is_paused = 1 then 'BREAK'
            else 'AVAILABLE'
        end as agent_state
    from carried
),

changes as (
    select
        *,
        lag(agent_state) over (partition by agent_id order by event_order) as previous_state
    from stated
),

final as (
    select
        queue_log_event_id as agent_state_event_id,
        agent_id,
        agent_state,
        case when agent_state = 'BREAK' then paused_for end as state_reason,
        event_at as started_at,
        -- The last queue_log state before the feed takes over ends where the feed begins.
        coalesce(lead(event_at) over (partition by agent_id order by event_order), first_feed_at) as ended_at
    from changes
    where previous_state is null or previous_state <> agent_state
)

select * from final
