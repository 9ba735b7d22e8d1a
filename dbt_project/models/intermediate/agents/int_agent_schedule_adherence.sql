{#- One row per agent per reporting interval with scheduled time (D28): how much of the scheduled
    time the agent was logged in, and how much was spent in the state group the scheduled activity
    asks for (KPI_DEFINITIONS.md adherence: time in the scheduled state / scheduled time). Both
    sides are cut at the same interval boundaries, so overlaps are found within an interval. -#}
with

scheduled as (
    select * from {{ ref('fct_agent_schedule_intervals') }}
),

states as (
    select * from {{ ref('fct_agent_state_intervals') }}
),

overlapping as (
    select
        scheduled.agent_id,
        scheduled.report_date,
        scheduled.interval_start_utc,
        scheduled.adherent_state_group,
        states.state_group,
        {{ seconds_between(
            'greatest(states.started_at, scheduled.started_at)',
            'least(states.ended_at, scheduled.ended_at)'
        ) }} as overlap_seconds
    from scheduled
    inner join states
        on scheduled.agent_id = states.agent_id
        and scheduled.interval_start_utc = states.interval_start_utc
        and states.started_at < scheduled.ended_at
        and states.ended_at > scheduled.started_at
),

final as (
    select
        agent_id,
        report_date,
        interval_start_utc,
        sum(overlap_seconds) as scheduled_logged_in_seconds,
        sum(case when state_group = adherent_state_group then overlap_seconds else 0 end) as adherent_seconds
    from overlapping
    group by agent_id, report_date, interval_start_utc
)

select * from final
