{#- The business-hours schedule of each ticket (D14): the schedule the seed zendesk_group_schedules
    gives the group the ticket was created in, otherwise the account's default schedule (the
    oldest). Zendesk's API has no link from group to schedule (triggers set it), hence the seed. -#}
with

tickets as (
    select * from {{ ref('stg_zendesk__tickets') }}
),

created_groups as (
    -- The creation audit sets the first group; when only a later change was loaded, the value it
    -- replaced was the first.
    select
        ticket_id,
        cast({{ safe_cast_number("case when is_initial_value then value else coalesce(previous_value, value) end") }}
            as bigint) as group_id
    from {{ ref('int_zendesk__ticket_field_history') }}
    where field_name = 'group_id'
        and change_seq = 1
),

group_schedules as (
    select * from {{ ref('zendesk_group_schedules') }}
),

schedules as (
    select * from {{ ref('stg_zendesk__schedules') }}
),

default_schedule as (
    select schedule_id
    from (
        select schedule_id, row_number() over (order by created_at, schedule_id) as schedule_rank
        from schedules
    ) as ranked
    where schedule_rank = 1
)

select
    tickets.ticket_id,
    coalesce(created_groups.group_id, tickets.group_id) as created_group_id,
    coalesce(
        (select schedules.schedule_id from schedules where schedules.schedule_id = group_schedules.schedule_id),
        (select schedule_id from default_schedule)
    ) as schedule_id
from tickets
left join created_groups
    on tickets.ticket_id = created_groups.ticket_id
left join group_schedules
    on coalesce(created_groups.group_id, tickets.group_id) = group_schedules.group_id
