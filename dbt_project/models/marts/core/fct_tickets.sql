{#- One row per helpdesk ticket (e-mail, web form, chat, messaging, social): where it came from,
    who had it, its first reply and resolutions in calendar and business minutes
    (KPI_DEFINITIONS.md "Tickets, chat, email, messaging"; D14-D17). -#}
with

tickets as (
    select * from {{ ref('stg_zendesk__tickets') }}
),

activity as (
    select * from {{ ref('int_zendesk__ticket_activity') }}
),

ticket_schedules as (
    select * from {{ ref('int_zendesk__ticket_schedules') }}
),

history as (
    select * from {{ ref('int_zendesk__ticket_field_history') }}
),

groups as (
    select * from {{ ref('stg_zendesk__groups') }}
),

measured as (
    select
        tickets.ticket_id,
        tickets.channel,
        activity.is_outbound,
        tickets.created_at,
        tickets.status,
        tickets.priority,
        tickets.group_id,
        ticket_schedules.created_group_id,
        tickets.assignee_id,
        tickets.requester_id,
        tickets.submitter_id,
        ticket_schedules.schedule_id,
        activity.first_reply_at,
        activity.first_reply_comment_id,
        activity.first_reply_agent_id,
        activity.first_solved_at,
        activity.last_solved_at,
        -- Full resolution only once the ticket is solved for good (solved or closed now).
        case when tickets.status in ('solved', 'closed') then activity.last_solved_at end as fully_solved_at,
        activity.solves,
        activity.public_agent_replies,
        activity.internal_notes,
        coalesce(tickets.satisfaction_score, 'unoffered') as satisfaction_score
    from tickets
    inner join activity
        on tickets.ticket_id = activity.ticket_id
    inner join ticket_schedules
        on tickets.ticket_id = ticket_schedules.ticket_id
),

instants as (
    select ticket_id, schedule_id, 'created' as instant_name, created_at as instant_at from measured
    union all
    select ticket_id, schedule_id, 'first_reply', first_reply_at from measured where first_reply_at is not null
    union all
    select ticket_id, schedule_id, 'first_solved', first_solved_at from measured where first_solved_at is not null
    union all
    select ticket_id, schedule_id, 'fully_solved', fully_solved_at from measured where fully_solved_at is not null
),

clocked as (
    {{ with_business_clock('instants', 'instant_at') }}
),

business_clock as (
    select
        ticket_id,
        max(case when instant_name = 'created' then business_clock_seconds end) as created_clock,
        max(case when instant_name = 'first_reply' then business_clock_seconds end) as first_reply_clock,
        max(case when instant_name = 'first_solved' then business_clock_seconds end) as first_solved_clock,
        max(case when instant_name = 'fully_solved' then business_clock_seconds end) as fully_solved_clock
    from clocked
    group by ticket_id
),

solved_state as (
    -- The group at the first solve and the assignee at the last one.
    select
        measured.ticket_id,
        max(case when history.field_name = 'group_id' and history.valid_from <= measured.first_solved_at
                and (history.valid_until > measured.first_solved_at or history.valid_until is null)
            then cast({{ safe_cast_number('history.value') }} as bigint) end) as solved_group_id,
        max(case when history.field_name = 'assignee_id' and history.valid_from <= measured.last_solved_at
                and (history.valid_until > measured.last_solved_at or history.valid_until is null)
            then cast({{ safe_cast_number('history.value') }} as bigint) end) as solved_assignee_id
    from measured
    inner join history
        on measured.ticket_id = history.ticket_id
        and history.field_name in ('group_id', 'assignee_id')
    where measured.first_solved_at is not null
    group by measured.ticket_id
),

final as (
    select
        measured.ticket_id,
        measured.channel,
        measured.is_outbound,
        measured.created_at,
        cast({{ to_site_local('measured.created_at') }} as date) as report_date,
        measured.status,
        measured.status = 'deleted' as is_deleted,
        measured.priority,
        measured.group_id,
        current_groups.group_name,
        measured.created_group_id,
        created_groups.group_name as created_group_name,
        -- No group change loaded before the first solve: the group it has now.
        case when measured.first_solved_at is not null
            then coalesce(solved_state.solved_group_id, measured.group_id) end as solved_group_id,
        measured.assignee_id,
        solved_state.solved_assignee_id,
        measured.requester_id,
        measured.submitter_id,
        measured.schedule_id,
        measured.first_reply_at,
        measured.first_reply_comment_id,
        measured.first_reply_agent_id,
        measured.first_solved_at,
        measured.last_solved_at,
        measured.solves,
        case when measured.solves > 0 then measured.solves - 1 end as reopens,
        measured.public_agent_replies,
        measured.internal_notes,
        measured.status in ('solved', 'closed') and measured.public_agent_replies = 1 as is_one_touch_resolution,
        {{ seconds_between('measured.created_at', 'measured.first_reply_at') }} / 60.0 as first_reply_minutes,
        (business_clock.first_reply_clock - business_clock.created_clock) / 60.0 as first_reply_business_minutes,
        {{ seconds_between('measured.created_at', 'measured.first_solved_at') }} / 60.0 as first_resolution_minutes,
        (business_clock.first_solved_clock - business_clock.created_clock) / 60.0 as first_resolution_business_minutes,
        {{ seconds_between('measured.created_at', 'measured.fully_solved_at') }} / 60.0 as full_resolution_minutes,
        (business_clock.fully_solved_clock - business_clock.created_clock) / 60.0 as full_resolution_business_minutes,
        measured.satisfaction_score
    from measured
    inner join business_clock
        on measured.ticket_id = business_clock.ticket_id
    left join solved_state
        on measured.ticket_id = solved_state.ticket_id
    left join groups as current_groups
        on measured.group_id = current_groups.group_id
    left join groups as created_groups
        on measured.created_group_id = created_groups.group_id
)

select * from final
