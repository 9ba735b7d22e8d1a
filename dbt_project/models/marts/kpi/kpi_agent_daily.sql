{#- Agent KPIs per agent and site-local day (KPI_DEFINITIONS.md "Agents and workforce"; D26-D28):
    time in each state from the agent-state feed (or the queue_log where it is the only source),
    cut at midnight; scheduled time and adherence from the published schedule; the calls the
    agent answered on the day they were offered (D6), and FCR and CSAT of the contacts the agent
    handled first (kpi_cx_daily). Helpdesk agents (digital, no state feed) have NULL state times,
    not zeros; a phone agent absent all day has zeros. Only the days the state and call data cover are reported, and scheduled time
    only as far as the state data reaches (D28): the schedule is published ahead, and time not
    yet due is not an absence. Every ratio comes with its numerator and denominator. -#}

{#- A table, not incremental (D31): a day's row also depends on surveys, tickets, FCR and the
    agent directory, which change later than any day window. -#}
with

states as (
    select * from {{ ref('fct_agent_state_intervals') }}
),

scheduled as (
    select * from {{ ref('fct_agent_schedule_intervals') }}
),

adherence as (
    select * from {{ ref('int_agent_schedule_adherence') }}
),

calls as (
    select * from {{ ref('fct_queue_calls') }}
),

cx as (
    select * from {{ ref('kpi_cx_daily') }}
),

agents as (
    select * from {{ ref('dim_agents') }}
),

helpdesk_agents as (
    -- Digital agents: everyone who is or was a helpdesk agent (D15), with their name and default
    -- group (their team when no schedule names one). Everyone else is a phone agent, whose state
    -- times are 0 on a day without any state (absent), never NULL.
    select
        cast(helpdesk.user_id as varchar) as agent_id,
        helpdesk.agent_name,
        groups.group_name as team_name
    from {{ ref('int_zendesk__agents') }} as helpdesk
    left join {{ ref('stg_zendesk__users') }} as users
        on helpdesk.user_id = users.user_id
    left join {{ ref('stg_zendesk__groups') }} as groups
        on users.default_group_id = groups.group_id
),

replies as (
    select * from {{ ref('fct_ticket_replies') }}
),

state_days as (
    select
        agent_id,
        report_date,
        sum(state_seconds) as logged_in_seconds,
        sum(case when agent_state = 'AVAILABLE' then state_seconds else 0 end) as available_seconds,
        sum(case when agent_state = 'ON_CONTACT' then state_seconds else 0 end) as talk_seconds,
        sum(case when agent_state = 'HOLD' then state_seconds else 0 end) as hold_seconds,
        sum(case when agent_state = 'ACW' then state_seconds else 0 end) as acw_seconds,
        sum(case when is_handling then state_seconds else 0 end) as handle_seconds,
        sum(case when state_group = 'break' then state_seconds else 0 end) as break_seconds,
        sum(case when state_group = 'other' then state_seconds else 0 end) as other_seconds
    from states
    group by agent_id, report_date
),

data_as_of as (
    -- The latest instant the agent data reaches (agent states, helpdesk replies): schedule time
    -- after it is not due yet.
    select coalesce(max(latest_at), {{ far_future() }}) as as_of
    from (
        select max(ended_at) as latest_at from states
        union all
        select max(commented_at) as latest_at from replies
    ) as latest
),

due_schedule as (
    select
        scheduled.agent_id,
        scheduled.report_date,
        scheduled.team_name,
        scheduled.agent_name,
        scheduled.is_on_queue,
        {{ seconds_between('scheduled.started_at', 'least(scheduled.ended_at, data_as_of.as_of)') }} as due_seconds
    from scheduled
    cross join data_as_of
    where scheduled.started_at < data_as_of.as_of
),

schedule_days as (
    select
        agent_id,
        report_date,
        max(team_name) as scheduled_team_name,
        max(agent_name) as scheduled_agent_name,
        sum(due_seconds) as scheduled_seconds,
        sum(case when is_on_queue then due_seconds else 0 end) as scheduled_on_queue_seconds
    from due_schedule
    group by agent_id, report_date
),

adherence_days as (
    select
        agent_id,
        report_date,
        sum(scheduled_logged_in_seconds) as scheduled_logged_in_seconds,
        sum(adherent_seconds) as adherent_seconds
    from adherence
    group by agent_id, report_date
),

call_days as (
    select
        agent_id,
        report_date,
        count(case when is_answered then 1 end) as calls_answered,
        count(case when is_handled then 1 end) as calls_handled,
        sum(case when is_handled then handle_seconds else 0 end) as call_handle_seconds,
        count(case when is_answered and is_transferred then 1 end) as calls_transferred
    from calls
    where agent_id is not null
    group by agent_id, report_date
),

cx_days as (
    select
        agent_id,
        report_date,
        sum(contacts) as contacts,
        sum(fcr_resolved) as fcr_resolved,
        sum(fcr_measured) as fcr_measured,
        sum(csat_satisfied) as csat_satisfied,
        sum(csat_answered) as csat_answered
    from cx
    where agent_id is not null
    group by agent_id, report_date
),

covered as (
    -- The days the agent, call and contact data cover. The schedule reaches further (published
    -- ahead, and the day before the first data for night shifts): those days are not reported
    -- here, or a future day would show every agent absent (kpi_staffing_interval compares the
    -- future).
    select min(report_date) as first_day, max(report_date) as last_day
    from (
        select report_date from state_days
        union all
        select report_date from call_days
        union all
        select report_date from cx_days
    ) as data_days
),

all_keys as (
    select agent_id, report_date from state_days
    union
    select agent_id, report_date from schedule_days
    union
    select agent_id, report_date from call_days
    union
    select agent_id, report_date from cx_days
),

keys as (
    select all_keys.agent_id, all_keys.report_date
    from all_keys
    cross join covered
    where all_keys.report_date between covered.first_day and covered.last_day
),

joined as (
    select
        keys.agent_id,
        keys.report_date,
        coalesce(schedule_days.scheduled_team_name, agents.team_name, helpdesk_agents.team_name) as team_name,
        coalesce(agents.agent_name, schedule_days.scheduled_agent_name, helpdesk_agents.agent_name) as agent_name,
        helpdesk_agents.agent_id is null as is_phone_agent,
        schedule_days.scheduled_seconds,
        schedule_days.scheduled_on_queue_seconds,
        state_days.logged_in_seconds,
        state_days.available_seconds,
        state_days.talk_seconds,
        state_days.hold_seconds,
        state_days.acw_seconds,
        state_days.handle_seconds,
        state_days.break_seconds,
        state_days.other_seconds,
        adherence_days.scheduled_logged_in_seconds,
        adherence_days.adherent_seconds,
        call_days.calls_answered,
        call_days.calls_handled,
        call_days.call_handle_seconds,
        call_days.calls_transferred,
        cx_days.contacts,
        cx_days.fcr_resolved,
        cx_days.fcr_measured,
        cx_days.csat_satisfied,
        cx_days.csat_answered
    from keys
    left join state_days
        on keys.agent_id = state_days.agent_id and keys.report_date = state_days.report_date
    left join schedule_days
        on keys.agent_id = schedule_days.agent_id and keys.report_date = schedule_days.report_date
    left join adherence_days
        on keys.agent_id = adherence_days.agent_id and keys.report_date = adherence_days.report_date
    left join call_days
        on keys.agent_id = call_days.agent_id and keys.report_date = call_days.report_date
    left join cx_days
        on keys.agent_id = cx_days.agent_id and keys.report_date = cx_days.report_date
    left join agents
        on keys.agent_id = agents.agent_id
    left join helpdesk_agents
        on keys.agent_id = helpdesk_agents.agent_id
),

zeroed as (
    -- State times are 0 on a day a phone agent did not log in, NULL for digital agents.
    select
        agent_id,
        report_date,
        team_name,
        agent_name,
        is_phone_agent,
        cast(coalesce(scheduled_seconds, 0) as bigint) as scheduled_seconds,
        cast(coalesce(scheduled_on_queue_seconds, 0) as bigint) as scheduled_on_queue_seconds,
        {% for column in ['logged_in_seconds', 'available_seconds', 'talk_seconds', 'hold_seconds',
                          'acw_seconds', 'handle_seconds', 'break_seconds', 'other_seconds',
                          'scheduled_logged_in_seconds', 'adherent_seconds'] %}
        cast(case when is_phone_agent then coalesce({{ column }}, 0) end as bigint) as {{ column }},
        {% endfor %}
        cast(coalesce(calls_answered, 0) as bigint) as calls_answered,
        cast(coalesce(calls_handled, 0) as bigint) as calls_handled,
        cast(coalesce(call_handle_seconds, 0) as bigint) as call_handle_seconds,
        cast(coalesce(calls_transferred, 0) as bigint) as calls_transferred,
        cast(coalesce(contacts, 0) as bigint) as contacts,
        cast(coalesce(fcr_resolved, 0) as bigint) as fcr_resolved,
        cast(coalesce(fcr_measured, 0) as bigint) as fcr_measured,
        cast(coalesce(csat_satisfied, 0) as bigint) as csat_satisfied,
        cast(coalesce(csat_answered, 0) as bigint) as csat_answered
    from joined
),

final as (
    select
        *,
        scheduled_seconds - scheduled_logged_in_seconds as scheduled_not_logged_in_seconds,
        {{ safe_ratio('handle_seconds', 'handle_seconds + available_seconds') }} as occupancy,
        {{ safe_ratio('handle_seconds', 'logged_in_seconds') }} as utilization,
        {{ safe_ratio('adherent_seconds', 'scheduled_seconds') }} as adherence,
        {{ safe_ratio('scheduled_seconds - scheduled_logged_in_seconds', 'scheduled_seconds') }} as shrinkage,
        {{ safe_ratio('call_handle_seconds', 'calls_handled') }} as aht_seconds,
        {{ safe_ratio('calls_transferred', 'calls_answered') }} as transfer_rate,
        {{ safe_ratio('fcr_resolved', 'fcr_measured') }} as fcr,
        {{ safe_ratio('csat_satisfied', 'csat_answered') }} as csat
    from zeroed
)

select * from final
